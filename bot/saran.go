package bot

import (
	"strings"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/survey"
)

// Suggestions are shown a page at a time, newest first, each with the day
// it was given and that response's element scores: never who gave it, nor
// the time of day or the profile, which next to a queue's log could point
// at a person. Long ones are cut to keep a page within one message.
const (
	suggestionsPerPage = 5
	suggestionRunes    = 500
	// suggestionsBudget bounds a page's text in UTF-16 units, as Telegram
	// counts its 4096: five suggestions of emoji would not fit otherwise.
	suggestionsBudget = 3600
)

// saran answers /saran [CODE]: a unit's suggestions, for the unit's admins
// and city admins. A unit admin of one unit may leave the code out.
func (c *conv) saran(arg string) error {
	u, ok, err := c.adminUnit("saran", "saran.usage", arg)
	if !ok || err != nil {
		return err
	}
	text, kb, err := c.suggestionsPage(u, 0)
	if err != nil {
		return err
	}
	c.out.Send(c.in.ChatID, text, kb)
	return nil
}

// suggestionsPage shows the unit's suggestions older than response id
// before (0: the newest).
func (c *conv) suggestionsPage(u survey.Unit, before uint64) (string, *models.InlineKeyboardMarkup, error) {
	rs, more, err := c.tx.Suggestions(u.Code, before, suggestionsPerPage)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.WriteString(c.t.text("saran.title", map[string]any{"Unit": esc(u.Name), "Code": esc(u.Code)}) + "\n")
	if len(rs) == 0 {
		b.WriteString("\n" + c.t.text("saran.none", nil))
	}
	used := 0
	for i, r := range rs {
		text := truncate(r.Suggestion, suggestionRunes)
		if used += utf16Units(text) + 250; used > suggestionsBudget && i > 0 {
			// The rest start the next page.
			rs, more = rs[:i], true
			break
		}
		b.WriteString("\n<b>" + r.Submitted.In(c.b.cfg.Location).Format("2006-01-02") + "</b> · " + c.scoreLine(r.Scores) + "\n")
		b.WriteString("<i>" + esc(text) + "</i>\n")
	}
	var nav []models.InlineKeyboardButton
	if before != 0 {
		nav = append(nav, telegram.Button(c.t.text("btn.newest", nil), encodeSuggestions(u.Code, newestCursor)))
	}
	if more {
		nav = append(nav, telegram.Button(c.t.text("btn.older", nil), encodeSuggestions(u.Code, c.b.sealCursor(u.Code, rs[len(rs)-1].ID))))
	}
	year := survey.PeriodOf(survey.PeriodYear, c.now)
	rows := [][]models.InlineKeyboardButton{nav, {telegram.Button("« "+truncate(u.Name, 30), view{kind: 'u', arg: u.Code, period: year}.encode())}}
	return strings.TrimRight(b.String(), "\n"), telegram.Keyboard(rows...), nil
}

// utf16Units is the length of s as Telegram counts it.
func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// adminUnit resolves the unit a unit-level admin command names: a unit
// admin of one unit may leave the code out. Anything else (a bad or
// unknown code, a unit the sender may not see) is answered here, and ok is
// false; the command's scope has let only admins in.
func (c *conv) adminUnit(cmd, usageID, arg string) (u survey.Unit, ok bool, err error) {
	r, err := c.role()
	if err != nil {
		return u, false, err
	}
	f := strings.Fields(arg)
	switch {
	case len(f) == 0 && !r.city && len(r.units) == 1:
		return r.units[0], true, nil
	case len(f) != 1:
		c.out.Send(c.in.ChatID, c.t.text(usageID, nil), nil)
		return u, false, nil
	}
	if u, ok = c.b.cfg.Catalog.Unit(f[0]); !ok {
		c.out.Send(c.in.ChatID, c.unknownUnit(f[0], r), nil)
		return u, false, nil
	}
	if !r.sees(u.Code) {
		c.refuse(cmd, "admin.refuse_unit")
		return u, false, nil
	}
	return u, true, nil
}
