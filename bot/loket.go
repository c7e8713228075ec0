package bot

import (
	"strconv"
	"strings"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// loket answers /loket ganti CODE by rotating the unit's counter key, so
// that a leaked key stops verifying from the next scan on, and /loket
// kunci CODE by showing the current key (for a counter PC to be set up
// while the bot holds the database, which ikmbot counter --print-key then
// cannot read). Either way the reply carries the key: city admins only,
// and audited, as the key lets whoever holds it make answers look
// verified.
func (c *conv) loket(arg string) error {
	f := strings.Fields(arg)
	if len(f) != 2 {
		c.out.Send(c.in.ChatID, c.t.text("loket.usage", nil), nil)
		return nil
	}
	verb := strings.ToLower(f[0])
	rotate := verb == "ganti" || verb == "rotate"
	if !rotate && verb != "kunci" && verb != "key" {
		c.out.Send(c.in.ChatID, c.t.text("loket.usage", nil), nil)
		return nil
	}
	u, ok := c.b.cfg.Catalog.Unit(f[1])
	if !ok {
		c.out.Send(c.in.ChatID, c.t.text("admin.unknown_unit", map[string]any{"Code": esc(truncate(f[1], 40))}), nil)
		return nil
	}
	var gen int
	var err error
	action, reply := store.AuditCounterShow, "loket.key"
	if rotate {
		gen, err = c.tx.RotateCounterKey(u.Code)
		action, reply = store.AuditCounterRotate, "loket.rotated"
	} else {
		gen, err = c.tx.CounterKeyGeneration(u.Code)
	}
	if err != nil {
		return err
	}
	if _, err := c.tx.AddAudit(store.AuditEntry{At: c.now, By: c.in.UserID, Action: action, Unit: u.Code, Detail: strconv.Itoa(gen)}); err != nil {
		return err
	}
	c.b.log.Info("counter key given out", "unit", u.Code, "generation", gen, "rotated", rotate)
	c.out.Send(c.in.ChatID, c.loketText(reply, u, gen), nil)
	return nil
}

// loketText is the reply carrying the unit's counter key of generation gen
// and how to use it on the counter PC.
func (c *conv) loketText(id string, u survey.Unit, gen int) string {
	bot := c.b.cfg.BotUsername
	if bot == "" {
		bot = c.t.text("loket.bot_placeholder", nil)
	}
	return c.t.text(id, map[string]any{
		"Unit": esc(u.Name), "Code": esc(u.Code), "Gen": gen,
		"Key": esc(deeplink.FormatCounterKey(u.Code, deeplink.CounterKey(c.b.cfg.Secret, u.Code, gen))),
		"Bot": esc(bot),
	})
}
