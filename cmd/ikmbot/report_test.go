package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// The fixtures, worked by hand.
//
// testdata/import/disdukcapil.csv, 8 questionnaires for DISDUKCAPIL in 2026
// (pengaduan left blank once):
//
//	element      sum/answers  NRR
//	persyaratan  26/8         3.25
//	prosedur     25/8         3.125
//	waktu        21/8         2.625   <- weakest
//	biaya        31/8         3.875
//	produk       26/8         3.25
//	kompetensi   27/8         3.375
//	perilaku     28/8         3.5
//	pengaduan    19/7         2.714285...
//	sarana       25/8         3.125
//
// sum of NRRs = 209/8 + 19/7 = 1615/56; index = 1615/504 = 3.2043...;
// IKM = 25 x 1615/504 = 80.1091... -> 80.11, mutu B (76.61..88.30), Baik.
// Legacy weights: 1615/56 x 0.111 x 25 = 80.0290... -> 80.03.
//
// testdata/import/puskesmas.csv, 2 questionnaires for PKM-JATIBENING in May
// 2026: all 2s and all 3s, so every NRR is 2.5 and the IKM 62.50, mutu D.
//
// City over 2026, both imported:
//
//	mean of unit IKMs = (80.1091... + 62.5) / 2 = 71.3045... -> 71.30, mutu C
//	pooled: sums 31,30,26,36,31,32,33,24,30 over 10 answers (pengaduan 9),
//	        sum of NRRs = 24.9 + 24/9 = 827/30, IKM = 25 x 827/270
//	        = 76.5740... -> 76.57, mutu C (just below 76.61)
//
// The two methods differ because DISDUKCAPIL has 8 respondents and the
// puskesmas 2: pooling weighs DISDUKCAPIL four times as much.
var (
	wantDisdukSums    = [9]uint64{26, 25, 21, 31, 26, 27, 28, 19, 25}
	wantDisdukAnswers = [9]uint64{8, 8, 8, 8, 8, 8, 8, 7, 8}
	wantCitySums      = [9]uint64{31, 30, 26, 36, 31, 32, 33, 24, 30}
	wantCityAnswers   = [9]uint64{10, 10, 10, 10, 10, 10, 10, 9, 10}
)

// jakarta is the embedded config's zone, where the test clock runs.
var jakarta = mustLoadLocation("Asia/Jakarta")

// mustLoadLocation loads a zone for package-level test values.
func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// setClock fixes cmdNow for one test; tests that use it must not be parallel.
func setClock(t *testing.T, now time.Time) {
	t.Helper()
	old := cmdNow
	cmdNow = func() time.Time { return now }
	t.Cleanup(func() { cmdNow = old })
}

// lateIn2026 is the default test clock: every fixture date is in the past.
var lateIn2026 = time.Date(2026, 12, 31, 10, 0, 0, 0, jakarta)

// importFixture is the path of a file under testdata/import.
func importFixture(name string) string { return filepath.Join("testdata", "import", name) }

// newDB returns the path of a database file that does not exist yet.
func newDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "ikmbot.db")
}

// emptyDB creates an ikmbot database with no responses.
func emptyDB(t *testing.T) string {
	t.Helper()
	db := newDB(t)
	st, err := store.Open(db, store.Options{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// mustImport runs ikmbot import and returns what it wrote to stderr.
func mustImport(t *testing.T, cfg *config.Config, db, unit, file string) string {
	t.Helper()
	var stderr bytes.Buffer
	if err := runImport(cfg, []string{"--db", db, "--unit", unit, "--file", file}, &stderr); err != nil {
		t.Fatalf("import %s: %v", file, err)
	}
	return stderr.String()
}

// reportOut runs ikmbot report and returns stdout.
func reportOut(t *testing.T, cfg *config.Config, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := runReport(cfg, args, &stdout, &stderr); err != nil {
		t.Fatalf("report %q: %v", args, err)
	}
	return stdout.String()
}

// testElement is an element as the JSON report spells it.
type testElement struct {
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Answers uint64   `json:"answers"`
	Sum     uint64   `json:"sum"`
	NRR     *float64 `json:"nrr"`
	Mutu    *string  `json:"mutu"`
}

// testReport is the JSON report as a client would decode it; pointers tell
// null from zero.
type testReport struct {
	City   string `json:"city"`
	Period struct {
		Label string `json:"label"`
		From  string `json:"from"`
		To    string `json:"to"`
	} `json:"period"`
	Method       string        `json:"method"`
	Respondents  int           `json:"respondents"`
	SampleTarget *int          `json:"sample_target"`
	Elements     []testElement `json:"elements"`
	Index        *float64      `json:"index"`
	IKM          *float64      `json:"ikm"`
	Mutu         *string       `json:"mutu"`
	Kinerja      *string       `json:"kinerja"`
	BelowTarget  *bool         `json:"below_target"`
	Unit         *struct {
		Code string `json:"code"`
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"unit"`
	IKMMeanOfUnits  *float64 `json:"ikm_mean_of_units"`
	MutuMeanOfUnits *string  `json:"mutu_mean_of_units"`
	IKMPooled       *float64 `json:"ikm_pooled"`
	Units           []struct {
		Code         string   `json:"code"`
		Name         string   `json:"name"`
		Type         string   `json:"type"`
		Respondents  int      `json:"respondents"`
		SampleTarget *int     `json:"sample_target"`
		IKM          *float64 `json:"ikm"`
		Mutu         *string  `json:"mutu"`
	} `json:"units"`
	ByType []struct {
		Type                 string   `json:"type"`
		Units                int      `json:"units"`
		UnitsWithRespondents int      `json:"units_with_respondents"`
		Respondents          int      `json:"respondents"`
		IKM                  *float64 `json:"ikm"`
		Mutu                 *string  `json:"mutu"`
		IKMMeanOfUnits       *float64 `json:"ikm_mean_of_units"`
	} `json:"by_type"`
}

// jsonReport runs ikmbot report --format json and decodes it twice: into
// testReport for the figures, and into a map to see which keys are present.
func jsonReport(t *testing.T, cfg *config.Config, args ...string) (testReport, map[string]any) {
	t.Helper()
	out := reportOut(t, cfg, append([]string{"--format", "json"}, args...)...)
	var rep testReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, out)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	return rep, raw
}

// checkNull fails unless raw has key with the value null (not absent).
func checkNull(t *testing.T, raw map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		v, ok := raw[k]
		if !ok {
			t.Errorf("key %q missing, want null", k)
		} else if v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
}

// checkElements compares every element's answers and sum.
func checkElements(t *testing.T, got []testElement, answers, sums [9]uint64) {
	t.Helper()
	if len(got) != 9 {
		t.Fatalf("%d elements, want 9", len(got))
	}
	for i, e := range got {
		if want := string(survey.Elements[i]); e.Key != want {
			t.Errorf("elements[%d].key = %q, want %q", i, e.Key, want)
		}
		if e.Answers != answers[i] || e.Sum != sums[i] {
			t.Errorf("%s: answers/sum = %d/%d, want %d/%d", e.Key, e.Answers, e.Sum, answers[i], sums[i])
		}
	}
}

// f64 and str dereference nullable report values for messages and compares.
func f64(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// str dereferences a nullable string for compares.
func str(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestReportUnitJSON imports the DISDUKCAPIL fixture and checks every figure
// of the unit report against the hand computation above.
func TestReportUnitJSON(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))

	rep, raw := jsonReport(t, cfg, "--db", db, "--unit", "disdukcapil") // codes ignore case
	if rep.Unit == nil || rep.Unit.Code != "DISDUKCAPIL" || rep.Unit.Name != "Dinas Kependudukan dan Pencatatan Sipil" || rep.Unit.Type != "perangkat_daerah" {
		t.Errorf("unit = %+v", rep.Unit)
	}
	if got, want := rep.Period.Label+" "+rep.Period.From+" "+rep.Period.To, "2026 2026-01-01 2026-12-31"; got != want {
		t.Errorf("period = %q, want %q (the current year by default)", got, want)
	}
	if rep.Method != "exact 1/k" {
		t.Errorf("method = %q", rep.Method)
	}
	if rep.Respondents != 8 {
		t.Errorf("respondents = %d, want 8", rep.Respondents)
	}
	checkElements(t, rep.Elements, wantDisdukAnswers, wantDisdukSums)
	if got, want := rep.Elements[7].Name, "Penanganan Pengaduan, Saran dan Masukan"; got != want {
		t.Errorf("pengaduan name = %q, want %q", got, want)
	}
	if got, want := f64(rep.Elements[2].NRR), 2.625; got != want {
		t.Errorf("waktu NRR = %v, want %v", got, want)
	}
	if got, want := str(rep.Elements[2].Mutu), "C"; got != want { // 2.625 x 25 = 65.63
		t.Errorf("waktu mutu = %v, want %v", got, want)
	}
	if got, want := f64(rep.IKM), 80.11; got != want {
		t.Errorf("ikm = %v, want %v", got, want)
	}
	if got, want := f64(rep.Index), 1615.0/504; got != want {
		t.Errorf("index = %v, want %v", got, want)
	}
	if str(rep.Mutu) != "B" || str(rep.Kinerja) != "Baik" {
		t.Errorf("mutu, kinerja = %v, %v; want B, Baik", str(rep.Mutu), str(rep.Kinerja))
	}
	// The embedded config gives no users_per_year, so there is no target.
	checkNull(t, raw, "sample_target", "below_target")
	for _, k := range []string{"units", "ikm_mean_of_units", "by_type"} {
		if _, ok := raw[k]; ok {
			t.Errorf("unit report has the city key %q", k)
		}
	}

	legacy, _ := jsonReport(t, cfg, "--db", db, "--unit", "DISDUKCAPIL", "--legacy-weights")
	if got, want := f64(legacy.IKM), 80.03; got != want {
		t.Errorf("legacy ikm = %v, want %v", got, want)
	}
	if legacy.Method != "legacy 0.111" {
		t.Errorf("legacy method = %q", legacy.Method)
	}
}

// TestReportCityJSON checks the city report: all 89 units in configured
// order, nulls for units nobody answered, and the two aggregations, which
// differ because the two units have different numbers of respondents.
func TestReportCityJSON(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))
	mustImport(t, cfg, db, "PKM-JATIBENING", importFixture("puskesmas.csv"))

	rep, raw := jsonReport(t, cfg, "--db", db)
	if rep.City != "Kota Bekasi" {
		t.Errorf("city = %q", rep.City)
	}
	if rep.Respondents != 10 {
		t.Errorf("respondents = %d, want 10", rep.Respondents)
	}
	checkElements(t, rep.Elements, wantCityAnswers, wantCitySums)
	if got, want := f64(rep.IKMMeanOfUnits), 71.30; got != want {
		t.Errorf("ikm_mean_of_units = %v, want %v", got, want)
	}
	if got, want := str(rep.MutuMeanOfUnits), "C"; got != want {
		t.Errorf("mutu_mean_of_units = %v, want %v", got, want)
	}
	if got, want := f64(rep.IKMPooled), 76.57; got != want {
		t.Errorf("ikm_pooled = %v, want %v", got, want)
	}
	if got, want := f64(rep.IKM), 76.57; got != want {
		t.Errorf("ikm = %v, want the pooled %v", got, want)
	}
	if str(rep.Mutu) != "C" || str(rep.Kinerja) != "Kurang Baik" {
		t.Errorf("mutu, kinerja = %v, %v; want C, Kurang Baik", str(rep.Mutu), str(rep.Kinerja))
	}
	checkNull(t, raw, "sample_target")

	units := cfg.Catalog.Units()
	if len(rep.Units) != 89 || len(units) != 89 {
		t.Fatalf("units: %d in report, %d configured; want 89", len(rep.Units), len(units))
	}
	rawUnits := raw["units"].([]any)
	for i, u := range rep.Units {
		if u.Code != units[i].Code || u.Name != units[i].Name || u.Type != string(units[i].Type) {
			t.Errorf("units[%d] = %s %q %s, want %s (configured order)", i, u.Code, u.Name, u.Type, units[i].Code)
		}
		row := rawUnits[i].(map[string]any)
		switch u.Code {
		case "DISDUKCAPIL":
			if u.Respondents != 8 || f64(u.IKM) != 80.11 || str(u.Mutu) != "B" {
				t.Errorf("DISDUKCAPIL: %d, %v, %v; want 8, 80.11, B", u.Respondents, f64(u.IKM), str(u.Mutu))
			}
		case "PKM-JATIBENING":
			if u.Respondents != 2 || f64(u.IKM) != 62.5 || str(u.Mutu) != "D" {
				t.Errorf("PKM-JATIBENING: %d, %v, %v; want 2, 62.5, D", u.Respondents, f64(u.IKM), str(u.Mutu))
			}
		default:
			if u.Respondents != 0 {
				t.Errorf("%s: respondents %d, want 0", u.Code, u.Respondents)
			}
			checkNull(t, row, "ikm", "mutu")
		}
	}

	type typeRow struct {
		typ                 string
		units, with, respon int
		ikm, mean           any
	}
	var gotTypes []typeRow
	for _, g := range rep.ByType {
		gotTypes = append(gotTypes, typeRow{g.Type, g.Units, g.UnitsWithRespondents, g.Respondents, f64(g.IKM), f64(g.IKMMeanOfUnits)})
	}
	wantTypes := []typeRow{
		{"perangkat_daerah", 44, 1, 8, 80.11, 80.11},
		{"rsud", 3, 0, 0, nil, nil},
		{"puskesmas", 42, 1, 2, 62.5, 62.5},
	}
	if !reflect.DeepEqual(gotTypes, wantTypes) {
		t.Errorf("by_type =\n%+v\nwant\n%+v", gotTypes, wantTypes)
	}
}

// TestReportNoRespondents checks that an empty period gives nulls, not zeros,
// which would read as the worst possible IKM.
func TestReportNoRespondents(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := emptyDB(t)

	rep, raw := jsonReport(t, cfg, "--db", db)
	if rep.Respondents != 0 {
		t.Errorf("respondents = %d", rep.Respondents)
	}
	checkNull(t, raw, "index", "ikm", "mutu", "kinerja", "ikm_mean_of_units", "ikm_pooled", "sample_target")
	if len(rep.Units) != 89 {
		t.Fatalf("%d units, want 89", len(rep.Units))
	}
	for _, u := range raw["units"].([]any) {
		checkNull(t, u.(map[string]any), "ikm", "mutu")
	}
	for _, e := range raw["elements"].([]any) {
		checkNull(t, e.(map[string]any), "nrr", "mutu")
	}

	_, raw = jsonReport(t, cfg, "--db", db, "--unit", "SETDA")
	checkNull(t, raw, "index", "ikm", "mutu", "kinerja")

	text := reportOut(t, cfg, "--db", db)
	if !strings.Contains(text, "No responses in 2026 for any of the 89 units") {
		t.Errorf("empty city text:\n%s", text)
	}
}

// TestReportPeriods checks that each period form selects exactly the
// responses of its days.
func TestReportPeriods(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))

	tests := []struct {
		period          string
		label, from, to string
		respondents     int
		persyaratanSum  uint64
	}{
		// Rows: 01-05, 01-20, 02-14, 03-02, 03-31 | 04-01, 07-15, 12-30.
		{"2026-Q1", "2026-Q1", "2026-01-01", "2026-03-31", 5, 4 + 3 + 4 + 3 + 2},
		{"2026-q2", "2026-Q2", "2026-04-01", "2026-06-30", 1, 4},
		{"2026-03", "2026-03", "2026-03-01", "2026-03-31", 2, 3 + 2},
		{"2026-03-31..2026-04-01", "2026-03-31..2026-04-01", "2026-03-31", "2026-04-01", 2, 2 + 4},
		{"2026-01-06..2026-02-14", "2026-01-06..2026-02-14", "2026-01-06", "2026-02-14", 2, 3 + 4},
		{"2026-S2", "2026-S2", "2026-07-01", "2026-12-31", 2, 3 + 3},
		{"2026", "2026", "2026-01-01", "2026-12-31", 8, 26},
		{"2025", "2025", "2025-01-01", "2025-12-31", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			rep, _ := jsonReport(t, cfg, "--db", db, "--unit", "DISDUKCAPIL", "--period", tt.period)
			if got, want := rep.Period.Label+" "+rep.Period.From+" "+rep.Period.To, tt.label+" "+tt.from+" "+tt.to; got != want {
				t.Errorf("period = %q, want %q", got, want)
			}
			if rep.Respondents != tt.respondents {
				t.Errorf("respondents = %d, want %d", rep.Respondents, tt.respondents)
			}
			if got := rep.Elements[0].Sum; got != tt.persyaratanSum {
				t.Errorf("persyaratan sum = %d, want %d", got, tt.persyaratanSum)
			}
		})
	}
}

// TestReportDefaultPeriodFollowsClock checks that the default is the year of
// the injected clock, on the config's calendar.
func TestReportDefaultPeriodFollowsClock(t *testing.T) {
	cfg := bekasi(t)
	db := emptyDB(t)
	// 2026-12-31 18:00 UTC is already 2027-01-01 01:00 in Jakarta.
	setClock(t, time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC))
	var stdout, stderr bytes.Buffer
	if err := runReport(cfg, []string{"--db", db, "--format", "json"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var rep testReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Period.Label != "2027" {
		t.Errorf("default period = %q, want 2027", rep.Period.Label)
	}
	if want := "note: period 2027 runs until 2027-12-31"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
	}
}

// TestReportText checks that the terminal report carries the key figures,
// both city aggregations labelled, and the unit's weakest element.
func TestReportText(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))
	mustImport(t, cfg, db, "PKM-JATIBENING", importFixture("puskesmas.csv"))

	city := reportOut(t, cfg, "--db", db, "--period", "2026-S1")
	for _, want := range []string{
		"IKM Kota Bekasi",
		"Period 2026-S1 (2026-01-01 to 2026-06-30)",
		"Respondents:",
		"mean of unit IKMs:",
		// S1 holds 6 DISDUKCAPIL rows and both puskesmas rows; see the
		// JSON test for the full-year figures.
		"pooled over all respondents:",
		"Perangkat Daerah",
		"RSUD",
		"Puskesmas",
		"DISDUKCAPIL",
		"PKM-JATIBENING",
		"62.50  D (Tidak Baik)",
		"87 of 89 units have no respondents in 2026-S1.",
	} {
		if !strings.Contains(city, want) {
			t.Errorf("city text lacks %q:\n%s", want, city)
		}
	}
	if strings.Index(city, "DISDUKCAPIL") > strings.Index(city, "PKM-JATIBENING") {
		t.Errorf("units are not ranked highest IKM first:\n%s", city)
	}

	year := reportOut(t, cfg, "--db", db)
	for _, want := range []string{"71.30  C (Kurang Baik)", "76.57  C (Kurang Baik)"} {
		if !strings.Contains(year, want) {
			t.Errorf("city text lacks %q:\n%s", want, year)
		}
	}

	// Columns are aligned with spaces; compare with runs of spaces squeezed.
	unit := spaces.ReplaceAllString(reportOut(t, cfg, "--db", db, "--unit", "DISDUKCAPIL"), " ")
	for _, want := range []string{
		"IKM Dinas Kependudukan dan Pencatatan Sipil (DISDUKCAPIL)",
		"IKM: 80.11\n",
		"Mutu: B\n",
		"Kinerja: Baik\n",
		"Respondents: 8 (sample target unknown",
		"8 2.63 65.63 C Waktu Penyelesaian\n",
		"7 2.71 67.86 C Penanganan Pengaduan, Saran dan Masukan\n",
		"Sistem, Mekanisme, dan Prosedur",
		"Weakest element: Waktu Penyelesaian (NRR 2.63, mutu C)",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit text lacks %q:\n%s", want, unit)
		}
	}
}

// spaces matches the padding between aligned columns.
var spaces = regexp.MustCompile(` +`)

// targetConfig is a two-unit city whose users per year are known, so that
// sample targets can be checked: N 1000 -> 278, N 200 -> 132 over a year.
func targetConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("target.yaml", []byte(`
city: Kota Uji
units:
  - {code: DISDUKCAPIL, name: Dinas Kependudukan dan Pencatatan Sipil, type: perangkat_daerah, users_per_year: 1000,
     services: [KTP-el, Kartu Keluarga, Akta Kelahiran, Akta Kematian, Pindah Datang, KIA]}
  - {code: PKM-JATIBENING, name: Puskesmas Jatibening, type: puskesmas, users_per_year: 200}
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestReportSampleTarget checks the targets of a unit and of the city, and
// the "not yet representative" note below target.
func TestReportSampleTarget(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := targetConfig(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))

	rep, _ := jsonReport(t, cfg, "--db", db, "--unit", "DISDUKCAPIL")
	if rep.SampleTarget == nil || *rep.SampleTarget != 278 {
		t.Errorf("unit sample_target = %v, want 278", rep.SampleTarget)
	}
	if rep.BelowTarget == nil || !*rep.BelowTarget {
		t.Errorf("below_target = %v, want true (8 < 278)", rep.BelowTarget)
	}
	city, _ := jsonReport(t, cfg, "--db", db)
	if city.SampleTarget == nil || *city.SampleTarget != 278+132 {
		t.Errorf("city sample_target = %v, want 410", city.SampleTarget)
	}
	text := reportOut(t, cfg, "--db", db, "--unit", "DISDUKCAPIL")
	if want := "8 of a sample target of 278: not yet representative"; !strings.Contains(text, want) {
		t.Errorf("unit text lacks %q:\n%s", want, text)
	}
}

// TestReportBadArguments checks that each mistake says what is accepted,
// before any database is needed.
func TestReportBadArguments(t *testing.T) {
	cfg := bekasi(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--unit", "DISDUKCAPL"}, `unknown unit code "DISDUKCAPL" (did you mean DISDUKCAPIL?); ikmbot units lists the 89 configured codes`},
		{[]string{"--unit", "XYZXYZXYZ"}, `unknown unit code "XYZXYZXYZ"; ikmbot units lists`},
		{[]string{"--period", "2026-Q5"}, "the quarter must be Q1 to Q4; use 2020, 2020-S1, 2020-Q3, 2020-07 or 2020-01-01..2020-03-31"},
		{[]string{"--period", "last year"}, "use 2020, 2020-S1"},
		{[]string{"--format", "xml"}, `unknown format "xml" (want text, json, csv or xlsx)`},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		err := runReport(cfg, append([]string{"--db", filepath.Join(t.TempDir(), "none.db")}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("report %q: error %v, want it to contain %q", tt.args, err, tt.want)
		}
	}
}

// TestReportMissingDB checks that a wrong --db is an error naming the file,
// and that the report does not create it.
func TestReportMissingDB(t *testing.T) {
	cfg := bekasi(t)
	db := newDB(t)
	err := runReport(cfg, []string{"--db", db}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), db) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("error = %v, want it to say %s does not exist", err, db)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the report created %s", db)
	}
}

// TestReportLocked checks the message when the bot holds the database.
func TestReportLocked(t *testing.T) {
	cfg := bekasi(t)
	db := emptyDB(t)
	st, err := store.Open(db, store.Options{Location: jakarta}) // as the running bot does
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = runReport(cfg, []string{"--db", db}, &bytes.Buffer{}, &bytes.Buffer{})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("error = %v, want one wrapping store.ErrLocked", err)
	}
	for _, want := range []string{db, "running bot", "stop the bot", "ikmbot backup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestReportHelp checks that -h prints the usage and is not an error.
func TestReportHelp(t *testing.T) {
	var out bytes.Buffer
	if err := runReport(bekasi(t), []string{"-h"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "usage: ikmbot report") || !strings.Contains(out.String(), "-legacy-weights") {
		t.Errorf("help:\n%s", out.String())
	}
}
