package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// The publication site: what the regulation asks a unit to make public
// (the IKM with its elements, the respondents, the method, and the
// follow-up plans), per city and per unit, for a year, semester, quarter
// or month. Every figure is read through package report from the store's
// aggregates, as the chat's /ikm and ikmbot report read them, so the three
// cannot disagree. Suggestions are never shown, nor anything that names a
// person: follow-up plans without their person in charge, profiles with
// small cells withheld under the disclosure rule (survey.PublishProfile).

// trendPeriods is how many periods of the same kind the trend shows.
const trendPeriods = 4

// pubMaxAge is how long a browser or proxy may keep a published page
// without asking; the ETag makes asking cheap.
const pubMaxAge = 60

// figure is an IKM as pages show it. Value is the machine-readable figure
// (a <data value>), Text the language's spelling (81,96).
type figure struct {
	Valid   bool
	Value   string
	Text    string
	Mutu    string
	Kinerja string
}

func (s *Server) figure(t texts, r survey.Result) figure {
	if !r.Valid {
		return figure{}
	}
	return figure{Valid: true, Value: strconv.FormatFloat(r.IKM2, 'f', 2, 64), Text: t.num(r.IKM2), Mutu: string(r.Mutu), Kinerja: t.kinerja(r.Mutu)}
}

// meanFigure is a mean of unit IKMs, which has no Result of its own.
func (s *Server) meanFigure(t texts, valid bool, ikm2 float64, m survey.Mutu) figure {
	if !valid {
		return figure{}
	}
	return figure{Valid: true, Value: strconv.FormatFloat(ikm2, 'f', 2, 64), Text: t.num(ikm2), Mutu: string(m), Kinerja: t.kinerja(m)}
}

// periodLink is a link to the same page for another period.
type periodLink struct {
	Label   string
	URL     string
	Current bool
}

// periodNav lets a reader move in time: the previous and next period of
// the same kind, and the year, its semesters, quarters and months.
type periodNav struct {
	Label      string
	Prev, Next periodLink
	Kinds      [][]periodLink
	Other      string // the label of the other periods' list
}

// parsePeriod reads ?p=: a year, semester, quarter or month; the current
// year when absent. Free date ranges are left to ikmbot report: a
// published page names a period the regulation reports on.
func (s *Server) parsePeriod(r *http.Request) (survey.Period, bool) {
	q := r.URL.Query().Get("p")
	if q == "" {
		return survey.PeriodOf(survey.PeriodYear, s.now()), true
	}
	if len(q) > 16 {
		return survey.Period{}, false
	}
	p, err := survey.ParsePeriod(q, s.cfg.Location)
	if err != nil || p.Kind == survey.PeriodRange {
		return survey.Period{}, false
	}
	return p, true
}

// pageURL is path for period p in language lang.
func pageURL(path string, p survey.Period, lang string) string {
	v := url.Values{"p": {p.Label}}
	if lang != "" {
		v.Set("lang", lang)
	}
	return path + "?" + v.Encode()
}

func (s *Server) nav(t texts, path string, p survey.Period) periodNav {
	link := func(q survey.Period, label string) periodLink {
		return periodLink{Label: label, URL: pageURL(path, q, t.lang), Current: q.Label == p.Label}
	}
	n := periodNav{Label: p.Label, Prev: link(p.Previous(), "« "+p.Previous().Label), Next: link(p.Next(), p.Next().Label+" »"), Other: t.plain("web.pub.other_periods")}
	year := survey.PeriodOf(survey.PeriodYear, p.From)
	n.Kinds = append(n.Kinds, []periodLink{link(year, t.plain("view.kind_year")+" "+year.Label)})
	for _, k := range []survey.PeriodKind{survey.PeriodSemester, survey.PeriodQuarter, survey.PeriodMonth} {
		var row []periodLink
		for q := survey.PeriodOf(k, year.From); !q.From.After(year.To); q = q.Next() {
			row = append(row, link(q, q.Label[5:]))
		}
		n.Kinds = append(n.Kinds, row)
	}
	return n
}

// publish writes a published page or file with an ETag over its bytes,
// or 304 when the reader has it already. Published pages carry no
// personal data and may be cached a minute.
func publish(w http.ResponseWriter, r *http.Request, ctype string, body []byte, maxAge int) {
	sum := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	h.Set("Vary", "Accept-Language")
	serveETag(w, r, `"`+base64.RawURLEncoding.EncodeToString(sum[:12])+`"`, body)
}

// renderPublished draws a published page into bytes and publishes them.
func (s *Server) renderPublished(w http.ResponseWriter, r *http.Request, name string, p page, maxAge int) {
	var buf bytes.Buffer
	if err := s.tmpl[name].Execute(&buf, p); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	publish(w, r, "text/html; charset=utf-8", buf.Bytes(), maxAge)
}

// cityData is everything the city page, its kiosk view and the open data
// read, in one transaction.
type cityData struct {
	sum      survey.CitySummary
	trend    []survey.CitySummary
	verified []survey.Result
	web      []survey.Result
	plans    []survey.FollowUpStats
}

func (s *Server) readCity(p survey.Period) (cityData, error) {
	var d cityData
	units := s.cfg.Catalog.Units()
	w := s.cfg.Weighting
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		if d.trend, err = report.Trend(tx, units, p, trendPeriods, w); err != nil {
			return err
		}
		d.sum = d.trend[len(d.trend)-1]
		if d.verified, err = report.Verified(tx, units, p, w); err != nil {
			return err
		}
		if d.web, err = report.Web(tx, units, p, w); err != nil {
			return err
		}
		d.plans, err = report.FollowUpStats(tx, units)
		return err
	})
	return d, err
}

// cityView is the body of the city page and its kiosk view.
type cityView struct {
	Nav         periodNav
	Pooled      figure
	Mean        figure
	Respondents int
	Units       int
	WithData    int
	Target      int // 0: unknown (some unit's users are not configured)
	BelowTarget int
	Web         int // respondents who answered on this site
	Verified    int // respondents verified at a counter screen
	Trend       []trendPoint
	Types       []typeView
	Plans       plansView
	Updated     string // kiosk only
	Links       []periodLink
}

type trendPoint struct {
	Label  string
	URL    string
	Figure figure
	N      int
}

type typeView struct {
	Name     string
	Units    int
	WithData int
	Pooled   figure
	Mean     figure
	Rows     []unitRow
}

type unitRow struct {
	Code        string
	Name        string
	URL         string
	Respondents int
	Target      int
	Below       bool
	Figure      figure
	Web         int
}

// plansView is how many follow-up plans are done, and how fast.
type plansView struct {
	Planned, Done, Within, Median int
	Share                         string
}

func plansOf(t texts, st survey.FollowUpStats) plansView {
	v := plansView{Planned: st.Planned, Done: st.Done, Within: st.DoneWithinMonth, Median: st.MedianDays}
	if share, ok := st.Share(); ok {
		v.Share = t.num(share)
	}
	return v
}

func (s *Server) cityView(t texts, d cityData, path string) cityView {
	c := d.sum
	v := cityView{
		Nav: s.nav(t, path, c.Period), Pooled: s.figure(t, c.Pooled), Mean: s.meanFigure(t, c.WithData > 0, c.MeanIKM2, c.MeanMutu),
		Respondents: c.Respondents(), Units: len(c.Units), WithData: c.WithData, BelowTarget: len(c.UnitsBelowTarget()),
	}
	if target, ok := c.SampleTarget(); ok {
		v.Target = target
	}
	for _, q := range d.trend {
		v.Trend = append(v.Trend, trendPoint{Label: q.Period.Label, URL: pageURL(path, q.Period, t.lang), Figure: s.figure(t, q.Pooled), N: q.Respondents()})
	}
	var all survey.FollowUpStats
	for i := range c.Units {
		v.Web += d.web[i].Respondents
		v.Verified += d.verified[i].Respondents
		all.Planned += d.plans[i].Planned
		all.Done += d.plans[i].Done
		all.DoneWithinMonth += d.plans[i].DoneWithinMonth
	}
	// The city's median of days is not the median of the units' medians;
	// the page gives the share and the count within a month, which add up.
	v.Plans = plansOf(t, all)
	v.Plans.Median = 0
	for _, g := range c.ByType {
		tv := typeView{Name: s.typeName(t, g.Type), Units: g.Units, WithData: g.WithData, Pooled: s.figure(t, g.Result),
			Mean: s.meanFigure(t, g.WithData > 0, g.MeanIKM2, g.MeanMutu)}
		for i, us := range c.Units {
			if us.Unit.Type != g.Type {
				continue
			}
			tv.Rows = append(tv.Rows, unitRow{
				Code: us.Unit.Code, Name: us.Unit.Name, URL: pageURL("/u/"+url.PathEscape(us.Unit.Code), c.Period, t.lang),
				Respondents: us.Tally.Respondents, Target: us.Target, Below: us.BelowTarget(), Figure: s.figure(t, us.Result),
				Web: d.web[i].Respondents,
			})
		}
		v.Types = append(v.Types, tv)
	}
	return v
}

// cityPage reads the city's figures for the period the request names and
// lays them out for the page at path (the city page or the kiosk); on a bad
// period or a failed read it answers the request itself, and ok is false.
func (s *Server) cityPage(w http.ResponseWriter, r *http.Request, path string) (p survey.Period, t texts, v cityView, ok bool) {
	if p, ok = s.parsePeriod(r); !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.period")
		return p, t, v, false
	}
	d, err := s.readCity(p)
	if err != nil {
		s.log.Error("web: city", "page", path, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return p, t, v, false
	}
	t = s.texts(s.pageLang(r, ""))
	return p, t, s.cityView(t, d, path), true
}

// city is GET /: the city's IKM for a period, every unit's, and the way
// to each unit's page.
func (s *Server) city(w http.ResponseWriter, r *http.Request) {
	p, t, v, ok := s.cityPage(w, r, "/")
	if !ok {
		return
	}
	v.Links = []periodLink{
		{Label: t.plain("web.pub.method_link"), URL: withLang("/metode", t.lang)},
		{Label: t.plain("web.pub.data_link"), URL: withLang("/data", t.lang)},
		{Label: t.plain("web.pub.kiosk_link"), URL: pageURL("/kiosk", p, t.lang)},
	}
	s.renderPublished(w, r, "city", s.newPage(t, t.plain("web.pub.city_title", "City", s.cfg.City), pageURL("/", p, ""), v), pubMaxAge)
}

// unitView is the body of a unit's page.
type unitView struct {
	Unit        survey.Unit
	TypeName    string
	Nav         periodNav
	Figure      figure
	Respondents int
	Target      int
	TargetKnown bool
	Below       bool
	Progress    int // percent of the sample target, at most 100
	Interval    string
	Verified    partView
	Web         partView
	Elements    []elementRow
	Weakest     []string
	Trend       []trendPoint
	Profile     []profileRow
	ProfileFew  bool
	Plans       []planRow
	PlanStats   plansView
	CityURL     string
}

// ProfileMin is the smallest profile count the page shows.
func (unitView) ProfileMin() int { return survey.MinProfileCell }

// partView is a part of a unit's respondents shown apart.
type partView struct {
	N      int
	Figure figure
}

type elementRow struct {
	Key     string
	Name    string
	Answers uint64
	NRR     string // machine-readable, 2 decimals
	NRRText string
	IKMText string
	Mutu    string
	Bar     int // NRR x 25 as a percent width class
}

type profileRow struct {
	Name  string
	Cells []profileCell
}

type profileCell struct {
	Label string
	Count int
}

type planRow struct {
	Element string
	Action  string
	Status  string
	Due     string
	Done    string
	Days    string
}

// unit is GET /u/{code}: one unit's figures for a period.
func (s *Server) unit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.cfg.Catalog.Unit(r.PathValue("code"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.unknown_unit")
		return
	}
	p, ok := s.parsePeriod(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.period")
		return
	}
	units := []survey.Unit{u}
	wt := s.cfg.Weighting
	var (
		trend         []survey.CitySummary
		verified, web []survey.Result
		profiles      survey.Profiles
		plans         []survey.FollowUp
		stats         []survey.FollowUpStats
	)
	err := s.st.View(func(tx *store.Tx) error {
		var err error
		if trend, err = report.Trend(tx, units, p, trendPeriods, wt); err != nil {
			return err
		}
		if verified, err = report.Verified(tx, units, p, wt); err != nil {
			return err
		}
		if web, err = report.Web(tx, units, p, wt); err != nil {
			return err
		}
		if profiles, err = report.Profiles(tx, units, p, s.now()); err != nil {
			return err
		}
		if plans, err = report.FollowUps(tx, units); err != nil {
			return err
		}
		stats, err = report.FollowUpStats(tx, units)
		return err
	})
	if err != nil {
		s.log.Error("web: unit", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	t := s.texts(s.pageLang(r, ""))
	path := "/u/" + url.PathEscape(u.Code)
	us := trend[len(trend)-1].Units[0]
	v := unitView{
		Unit: u, TypeName: s.typeName(t, u.Type), Nav: s.nav(t, path, p), Figure: s.figure(t, us.Result),
		Respondents: us.Tally.Respondents, Target: us.Target, TargetKnown: us.TargetKnown(), Below: us.BelowTarget(),
		Verified:  partView{N: verified[0].Respondents, Figure: s.figure(t, verified[0])},
		Web:       partView{N: web[0].Respondents, Figure: s.figure(t, web[0])},
		PlanStats: plansOf(t, stats[0]), CityURL: pageURL("/", p, t.lang),
	}
	if us.Target > 0 {
		v.Progress = min(100, 100*us.Tally.Respondents/us.Target)
	}
	if iv := us.Tally.Interval(wt, survey.Z95); iv.Valid {
		v.Interval = t.num(survey.Round2(iv.Lo)) + " – " + t.num(survey.Round2(iv.Hi))
	}
	for _, e := range us.Result.Elements {
		row := elementRow{Key: string(e.Key), Name: e.Key.OfficialName(), Answers: e.Answers}
		if e.Answers > 0 {
			nrr := survey.Round2(e.NRR)
			row.NRR, row.NRRText = strconv.FormatFloat(nrr, 'f', 2, 64), t.num(nrr)
			row.IKMText, row.Mutu = t.num(survey.Round2(e.IKM)), string(e.Mutu)
			row.Bar = int(e.IKM + 0.5)
		}
		v.Elements = append(v.Elements, row)
	}
	for _, e := range us.Result.Weakest(3) {
		v.Weakest = append(v.Weakest, e.Key.OfficialName())
	}
	for _, q := range trend {
		v.Trend = append(v.Trend, trendPoint{Label: q.Period.Label, URL: pageURL(path, q.Period, t.lang), Figure: s.figure(t, q.Units[0].Result), N: q.Units[0].Tally.Respondents})
	}
	// The profile as the disclosure rule publishes it (survey.PublishProfile):
	// the answers shown, and one count of those not shown per question.
	pt := profiles.Units[0]
	v.ProfileFew = profiles.Available && pt.Rows == nil && pt.Respondents > 0
	for _, pr := range pt.Rows {
		row := profileRow{Name: t.plain("view.dim_" + string(pr.Dim))}
		for _, c := range pr.Cells {
			row.Cells = append(row.Cells, profileCell{Label: profileLabel(t, pr.Dim, c.Value), Count: c.Count})
		}
		if pr.Hidden > 0 {
			row.Cells = append(row.Cells, profileCell{Label: t.plain("view.profile_hidden"), Count: pr.Hidden})
		}
		v.Profile = append(v.Profile, row)
	}
	for _, f := range plans {
		pr := planRow{Element: f.Element.OfficialName(), Action: f.Action, Status: t.plain("tl.status_" + f.Status)}
		if !f.Due.IsZero() {
			pr.Due = survey.DayKey(f.Due)
		}
		if days, ok := f.DaysToComplete(); ok {
			pr.Done, pr.Days = survey.DayKey(f.Done), strconv.Itoa(days)
		}
		v.Plans = append(v.Plans, pr)
	}
	s.renderPublished(w, r, "unit", s.newPage(t, u.Name, pageURL(path, p, ""), v), pubMaxAge)
}

// profileLabel is how a profile answer is shown: the form's words.
func profileLabel(t texts, d survey.ProfileDim, v string) string {
	if v == "" {
		return t.plain("view.skipped")
	}
	if q := survey.ProfileQuestionOf(d); q != nil {
		if id := q.OptionID(v); id != "" {
			return t.plain(id)
		}
	}
	return v
}

// kiosk is GET /kiosk: the city's figure in big type for a screen in a
// hall, reloading itself every minute without script.
func (s *Server) kiosk(w http.ResponseWriter, r *http.Request) {
	_, t, v, ok := s.cityPage(w, r, "/kiosk")
	if !ok {
		return
	}
	v.Updated = s.now().Format("15:04")
	pg := s.newPage(t, t.plain("web.pub.city_title", "City", s.cfg.City), "", v)
	pg.Refresh = kioskRefresh
	s.renderPublished(w, r, "kiosk", pg, kioskRefresh/2)
}

// kioskRefresh is how often the kiosk view reloads itself, in seconds.
const kioskRefresh = 60

// method is GET /metode: how the figures are made, in the regulation's
// terms, with this city's settings.
func (s *Server) method(w http.ResponseWriter, r *http.Request) {
	t := s.texts(s.pageLang(r, ""))
	weight := "1/9"
	if s.cfg.Weighting == survey.LegacyWeights {
		weight = "0,111"
	}
	v := methodView{
		Weight: weight, Period: t.plain("view.kind_" + string(s.cfg.RespondentPeriod)), MinCell: survey.MinProfileCell,
		Elements: survey.Elements[:], FollowUpMonth: survey.FollowUpMonth,
	}
	s.renderPublished(w, r, "method", s.newPage(t, t.plain("web.method.title"), "/metode", v), 3600)
}

// methodView is the body of the method statement.
type methodView struct {
	Weight        string
	Period        string
	MinCell       int
	Elements      []survey.ElementKey
	FollowUpMonth int
}

// Name is an element's official name, for the method's list.
func (methodView) Name(k survey.ElementKey) string { return k.OfficialName() }
