package bot

import (
	"fmt"
	"strings"

	"github.com/ikmbot/ikmbot/telegram"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/survey"
)

// The admin screens. Each fits one message, so a button can edit it in
// place; the full listing of units is /peringkat, a page at a time.

// Screen sizes, chosen to fit a phone and Telegram's 4096 characters.
const (
	listShown    = 3  // top and bottom units on the city screen
	belowShown   = 8  // units below target named on the city screen
	rankPerPage  = 25 // units per /peringkat page
	trendPeriods = 4  // periods in a trend line, the shown one last
)

// cityView is the city: IKM both ways with the change from the previous
// period, per unit type, top and bottom units, units below target.
func (c *conv) cityView(v view) (string, *models.InlineKeyboardMarkup, error) {
	units := c.b.cfg.Catalog.Units()
	sums, err := report.Trend(c.tx, units, v.period, 2, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, err
	}
	prev, sum := sums[0], sums[1]
	var rows [][]models.InlineKeyboardButton
	for _, g := range sum.ByType {
		rows = append(rows, []models.InlineKeyboardButton{telegram.Button(c.typeName(g.Type)+" ("+itoa(g.Units)+")", view{kind: 't', arg: string(g.Type), period: v.period, page: 1}.encode())})
	}
	rows = append(rows, []models.InlineKeyboardButton{
		telegram.Button(c.t.text("view.btn_rank_units", nil), view{kind: 'r', period: v.period, page: 1}.encode()),
		telegram.Button(c.t.text("view.btn_rank_elements", nil), view{kind: 'x', period: v.period}.encode()),
	})
	rows = append(rows, c.exportRow(v))
	rows = append(rows, c.periodRows(v)...)
	indexes, err := report.Indexes(c.tx, units, v.period)
	if err != nil {
		return "", nil, err
	}
	return c.cityText(sum, &prev, indexes...), telegram.Keyboard(rows...), nil
}

// cityText renders a city summary; prev, when given, is the previous
// period's, for the change; indexes are the extra questionnaires' figures
// over the units that ask them, shown under the IKM.
func (c *conv) cityText(s survey.CitySummary, prev *survey.CitySummary, indexes ...survey.IndexSummary) string {
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	line("ikm.city_title", map[string]any{"City": esc(c.b.cfg.City), "Period": s.Period.Label})
	if s.WithData == 0 {
		line("ikm.city_none", nil)
		return strings.TrimRight(b.String(), "\n")
	}
	var pooledChange, meanChange string
	if prev != nil {
		pooledChange = c.change(s.Pooled.IKM2, prev.Pooled.IKM2, prev.Pooled.Valid, prev.Period)
		meanChange = c.change(s.MeanIKM2, prev.MeanIKM2, prev.WithData > 0, prev.Period)
	}
	b.WriteString(strings.TrimRight(c.t.text("ikm.city_pooled", map[string]any{"IKM": c.t.num(s.Pooled.IKM2), "Mutu": string(s.Pooled.Mutu), "Kinerja": c.kinerja(s.Pooled.Mutu)}), "\n") + pooledChange + "\n")
	b.WriteString(c.t.plural("ikm.city_mean", s.WithData, map[string]any{"IKM": c.t.num(s.MeanIKM2), "Mutu": string(s.MeanMutu), "Kinerja": c.kinerja(s.MeanMutu), "Units": s.WithData}) + meanChange + "\n")
	line("ikm.city_respondents", map[string]any{"N": s.Respondents(), "Units": s.WithData, "Total": len(s.Units)})
	c.groupIndexes(&b, indexes)
	b.WriteString("\n")
	line("view.by_type", nil)
	for _, g := range s.ByType {
		if !g.Result.Valid {
			line("view.type_row_none", map[string]any{"Type": esc(c.typeName(g.Type))})
			continue
		}
		line("view.type_row", map[string]any{
			"Type": esc(c.typeName(g.Type)), "IKM": c.t.num(g.Result.IKM2), "Mutu": string(g.Result.Mutu),
			"Mean": c.t.num(g.MeanIKM2), "N": g.Result.Respondents,
		})
	}
	ranked := s.Ranked()
	top := ranked[:min(listShown, len(ranked))]
	var bottom []survey.UnitSummary
	for i := len(ranked) - 1; i >= len(top) && len(bottom) < listShown; i-- {
		bottom = append(bottom, ranked[i])
	}
	rankRow := func(i int, u survey.UnitSummary) {
		b.WriteString(c.t.plural("view.rank_row", u.Result.Respondents, map[string]any{"N": i, "Code": esc(u.Unit.Code), "IKM": c.t.num(u.Result.IKM2), "Mutu": string(u.Result.Mutu), "Respondents": u.Result.Respondents}) + "\n")
	}
	b.WriteString("\n")
	line("view.top", nil)
	for i, u := range top {
		rankRow(i+1, u)
	}
	if len(bottom) > 0 {
		line("view.bottom", nil)
		for i, u := range bottom {
			rankRow(len(ranked)-i, u)
		}
	}
	if below := s.UnitsBelowTarget(); len(below) > 0 {
		b.WriteString("\n")
		b.WriteString(c.t.plural("view.below_target", len(below), map[string]any{"N": len(below)}) + "\n")
		var names []string
		for _, u := range below[:min(belowShown, len(below))] {
			names = append(names, fmt.Sprintf("%s %d/%d", esc(u.Unit.Code), u.Tally.Respondents, u.Target))
		}
		if n := len(below) - belowShown; n > 0 {
			names = append(names, c.t.text("view.more", map[string]any{"N": n}))
		}
		b.WriteString(strings.Join(names, " · ") + "\n")
	}
	if n := len(s.Units) - len(ranked); n > 0 {
		b.WriteString(c.t.plural("ikm.units_empty", n, map[string]any{"N": n}) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// typeView is one unit type: both figures, its units ranked, and a button
// per unit, a page at a time.
func (c *conv) typeView(v view) (string, *models.InlineKeyboardMarkup, bool, error) {
	units := c.b.cfg.Catalog.OfType(survey.UnitType(v.arg))
	pages := (len(units) + unitsPerPage - 1) / unitsPerPage
	if len(units) == 0 || v.page > pages {
		return "", nil, false, nil
	}
	sum, err := report.Summary(c.tx, units, v.period, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, false, err
	}
	g := sum.ByType[0]
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	line("view.type_title", map[string]any{"Type": esc(c.typeName(g.Type)), "City": esc(c.b.cfg.City), "Period": v.period.Label})
	if g.WithData == 0 {
		line("ikm.city_none", nil)
	} else {
		line("view.group_pooled", map[string]any{"IKM": c.t.num(g.Result.IKM2), "Mutu": string(g.Result.Mutu), "Kinerja": c.kinerja(g.Result.Mutu)})
		b.WriteString(c.t.plural("view.group_mean", g.WithData, map[string]any{"IKM": c.t.num(g.MeanIKM2), "Mutu": string(g.MeanMutu), "Kinerja": c.kinerja(g.MeanMutu), "Units": g.WithData}) + "\n")
		line("ikm.city_respondents", map[string]any{"N": g.Result.Respondents, "Units": g.WithData, "Total": g.Units})
		indexes, err := report.Indexes(c.tx, units, v.period)
		if err != nil {
			return "", nil, false, err
		}
		c.groupIndexes(&b, indexes)
		b.WriteString("\n")
		var rows []string
		for _, u := range sum.Ranked() {
			rows = append(rows, fmt.Sprintf("%-16s %6s %s %4d", esc(u.Unit.Code), c.t.num(u.Result.IKM2), u.Result.Mutu, u.Result.Respondents))
		}
		b.WriteString("<pre>" + strings.Join(rows, "\n") + "</pre>\n")
		if n := g.Units - g.WithData; n > 0 {
			b.WriteString(c.t.plural("ikm.units_empty", n, map[string]any{"N": n}) + "\n")
		}
	}
	lo, hi := (v.page-1)*unitsPerPage, min(v.page*unitsPerPage, len(units))
	var rows [][]models.InlineKeyboardButton
	for _, u := range units[lo:hi] {
		rows = append(rows, []models.InlineKeyboardButton{telegram.Button(unitLabel(u), view{kind: 'u', arg: u.Code, period: v.period}.encode())})
	}
	nav := c.pageNav(v, pages)
	rows = append(rows, nav, []models.InlineKeyboardButton{telegram.Button(c.t.text("view.btn_city", nil), view{kind: 'c', period: v.period}.encode())})
	rows = append(rows, c.exportRow(view{kind: 't', arg: v.arg, period: v.period}))
	rows = append(rows, c.periodRows(v)...)
	return strings.TrimRight(b.String(), "\n"), telegram.Keyboard(rows...), true, nil
}

// unitExtras is what the unit screen shows beyond one period's tally.
type unitExtras struct {
	prev     survey.Result // the previous period's
	prevP    survey.Period
	interval survey.IKMInterval
	// trend is the unit's summary over trendPeriods periods, oldest first,
	// the shown one last.
	trend   []survey.CitySummary
	plans   []survey.FollowUp    // open follow-up plans
	stats   survey.FollowUpStats // every plan: how many are done, and how fast
	web     survey.Result        // the part answered on the public site
	funnel  string
	indexes []survey.IndexSummary // the extra questionnaires the unit asks
}

// trend reads the unit's figures over trendPeriods periods ending with p,
// oldest first: summaries of the unit alone.
func (c *conv) trend(u survey.Unit, p survey.Period) ([]survey.CitySummary, error) {
	return report.Trend(c.tx, []survey.Unit{u}, p, trendPeriods, c.b.cfg.Weighting)
}

// unitView is one unit: the figures, the interval, progress to the sample
// target, NRR per element, the three weakest elements, open follow-up
// plans, the trend, and buttons to its elements and profile.
func (c *conv) unitView(v view, r role) (string, *models.InlineKeyboardMarkup, error) {
	u, _ := c.b.cfg.Catalog.Unit(v.arg)
	var x unitExtras
	var err error
	if x.trend, err = c.trend(u, v.period); err != nil {
		return "", nil, err
	}
	sum, prev := x.trend[len(x.trend)-1].Units[0], x.trend[len(x.trend)-2]
	x.prev, x.prevP = prev.Units[0].Result, prev.Period
	x.interval = sum.Tally.Interval(c.b.cfg.Weighting, survey.Z95)
	verified, err := report.Verified(c.tx, []survey.Unit{u}, v.period, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, err
	}
	plans, err := report.UnitPlans(c.tx, u.Code)
	if err != nil {
		return "", nil, err
	}
	x.plans = plans.Open
	stats, err := report.FollowUpStats(c.tx, []survey.Unit{u})
	if err != nil {
		return "", nil, err
	}
	web, err := report.Web(c.tx, []survey.Unit{u}, v.period, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, err
	}
	x.stats, x.web = stats[0], web[0]
	if x.funnel, err = c.funnelReport(u.Code); err != nil {
		return "", nil, err
	}
	if x.indexes, err = report.Indexes(c.tx, []survey.Unit{u}, v.period); err != nil {
		return "", nil, err
	}
	text := c.unitText(sum, verified[0], v.period, x)

	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for _, e := range survey.Elements {
		row = append(row, telegram.Button(c.elementShort(e), view{kind: 'e', arg: u.Code, elem: e, period: v.period}.encode()))
		if len(row) == 3 {
			rows = append(rows, row)
			row = nil
		}
	}
	rows = append(rows, []models.InlineKeyboardButton{
		telegram.Button(c.t.text("view.btn_profile", nil), view{kind: 'p', arg: u.Code, period: v.period}.encode()),
		telegram.Button(c.t.text("view.btn_suggestions", nil), encodeSuggestions(u.Code, newestCursor)),
		telegram.Button(c.t.text("view.btn_followups", nil), encodeFollowUps(u.Code)),
	})
	rows = append(rows, c.exportRow(view{kind: 'u', arg: u.Code, period: v.period}))
	rows = append(rows, c.backRow(u, v.period, r))
	rows = append(rows, c.periodRows(v)...)
	return text, telegram.Keyboard(rows...), nil
}

// unitReport is the unit screen's text from one period's figures alone.
func (c *conv) unitReport(u survey.UnitSummary, verified survey.Result, p survey.Period) string {
	return c.unitText(u, verified, p, unitExtras{})
}

// unitText renders the unit screen. verified is the result of the unit's
// verified responses (counter screen); it shows only when valid.
func (c *conv) unitText(u survey.UnitSummary, verified survey.Result, p survey.Period, x unitExtras) string {
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	line("ikm.unit_title", map[string]any{"Unit": esc(u.Unit.Name), "Code": esc(u.Unit.Code), "Period": p.Label})
	r := u.Result
	if !r.Valid {
		line("ikm.unit_none", nil)
		c.trendLine(&b, x.trend)
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString(c.t.text("ikm.unit_ikm", map[string]any{"IKM": c.t.num(r.IKM2), "Mutu": string(r.Mutu), "Kinerja": c.kinerja(r.Mutu)}) +
		c.change(r.IKM2, x.prev.IKM2, x.prev.Valid, x.prevP) + "\n")
	switch {
	case x.interval.Valid:
		line("view.ci", map[string]any{"Lo": c.t.num(survey.Round2(x.interval.Lo)), "Hi": c.t.num(survey.Round2(x.interval.Hi))})
	case x.trend != nil && r.Respondents < survey.MinIntervalRespondents:
		line("view.ci_few", map[string]any{"Min": survey.MinIntervalRespondents})
	case x.trend != nil:
		line("view.ci_none", nil)
	}
	if u.Target > 0 {
		line("ikm.unit_respondents", map[string]any{"N": r.Respondents, "Target": u.Target})
		b.WriteString(progressBar(r.Respondents, u.Target) + "\n")
		if u.BelowTarget() {
			line("ikm.unit_below_target", nil)
		}
	} else {
		line("ikm.unit_respondents_unknown", map[string]any{"N": r.Respondents})
	}
	if verified.Valid {
		line("ikm.unit_verified", map[string]any{"IKM": c.t.num(verified.IKM2), "Mutu": string(verified.Mutu), "N": verified.Respondents})
	}
	if x.web.Valid {
		line("ikm.unit_web", map[string]any{"IKM": c.t.num(x.web.IKM2), "Mutu": string(x.web.Mutu), "N": x.web.Respondents})
	}
	for _, is := range x.indexes {
		r := is.Units[0].Result
		data := map[string]any{"Index": is.Extra.Index, "Title": c.indexTitle(is.Extra)}
		if !r.Valid {
			line("ikm.index_none", data)
			continue
		}
		data["Value"], data["N"] = c.indexValue(is.Extra, r.Value2, r.Mutu, false), r.Respondents
		b.WriteString(c.t.plural("ikm.index_unit", r.Respondents, data) + "\n")
	}
	b.WriteString("\n")
	line("ikm.elements", nil)
	var rows []string
	for _, e := range r.Elements {
		if e.Answers == 0 {
			continue
		}
		rows = append(rows, fmt.Sprintf("%s %s  %s", c.t.num(e.NRR), e.Mutu, c.elementName(e.Key)))
	}
	b.WriteString("<pre>" + strings.Join(rows, "\n") + "</pre>\n")
	if w := r.Priorities(3); len(w) > 0 {
		line("view.priorities", nil)
		for i, e := range w {
			line("view.priority_row", map[string]any{"N": i + 1, "Element": c.elementName(e.Key), "NRR": c.t.num(e.NRR), "Mutu": string(e.Mutu)})
		}
	}
	if len(x.plans) > 0 {
		b.WriteString("\n")
		c.plansText(&b, x.plans, plansInIKM, planRunesIKM)
	}
	c.plansDoneLine(&b, x.stats, len(x.plans) == 0)
	c.trendLine(&b, x.trend)
	if x.funnel != "" {
		b.WriteString("\n" + x.funnel + "\n")
	}
	b.WriteString("\n<i>" + c.method(r))
	if x.interval.Valid {
		b.WriteString(" " + c.t.text("view.ci_method", nil))
	}
	b.WriteString("</i>")
	return b.String()
}

// method is the unit screen's footnote on how r was computed: the weight
// each element's NRR had, which is 1/k for the k elements answered, or
// the worksheets' 0.111 under --legacy-weights (survey.Tally.Result).
func (c *conv) method(r survey.Result) string {
	k := 0
	for _, e := range r.Elements {
		if e.Answers > 0 {
			k++
		}
	}
	weight := c.t.text("ikm.weight_all", map[string]any{"K": k})
	switch {
	case c.b.cfg.Weighting == survey.LegacyWeights:
		weight = c.t.text("ikm.weight_legacy", map[string]any{"K": k})
	case k < survey.NumElements:
		weight = c.t.text("ikm.weight_some", map[string]any{"K": k, "All": survey.NumElements})
	}
	return c.t.text("ikm.method", map[string]any{"Weight": weight})
}

// groupIndexes writes the extra questionnaires' figures over the units of
// a group (the city, a unit type) that ask them: pooled and as the mean of
// those units, with their own respondents.
func (c *conv) groupIndexes(b *strings.Builder, indexes []survey.IndexSummary) {
	for _, is := range indexes {
		data := map[string]any{"Index": is.Extra.Index, "Title": c.indexTitle(is.Extra), "Units": len(is.Units)}
		if is.WithData == 0 {
			b.WriteString(c.t.text("ikm.index_none", data) + "\n")
			continue
		}
		data["Pooled"] = c.indexValue(is.Extra, is.Pooled.Value2, is.Pooled.Mutu, true)
		data["Mean"] = c.indexValue(is.Extra, is.MeanValue2, is.MeanMutu, true)
		data["WithData"], data["N"] = is.WithData, is.Respondents()
		b.WriteString(c.t.plural("ikm.index_city", is.Respondents(), data) + "\n")
	}
}

// indexTitle is the name of an extra questionnaire's index in the chat's
// language, e.g. "Persepsi Kualitas Pelayanan".
func (c *conv) indexTitle(x survey.Extra) string {
	return c.t.text("extra."+string(x.Key)+".title", nil)
}

// indexValue is an index figure as its questionnaire is reported: "5,38
// dari 6" for a mean on the scale, "95,00" out of 100, with the grade
// when the SKM bands apply (short: the grade alone, for a line of two
// figures).
func (c *conv) indexValue(x survey.Extra, v float64, m survey.Mutu, short bool) string {
	s := "<b>" + c.t.num(v) + "</b>"
	if x.Report == survey.ReportMean {
		s = c.t.text("ikm.index_of_scale", map[string]any{"Value": s, "Scale": x.Scale})
	}
	switch {
	case m != "" && short:
		s += " (" + string(m) + ")"
	case m != "":
		s = c.t.text("ikm.index_mutu", map[string]any{"Value": s, "Mutu": string(m), "Kinerja": c.kinerja(m)})
	}
	return s
}

// trendLine writes "Tren IKM: 2023 — · 2024 80,12 · ...".
func (c *conv) trendLine(b *strings.Builder, trend []survey.CitySummary) {
	if len(trend) == 0 {
		return
	}
	var parts []string
	for _, t := range trend {
		v := "—"
		if r := t.Units[0].Result; r.Valid {
			v = c.t.num(r.IKM2) + " " + string(r.Mutu)
		}
		parts = append(parts, t.Period.Label+" "+v)
	}
	b.WriteString("\n" + c.t.text("view.trend", map[string]any{"Trend": strings.Join(parts, " · ")}) + "\n")
}

// elementView is one element of a unit: NRR, its grade and change, how the
// answers spread over the four scores, and its trend.
func (c *conv) elementView(v view) (string, *models.InlineKeyboardMarkup, error) {
	u, _ := c.b.cfg.Catalog.Unit(v.arg)
	trend, err := c.trend(u, v.period)
	if err != nil {
		return "", nil, err
	}
	t, prev := trend[len(trend)-1].Units[0], trend[len(trend)-2]
	i := survey.ElementIndex(v.elem)
	now := t.Result.Elements[i]
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	line("view.element_title", map[string]any{"Element": c.elementName(v.elem), "Code": esc(u.Code), "Period": v.period.Label})
	if now.Answers == 0 {
		line("view.element_none", nil)
	} else {
		pe := prev.Units[0].Result.Elements[i]
		b.WriteString(c.t.text("view.element_nrr", map[string]any{"NRR": c.t.num(now.NRR), "IKM": c.t.num(survey.Round2(now.IKM)), "Mutu": string(now.Mutu), "Kinerja": c.kinerja(now.Mutu)}) +
			c.change(survey.Round2(now.NRR), survey.Round2(pe.NRR), pe.Answers > 0, prev.Period) + "\n")
		b.WriteString(c.t.plural("view.element_answers", int(now.Answers), map[string]any{"N": now.Answers}) + "\n")
		var rows []string
		// Highest score first, as shown, so that a point left over by
		// rounding goes to the first of equal counts on screen.
		var counts []int
		for s := survey.MaxScore; s >= survey.MinScore; s-- {
			counts = append(counts, int(t.Tally.Dist[i][s-1]))
		}
		pct := percents(counts, int(now.Answers))
		for j, n := range counts {
			s := survey.MaxScore - j
			rows = append(rows, fmt.Sprintf("%d %-26s %4d %3d%%", s, esc(truncate(c.t.text("element."+string(v.elem)+".s"+itoa(s), nil), 26)), n, pct[j]))
		}
		b.WriteString("<pre>" + strings.Join(rows, "\n") + "</pre>\n")
	}
	var parts []string
	for _, p := range trend {
		e := p.Units[0].Result.Elements[i]
		val := "—"
		if e.Answers > 0 {
			val = c.t.num(e.NRR)
		}
		parts = append(parts, p.Period.Label+" "+val)
	}
	b.WriteString("\n" + c.t.text("view.element_trend", map[string]any{"Trend": strings.Join(parts, " · ")}))
	rows := [][]models.InlineKeyboardButton{{telegram.Button("« "+truncate(u.Name, 30), view{kind: 'u', arg: u.Code, period: v.period}.encode())}}
	rows = append(rows, c.periodRows(v)...)
	return b.String(), telegram.Keyboard(rows...), nil
}

// profileView is who a unit's respondents were, as the disclosure rule
// publishes it (report.Profiles): the counts shown per question and how many
// are not, from the ended months of a standard period, never a date range.
func (c *conv) profileView(v view) (string, *models.InlineKeyboardMarkup, error) {
	u, _ := c.b.cfg.Catalog.Unit(v.arg)
	pr, err := report.Profiles(c.tx, []survey.Unit{u}, v.period, c.now)
	if err != nil {
		return "", nil, err
	}
	t := pr.Units[0]
	var b strings.Builder
	line := func(id string, data map[string]any) { b.WriteString(c.t.text(id, data) + "\n") }
	title := map[string]any{"Code": esc(u.Code), "Period": v.period.Label, "N": t.Respondents}
	switch {
	case !pr.Available:
		line("view.profile_title_bare", title)
		line("view.profile_range", map[string]any{"Min": survey.MinProfileCell})
	case len(pr.Months) == 0:
		line("view.profile_title_bare", title)
		line("view.profile_not_yet", nil)
	default:
		title["Months"] = monthsLabel(pr.Months)
		b.WriteString(c.t.plural("view.profile_title", t.Respondents, title) + "\n")
		if t.Rows == nil {
			line("view.profile_few", map[string]any{"Min": survey.MinProfileCell})
		}
	}
	for _, row := range t.Rows {
		counts := make([]int, 0, len(row.Cells)+1)
		for _, cell := range row.Cells {
			counts = append(counts, cell.Count)
		}
		counts = append(counts, row.Hidden)
		pct := percents(counts, t.Respondents)
		var cells []string
		for i, cell := range row.Cells {
			cells = append(cells, fmt.Sprintf("%s %d (%d%%)", c.profileValue(row.Dim, cell.Value), cell.Count, pct[i]))
		}
		if row.Hidden > 0 {
			cells = append(cells, fmt.Sprintf("%s %d (%d%%)", c.t.text("view.profile_hidden", nil), row.Hidden, pct[len(pct)-1]))
		}
		b.WriteString("<b>" + c.t.text("view.dim_"+string(row.Dim), nil) + "</b>: " + strings.Join(cells, " · ") + "\n")
	}
	if t.Rows != nil {
		b.WriteString("\n<i>" + c.t.text("view.profile_note", map[string]any{"Min": survey.MinProfileCell}) + "</i>")
	}
	kb := [][]models.InlineKeyboardButton{{telegram.Button("« "+truncate(u.Name, 30), view{kind: 'u', arg: u.Code, period: v.period}.encode())}}
	kb = append(kb, c.periodRows(v)...)
	return strings.TrimRight(b.String(), "\n"), telegram.Keyboard(kb...), nil
}

// monthsLabel names the months a profile counts: "2026-01", or
// "2026-01–2026-02".
func monthsLabel(ms []survey.Period) string {
	if len(ms) == 1 {
		return ms[0].Label
	}
	return ms[0].Label + "–" + ms[len(ms)-1].Label
}

// profileValue is how a profile answer reads in the chat's language.
func (c *conv) profileValue(d survey.ProfileDim, v string) string {
	q := survey.ProfileQuestionOf(d)
	switch {
	case v == "":
		return c.t.text("view.skipped", nil)
	case q == nil:
		return esc(v)
	case q.Answer == survey.AnswerAge:
		return esc(v) + " " + c.t.text("view.years", nil)
	}
	return esc(c.profileOption(q, v))
}

// myUnitsView lists the units of a unit admin of several, with a button
// each.
func (c *conv) myUnitsView(v view, r role) (string, *models.InlineKeyboardMarkup, error) {
	sum, err := report.Summary(c.tx, r.units, v.period, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.WriteString(c.t.text("view.my_title", map[string]any{"Period": v.period.Label}) + "\n")
	var lines []string
	var rows [][]models.InlineKeyboardButton
	for _, u := range sum.Units {
		val := "—"
		if u.Result.Valid {
			val = fmt.Sprintf("%6s %s %4d", c.t.num(u.Result.IKM2), u.Result.Mutu, u.Result.Respondents)
		}
		lines = append(lines, fmt.Sprintf("%-16s %s", esc(u.Unit.Code), val))
		rows = append(rows, []models.InlineKeyboardButton{telegram.Button(unitLabel(u.Unit), view{kind: 'u', arg: u.Unit.Code, period: v.period}.encode())})
	}
	b.WriteString("<pre>" + strings.Join(lines, "\n") + "</pre>")
	rows = append(rows, c.exportRow(view{kind: 'm', period: v.period}))
	rows = append(rows, c.periodRows(v)...)
	return b.String(), telegram.Keyboard(rows...), nil
}

// rankView is every unit with respondents, ranked, a page at a time.
func (c *conv) rankView(v view) (string, *models.InlineKeyboardMarkup, bool, error) {
	sum, err := report.Summary(c.tx, c.b.cfg.Catalog.Units(), v.period, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, false, err
	}
	ranked := sum.Ranked()
	pages := max(1, (len(ranked)+rankPerPage-1)/rankPerPage)
	if v.page > pages {
		return "", nil, false, nil
	}
	var b strings.Builder
	b.WriteString(c.t.text("view.rank_title", map[string]any{"City": esc(c.b.cfg.City), "Period": v.period.Label, "Page": v.page, "Pages": pages}) + "\n")
	if len(ranked) == 0 {
		b.WriteString(c.t.text("ikm.city_none", nil) + "\n")
	} else {
		lo, hi := (v.page-1)*rankPerPage, min(v.page*rankPerPage, len(ranked))
		var rows []string
		for i, u := range ranked[lo:hi] {
			rows = append(rows, fmt.Sprintf("%3d %-16s %6s %s %4d", lo+i+1, esc(u.Unit.Code), c.t.num(u.Result.IKM2), u.Result.Mutu, u.Result.Respondents))
		}
		b.WriteString(c.t.text("view.rank_header", nil) + "\n<pre>" + strings.Join(rows, "\n") + "</pre>\n")
	}
	if n := len(sum.Units) - len(ranked); n > 0 {
		b.WriteString(c.t.plural("ikm.units_empty", n, map[string]any{"N": n}) + "\n")
	}
	nav := c.pageNav(v, pages)
	rows := [][]models.InlineKeyboardButton{nav, {
		telegram.Button(c.t.text("view.btn_rank_elements", nil), view{kind: 'x', period: v.period}.encode()),
		telegram.Button(c.t.text("view.btn_city", nil), view{kind: 'c', period: v.period}.encode()),
	}}
	rows = append(rows, c.periodRows(v)...)
	return strings.TrimRight(b.String(), "\n"), telegram.Keyboard(rows...), true, nil
}

// elementRankView ranks the nine elements city-wide, pooled over every
// respondent: where the city as a whole does best and worst.
func (c *conv) elementRankView(v view) (string, *models.InlineKeyboardMarkup, error) {
	sum, err := report.Summary(c.tx, c.b.cfg.Catalog.Units(), v.period, c.b.cfg.Weighting)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.WriteString(c.t.text("view.erank_title", map[string]any{"City": esc(c.b.cfg.City), "Period": v.period.Label}) + "\n")
	if !sum.Pooled.Valid {
		b.WriteString(c.t.text("ikm.city_none", nil))
	} else {
		// Best first; equal NRRs keep the regulation's order.
		var rows []string
		for i, e := range sum.Pooled.Strongest(survey.NumElements) {
			rows = append(rows, fmt.Sprintf("%d %s %s  %s", i+1, c.t.num(e.NRR), e.Mutu, c.elementName(e.Key)))
		}
		b.WriteString("<pre>" + strings.Join(rows, "\n") + "</pre>")
	}
	rows := [][]models.InlineKeyboardButton{{
		telegram.Button(c.t.text("view.btn_rank_units", nil), view{kind: 'r', period: v.period, page: 1}.encode()),
		telegram.Button(c.t.text("view.btn_city", nil), view{kind: 'c', period: v.period}.encode()),
	}}
	rows = append(rows, c.periodRows(v)...)
	return b.String(), telegram.Keyboard(rows...), nil
}

// pageNav is the previous/next row of a paged screen: v at the page before
// and after, where there is one.
func (c *conv) pageNav(v view, pages int) []models.InlineKeyboardButton {
	var nav []models.InlineKeyboardButton
	if v.page > 1 {
		w := v
		w.page--
		nav = append(nav, telegram.Button(c.t.text("btn.prev", nil), w.encode()))
	}
	if v.page < pages {
		w := v
		w.page++
		nav = append(nav, telegram.Button(c.t.text("btn.next", nil), w.encode()))
	}
	return nav
}
