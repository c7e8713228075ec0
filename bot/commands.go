package bot

import (
	"context"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/store"
)

// RegisterCommands publishes the command menu per language, Indonesian also
// as the default for every other language, and adds the admin commands to
// the menu of each city admin's and unit admin's own chat only, so citizens
// never see them.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	names := map[string][]string{
		"id": {"start", "batal", "bahasa", "bantuan"},
		"en": {"start", "cancel", "language", "help"},
	}
	ids := []string{"cmd.start", "cmd.cancel", "cmd.language", "cmd.help"}
	for _, lang := range []string{"", "id", "en"} {
		l := lang
		if l == "" {
			l = b.cfg.DefaultLanguage
		}
		t := b.localizer(l)
		var cmds []models.BotCommand
		for i, id := range ids {
			cmds = append(cmds, models.BotCommand{Command: names[l][i], Description: t.text(id, nil)})
		}
		if _, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang}); err != nil {
			return err
		}
	}
	t := b.localizer(b.cfg.DefaultLanguage)
	for _, id := range b.cfg.Admins {
		cmds := []models.BotCommand{
			{Command: "ikm", Description: t.text("cmd.ikm", nil)},
			{Command: "peringkat", Description: t.text("cmd.peringkat", nil)},
			{Command: "saran", Description: t.text("cmd.saran", nil)},
			{Command: "tindaklanjut", Description: t.text("cmd.tindaklanjut", nil)},
			{Command: "qr", Description: t.text("cmd.qr", nil)},
			{Command: "loket", Description: t.text("cmd.loket", nil)},
			{Command: "cadangan", Description: t.text("cmd.backup", nil)},
			{Command: "admin", Description: t.text("cmd.admin", nil)},
			{Command: "audit", Description: t.text("cmd.audit", nil)},
			{Command: "start", Description: t.text("cmd.start", nil)},
			{Command: "bantuan", Description: t.text("cmd.help", nil)},
		}
		_, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeChat{ChatID: id}})
		if err != nil {
			// Telegram refuses a chat scope until that admin has opened the
			// bot once; /ikm still works when typed.
			b.log.Info("admin command menu not set", "err", err)
		}
	}
	var unitAdmins []int64
	err := b.store.View(func(tx *store.Tx) error {
		grants, err := tx.Grants()
		for _, g := range grants {
			if len(unitAdmins) == 0 || unitAdmins[len(unitAdmins)-1] != g.User {
				unitAdmins = append(unitAdmins, g.User)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range unitAdmins {
		b.unitAdminMenu(ctx, id, true)
	}
	return nil
}

// unitAdminMenu shows a unit admin's commands in their chat's menu, or
// takes them away again (on means the user still administers a unit).
// Failures only cost the menu: the commands work when typed.
func (b *Bot) unitAdminMenu(ctx context.Context, userID int64, on bool) {
	scope := &models.BotCommandScopeChat{ChatID: userID}
	if !on {
		if _, err := b.api.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{Scope: scope}); err != nil {
			b.log.Info("unit admin command menu not removed", "err", err)
		}
		return
	}
	t := b.localizer(b.cfg.DefaultLanguage)
	cmds := []models.BotCommand{
		{Command: "ikm", Description: t.text("cmd.ikm", nil)},
		{Command: "saran", Description: t.text("cmd.saran", nil)},
		{Command: "tindaklanjut", Description: t.text("cmd.tindaklanjut", nil)},
		{Command: "start", Description: t.text("cmd.start", nil)},
		{Command: "bantuan", Description: t.text("cmd.help", nil)},
	}
	if _, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: scope}); err != nil {
		b.log.Info("unit admin command menu not set", "err", err)
	}
}

// SweepExpired closes every survey idle past the TTL, keeping partial
// answers as incomplete, and tells each person. It returns how many closed.
func (b *Bot) SweepExpired(ctx context.Context) (int, error) {
	if b.cfg.SessionTTL <= 0 {
		return 0, nil
	}
	type closed struct {
		chatID int64
		out    outbox
	}
	var done []closed
	err := b.store.Update(func(tx *store.Tx) error {
		done = nil
		now := b.now()
		var expired []store.Chat
		err := tx.ForEachChat(func(ch store.Chat) error {
			if ch.Session != nil && ch.Session.Expired(now, b.cfg.SessionTTL) {
				expired = append(expired, ch)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, ch := range expired {
			d := closed{chatID: ch.ID}
			in := telegram.Update{ChatID: ch.ID}
			c := &conv{b: b, tx: tx, in: in, chat: ch, t: b.localizer(b.langFor(ch, in)), now: now, out: &d.out}
			if err := c.expire(); err != nil {
				return err
			}
			if err := c.save(); err != nil {
				return err
			}
			done = append(done, d)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, d := range done {
		b.metrics.countEvents(d.out.events)
		b.sender.Deliver(ctx, nil, d.chatID, d.out.Calls)
	}
	return len(done), nil
}

// SweepRetention deletes chat records idle past ChatRetention with no
// survey open, and blanks suggestions older than SuggestionRetention.
func (b *Bot) SweepRetention() (chats, suggestions int, err error) {
	now := b.now()
	err = b.store.Update(func(tx *store.Tx) error {
		chats, suggestions = 0, 0
		if b.cfg.ChatRetention > 0 {
			var old []int64
			err := tx.ForEachChat(func(ch store.Chat) error {
				if ch.Session == nil && now.Sub(ch.Touched) > b.cfg.ChatRetention {
					old = append(old, ch.ID)
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, id := range old {
				if err := tx.DeleteChat(id); err != nil {
					return err
				}
			}
			chats = len(old)
		}
		if b.cfg.SuggestionRetention > 0 {
			n, err := tx.PurgeSuggestions(now.Add(-b.cfg.SuggestionRetention))
			if err != nil {
				return err
			}
			suggestions = n
		}
		return nil
	})
	return chats, suggestions, err
}

// RunSweeper calls SweepExpired every interval, and SweepRetention every
// hour, until ctx ends.
func (b *Bot) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastRetention time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n, err := b.SweepExpired(ctx); err != nil {
				b.log.Error("expiry sweep failed", "err", err)
			} else if n > 0 {
				b.log.Info("expired idle surveys", "count", n)
			}
			if now.Sub(lastRetention) >= time.Hour {
				lastRetention = now
				if c, s, err := b.SweepRetention(); err != nil {
					b.log.Error("retention sweep failed", "err", err)
				} else if c+s > 0 {
					b.log.Info("retention sweep", "chats_deleted", c, "suggestions_blanked", s)
				}
			}
		}
	}
}
