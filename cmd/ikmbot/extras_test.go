package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/poster/postertest"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// ziConfig is a city where PA-UJI, on its way to Zona Integritas, asks the
// SPKP on 1-6 (reported as the mean) and the SPAK on 1-4 (out of 100, on
// the SKM bands); DISDUKCAPIL asks the SKM alone.
func ziConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("zi.yaml", []byte(`
city: Kota Uji
questionnaires:
  spkp: {scale: 6, report: mean}
  spak: {scale: 4, report: 100, bands: skm}
units:
  - {code: PA-UJI, name: Pengadilan Agama Uji, type: perangkat_daerah, services: [Gugatan, Permohonan],
     questionnaires: [spkp, spak]}
  - {code: DISDUKCAPIL, name: Dinas Kependudukan dan Pencatatan Sipil, type: perangkat_daerah,
     services: [KTP-el, Kartu Keluarga, Akta Kelahiran, Akta Kematian, Pindah Datang, KIA]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// ziPaper is three paper forms of PA-UJI, worked by hand:
//
//	SPKP from two: item sums 11 11 10 10 11 11 10 10 = 84 over 2 answers
//	each, mean of means 84/16 = 5.25 (of 6).
//	SPAK from two: item sums 7 7 7 6 7 = 34 over 2 each, 3.4 x 25 = 85.00, B.
//	The third form left both parts blank: it counts in the IKM only.
func ziPaper(t *testing.T) string {
	t.Helper()
	cols := importColumnsOf(mustUnit(t, ziConfig(t), "PA-UJI"))
	rows := []map[string]string{
		{"spkp_skala": "6", "spkp_informasi": "6", "spkp_persyaratan": "6", "spkp_prosedur": "5", "spkp_waktu": "5", "spkp_biaya": "6", "spkp_sarana": "6", "spkp_respons": "5", "spkp_konsultasi": "5",
			"spak_skala": "4", "spak_diskriminasi": "4", "spak_kecurangan": "4", "spak_imbalan": "4", "spak_pungli": "3", "spak_calo": "4"},
		{"spkp_skala": "", "spkp_informasi": "5", "spkp_persyaratan": "5", "spkp_prosedur": "5", "spkp_waktu": "5", "spkp_biaya": "5", "spkp_sarana": "5", "spkp_respons": "5", "spkp_konsultasi": "5",
			"spak_skala": "4", "spak_diskriminasi": "3", "spak_kecurangan": "3", "spak_imbalan": "3", "spak_pungli": "3", "spak_calo": "3"},
		{"spkp_skala": "6", "spak_skala": "4"},
	}
	records := [][]string{cols}
	for _, r := range rows {
		r["layanan"] = "Gugatan"
		records = append(records, row(cols, r))
	}
	file := filepath.Join(t.TempDir(), "pa.csv")
	if err := os.WriteFile(file, []byte(csvText(t, records...)), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func mustUnit(t *testing.T, cfg *config.Config, code string) survey.Unit {
	t.Helper()
	u, ok := cfg.Catalog.Unit(code)
	if !ok {
		t.Fatalf("no unit %s", code)
	}
	return u
}

// TestExtrasImportReportCheck imports paper forms with the SPKP and SPAK
// columns and reads them back as every report shows them: the JSON of the
// unit (each index with its statements) and of the city (both ways, and
// per unit), the text reports, and ikmbot check.
func TestExtrasImportReportCheck(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := ziConfig(t)
	db := newDB(t)
	mustImport(t, cfg, db, "PA-UJI", ziPaper(t))
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))

	var out bytes.Buffer
	if err := runCheck(cfg, []string{"--db", db}, &out); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}

	type item struct {
		Key     string   `json:"key"`
		Answers uint64   `json:"answers"`
		Mean    *float64 `json:"mean"`
		Value   *float64 `json:"value"`
		Mutu    *string  `json:"mutu"`
	}
	type index struct {
		Key, Index, Report  string
		Scale, Respondents  int
		Bands               *string
		Mean, Value         *float64
		Mutu                *string
		Items               []item
		ValueMeanOfUnits    *float64 `json:"value_mean_of_units"`
		UnitsWithRespondent int      `json:"units_with_respondents"`
	}
	var unit struct {
		Respondents int
		Indexes     []index
	}
	if err := json.Unmarshal([]byte(reportOut(t, cfg, "--db", db, "--unit", "PA-UJI", "--format", "json")), &unit); err != nil {
		t.Fatal(err)
	}
	if unit.Respondents != 3 || len(unit.Indexes) != 2 {
		t.Fatalf("unit report: %d respondents, %d indexes; want 3 and 2", unit.Respondents, len(unit.Indexes))
	}
	spkp, spak := unit.Indexes[0], unit.Indexes[1]
	if spkp.Index != "IPKP" || spkp.Scale != 6 || spkp.Report != "mean" || spkp.Bands != nil || spkp.Respondents != 2 || *spkp.Value != 5.25 || spkp.Mutu != nil {
		t.Errorf("IPKP = %+v", spkp)
	}
	if len(spkp.Items) != 8 || spkp.Items[0].Key != "informasi" || *spkp.Items[0].Mean != 5.5 || spkp.Items[0].Answers != 2 {
		t.Errorf("IPKP items = %+v", spkp.Items)
	}
	if spak.Index != "IPAK" || spak.Report != "100" || *spak.Bands != "skm" || spak.Respondents != 2 || *spak.Value != 85 || *spak.Mutu != "B" || *spak.Mean != 3.4 {
		t.Errorf("IPAK = %+v", spak)
	}
	if it := spak.Items[3]; it.Key != "pungli" || *it.Value != 75 || *it.Mutu != "C" {
		t.Errorf("IPAK pungli = %+v, want 75 C", it)
	}

	var city struct {
		Indexes []index
		Units   []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(reportOut(t, cfg, "--db", db, "--format", "json")), &city); err != nil {
		t.Fatal(err)
	}
	if len(city.Indexes) != 2 || *city.Indexes[1].Value != 85 || *city.Indexes[1].ValueMeanOfUnits != 85 || city.Indexes[1].UnitsWithRespondent != 1 {
		t.Errorf("city indexes = %+v", city.Indexes)
	}
	if _, ok := city.Units[0]["indexes"]; !ok {
		t.Error("PA-UJI's row has no indexes")
	}
	if _, ok := city.Units[1]["indexes"]; ok {
		t.Error("DISDUKCAPIL's row has indexes; it asks none")
	}

	text := reportOut(t, cfg, "--db", db, "--unit", "PA-UJI")
	for _, want := range []string{
		"IPKP (Survei Persepsi Kualitas Pelayanan), scale 1-6, 2 respondents: 5.25 of 6",
		"IPAK (Survei Persepsi Anti Korupsi), scale 1-4, 2 respondents: 85.00  B (Baik)",
		"75.00 C    Tidak ada pungutan liar (pungli)",
	} {
		if !strings.Contains(spaces.ReplaceAllString(text, " "), spaces.ReplaceAllString(want, " ")) {
			t.Errorf("unit text lacks %q:\n%s", want, text)
		}
	}
	text = reportOut(t, cfg, "--db", db)
	for _, want := range []string{"IPKP, mean of the units asking it (1): 5.25 of 6", "IPAK, pooled over 2 respondents: 85.00 B (Baik)"} {
		if !strings.Contains(spaces.ReplaceAllString(text, " "), want) {
			t.Errorf("city text lacks %q:\n%s", want, text)
		}
	}
}

// TestExtrasImportRejects: the extra columns of a questionnaire the unit
// does not ask, some of a questionnaire's columns without the rest, a
// score beyond the scale and another scale are refused with file:line and
// field, and nothing is stored.
func TestExtrasImportRejects(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := ziConfig(t)
	pa := mustUnit(t, cfg, "PA-UJI")
	all := importColumnsOf(pa)
	noSkala := make([]string, 0, len(all))
	for _, c := range all {
		if c != "spak_skala" {
			noSkala = append(noSkala, c)
		}
	}
	withSPAK := append(append([]string(nil), importColumns...), survey.QuestionnaireOf(survey.SPAK).Columns()...)
	for _, tt := range []struct {
		name, unit, content, want string
	}{
		{"unit without SPAK", "DISDUKCAPIL", csvText(t, withSPAK, row(withSPAK, nil)),
			`bad.csv:1: column "spak_skala": DISDUKCAPIL does not ask the SPAK; add spak to its questionnaires in the config, or leave the column out`},
		{"part of the columns", "PA-UJI", csvText(t, noSkala, row(noSkala, nil)),
			`bad.csv:1: missing column(s) spak_skala: the SPAK columns come all together, or not at all`},
		{"beyond the scale", "PA-UJI", csvText(t, all, row(all, map[string]string{"spak_calo": "5"})),
			`bad.csv:2: spak_calo: "5" is not a score from 1 to 4 (or blank for no answer)`},
		{"another scale", "PA-UJI", csvText(t, all, row(all, map[string]string{"spkp_skala": "4", "spkp_waktu": "3"})),
			`bad.csv:2: spkp_skala: "4": PA-UJI asks the SPKP on a scale of 1 to 6; give 6, or leave it blank`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.csv")
			if err := os.WriteFile(file, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			db := newDB(t)
			err := runImport(cfg, []string{"--db", db, "--unit", tt.unit, "--file", file}, &bytes.Buffer{})
			if err == nil || !strings.Contains(strings.ReplaceAll(err.Error(), file, "bad.csv"), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Error("a refused file created the database")
			}
		})
	}
}

// TestExtrasSurviveRebuild: the IPKP and IPAK a report shows come back the
// same after RebuildAggregates.
func TestExtrasSurviveRebuild(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := ziConfig(t)
	db := newDB(t)
	mustImport(t, cfg, db, "PA-UJI", ziPaper(t))
	before := reportOut(t, cfg, "--db", db, "--unit", "PA-UJI", "--format", "json")
	st, err := store.Open(db, store.Options{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *store.Tx) error { return tx.RebuildAggregates() }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if after := reportOut(t, cfg, "--db", db, "--unit", "PA-UJI", "--format", "json"); after != before {
		t.Errorf("report after rebuild differs:\n%s", firstDiff(before, after))
	}
}

// TestExtrasPoster: ikmbot poster --charts prints PA-UJI's indexes on its
// poster and draws a chart of each; DISDUKCAPIL gets neither.
func TestExtrasPoster(t *testing.T) {
	setClock(t, lateIn2026)
	cfg := ziConfig(t)
	db := newDB(t)
	mustImport(t, cfg, db, "PA-UJI", ziPaper(t))
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))
	out := t.TempDir()
	if err := runPoster(cfg, []string{"--db", db, "--out", out, "--period", "2026", "--charts"}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"PA-UJI-ipkp-2026.png": true, "PA-UJI-ipak-2026.png": true,
		"DISDUKCAPIL-ipkp-2026.png": false, "DISDUKCAPIL-ipak-2026.png": false,
	} {
		if _, err := os.Stat(filepath.Join(out, name)); (err == nil) != want {
			t.Errorf("%s: %v, want it written: %v", name, err, want)
		}
	}
	pdftotext := postertest.Tool(t, "pdftotext")
	text, err := exec.Command(pdftotext, filepath.Join(out, "PA-UJI-ikm-2026.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), " ")
	for _, want := range []string{"IPKP (Persepsi Kualitas Pelayanan)", "5,25 dari 6 (2 responden)", "IPAK (Persepsi Anti Korupsi)", "85,00 mutu B (2 responden)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("PA-UJI's poster lacks %q: %s", want, flat)
		}
	}
	text, err = exec.Command(pdftotext, filepath.Join(out, "DISDUKCAPIL-ikm-2026.pdf"), "-").Output()
	if err != nil || strings.Contains(string(text), "IPAK") {
		t.Errorf("DISDUKCAPIL's poster: %v, or it prints IPAK", err)
	}
}
