package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// cmdNow is the clock of the report and import commands (the default period,
// the "not in the future" check); tests replace it.
var cmdNow = time.Now

// defaultDB is the database file the bot and the commands use unless --db
// says otherwise.
const defaultDB = "ikmbot.db"

// storeTimeout is how long a command waits for the database lock: long
// enough to ride out another short command, short enough that a running bot
// (which holds the lock for good) is reported at once.
const storeTimeout = time.Second

// reportUsage is printed for ikmbot report -h.
const reportUsage = `usage: ikmbot report [--db FILE] [--unit CODE] [--period P] [--format text|json|csv|xlsx] [--out FILE] [--legacy-weights]

Computes the IKM (PermenPANRB 14/2017) of the city, or of one unit, over a
period, from the database's live aggregates. P is 2020, 2020-S1, 2020-Q3,
2020-07 or 2020-01-01..2020-03-31; the default is the current year.

--format csv writes the period's raw responses, one row each (no
respondent identity); --format xlsx the workbook in the layout of the
regulation's worksheets: a recap of all units, the respondents' profile
(counts under 5 suppressed), the suggestions, the follow-up plans, and
per unit the "pengolahan data per responden dan per unsur" sheet. Both
need --out FILE, or a standard output that is not a terminal. --out
writes the file whole or not at all.

The bot holds its database file while it runs: stop it, or report on a
backup copy made while the bot was stopped.
`

// Method labels for the JSON "method" key and the text header.
const (
	methodExact  = "exact 1/k"
	methodLegacy = "legacy 0.111"
)

// periodJSON names the period, since an IKM without one compares with nothing.
type periodJSON struct {
	Label string `json:"label"`
	Kind  string `json:"kind"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// elementJSON is one row of the regulation's worksheet.
type elementJSON struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Answers  uint64   `json:"answers"`
	Sum      uint64   `json:"sum"`
	NRR      *float64 `json:"nrr"`      // unrounded; null when nobody answered
	Weighted *float64 `json:"weighted"` // NRR tertimbang; null when nobody answered
	Mutu     *string  `json:"mutu"`
}

// figuresJSON are the keys a unit report and a city report share; in a city
// report they are pooled over all respondents.
type figuresJSON struct {
	Period       periodJSON    `json:"period"`
	Method       string        `json:"method"`
	Respondents  int           `json:"respondents"`
	SampleTarget *int          `json:"sample_target"`
	Elements     []elementJSON `json:"elements"`
	Index        *float64      `json:"index"`
	IKM          *float64      `json:"ikm"`
	Mutu         *string       `json:"mutu"`
	Kinerja      *string       `json:"kinerja"`
}

// unitRefJSON identifies the unit of a unit report.
type unitRefJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// unitReportJSON is ikmbot report --unit CODE --format json.
type unitReportJSON struct {
	City string      `json:"city"`
	Unit unitRefJSON `json:"unit"`
	figuresJSON
	BelowTarget *bool `json:"below_target"` // null when the target is unknown

	PosterVersion int           `json:"poster_version"` // see report_posters.go
	Posters       []posterJSON  `json:"posters"`
	Verified      verifiedJSON  `json:"verified"`
	Web           verifiedJSON  `json:"web"`
	FollowUps     followUpsJSON `json:"followups"`
	Indexes       []indexJSON   `json:"indexes,omitempty"` // see report_indexes.go
}

// unitRowJSON is one unit in a city report.
type unitRowJSON struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	Respondents  int      `json:"respondents"`
	SampleTarget *int     `json:"sample_target"`
	IKM          *float64 `json:"ikm"`
	Mutu         *string  `json:"mutu"`

	PosterVersion int             `json:"poster_version"` // see report_posters.go
	Posters       []posterJSON    `json:"posters"`
	Verified      verifiedJSON    `json:"verified"`
	Web           verifiedJSON    `json:"web"`
	FollowUps     followUpsJSON   `json:"followups"`
	Indexes       []unitIndexJSON `json:"indexes,omitempty"`
}

// typeRowJSON is one unit type in a city report, with both aggregations.
type typeRowJSON struct {
	Type                 string   `json:"type"`
	Name                 string   `json:"name"`
	Units                int      `json:"units"`
	UnitsWithRespondents int      `json:"units_with_respondents"`
	Respondents          int      `json:"respondents"`
	IKM                  *float64 `json:"ikm"` // pooled
	Mutu                 *string  `json:"mutu"`
	IKMMeanOfUnits       *float64 `json:"ikm_mean_of_units"`
	MutuMeanOfUnits      *string  `json:"mutu_mean_of_units"`
}

// cityReportJSON is ikmbot report --format json without --unit.
type cityReportJSON struct {
	City string `json:"city"`
	figuresJSON
	// Aggregation says what the shared figures (elements, index, ikm, mutu,
	// kinerja) are, since the regulation fixes no method for a city.
	Aggregation          string        `json:"aggregation"`
	IKMPooled            *float64      `json:"ikm_pooled"`
	IKMMeanOfUnits       *float64      `json:"ikm_mean_of_units"`
	MutuMeanOfUnits      *string       `json:"mutu_mean_of_units"`
	UnitsWithRespondents int           `json:"units_with_respondents"`
	Units                []unitRowJSON `json:"units"`
	ByType               []typeRowJSON `json:"by_type"`
	// Indexes are the extra questionnaires (IPKP, IPAK) of the units that
	// ask them; absent when none does.
	Indexes []cityIndexJSON `json:"indexes,omitempty"`
}

// lockedError explains a lock timeout to the operator while still matching
// store.ErrLocked for callers.
type lockedError struct {
	path string
	hint string
	err  error
}

// Error says who holds the file and what to do about it.
func (e *lockedError) Error() string {
	return fmt.Sprintf("%s is in use by another process, most likely the running bot (bbolt lets no other process open the file while the bot has it): %s", e.path, e.hint)
}

// Unwrap keeps errors.Is(err, store.ErrLocked) true.
func (e *lockedError) Unwrap() error { return e.err }

// runReport implements ikmbot report: the IKM of the city or one unit over a
// period, as text or JSON.
func runReport(cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB, "the bot's database file")
	unitCode := fs.String("unit", "", "report one unit, by code (see ikmbot units); default: the whole city")
	periodArg := fs.String("period", "", "2020, 2020-S1, 2020-Q3, 2020-07 or 2020-01-01..2020-03-31 (default: the current year)")
	format := fs.String("format", "text", "output format: text, json, csv (raw responses) or xlsx (the regulation's worksheets)")
	outPath := fs.String("out", "", "write to this file instead of standard output")
	legacy := fs.Bool("legacy-weights", false, "weigh each element 0.111 as the regulation's worksheets print it (reads about 0.1% low), to reproduce old reports")
	if done, err := parseCommandFlags(fs, reportUsage, args, stdout); done || err != nil {
		return err
	}
	// Check every argument before touching the database, so that a typo is
	// reported as such and not hidden behind a lock or a missing file.
	if *format != "text" && *format != "json" && !isFileFormat(*format) {
		return fmt.Errorf("report: --format: unknown format %q (want text, json, csv or xlsx)", *format)
	}
	if isFileFormat(*format) && *outPath == "" && console.IsTerminal(stdout) {
		return fmt.Errorf("report: --format %s writes a file: give --out FILE, or redirect standard output", *format)
	}
	var unit *survey.Unit
	if *unitCode != "" {
		u, err := unitByCode(cfg, *unitCode)
		if err != nil {
			return fmt.Errorf("report: --unit: %w", err)
		}
		unit = &u
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	today := cmdNow().In(loc)
	var p survey.Period
	if *periodArg == "" {
		p = survey.PeriodOf(survey.PeriodYear, today)
	} else {
		var err error
		if p, err = survey.ParsePeriod(*periodArg, loc); err != nil {
			return fmt.Errorf("report: --period: %w", err)
		}
	}
	w, method := survey.ExactWeights, methodExact
	if *legacy {
		w, method = survey.LegacyWeights, methodLegacy
	}

	if err := checkDBExists(*dbPath); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	st, err := store.Open(*dbPath, store.Options{Timeout: storeTimeout, Location: loc, ReadOnly: true, Units: cfg.Catalog.Unit})
	if err != nil {
		return fmt.Errorf("report: %w", friendlyOpenError(*dbPath, err,
			"take a hot backup with \"ikmbot backup --out COPY\" (it asks the running bot) and run the report on it with --db COPY, or stop the bot first; never copy the file while the bot writes"))
	}
	defer st.Close() // on the error paths; closing twice is harmless

	units := cfg.Catalog.Units()
	if unit != nil {
		units = []survey.Unit{*unit}
	}
	var sum survey.CitySummary
	var indexes []survey.IndexSummary
	var file []byte // --format csv or xlsx
	var fileResponses int
	err = st.View(func(tx *store.Tx) error {
		var err error
		if sum, err = report.Summary(tx, units, p, w); err != nil {
			return err
		}
		if indexes, err = report.Indexes(tx, units, p); err != nil || !isFileFormat(*format) {
			return err
		}
		// The raw responses in the same transaction as the tallies, so
		// that the file adds up to the figures (report_files.go).
		file, fileResponses, err = renderReportFile(tx, cfg, *format, sum, indexes, w, stderr)
		return err
	})
	if err != nil {
		return fmt.Errorf("report: read %s: %w", *dbPath, err)
	}
	// The deep-link funnel per poster version, the verified and the web
	// responses, and the follow-up plans (report_posters.go).
	var posters map[string]unitPosters
	var parts map[string]unitParts
	if err := st.View(func(tx *store.Tx) error {
		var err error
		if posters, err = readPosters(tx, units); err != nil {
			return err
		}
		parts, err = readParts(tx, units, p, w)
		return err
	}); err != nil {
		return fmt.Errorf("report: read %s: %w", *dbPath, err)
	}
	// Release the lock before writing, which may block on a slow pipe.
	if err := st.Close(); err != nil {
		return fmt.Errorf("report: close %s: %w", *dbPath, err)
	}

	if civilAfter(p.To, today) {
		// The figures are real but partial; say so on stderr to keep JSON clean.
		fmt.Fprintf(stderr, "note: period %s runs until %s; figures are up to today\n", p.Label, p.To.Format(time.DateOnly))
	}
	if isFileFormat(*format) {
		dest := "standard output"
		if *outPath == "" {
			if _, err := stdout.Write(file); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		} else {
			// Created 0600: raw answers and suggestions are personal data.
			if _, err := writeFileAtomic(*outPath, bytes.NewReader(file).WriteTo); err != nil {
				return fmt.Errorf("report: --out: %w", err)
			}
			dest = *outPath
		}
		_, err := fmt.Fprintf(stderr, "report: %s of %d responses, %d units, period %s, to %s (%s)\n",
			strings.ToUpper(*format), fileResponses, len(units), p.Label, dest, console.ByteSize(int64(len(file))))
		return err
	}
	if *outPath != "" {
		var buf bytes.Buffer
		if err := writeFigures(&buf, cfg, unit, sum, indexes, posters, parts, method, *format); err != nil {
			return err
		}
		if _, err := writeFileAtomic(*outPath, buf.WriteTo); err != nil {
			return fmt.Errorf("report: --out: %w", err)
		}
		return nil
	}
	return writeFigures(stdout, cfg, unit, sum, indexes, posters, parts, method, *format)
}

// writeFigures writes the text or JSON report.
func writeFigures(stdout io.Writer, cfg *config.Config, unit *survey.Unit, sum survey.CitySummary, indexes []survey.IndexSummary,
	posters map[string]unitPosters, parts map[string]unitParts, method, format string) error {
	p := sum.Period
	if unit != nil {
		us := sum.Units[0]
		if format == "json" {
			rep := unitReport(cfg, us, p, method)
			rep.PosterVersion, rep.Posters = posters[us.Unit.Code].version, posters[us.Unit.Code].rows
			pt := parts[us.Unit.Code]
			rep.Verified, rep.Web, rep.FollowUps = pt.verified, pt.web, pt.followUps
			rep.Indexes = unitIndexes(us.Unit.Code, indexes)
			return writeReportJSON(stdout, rep)
		}
		return writeUnitText(stdout, cfg, us, indexes, parts[us.Unit.Code], p, method)
	}
	if format == "json" {
		rep := cityReport(cfg, sum, method)
		for i := range rep.Units {
			rep.Units[i].PosterVersion, rep.Units[i].Posters = posters[rep.Units[i].Code].version, posters[rep.Units[i].Code].rows
			pt := parts[rep.Units[i].Code]
			rep.Units[i].Verified, rep.Units[i].Web, rep.Units[i].FollowUps = pt.verified, pt.web, pt.followUps
			rep.Units[i].Indexes = unitRowIndexes(rep.Units[i].Code, indexes)
		}
		rep.Indexes = cityIndexes(indexes)
		return writeReportJSON(stdout, rep)
	}
	return writeCityText(stdout, cfg, sum, indexes, method)
}

// unitByCode looks a unit up ignoring case and, when the code is unknown,
// suggests the nearest code, since most unknown codes are typos.
func unitByCode(cfg *config.Config, code string) (survey.Unit, error) {
	if u, ok := cfg.Catalog.Unit(code); ok {
		return u, nil
	}
	codes := make([]string, 0, cfg.Catalog.Len())
	for _, u := range cfg.Catalog.Units() {
		codes = append(codes, u.Code)
	}
	msg := fmt.Sprintf("unknown unit code %q", code)
	if best := config.Closest(code, codes); best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	return survey.Unit{}, fmt.Errorf("%s; ikmbot units lists the %d configured codes", msg, cfg.Catalog.Len())
}

// checkDBExists refuses a missing database file, because bbolt would
// silently create an empty one and the report would show nothing.
func checkDBExists(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("database %s does not exist (--db names the bot's database file; default %s)", path, defaultDB)
	case err != nil:
		return fmt.Errorf("database: %w", err)
	case fi.IsDir():
		return fmt.Errorf("database %s is a directory, not the bot's database file", path)
	}
	return nil
}

// friendlyOpenError turns a lock timeout into advice; other errors already
// name the file.
func friendlyOpenError(path string, err error, hint string) error {
	if errors.Is(err, store.ErrLocked) {
		return &lockedError{path: path, hint: hint, err: err}
	}
	return err
}

// civilAfter reports whether the calendar day of a is after that of b; both
// are in the same location.
func civilAfter(a, b time.Time) bool {
	return a.Format(time.DateOnly) > b.Format(time.DateOnly)
}

// writeReportJSON writes v indented, with names such as "Biaya/Tarif" unescaped.
func writeReportJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// unitReport builds the JSON of one unit.
func unitReport(cfg *config.Config, us survey.UnitSummary, p survey.Period, method string) unitReportJSON {
	out := unitReportJSON{
		City:        cfg.City,
		Unit:        unitRefJSON{Code: us.Unit.Code, Name: us.Unit.Name, Type: string(us.Unit.Type)},
		figuresJSON: figures(us.Result, p, method, unitTarget(us)),
	}
	if out.SampleTarget != nil {
		below := us.BelowTarget()
		out.BelowTarget = &below
	}
	return out
}

// cityReport builds the JSON of the whole city.
func cityReport(cfg *config.Config, c survey.CitySummary, method string) cityReportJSON {
	out := cityReportJSON{
		City:                 cfg.City,
		figuresJSON:          figures(c.Pooled, c.Period, method, cityTarget(c)),
		Aggregation:          "pooled",
		UnitsWithRespondents: c.WithData,
		Units:                make([]unitRowJSON, 0, len(c.Units)),
		ByType:               make([]typeRowJSON, 0, len(c.ByType)),
	}
	out.IKMPooled = ikmOf(c.Pooled)
	if c.WithData > 0 {
		out.IKMMeanOfUnits = nullable(c.MeanIKM2)
		out.MutuMeanOfUnits = mutuOf(c.MeanMutu)
	}
	for _, us := range c.Units {
		out.Units = append(out.Units, unitRowJSON{
			Code:         us.Unit.Code,
			Name:         us.Unit.Name,
			Type:         string(us.Unit.Type),
			Respondents:  us.Tally.Respondents,
			SampleTarget: unitTarget(us),
			IKM:          ikmOf(us.Result),
			Mutu:         resultMutu(us.Result),
		})
	}
	for _, g := range c.ByType {
		row := typeRowJSON{
			Type:                 string(g.Type),
			Name:                 unitTypeName(cfg, g.Type),
			Units:                g.Units,
			UnitsWithRespondents: g.WithData,
			Respondents:          g.Tally.Respondents,
			IKM:                  ikmOf(g.Result),
			Mutu:                 resultMutu(g.Result),
		}
		if g.WithData > 0 {
			row.IKMMeanOfUnits = nullable(g.MeanIKM2)
			row.MutuMeanOfUnits = mutuOf(g.MeanMutu)
		}
		out.ByType = append(out.ByType, row)
	}
	return out
}

// figures fills the keys shared by unit and city reports from one result.
func figures(r survey.Result, p survey.Period, method string, target *int) figuresJSON {
	f := figuresJSON{
		Period: periodJSON{
			Label: p.Label,
			Kind:  string(p.Kind),
			From:  p.From.Format(time.DateOnly),
			To:    p.To.Format(time.DateOnly),
		},
		Method:       method,
		Respondents:  r.Respondents,
		SampleTarget: target,
		Elements:     make([]elementJSON, 0, len(r.Elements)),
	}
	for _, e := range r.Elements {
		ej := elementJSON{Key: string(e.Key), Name: e.Key.OfficialName(), Answers: e.Answers, Sum: e.Sum}
		if e.Answers > 0 {
			ej.NRR = nullable(e.NRR)
			ej.Weighted = nullable(e.Weighted)
			ej.Mutu = mutuOf(e.Mutu)
		}
		f.Elements = append(f.Elements, ej)
	}
	if r.Valid {
		f.Index = nullable(r.Index)
		f.IKM = nullable(r.IKM2)
		f.Mutu = mutuOf(r.Mutu)
		f.Kinerja = nullable(r.Mutu.Kinerja())
	}
	return f
}

// unitTarget is the unit's sample target, or nil when its users per year are
// unknown (a target of 0 from a tiny period is still a known target).
func unitTarget(us survey.UnitSummary) *int {
	if !us.TargetKnown() {
		return nil
	}
	return nullable(us.Target)
}

// cityTarget is survey.CitySummary.SampleTarget, or nil when it is unknown.
func cityTarget(c survey.CitySummary) *int {
	total, ok := c.SampleTarget()
	if !ok {
		return nil
	}
	return &total
}

// ikmOf returns the rounded IKM, or nil when there is nothing to compute it from.
func ikmOf(r survey.Result) *float64 {
	if !r.Valid {
		return nil
	}
	return nullable(r.IKM2)
}

// resultMutu returns the grade, or nil when there is nothing to grade.
func resultMutu(r survey.Result) *string {
	if !r.Valid {
		return nil
	}
	return mutuOf(r.Mutu)
}

// mutuOf returns m as a JSON string, nil for "no grade".
func mutuOf(m survey.Mutu) *string {
	if m == "" {
		return nil
	}
	return nullable(string(m))
}

// nullable returns a pointer to a copy of v, for the nullable JSON fields.
func nullable[T any](v T) *T { return &v }

// unitTypeName is the display name of a unit type.
func unitTypeName(cfg *config.Config, t survey.UnitType) string {
	return survey.TypeName(t, cfg.TypeNames)
}

// periodLine names the period with its dates, since labels such as 2026-Q1
// do not say which days they cover.
func periodLine(p survey.Period, method string) string {
	s := fmt.Sprintf("Period %s (%s to %s)", p.Label, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	if method == methodLegacy {
		return s + ", legacy weights 0.111 per element (as the regulation's worksheets; reads about 0.1% low)"
	}
	return s + ", weights 1/k"
}

// gradeText prints an IKM with its mutu and kinerja, or "-" without data.
func gradeText(ikm float64, m survey.Mutu, valid bool) string {
	if !valid {
		return "-"
	}
	return fmt.Sprintf("%.2f  %s (%s)", ikm, m, m.Kinerja())
}

// writeCityText writes the city report for a terminal.
func writeCityText(out io.Writer, cfg *config.Config, c survey.CitySummary, indexes []survey.IndexSummary, method string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "IKM %s\n%s\n\n", cfg.City, periodLine(c.Period, method))
	if c.Respondents() == 0 {
		fmt.Fprintf(&b, "No responses in %s for any of the %d units.\n", c.Period.Label, len(c.Units))
		_, err := io.WriteString(out, b.String())
		return err
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Respondents:\t%d, in %d of %d units\n", c.Respondents(), c.WithData, len(c.Units))
	if t := cityTarget(c); t != nil {
		fmt.Fprintf(tw, "Sample target:\t%d (sum of the units' targets)\n", *t)
	}
	fmt.Fprintf(tw, "IKM, mean of unit IKMs:\t%s\n", gradeText(c.MeanIKM2, c.MeanMutu, c.WithData > 0))
	fmt.Fprintf(tw, "IKM, pooled over all respondents:\t%s\n", gradeText(c.Pooled.IKM2, c.Pooled.Mutu, c.Pooled.Valid))
	writeCityIndexes(tw, indexes)
	tw.Flush()

	b.WriteString("\nBy unit type:\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TYPE\tUNITS WITH DATA\tRESPONDENTS\tIKM MEAN OF UNITS\tIKM POOLED")
	for _, g := range c.ByType {
		fmt.Fprintf(tw, "  %s\t%d of %d\t%d\t%s\t%s\n", unitTypeName(cfg, g.Type), g.WithData, g.Units, g.Tally.Respondents,
			gradeText(g.MeanIKM2, g.MeanMutu, g.WithData > 0), gradeText(g.Result.IKM2, g.Result.Mutu, g.Result.Valid))
	}
	tw.Flush()

	b.WriteString("\nUnits with respondents, highest IKM first:\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  CODE\tNAME\tRESPONDENTS\tIKM\tMUTU")
	for _, us := range c.Ranked() {
		resp := fmt.Sprint(us.Tally.Respondents)
		if us.BelowTarget() {
			resp += fmt.Sprintf(" of %d (below target)", us.Target)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%.2f\t%s (%s)\n", us.Unit.Code, us.Unit.Name, resp, us.Result.IKM2, us.Result.Mutu, us.Result.Mutu.Kinerja())
	}
	tw.Flush()
	if n := len(c.Units) - c.WithData; n > 0 {
		fmt.Fprintf(&b, "\n%d of %d units have no respondents in %s.\n", n, len(c.Units), c.Period.Label)
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// writeUnitText writes one unit's report for a terminal, ending with the
// weakest element, where the unit's follow-up plan starts. The verified
// figures show when the unit has any.
func writeUnitText(w io.Writer, cfg *config.Config, us survey.UnitSummary, indexes []survey.IndexSummary, parts unitParts, p survey.Period, method string) error {
	verified, web := parts.verified, parts.web
	var b strings.Builder
	r := us.Result
	fmt.Fprintf(&b, "IKM %s (%s), %s, %s\n%s\n\n", us.Unit.Name, us.Unit.Code, unitTypeName(cfg, us.Unit.Type), cfg.City, periodLine(p, method))
	if !r.Valid {
		fmt.Fprintf(&b, "No responses for %s in %s.\n", us.Unit.Code, p.Label)
		if t := unitTarget(us); t != nil {
			fmt.Fprintf(&b, "Sample target: %d respondents (Krejcie-Morgan).\n", *t)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "IKM:\t%.2f\n", r.IKM2)
	fmt.Fprintf(tw, "Mutu:\t%s\n", r.Mutu)
	fmt.Fprintf(tw, "Kinerja:\t%s\n", r.Mutu.Kinerja())
	switch t := unitTarget(us); {
	case t == nil:
		fmt.Fprintf(tw, "Respondents:\t%d (sample target unknown: set users_per_year for %s in the config)\n", us.Tally.Respondents, us.Unit.Code)
	case us.BelowTarget():
		fmt.Fprintf(tw, "Respondents:\t%d of a sample target of %d: not yet representative\n", us.Tally.Respondents, *t)
	default:
		fmt.Fprintf(tw, "Respondents:\t%d (sample target %d reached)\n", us.Tally.Respondents, *t)
	}
	if verified.IKM != nil {
		fmt.Fprintf(tw, "Verified at the counter:\t%.2f  %s (%d of the respondents scanned the counter screen's code)\n", *verified.IKM, *verified.Mutu, verified.Respondents)
	}
	if web.IKM != nil {
		fmt.Fprintf(tw, "Answered on the web:\t%.2f  %s (%d of the respondents used the public site's form)\n", *web.IKM, *web.Mutu, web.Respondents)
	}
	if f := parts.followUps; f.Planned > 0 {
		line := fmt.Sprintf("%d of %d done (%.2f %%)", f.Done, f.Planned, *f.Share)
		if f.MedianDays != nil {
			line += fmt.Sprintf(", %d within 30 days, median %d days to complete", f.DoneWithin30Days, *f.MedianDays)
		}
		fmt.Fprintf(tw, "Follow-up plans:\t%s\n", line)
	}
	tw.Flush()

	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Right-aligned numbers; the name column is last so it may run ragged.
	fmt.Fprintln(tw, "ANSWERS\tNRR\tIKM\tMUTU\t  ELEMENT")
	for _, e := range r.Elements {
		if e.Answers == 0 {
			fmt.Fprintf(tw, "0\t-\t-\t-\t  %s\n", e.Key.OfficialName())
			continue
		}
		fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%s\t  %s\n", e.Answers, survey.Round2(e.NRR), survey.Round2(e.IKM), e.Mutu, e.Key.OfficialName())
	}
	tw.Flush()
	if weak := r.Weakest(1); len(weak) == 1 {
		e := weak[0]
		fmt.Fprintf(&b, "\nWeakest element: %s (NRR %.2f, mutu %s): start the follow-up plan here.\n", e.Key.OfficialName(), survey.Round2(e.NRR), e.Mutu)
	}
	writeUnitIndexes(&b, us.Unit.Code, indexes)
	_, err := io.WriteString(w, b.String())
	return err
}
