package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Notices are messages to admins that an update causes in someone else's
// chat: an alert about a response, a band crossing, a grant. They are
// queued in the store in the update's own transaction (so a crash delays
// them, never loses them) and sent by RunNotices after the commit, on its
// own goroutine: the respondent's reply goes first and the respondent's
// next update never waits for an admin's chat. Under Telegram's flood
// limits they wait for their turn behind every reply and admin screen
// (telegram.Notice), so a busy hour's answers to respondents come before
// alerts.

// noticePoll is how often RunNotices looks at the queue without being
// woken: after a restart, or when a send failed; and at the clock, for the
// daily digest (digest.go).
const noticePoll = 30 * time.Second

// noticeBatch is how many notices one read of the queue takes.
const noticeBatch = 20

// notify queues a notice in this update's transaction.
func (c *conv) notify(n store.Notice) error {
	if _, err := c.tx.AddNotice(n); err != nil {
		return err
	}
	c.out.notices = true
	return nil
}

// wakeNotices tells RunNotices that there is something to send.
func (b *Bot) wakeNotices() {
	select {
	case b.noticeWake <- struct{}{}:
	default:
	}
}

// RunNotices sends queued notices until ctx ends. Run one per bot; the
// caller owns the goroutine and waits for it.
func (b *Bot) RunNotices(ctx context.Context) {
	t := time.NewTicker(noticePoll)
	defer t.Stop()
	for {
		if _, err := b.queueDigests(); err != nil {
			b.log.Error("daily digests not queued", "err", err)
		}
		b.DeliverNotices(ctx)
		select {
		case <-ctx.Done():
			return
		case <-b.noticeWake:
		case <-t.C:
		}
	}
}

// DeliverNotices sends every queued notice now and returns how many were
// taken off the queue. A notice that cannot be sent after the sender's
// retries is dropped and logged, like a reply; one whose send was cut
// short by ctx stays queued. It must not run beside RunNotices: tests and
// the demo call it instead of running that.
func (b *Bot) DeliverNotices(ctx context.Context) int {
	done := 0
	for ctx.Err() == nil {
		type item struct {
			seq  uint64
			call *telegram.Call // nil: nothing to send any more (say, the response was replaced)
			menu int            // after a grant or revocation: +1 the unit admin menu, -1 none
		}
		var items []item
		err := b.store.View(func(tx *store.Tx) error {
			ns, err := tx.Notices(noticeBatch)
			if err != nil {
				return err
			}
			for _, n := range ns {
				c, err := b.renderNotice(tx, n)
				if err != nil {
					return err
				}
				it := item{seq: n.Seq, call: c}
				if n.Kind == store.NoticeGranted || n.Kind == store.NoticeRevoked {
					units, err := tx.UnitsOf(n.Chat)
					if err != nil {
						return err
					}
					it.menu = -1
					if len(units) > 0 {
						it.menu = 1
					}
				}
				items = append(items, it)
			}
			return nil
		})
		if err != nil {
			b.log.Error("notices not read", "err", err)
			return done
		}
		if len(items) == 0 {
			return done
		}
		var sent []uint64
		for _, it := range items {
			if it.call != nil {
				// Priority Notice: it waits for its turn behind every
				// reply and admin screen.
				_, err := b.sender.Do(ctx, *it.call)
				if it.menu != 0 && err == nil {
					b.unitAdminMenu(ctx, it.call.ChatID, it.menu > 0)
				}
				switch {
				case ctx.Err() != nil:
				case errors.Is(err, tg.ErrorForbidden):
					b.log.Info("notice dropped: the admin blocked the bot")
				case err != nil:
					b.log.Warn("notice not sent", "err", err)
				}
				if ctx.Err() != nil {
					break
				}
			}
			sent = append(sent, it.seq)
		}
		err = b.store.Update(func(tx *store.Tx) error {
			for _, seq := range sent {
				if err := tx.DeleteNotice(seq); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.log.Error("sent notices not taken off the queue", "err", err)
			return done
		}
		done += len(sent)
		if len(sent) < len(items) {
			return done
		}
	}
	return done
}

// renderNotice makes the message of a notice in the admin's language: the
// one they chose with /bahasa, or their app's, as kept for admins
// (store.Tx.AdminLang), else the default language. A grant, a revocation
// or a used invitation may reach someone the bot has not yet seen as an
// admin: with no language kept, it comes in both languages.
func (b *Bot) renderNotice(tx *store.Tx, n store.Notice) (*telegram.Call, error) {
	chat, err := tx.Chat(n.Chat)
	if err != nil {
		return nil, err
	}
	lang := chat.Lang
	if lang == "" {
		if lang, _, err = tx.AdminLang(n.Chat); err != nil {
			return nil, err
		}
	}
	if lang == "" {
		lang = n.Lang
	}
	both := lang == "" && (n.Kind == store.NoticeGranted || n.Kind == store.NoticeRevoked || n.Kind == store.NoticeInviteUsed)
	if lang == "" {
		lang = b.cfg.DefaultLanguage
	}
	c := &conv{b: b, tx: tx, t: b.localizer(lang), now: b.now()}
	if both {
		call, err := b.noticeIn(c, n)
		if err != nil || call == nil {
			return call, err
		}
		other := &conv{b: b, tx: tx, t: b.localizer(otherLang(lang)), now: c.now}
		more, err := b.noticeIn(other, n)
		if err != nil || more == nil {
			return call, err
		}
		call.Text += "\n\n" + more.Text
		return call, nil
	}
	return b.noticeIn(c, n)
}

// otherLang is the language of ours that is not lang.
func otherLang(lang string) string {
	if lang == "en" {
		return "id"
	}
	return "en"
}

// noticeIn renders notice n in c's language.
func (b *Bot) noticeIn(c *conv, n store.Notice) (*telegram.Call, error) {
	tx := c.tx
	if n.Kind == store.NoticeDigest {
		return b.renderDigest(c, n)
	}
	u, ok := b.cfg.Catalog.Unit(n.Unit)
	if !ok {
		return nil, nil // a unit since removed from the config
	}
	if n.Kind == store.NoticeLowScore || n.Kind == store.NoticeBand {
		// The grant may have been revoked while the alert waited.
		if ok, err := b.stillAdmin(tx, n.Chat, u.Code); err != nil || !ok {
			return nil, err
		}
	}
	data := map[string]any{"Unit": esc(u.Name), "Code": esc(u.Code)}
	var text string
	var kb *models.InlineKeyboardMarkup
	switch n.Kind {
	case store.NoticeGranted:
		text = c.t.text("notice.granted", data)
	case store.NoticeRevoked:
		text = c.t.text("notice.revoked", data)
	case store.NoticeInviteUsed:
		data["User"] = n.User
		text = c.t.text("notice.invite_used", data)
	case store.NoticeBand:
		id := "notice.band_down"
		if n.To.Nilai() > n.From.Nilai() {
			id = "notice.band_up"
		}
		data["Period"], data["From"], data["To"], data["IKM"] = n.Period, string(n.From), string(n.To), c.t.num(n.IKM)
		data["Kinerja"] = c.kinerja(n.To)
		text = c.t.text(id, data)
		p, err := survey.ParsePeriod(n.Period, b.cfg.Location)
		if err == nil {
			kb = telegram.Keyboard([]models.InlineKeyboardButton{telegram.Button(c.t.text("btn.open_unit", nil), view{kind: 'u', arg: u.Code, period: p}.encode())})
		}
	case store.NoticeLowScore:
		r, err := tx.Response(n.Response)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil // replaced by its respondent since
		}
		if err != nil {
			return nil, err
		}
		if r.Suggestion == "" {
			return nil, nil // blanked by retention while queued
		}
		data["Date"] = r.Submitted.In(b.cfg.Location).Format("2006-01-02")
		data["Scores"] = c.scoreLine(r.Scores)
		data["Suggestion"] = esc(truncate(r.Suggestion, 1500))
		text = c.t.text("notice.low_score", data)
		kb = telegram.Keyboard([]models.InlineKeyboardButton{telegram.Button(c.t.text("btn.all_suggestions", nil), encodeSuggestions(u.Code, newestCursor))})
	default:
		// Written by a newer ikmbot? Dropping it beats blocking the queue.
		b.log.Warn("notice of an unknown kind dropped", "kind", n.Kind)
		return nil, nil
	}
	return &telegram.Call{Method: telegram.SendMessage, ChatID: n.Chat, Text: text, Keyboard: kb, Priority: telegram.Notice}, nil
}

// scoreLine shows a response's element scores compactly, weakest marked.
func (c *conv) scoreLine(s survey.Scores) string {
	var parts []string
	for i, key := range survey.Elements {
		v := s[i]
		if v == 0 {
			continue
		}
		part := esc(c.t.text("element."+string(key)+".short", nil)) + " " + itoa(int(v))
		if v == survey.MinScore {
			part = "<b>" + part + "</b>"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " · ")
}

// stillAdmin reports whether user may see the unit now.
func (b *Bot) stillAdmin(tx *store.Tx, user int64, unit string) (bool, error) {
	if b.IsAdmin(user) {
		return true, nil
	}
	units, err := tx.UnitsOf(user)
	return slices.Contains(units, unit), err
}
