package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/ikmbot/ikmbot/survey"
)

// Open data: the aggregates behind the pages, as JSON and CSV, for a
// period named in the file name (/data/2026.json, /data/2026-Q3.csv). Only
// aggregates: score counts per element, never a response.

// dataMaxAge is how long open data may be cached without asking.
const dataMaxAge = 300

type dataPeriodJSON struct {
	Label string `json:"label"`
	Kind  string `json:"kind"`
	From  string `json:"from"`
	To    string `json:"to"`
}

type dataPartJSON struct {
	Respondents int      `json:"respondents"`
	IKM         *float64 `json:"ikm"`
	Mutu        *string  `json:"mutu"`
}

type dataElementJSON struct {
	Key     string    `json:"key"`
	Name    string    `json:"name"`
	Answers uint64    `json:"answers"`
	Counts  [4]uint32 `json:"counts"` // answers of score 1, 2, 3, 4
	NRR     *float64  `json:"nrr"`    // 2 decimals; null without answers
	Mutu    *string   `json:"mutu"`
}

type dataPlansJSON struct {
	Planned          int      `json:"planned"`
	Done             int      `json:"done"`
	Share            *float64 `json:"share_done"`
	DoneWithin30Days int      `json:"done_within_30_days"`
	MedianDays       *int     `json:"median_days_to_complete"`
}

type dataUnitJSON struct {
	Code         string            `json:"code"`
	Name         string            `json:"name"`
	Type         string            `json:"type"`
	Respondents  int               `json:"respondents"`
	SampleTarget *int              `json:"sample_target"` // null when the unit's users are unknown
	IKM          *float64          `json:"ikm"`
	Mutu         *string           `json:"mutu"`
	Elements     []dataElementJSON `json:"elements"`
	Web          dataPartJSON      `json:"web"`
	Verified     dataPartJSON      `json:"verified"`
	FollowUps    dataPlansJSON     `json:"followups"`
}

type dataTypeJSON struct {
	Type                 string   `json:"type"`
	Units                int      `json:"units"`
	UnitsWithRespondents int      `json:"units_with_respondents"`
	Respondents          int      `json:"respondents"`
	IKMPooled            *float64 `json:"ikm_pooled"`
	IKMMean              *float64 `json:"ikm_mean_of_units"`
}

type dataJSON struct {
	City                 string         `json:"city"`
	Period               dataPeriodJSON `json:"period"`
	Method               string         `json:"method"`
	Respondents          int            `json:"respondents"`
	IKMPooled            *float64       `json:"ikm_pooled"`
	MutuPooled           *string        `json:"mutu_pooled"`
	IKMMean              *float64       `json:"ikm_mean_of_units"`
	MutuMean             *string        `json:"mutu_mean_of_units"`
	UnitsWithRespondents int            `json:"units_with_respondents"`
	Types                []dataTypeJSON `json:"types"`
	Units                []dataUnitJSON `json:"units"`
}

func ikmPtr(r survey.Result) (*float64, *string) {
	if !r.Valid {
		return nil, nil
	}
	v, m := r.IKM2, string(r.Mutu)
	return &v, &m
}

func (s *Server) dataOf(d cityData) dataJSON {
	c := d.sum
	method := "PermenPANRB 14/2017; weights 1/9"
	if s.cfg.Weighting == survey.LegacyWeights {
		method = "PermenPANRB 14/2017; weights 0.111 (legacy worksheets)"
	}
	out := dataJSON{
		City: s.cfg.City, Method: method, Respondents: c.Respondents(), UnitsWithRespondents: c.WithData,
		Period: dataPeriodJSON{Label: c.Period.Label, Kind: string(c.Period.Kind), From: survey.DayKey(c.Period.From), To: survey.DayKey(c.Period.To)},
	}
	out.IKMPooled, out.MutuPooled = ikmPtr(c.Pooled)
	if c.WithData > 0 {
		v, m := c.MeanIKM2, string(c.MeanMutu)
		out.IKMMean, out.MutuMean = &v, &m
	}
	for _, g := range c.ByType {
		tj := dataTypeJSON{Type: string(g.Type), Units: g.Units, UnitsWithRespondents: g.WithData, Respondents: g.Tally.Respondents}
		tj.IKMPooled, _ = ikmPtr(g.Result)
		if g.WithData > 0 {
			v := g.MeanIKM2
			tj.IKMMean = &v
		}
		out.Types = append(out.Types, tj)
	}
	for i, us := range c.Units {
		u := dataUnitJSON{Code: us.Unit.Code, Name: us.Unit.Name, Type: string(us.Unit.Type), Respondents: us.Tally.Respondents}
		if us.TargetKnown() {
			target := us.Target
			u.SampleTarget = &target
		}
		u.IKM, u.Mutu = ikmPtr(us.Result)
		for j, e := range us.Result.Elements {
			ej := dataElementJSON{Key: string(e.Key), Name: e.Key.OfficialName(), Answers: e.Answers, Counts: us.Tally.Dist[j]}
			if e.Answers > 0 {
				nrr, m := survey.Round2(e.NRR), string(e.Mutu)
				ej.NRR, ej.Mutu = &nrr, &m
			}
			u.Elements = append(u.Elements, ej)
		}
		u.Web.Respondents = d.web[i].Respondents
		u.Web.IKM, u.Web.Mutu = ikmPtr(d.web[i])
		u.Verified.Respondents = d.verified[i].Respondents
		u.Verified.IKM, u.Verified.Mutu = ikmPtr(d.verified[i])
		st := d.plans[i]
		u.FollowUps = dataPlansJSON{Planned: st.Planned, Done: st.Done, DoneWithin30Days: st.DoneWithinMonth}
		if share, ok := st.Share(); ok {
			u.FollowUps.Share = &share
		}
		if st.Done > 0 {
			days := st.MedianDays
			u.FollowUps.MedianDays = &days
		}
		out.Units = append(out.Units, u)
	}
	return out
}

// csvHeader names the open data CSV's columns, in the words of the
// regulation's worksheets.
var csvHeader = func() []string {
	h := []string{"kode", "nama", "jenis", "responden", "target_sampel", "ikm", "mutu"}
	for _, e := range survey.Elements {
		h = append(h, "nrr_"+string(e))
	}
	return append(h, "responden_web", "responden_terverifikasi", "rtl_direncanakan", "rtl_selesai")
}()

func writeDataCSV(d dataJSON) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // Excel reads UTF-8 with it
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, err
	}
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', 2, 64)
	}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	for _, u := range d.Units {
		target := ""
		if u.SampleTarget != nil {
			target = strconv.Itoa(*u.SampleTarget)
		}
		// Names come from the city's config; a leading = + - @ is still
		// kept from running as a spreadsheet formula.
		row := []string{u.Code, csvText(u.Name), u.Type, strconv.Itoa(u.Respondents), target, num(u.IKM), str(u.Mutu)}
		for _, e := range u.Elements {
			row = append(row, num(e.NRR))
		}
		row = append(row, strconv.Itoa(u.Web.Respondents), strconv.Itoa(u.Verified.Respondents), strconv.Itoa(u.FollowUps.Planned), strconv.Itoa(u.FollowUps.Done))
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// dataFile is GET /data/{file}: PERIOD.json or PERIOD.csv.
func (s *Server) dataFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	label, ext, _ := strings.Cut(name, ".")
	if ext != "json" && ext != "csv" {
		s.fail(w, r, http.StatusNotFound, "web.error.not_found")
		return
	}
	q := r.URL.Query()
	q.Set("p", label)
	r.URL.RawQuery = q.Encode()
	p, ok := s.parsePeriod(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "web.error.period")
		return
	}
	d, err := s.readCity(p)
	if err != nil {
		s.log.Error("web: data", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	data := s.dataOf(d)
	var body []byte
	ctype := "application/json; charset=utf-8"
	if ext == "json" {
		body, err = json.MarshalIndent(data, "", "  ")
		body = append(body, '\n')
	} else {
		body, err = writeDataCSV(data)
		ctype = "text/csv; charset=utf-8"
		w.Header().Set("Content-Disposition", `attachment; filename="skm-`+p.Label+`.csv"`)
	}
	if err != nil {
		s.log.Error("web: data", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
		return
	}
	publish(w, r, ctype, body, dataMaxAge)
}

// dataView is the body of the open data page.
type dataView struct {
	Files []periodLink
	Key   string
}

// dataIndex is GET /data: the files, and the city's key for its signed
// summaries (ikmbot summary).
func (s *Server) dataIndex(w http.ResponseWriter, r *http.Request) {
	t := s.texts(s.pageLang(r, ""))
	year := survey.PeriodOf(survey.PeriodYear, s.now())
	var files []periodLink
	for _, p := range []survey.Period{year, year.Previous()} {
		for _, q := range append([]survey.Period{p}, quarters(p)...) {
			for _, ext := range []string{"json", "csv"} {
				files = append(files, periodLink{Label: q.Label + "." + ext, URL: "/data/" + q.Label + "." + ext})
			}
		}
	}
	s.renderPublished(w, r, "data", s.newPage(t, t.plain("web.data.title"), "/data", dataView{Files: files, Key: s.summaryKey}), pubMaxAge)
}

// quarters are the four quarters of year p.
func quarters(year survey.Period) []survey.Period {
	var out []survey.Period
	for q := survey.PeriodOf(survey.PeriodQuarter, year.From); !q.From.After(year.To); q = q.Next() {
		out = append(out, q)
	}
	return out
}
