package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/survey"
)

// Admin buttons carry two-letter ops, so they never meet the survey's
// one-letter ones (callback.go). Like those they are never trusted: the
// data is parsed strictly here, and every press checks the sender's role
// against the unit or view it names before anything is read.
//
//	ic:<P>                   the city
//	it:<type>:<P>:<page>     one unit type
//	iu:<unit>:<P>            one unit
//	ie:<unit>:<element>:<P>  one element of a unit, by element key
//	ip:<unit>:<P>            the profile of a unit's respondents
//	im:<P>                   a unit admin's own units
//	ir:<P>:<page>            ranking of units
//	ix:<P>                   ranking of elements, city-wide
//	sg:<unit>:<before>       suggestions older than response id before (0: newest)
//	au:<before>              audit log older than entry before (0: newest)
//	fl:<unit>                a unit's follow-up plans
//	fn:<unit>:<element>      a new follow-up plan for an element
//	fs:<unit>:<seq>:<status> set a plan's status
//	xc: xt: xu: xm:          exports of a screen's scope (exports.go)
//
// <P> is a period: its label (2026, 2026-S1, 2026-Q1, 2026-03), or a date
// range as YYYYMMDD-YYYYMMDD. The longest, ie: with a 32-character unit
// code, "kompetensi" and a range, is exactly 64 bytes.

// view is one screen of the admin reports.
type view struct {
	kind   byte // c t u e p m r x, as the ops above
	arg    string
	elem   survey.ElementKey
	period survey.Period
	page   int
}

func (v view) encode() string {
	p := encodePeriod(v.period)
	switch v.kind {
	case 't':
		return "it:" + v.arg + ":" + p + ":" + strconv.Itoa(v.page)
	case 'u', 'p':
		return "i" + string(v.kind) + ":" + v.arg + ":" + p
	case 'e':
		return "ie:" + v.arg + ":" + string(v.elem) + ":" + p
	case 'r':
		return "ir:" + p + ":" + strconv.Itoa(v.page)
	}
	return "i" + string(v.kind) + ":" + p
}

func encodeSuggestions(unit string, before uint64) string {
	return "sg:" + unit + ":" + strconv.FormatUint(before, 10)
}
func encodeAudit(before uint64) string   { return "au:" + strconv.FormatUint(before, 10) }
func encodeFollowUps(unit string) string { return "fl:" + unit }
func encodeNewFollowUp(unit string, e survey.ElementKey) string {
	return "fn:" + unit + ":" + string(e)
}
func encodeFollowUpStatus(unit string, seq uint64, status string) string {
	return "fs:" + unit + ":" + strconv.FormatUint(seq, 10) + ":" + status
}

// encodePeriod writes a period for callback data: its label, except that
// a range is squeezed to YYYYMMDD-YYYYMMDD.
func encodePeriod(p survey.Period) string {
	if p.Kind == survey.PeriodRange {
		return p.From.Format("20060102") + "-" + p.To.Format("20060102")
	}
	return p.Label
}

// decodePeriod reads encodePeriod's form back, through survey.ParsePeriod,
// so a forged period is held to the same rules as a typed one.
func decodePeriod(s string, loc *time.Location) (survey.Period, bool) {
	if len(s) == 17 && s[8] == '-' {
		s = s[:4] + "-" + s[4:6] + "-" + s[6:8] + ".." + s[9:13] + "-" + s[13:15] + "-" + s[15:]
	}
	p, err := survey.ParsePeriod(s, loc)
	return p, err == nil && s != ""
}

// seqNumber parses a decimal id without sign or leading zeros (0 itself is
// fine): one spelling per number.
func seqNumber(s string) (uint64, bool) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// show puts a screen in place of the message whose button was pressed, or
// in a new message when that one can no longer be edited.
func (c *conv) show(text string, kb *models.InlineKeyboardMarkup) {
	if c.in.Gone || c.in.MessageID == 0 {
		c.out.Send(c.in.ChatID, text, kb)
		return
	}
	c.out.Edit(c.in.ChatID, c.in.MessageID, text, kb)
}

// render draws a view that r has been checked for; ok is false for a view
// that names nothing (an unknown unit type, a page past the end).
func (c *conv) render(v view, r role) (text string, kb *models.InlineKeyboardMarkup, ok bool, err error) {
	switch v.kind {
	case 'c':
		text, kb, err = c.cityView(v)
	case 't':
		return c.typeView(v)
	case 'u':
		text, kb, err = c.unitView(v, r)
	case 'e':
		text, kb, err = c.elementView(v)
	case 'p':
		text, kb, err = c.profileView(v)
	case 'm':
		if r.city {
			// A city admin's units are the city.
			text, kb, err = c.cityView(view{kind: 'c', period: v.period})
			break
		}
		text, kb, err = c.myUnitsView(v, r)
	case 'r':
		return c.rankView(v)
	case 'x':
		text, kb, err = c.elementRankView(v)
	default:
		return "", nil, false, nil
	}
	return text, kb, err == nil, err
}

// periodRows are the buttons that move a view in time: the previous and
// next period of the same kind (never past the current one), and the
// period of each other kind around the one shown.
func (c *conv) periodRows(v view) [][]models.InlineKeyboardButton {
	at := func(p survey.Period) view {
		w := v
		w.period = p
		if w.page > 1 {
			w.page = 1
		}
		return w
	}
	prev, next := at(v.period.Previous()), at(v.period.Next())
	nav := []models.InlineKeyboardButton{telegram.Button("« "+prev.period.Label, prev.encode())}
	if !next.period.From.After(c.now) {
		nav = append(nav, telegram.Button(next.period.Label+" »", next.encode()))
	}
	anchor := v.period.To
	if anchor.After(c.now) {
		anchor = c.now
	}
	var kinds []models.InlineKeyboardButton
	for _, k := range []survey.PeriodKind{survey.PeriodYear, survey.PeriodSemester, survey.PeriodQuarter, survey.PeriodMonth} {
		if k == v.period.Kind {
			continue
		}
		kinds = append(kinds, telegram.Button(c.t.text("view.kind_"+string(k), nil), at(survey.PeriodOf(k, anchor)).encode()))
	}
	return [][]models.InlineKeyboardButton{nav, kinds}
}

// signed formats a change in hundredths with its sign, as "+0,98".
func (c *conv) signed(d float64) string {
	d = survey.Round2(d)
	s := c.t.num(d)
	if d > 0 {
		s = "+" + s
	}
	return s
}

// change says how an IKM moved from the previous period: "+0,98 dari
// 80,98 (2025)"; "" when there is nothing to compare with.
func (c *conv) change(now, prev float64, prevOK bool, prevPeriod survey.Period) string {
	if !prevOK {
		return ""
	}
	return " · " + c.t.text("view.change", map[string]any{
		"Delta": c.signed(now - prev), "Prev": c.t.num(prev), "Period": prevPeriod.Label,
	})
}

// progressBar draws n of target as ten cells and a percentage.
func progressBar(n, target int) string {
	if target <= 0 {
		return ""
	}
	cells := min(10, n*10/target)
	pct := n * 100 / target
	return strings.Repeat("▰", cells) + strings.Repeat("▱", 10-cells) + " " + strconv.Itoa(pct) + "%"
}

func (c *conv) elementName(e survey.ElementKey) string {
	return esc(c.t.text("element."+string(e)+".name", nil))
}

func (c *conv) elementShort(e survey.ElementKey) string {
	return c.t.text("element."+string(e)+".short", nil)
}

// unitLabel is a unit's name cut to fit a button.
func unitLabel(u survey.Unit) string { return truncate(u.Name, 40) }

// parseIKMArgs reads "/ikm [CODE] [PERIOD]" in any order. The period
// defaults to the current year.
func (c *conv) parseIKMArgs(arg string) (u survey.Unit, p survey.Period, reply string) {
	p = survey.PeriodOf(survey.PeriodYear, c.now)
	for _, f := range strings.Fields(arg) {
		if unit, ok := c.b.cfg.Catalog.Unit(f); ok && u.Code == "" {
			u = unit
			continue
		}
		if q, err := survey.ParsePeriod(f, c.b.cfg.Location); err == nil {
			p = q
			continue
		}
		if len(f) >= 4 && f[0] >= '0' && f[0] <= '9' {
			return u, p, c.t.text("view.bad_period", map[string]any{"Period": esc(truncate(f, 30))})
		}
		return u, p, c.t.text("admin.unknown_unit", map[string]any{"Code": esc(truncate(f, 40))})
	}
	return u, p, ""
}

// ikmCommand answers /ikm: the city for city admins, a unit admin's own
// unit (or the list of them), or the unit named, each with the buttons to
// drill down and move in time.
func (c *conv) ikmCommand(arg string) error {
	r, err := c.role()
	if err != nil {
		return err
	}
	u, p, reply := c.parseIKMArgs(arg)
	if reply != "" {
		c.out.Send(c.in.ChatID, reply, nil)
		return nil
	}
	v := view{kind: 'c', period: p}
	switch {
	case u.Code != "" && !r.sees(u.Code):
		c.refuse("ikm", "admin.refuse_unit")
		return nil
	case u.Code != "":
		v.kind, v.arg = 'u', u.Code
	case !r.city && len(r.units) == 1:
		v.kind, v.arg = 'u', r.units[0].Code
	case !r.city:
		v.kind = 'm'
	}
	text, kb, _, err := c.render(v, r)
	if err != nil {
		return err
	}
	c.out.Send(c.in.ChatID, text, kb)
	return nil
}

// peringkat answers /peringkat [PERIOD] and /peringkat unsur [PERIOD]:
// every unit ranked, or the elements city-wide. City admins only: a
// ranking is every unit's figures.
func (c *conv) peringkat(arg string) error {
	v := view{kind: 'r', page: 1, period: survey.PeriodOf(survey.PeriodYear, c.now)}
	for _, f := range strings.Fields(arg) {
		if g := strings.ToLower(f); g == "unsur" || g == "elements" {
			v.kind, v.page = 'x', 0
			continue
		}
		p, err := survey.ParsePeriod(f, c.b.cfg.Location)
		if err != nil {
			c.out.Send(c.in.ChatID, c.t.text("view.rank_usage", nil), nil)
			return nil
		}
		v.period = p
	}
	text, kb, _, err := c.render(v, role{city: true})
	if err != nil {
		return err
	}
	c.out.Send(c.in.ChatID, text, kb)
	return nil
}

// backRow is the way up from a unit's screens: to its type for city
// admins, to the list of their units for admins of several.
func (c *conv) backRow(u survey.Unit, p survey.Period, r role) []models.InlineKeyboardButton {
	switch {
	case r.city:
		return []models.InlineKeyboardButton{
			telegram.Button("« "+c.typeName(u.Type), view{kind: 't', arg: string(u.Type), period: p, page: 1}.encode()),
			telegram.Button(c.t.text("view.btn_city", nil), view{kind: 'c', period: p}.encode()),
		}
	case len(r.units) > 1:
		return []models.InlineKeyboardButton{telegram.Button(c.t.text("view.btn_my_units", nil), view{kind: 'm', period: p}.encode())}
	}
	return nil
}

// fmtCount writes a count or, for a suppressed cell, "*".
func fmtCount(cell survey.ProfileCell) string {
	if cell.Suppressed {
		return "*"
	}
	return fmt.Sprint(cell.Count)
}
