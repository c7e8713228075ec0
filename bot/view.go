package bot

import (
	"slices"
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
//	ie:<unit>:<E>:<P>        one element of a unit
//	ip:<unit>:<P>            the profile of a unit's respondents
//	im:<P>                   a unit admin's own units
//	ir:<P>:<page>            ranking of units
//	ix:<P>                   ranking of elements, city-wide
//	sg:<unit>:<cursor>       suggestions older than a sealed response id (cursor.go; 0: newest)
//	au:<before>              audit log older than entry before (0: newest)
//	fl:<unit>                a unit's follow-up plans
//	fn:<unit>:<E>            a new follow-up plan for an element
//	fs:<unit>:<seq>:<from><to> move a plan from one status to the next
//	xc: xt: xu: xm:          exports of a screen's scope (exports.go)
//
// <P> is a period: its label (2026, 2026-S1, 2026-Q1, 2026-03), or a date
// range as YYYYMMDD-YYYYMMDD (17 bytes, the longest). <E> is an element
// by its token (elementToken), 4 bytes. A unit code or a type key is at
// most 32 bytes, so the longest data are ie: at 58 bytes and fs: at 59, within
// Telegram's 64; TestEveryButtonFitsTelegram walks every screen with such
// a code and checks every button the bot sends.

// elementTokenLen is how many leading bytes of an element key name it in
// callback data: the shortest prefix that tells the nine keys apart
// (persyaratan and perilaku part at the fourth letter). TestElementTokens
// checks that it still does.
const elementTokenLen = 4

// elementToken is e in callback data.
func elementToken(e survey.ElementKey) string { return string(e)[:elementTokenLen] }

// elementOfToken reads elementToken back; ok is false for anything else.
func elementOfToken(s string) (survey.ElementKey, bool) {
	if len(s) != elementTokenLen {
		return "", false
	}
	for _, e := range survey.Elements {
		if elementToken(e) == s {
			return e, true
		}
	}
	return "", false
}

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
		return "ie:" + v.arg + ":" + elementToken(v.elem) + ":" + p
	case 'r':
		return "ir:" + p + ":" + strconv.Itoa(v.page)
	}
	return "i" + string(v.kind) + ":" + p
}

// encodeSuggestions is the data of unit's suggestions from cursor on
// (newestCursor, or one Bot.sealCursor made).
func encodeSuggestions(unit, cursor string) string { return "sg:" + unit + ":" + cursor }
func encodeAudit(before uint64) string             { return "au:" + strconv.FormatUint(before, 10) }
func encodeFollowUps(unit string) string           { return "fl:" + unit }
func encodeNewFollowUp(unit string, e survey.ElementKey) string {
	return "fn:" + unit + ":" + elementToken(e)
}
func encodeFollowUpStatus(unit string, seq uint64, from, to string) string {
	return "fs:" + unit + ":" + strconv.FormatUint(seq, 10) + ":" + statusCode(from) + statusCode(to)
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
	// Only a period the bot reads back (the earliest year a period may
	// name has no year before it), and none that has not begun.
	valid := func(p survey.Period) bool { _, ok := decodePeriod(encodePeriod(p), c.b.cfg.Location); return ok }
	var nav []models.InlineKeyboardButton
	if valid(prev.period) {
		nav = append(nav, telegram.Button("« "+prev.period.Label, prev.encode()))
	}
	if !next.period.From.After(c.now) && valid(next.period) {
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

// parseIKMArgs reads "/ikm [CODE] [PERIOD]", the two in either order. The
// period defaults to the current year. Anything else is answered with a
// reply: a bad period, an unknown unit (a single word that is neither), or
// the usage (more words, two units, two periods).
func (c *conv) parseIKMArgs(arg string, r role) (u survey.Unit, p survey.Period, reply string) {
	p = survey.PeriodOf(survey.PeriodYear, c.now)
	f := strings.Fields(arg)
	usage := func() string {
		return c.t.text("admin.not_understood", map[string]any{"Text": esc(truncate(strings.Join(f, " "), 60))}) + "\n" + c.ikmUsage(r)
	}
	if len(f) > 2 {
		return u, p, usage()
	}
	havePeriod := false
	for _, w := range f {
		if unit, ok := c.b.cfg.Catalog.Unit(w); ok {
			if u.Code != "" {
				return u, p, usage()
			}
			u = unit
			continue
		}
		if q, err := survey.ParsePeriod(w, c.b.cfg.Location); err == nil {
			if havePeriod {
				return u, p, usage()
			}
			p, havePeriod = q, true
			continue
		}
		switch {
		case len(f) > 1:
			return u, p, usage()
		case len(w) >= 4 && w[0] >= '0' && w[0] <= '9':
			return u, p, c.t.text("view.bad_period", map[string]any{"Period": esc(truncate(w, 30))})
		}
		return u, p, c.unknownUnit(w, r)
	}
	return u, p, ""
}

// ikmUsage is /ikm's usage, with one of the units the sender sees as the
// example.
func (c *conv) ikmUsage(r role) string {
	example := "DISDUKCAPIL"
	switch {
	case !r.city && len(r.units) > 0:
		example = r.units[0].Code
	case len(c.b.cfg.Catalog.Units()) > 0:
		example = c.b.cfg.Catalog.Units()[0].Code
	}
	return c.t.text("admin.usage", map[string]any{"Example": esc(example)})
}

// unknownUnit says that code names no unit, and where to look: all units
// for a city admin, their own for a unit admin.
func (c *conv) unknownUnit(code string, r role) string {
	data := map[string]any{"Code": esc(truncate(code, 40))}
	if r.city || len(r.units) == 0 {
		return c.t.text("admin.unknown_unit", data)
	}
	var codes []string
	for _, u := range r.units {
		codes = append(codes, "<b>"+esc(u.Code)+"</b>")
	}
	data["Units"] = strings.Join(codes, ", ")
	return c.t.plural("admin.unknown_unit_yours", len(codes), data)
}

// ikmCommand answers /ikm: the city for city admins, a unit admin's own
// unit (or the list of them), or the unit named, each with the buttons to
// drill down and move in time.
func (c *conv) ikmCommand(arg string) error {
	r, err := c.role()
	if err != nil {
		return err
	}
	u, p, reply := c.parseIKMArgs(arg, r)
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

// percents writes counts as whole percentages of total. When the counts
// add up to total, the percentages add up to 100: each is rounded down and
// the points left go to the largest remainders (ties to the earlier
// count); cut alone they often add up to 99 (53 + 46). Otherwise each is
// rounded to the nearest, half up.
func percents(counts []int, total int) []int {
	out := make([]int, len(counts))
	if total <= 0 {
		return out
	}
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if sum != total {
		for i, n := range counts {
			out[i] = (n*200 + total) / (2 * total)
		}
		return out
	}
	left := 100
	order := make([]int, len(counts))
	for i, n := range counts {
		out[i] = n * 100 / total
		left -= out[i]
		order[i] = i
	}
	rem := func(i int) int { return counts[i] * 100 % total }
	slices.SortStableFunc(order, func(a, b int) int { return rem(b) - rem(a) })
	for _, i := range order[:left] {
		out[i]++
	}
	return out
}
