package main

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/export"
)

// importedCity is the report tests' city: DISDUKCAPIL (8 questionnaires,
// IKM 80.11 B) and PKM-JATIBENING (2, IKM 62.50 D) in 2026.
func importedCity(t *testing.T) (*config.Config, string) {
	t.Helper()
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := newDB(t)
	mustImport(t, cfg, db, "DISDUKCAPIL", importFixture("disdukcapil.csv"))
	mustImport(t, cfg, db, "PKM-JATIBENING", importFixture("puskesmas.csv"))
	return cfg, db
}

func TestReportXLSX(t *testing.T) {
	cfg, db := importedCity(t)
	out := filepath.Join(t.TempDir(), "ikm-2026.xlsx")
	var stdout, stderr bytes.Buffer
	if err := runReport(cfg, []string{"--db", db, "--format", "xlsx", "--out", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q", stdout.String())
	}
	if want := "report: XLSX of 10 responses, 89 units, period 2026, to " + out; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q, want the summary line %q", stderr.String(), want)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, mode %v; want 0600 (respondents' answers)", out, err, fi.Mode().Perm())
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw := excelize.Options{RawCellValue: true}
	rows, err := f.GetRows(export.SheetRecap, raw)
	if err != nil {
		t.Fatal(err)
	}
	find := func(col int, text string) []string {
		for _, r := range rows {
			if len(r) > col && r[col] == text {
				return r
			}
		}
		t.Fatalf("no recap row with %q", text)
		return nil
	}
	for _, want := range []struct {
		col        int
		key        string
		ikm, mutu  string
		respondent string
	}{
		{1, "DISDUKCAPIL", "80.11", "B", "8"},
		{1, "PKM-JATIBENING", "62.5", "D", "2"},
		{2, "IKM Kota Bekasi, rata-rata IKM unit", "71.3", "C", "10"},
		{2, "IKM Kota Bekasi, gabungan seluruh responden", "76.57", "C", "10"},
	} {
		r := find(want.col, want.key)
		if r[4] != want.respondent || r[7] != want.ikm || r[8] != want.mutu {
			t.Errorf("recap %s: respondents %q, IKM %q, mutu %q; want %s, %s, %s", want.key, r[4], r[7], r[8], want.respondent, want.ikm, want.mutu)
		}
	}
	sheets := f.GetSheetList()
	if len(sheets) != 6 || sheets[3] != export.SheetFollowUps || sheets[4] != "DISDUKCAPIL" || sheets[5] != "PKM-JATIBENING" {
		t.Errorf("sheets %q: want the three summaries, the follow-up plans and one per unit with respondents", sheets)
	}
	// DISDUKCAPIL's sheet: 8 respondents from row 7, then the sums.
	if v, _ := f.GetCellValue("DISDUKCAPIL", "A15", raw); v != "Σ Nilai/Unsur" {
		t.Errorf("DISDUKCAPIL!A15 = %q, want the sums row", v)
	}
	for e, want := range wantDisdukSums {
		ref, _ := excelize.CoordinatesToCellName(3+e, 15)
		if v, _ := f.GetCellValue("DISDUKCAPIL", ref, raw); v != strconv.FormatUint(want, 10) {
			t.Errorf("DISDUKCAPIL!%s = %q, want %d", ref, v, want)
		}
	}
}

func TestReportCSVToPipe(t *testing.T) {
	cfg, db := importedCity(t)
	var stdout, stderr bytes.Buffer
	if err := runReport(cfg, []string{"--db", db, "--format", "csv", "--unit", "PKM-JATIBENING"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(stdout.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(export.CSVHeader(export.ProfileFull, nil), ",") {
		t.Fatalf("CSV of one unit: %d lines, header %q", len(recs), recs[0])
	}
	for _, r := range recs[1:] {
		if r[2] != "PKM-JATIBENING" || r[3] != "paper" || !strings.HasPrefix(r[1], "2026-05-") {
			t.Errorf("row %q", r)
		}
	}
	if !strings.Contains(stderr.String(), "CSV of 2 responses, 1 units, period 2026, to standard output") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestReportJSONToFile(t *testing.T) {
	cfg, db := importedCity(t)
	out := filepath.Join(t.TempDir(), "r.json")
	if err := runReport(cfg, []string{"--db", db, "--format", "json", "--out", out}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := reportOut(t, cfg, "--db", db, "--format", "json"); string(data) != want {
		t.Error("report --out FILE differs from the same report on standard output")
	}
}

func TestPosterCommand(t *testing.T) {
	cfg, db := importedCity(t)
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if err := runPoster(cfg, []string{"--db", db, "--out", dir, "--charts"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	want := "2 posters (PNG and A4 PDF) of period 2026 in " + dir + ", and semua-unit.ikm-2026.pdf with all 2 for printing"
	if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "87 of 89 units have no respondents") {
		t.Errorf("stdout %q, want %q and the units skipped", stdout.String(), want)
	}
	for _, name := range []string{
		"DISDUKCAPIL-ikm-2026.png", "DISDUKCAPIL-ikm-2026.pdf", "DISDUKCAPIL-unsur-2026.png",
		"PKM-JATIBENING-ikm-2026.png", "PKM-JATIBENING-ikm-2026.pdf", "PKM-JATIBENING-unsur-2026.png",
		"semua-unit.ikm-2026.pdf", "peringkat-2026.png", "tren-2026.png",
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		switch filepath.Ext(name) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Errorf("%s: %v", name, err)
			} else if w := img.Bounds().Dx(); w != export.ChartWidth && w != 1240 {
				t.Errorf("%s is %d pixels wide", name, w)
			}
		case ".pdf":
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Errorf("%s is not a PDF", name)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 9 {
		t.Errorf("%d files in %s, want 9 (no poster for units without respondents)", len(entries), dir)
	}
	// One unit: its two files, no print-shop PDF.
	one := filepath.Join(t.TempDir(), "one")
	stdout.Reset()
	if err := runPoster(cfg, []string{"--db", db, "--out", one, "--unit", "pkm-jatibening"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(one); len(entries) != 2 {
		t.Errorf("--unit: %d files, want 2", len(entries))
	}
	if err := runPoster(cfg, []string{"--db", db}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "--out is required") {
		t.Errorf("without --out: %v", err)
	}
}
