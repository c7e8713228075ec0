package bot

import (
	"context"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/store"
)

// scope says who may run a command or press an admin button.
type scope int

const (
	anyone    scope = iota + 1 // citizens too
	anyAdmin                   // city admins, and unit admins (for their own units, checked by the handler)
	cityAdmin                  // city admins only
)

// menu is a set of command menus a command is listed in.
type menu uint8

const (
	citizenMenu   menu = 1 << iota // everyone's menu, per language
	unitAdminMenu                  // a unit admin's own chat
	cityAdminMenu                  // a city admin's own chat
)

// command is one row of the command table: a new command is one more row.
type command struct {
	id, en string // its names in Indonesian and English ("" when the same)
	desc   string // locale id of its menu description
	scope  scope
	menus  menu
	run    func(c *conv, arg string) error
}

// names returns every name the command answers to.
func (cmd command) names() []string {
	if cmd.en == "" || cmd.en == cmd.id {
		return []string{cmd.id}
	}
	return []string{cmd.id, cmd.en}
}

// name returns the command's name in lang.
func (cmd command) name(lang string) string {
	if lang == "en" && cmd.en != "" {
		return cmd.en
	}
	return cmd.id
}

// commands are the bot's commands, in the order the menus list them.
var commands = []command{
	{id: "ikm", desc: "cmd.ikm", scope: anyAdmin, menus: unitAdminMenu | cityAdminMenu, run: (*conv).ikmCommand},
	{id: "peringkat", en: "ranking", desc: "cmd.peringkat", scope: cityAdmin, menus: cityAdminMenu, run: (*conv).peringkat},
	{id: "saran", en: "suggestions", desc: "cmd.saran", scope: anyAdmin, menus: unitAdminMenu | cityAdminMenu, run: (*conv).saran},
	{id: "tindaklanjut", en: "followup", desc: "cmd.tindaklanjut", scope: anyAdmin, menus: unitAdminMenu | cityAdminMenu, run: (*conv).tindaklanjut},
	{id: "qr", desc: "cmd.qr", scope: cityAdmin, menus: cityAdminMenu, run: (*conv).qr},
	{id: "loket", en: "counter", desc: "cmd.loket", scope: cityAdmin, menus: cityAdminMenu, run: (*conv).loket},
	{id: "cadangan", en: "backup", desc: "cmd.backup", scope: cityAdmin, menus: cityAdminMenu, run: func(c *conv, _ string) error { return c.backup() }},
	{id: "admin", desc: "cmd.admin", scope: cityAdmin, menus: cityAdminMenu, run: (*conv).admin},
	{id: "audit", desc: "cmd.audit", scope: cityAdmin, menus: cityAdminMenu, run: func(c *conv, _ string) error { return c.audit() }},
	{id: "start", desc: "cmd.start", scope: anyone, menus: citizenMenu | unitAdminMenu | cityAdminMenu, run: (*conv).start},
	{id: "batal", en: "cancel", desc: "cmd.cancel", scope: anyone, menus: citizenMenu, run: func(c *conv, _ string) error {
		if c.cancelPlan() {
			return nil
		}
		return c.cancel()
	}},
	{id: "bahasa", en: "language", desc: "cmd.language", scope: anyone, menus: citizenMenu, run: func(c *conv, _ string) error {
		c.out.Send(c.in.ChatID, c.t.text("language.ask", nil), telegram.Keyboard([]models.InlineKeyboardButton{
			telegram.Button(c.t.text("language.name_id", nil), encodeLang("id")),
			telegram.Button(c.t.text("language.name_en", nil), encodeLang("en")),
		}))
		return nil
	}},
	{id: "bantuan", en: "help", desc: "cmd.help", scope: anyone, menus: citizenMenu | unitAdminMenu | cityAdminMenu, run: (*conv).help},
	// /id tells anyone their Telegram user id, for a city admin to grant
	// them a unit; it is in no menu.
	{id: "id", scope: anyone, run: func(c *conv, _ string) error { c.whoami(); return nil }},
}

// commandByName finds a command by any of its names.
var commandByName = func() map[string]command {
	m := map[string]command{}
	for _, cmd := range commands {
		for _, n := range cmd.names() {
			m[n] = cmd
		}
	}
	return m
}()

// command runs the command the person typed, once its scope allows them.
func (c *conv) command() error {
	cmd, ok := commandByName[c.in.Command]
	if !ok {
		c.reaskBelow(c.t.text("error.unsupported", nil))
		return nil
	}
	if cmd.scope != anyone {
		// An admin's screen: it waits for its turn behind respondents'
		// replies under Telegram's flood limits.
		c.out.SetPriority(telegram.Screen)
		r, err := c.role()
		if err != nil {
			return err
		}
		switch {
		case cmd.scope == cityAdmin && !r.city:
			c.refuse(cmd.id, "admin.refuse_city")
			return nil
		case !r.admin():
			c.refuse(cmd.id, "admin.refuse")
			return nil
		}
	}
	return cmd.run(c, c.in.Text)
}

// commandRows is commands, for the handlers in it that list it (help):
// a direct reference would be an initialization cycle.
var commandRows []command

func init() { commandRows = commands }

// help answers /bantuan: what the bot does and its commands, and for an
// admin the admin commands they may use, from their menu's rows.
func (c *conv) help(string) error {
	text := c.t.text("help", nil)
	r, err := c.role()
	if err != nil {
		return err
	}
	if r.admin() {
		m := unitAdminMenu
		if r.city {
			m = cityAdminMenu
		}
		var lines []string
		for _, cmd := range commandRows {
			if cmd.menus&m != 0 && cmd.scope != anyone {
				lines = append(lines, "/"+cmd.name(c.t.lang)+" — "+esc(c.t.text(cmd.desc, nil)))
			}
		}
		text += "\n\n" + c.t.text("help_admin", nil) + "\n" + strings.Join(lines, "\n")
	}
	c.out.Send(c.in.ChatID, text, nil)
	c.reaskBelow("")
	return nil
}

// menuOf lists the commands of one menu, named in lang and described in
// the language of t.
func menuOf(m menu, lang string, t texts) []models.BotCommand {
	var cmds []models.BotCommand
	for _, cmd := range commands {
		if cmd.menus&m != 0 {
			cmds = append(cmds, models.BotCommand{Command: cmd.name(lang), Description: t.text(cmd.desc, nil)})
		}
	}
	return cmds
}

// RegisterCommands publishes the command menu per language, Indonesian also
// as the default for every other language, and adds the admin commands to
// the menu of each city admin's and unit admin's own chat only, so citizens
// never see them.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	for _, lang := range []string{"", "id", "en"} {
		l := lang
		if l == "" {
			l = b.cfg.DefaultLanguage
		}
		cmds := menuOf(citizenMenu, l, b.localizer(l))
		if _, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang}); err != nil {
			return err
		}
	}
	for _, id := range b.cfg.Admins {
		// Telegram refuses a chat scope until that admin has opened the
		// bot once; /ikm still works when typed.
		b.adminMenu(ctx, id, cityAdminMenu)
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
		for _, lang := range []string{"", otherLang(b.cfg.DefaultLanguage)} {
			if _, err := b.api.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{Scope: scope, LanguageCode: lang}); err != nil {
				b.log.Info("unit admin command menu not removed", "err", err)
			}
		}
		return
	}
	b.adminMenu(ctx, userID, unitAdminMenu)
}

// adminMenu sets menu m in an admin's own chat, in each language: the
// default language's for any app, and the other's for apps in that
// language, which Telegram shows them instead. Failures only cost the
// menu: the commands work when typed.
func (b *Bot) adminMenu(ctx context.Context, userID int64, m menu) {
	scope := &models.BotCommandScopeChat{ChatID: userID}
	for _, lang := range []string{"", otherLang(b.cfg.DefaultLanguage)} {
		l := lang
		if l == "" {
			l = b.cfg.DefaultLanguage
		}
		cmds := menuOf(m, l, b.localizer(l))
		if _, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: lang}); err != nil {
			b.log.Info("admin command menu not set", "lang", l, "err", err)
			return
		}
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
			d.out.SetPriority(telegram.Notice) // nobody is waiting for it
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
		b.sender.Deliver(ctx, d.chatID, d.out.Calls)
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
