package export

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/survey"
)

// book writes the workbook of rep and opens it again with excelize.
func book(t *testing.T, rep Report, rs []survey.Response) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sheetCells reads cells of one sheet, raw (unformatted), failing the test
// on errors.
type sheetCells struct {
	t     *testing.T
	f     *excelize.File
	sheet string
}

func (s sheetCells) str(ref string) string {
	s.t.Helper()
	v, err := s.f.GetCellValue(s.sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatalf("%s!%s: %v", s.sheet, ref, err)
	}
	return v
}

// num reads a cell that must hold a number, not text that looks like one.
func (s sheetCells) num(ref string) float64 {
	s.t.Helper()
	typ, err := s.f.GetCellType(s.sheet, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		s.t.Fatalf("%s!%s is of type %v, want a number", s.sheet, ref, typ)
	}
	v, err := strconv.ParseFloat(s.str(ref), 64)
	if err != nil {
		s.t.Fatalf("%s!%s = %q: %v", s.sheet, ref, s.str(ref), err)
	}
	return v
}

// wantNum checks a numeric cell against a figure from package survey.
// Excel, and so excelize, keeps 15 significant digits: the written value
// may differ from the float64 in the 16th.
func (s sheetCells) wantNum(ref string, want float64) {
	s.t.Helper()
	got := s.num(ref)
	if math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
		s.t.Errorf("%s!%s = %v, want %v", s.sheet, ref, got, want)
	}
}

func (s sheetCells) wantStr(ref, want string) {
	s.t.Helper()
	if got := s.str(ref); got != want {
		s.t.Errorf("%s!%s = %q, want %q", s.sheet, ref, got, want)
	}
}

// calc evaluates a formula cell with excelize's own engine.
func (s sheetCells) calc(ref string) float64 {
	s.t.Helper()
	if f, _ := s.f.GetCellFormula(s.sheet, ref); f == "" {
		s.t.Fatalf("%s!%s has no formula", s.sheet, ref)
	}
	v, err := s.f.CalcCellValue(s.sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatalf("%s!%s: %v", s.sheet, ref, err)
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		s.t.Fatalf("%s!%s computes %q: %v", s.sheet, ref, v, err)
	}
	return x
}

func TestXLSXSheets(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	f := book(t, rep, rs)
	want := []string{SheetRecap, SheetProfile, SheetSuggestions, SheetFollowUps, "DISDUKCAPIL", "PKM-JATIBENING"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q (no sheet for a unit without respondents)", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet %d, want the recap", got)
	}
}

// TestXLSXUnitSheet checks DISDUKCAPIL's worksheet cell by cell: the
// respondent matrix, then sums, answers, NRR, weighted NRR and mutu per
// element, the index, the IKM, and the formulas that recompute them.
func TestXLSXUnitSheet(t *testing.T) {
	for _, w := range []survey.Weighting{survey.ExactWeights, survey.LegacyWeights} {
		rep, rs := fixture(w)
		s := sheetCells{t, book(t, rep, rs), "DISDUKCAPIL"}
		us := rep.Summary.Units[0]
		r := us.Result

		s.wantStr("A5", "No. Resp.")
		s.wantStr("B5", "Tanggal")
		for e, key := range survey.Elements {
			col := colName(scoreCol + e)
			s.wantStr(col+"5", "U"+strconv.Itoa(e+1))
			s.wantStr(col+"6", string(key))
		}
		// The respondent matrix: 8 rows from row 7, scores as numbers,
		// blank where not answered.
		for i, sc := range disdukScores {
			row := strconv.Itoa(unitFirstRow + i)
			s.wantNum("A"+row, float64(i+1))
			// Dates are the day in Jakarta: 1 January 00:30 WIB is 1 January.
			if got, want := s.num("B"+row), excelDate(2026, 1+i, 1); got != want {
				t.Errorf("B%s = %v, want the serial of 2026-%02d-01 (%v)", row, got, 1+i, want)
			}
			for e, v := range sc {
				ref := colName(scoreCol+e) + row
				if v == 0 {
					s.wantStr(ref, "")
					continue
				}
				s.wantNum(ref, float64(v))
			}
		}
		if got := s.str("A" + strconv.Itoa(unitFirstRow+len(disdukScores))); got != "Σ Nilai/Unsur" {
			t.Fatalf("row after the respondents starts %q, want the sums", got)
		}
		base := unitFirstRow + len(disdukScores)
		at := func(col, rel int) string { return cell(col, base+rel) }
		for e := range survey.Elements {
			col := scoreCol + e
			er := r.Elements[e]
			s.wantNum(at(col, rowSum), float64(wantDisdukSums[e]))
			s.wantNum(at(col, rowAnswers), float64(wantDisdukAnswers[e]))
			s.wantNum(at(col, rowNRR), er.NRR)
			s.wantNum(at(col, rowNRR), wantDisdukNRR[e])
			s.wantNum(at(col, rowWeighted), er.Weighted)
			s.wantStr(at(col, rowMutu), string(er.Mutu))
			// The check formulas recompute the same figures from the rows.
			if got := s.calc(at(col, rowCheckSum)); got != float64(wantDisdukSums[e]) {
				t.Errorf("%s: SUM formula gives %v, want %d", at(col, rowCheckSum), got, wantDisdukSums[e])
			}
			if got := s.calc(at(col, rowCheckAnswers)); got != float64(wantDisdukAnswers[e]) {
				t.Errorf("%s: COUNT formula gives %v, want %d", at(col, rowCheckAnswers), got, wantDisdukAnswers[e])
			}
			if got := s.calc(at(col, rowCheckNRR)); math.Abs(got-er.NRR) > 1e-12 {
				t.Errorf("%s: NRR formula gives %v, want %v", at(col, rowCheckNRR), got, er.NRR)
			}
		}
		s.wantStr(at(scoreCol+2, rowMutu), "C") // waktu: 2.625 x 25 = 65.625
		s.wantNum(at(scoreCol, rowIndex), r.Index)
		s.wantNum(at(scoreCol, rowIKMExact), r.IKM)
		s.wantNum(at(scoreCol, rowIKM), r.IKM2)
		if got := s.calc(at(scoreCol, rowCheckIKM)); math.Abs(got-r.IKM) > 1e-9 {
			t.Errorf("IKM formula gives %v, want %v", got, r.IKM)
		}
		wantIKM, wantWeight := 80.11, 1.0/9
		if w == survey.LegacyWeights {
			wantIKM, wantWeight = 80.03, 0.111
		}
		s.wantNum(at(scoreCol, rowIKM), wantIKM)
		s.wantNum(at(scoreCol, rowWeight), wantWeight)
		s.wantNum(at(scoreCol+7, rowWeighted), 19.0/7*wantWeight)
		s.wantStr(at(scoreCol, rowMutuUnit), "B")
		s.wantStr(at(scoreCol, rowKinerja), "Baik")
		s.wantNum(at(scoreCol, rowRespondents), 8)
		s.wantNum(at(scoreCol, rowTarget), float64(survey.SampleTarget(120000, rep.Summary.Period)))
		s.wantStr(at(1, rowLegend+1), "U1")
		s.wantStr(at(2, rowLegend+8), "Penanganan Pengaduan, Saran dan Masukan (pengaduan)")

		// The puskesmas: 2 respondents, every NRR 2.5, IKM 62.50 (D).
		p := sheetCells{t, s.f, "PKM-JATIBENING"}
		pbase := unitFirstRow + 2
		for e := range survey.Elements {
			p.wantNum(cell(scoreCol+e, pbase+rowSum), 5)
			p.wantNum(cell(scoreCol+e, pbase+rowNRR), 2.5)
		}
		wantPKM := 62.5
		if w == survey.LegacyWeights {
			wantPKM = 62.44 // 2.5 x 9 x 0.111 x 25 = 62.4375
		}
		p.wantNum(cell(scoreCol, pbase+rowIKM), wantPKM)
		p.wantStr(cell(scoreCol, pbase+rowMutuUnit), "D")
		p.wantStr(cell(scoreCol, pbase+rowTarget), "tidak diketahui")
	}
}

// excelDate is the 1900-system serial number of a day.
func excelDate(y, m, d int) float64 {
	days := 0
	for yy := 1900; yy < y; yy++ {
		days += 365
		if yy%4 == 0 && (yy%100 != 0 || yy%400 == 0) {
			days++
		}
	}
	mdays := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		mdays[1] = 29
	}
	for mm := 1; mm < m; mm++ {
		days += mdays[mm-1]
	}
	// Day 1 is 1900-01-01, and Excel counts a 29 February 1900.
	return float64(days + d + 1)
}

func TestXLSXRecap(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	s := sheetCells{t, book(t, rep, rs), SheetRecap}
	for i, c := range []string{"No.", "Kode", "Nama unit", "Jenis", "Responden", "Target sampel", "Target tercapai", "IKM", "Mutu", "Kinerja"} {
		s.wantStr(cell(i+1, recapHeaderRow), c)
	}
	type row struct {
		code        string
		respondents int
		target      int // -1: unknown
		ikm         float64
		mutu        string
	}
	target := survey.SampleTarget(120000, rep.Summary.Period)
	for i, want := range []row{
		{"DISDUKCAPIL", 8, target, 80.11, "B"},
		{"PKM-JATIBENING", 2, -1, 62.5, "D"},
		{"RSUD-X", 0, survey.SampleTarget(5000, rep.Summary.Period), 0, ""},
	} {
		r := strconv.Itoa(recapFirstRow + i)
		us := rep.Summary.Units[i]
		s.wantNum("A"+r, float64(i+1))
		s.wantStr("B"+r, want.code)
		s.wantNum("E"+r, float64(want.respondents))
		if want.target < 0 {
			s.wantStr("F"+r, "")
		} else {
			s.wantNum("F"+r, float64(want.target))
		}
		if want.mutu == "" {
			s.wantStr("H"+r, "")
			s.wantStr("I"+r, "")
			continue
		}
		s.wantNum("H"+r, us.Result.IKM2)
		s.wantNum("H"+r, want.ikm)
		s.wantStr("I"+r, want.mutu)
	}
	s.wantStr("G"+strconv.Itoa(recapFirstRow), "belum") // 8 of a target in the hundreds
	// The city, both ways, labelled.
	mean := strconv.Itoa(recapFirstRow + len(testUnits) + 1)
	pooled := strconv.Itoa(recapFirstRow + len(testUnits) + 2)
	s.wantStr("C"+mean, "IKM Kota Bekasi, rata-rata IKM unit")
	s.wantNum("H"+mean, rep.Summary.MeanIKM2)
	s.wantNum("H"+mean, 71.30)
	s.wantStr("I"+mean, "C")
	s.wantStr("C"+pooled, "IKM Kota Bekasi, gabungan seluruh responden")
	s.wantNum("H"+pooled, rep.Summary.Pooled.IKM2)
	s.wantNum("H"+pooled, 76.57)
	s.wantStr("I"+pooled, "C")
	s.wantNum("E"+pooled, 10)
}

// TestXLSXProfile: the profile sheet prints what the disclosure rule
// publishes, and the row of all units less the units' rows gives back
// nothing a unit's row does not show.
func TestXLSXProfile(t *testing.T) {
	rep, rs := profileFixture()
	var err error
	if rep.Profiles, err = ProfilesFrom(rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	f := book(t, rep, rs)
	rows, err := f.GetRows(SheetProfile, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // "scope/question/category" -> count
	all, units := map[string]int{}, map[string]int{}
	for _, r := range rows[profileHeaderRow:] {
		r = append(r, make([]string, 6)...)
		got[r[0]+"/"+r[2]+"/"+r[3]] = r[4]
		n, err := strconv.Atoi(r[4])
		switch {
		case err != nil:
		case r[0] == allUnits:
			all[r[2]+"/"+r[3]] = n
		default:
			units[r[2]+"/"+r[3]] += n
		}
	}
	for key, want := range map[string]string{
		"DISDUKCAPIL/Jenis kelamin/Perempuan":         "13",
		"DISDUKCAPIL/Jenis kelamin/Laki-laki":         "5",
		"DISDUKCAPIL/Pendidikan/D4/S1":                "6",
		"DISDUKCAPIL/Pendidikan/SMA":                  "6",
		"DISDUKCAPIL/Pendidikan/" + hiddenLabel:       "6",
		"PKM-JATIBENING/Jenis kelamin/Perempuan":      "5",
		"PKM-JATIBENING/Jenis kelamin/" + hiddenLabel: "2",
		"Semua unit/Jenis kelamin/Perempuan":          "18",
		"Semua unit/Pendidikan/Tidak diisi":           "5",
		"Semua unit/Pendidikan/" + hiddenLabel:        "8",
	} {
		if got[key] != want {
			t.Errorf("%s = %q, want %q", key, got[key], want)
		}
	}
	for _, key := range []string{"DISDUKCAPIL/Pendidikan/S3", "DISDUKCAPIL/Pendidikan/S2", "PKM-JATIBENING/Jenis kelamin/Laki-laki"} {
		if v, ok := got[key]; ok {
			t.Errorf("%s = %q, want no row", key, v)
		}
	}
	for k, n := range all {
		if d := n - units[k]; d != 0 {
			t.Errorf("%s: all units %d, the units %d: the difference %d is shown nowhere", k, n, units[k], d)
		}
	}
	if _, ok := got["RSUD-X/Jenis kelamin/Laki-laki"]; ok {
		t.Error("a unit without respondents has profile rows")
	}
	if !strings.Contains(rows[2][0], "Januari s.d. Februari 2026") || !strings.Contains(rows[2][0], "di bawah 5") {
		t.Errorf("the profile sheet's note does not say what it counts: %q", rows[2])
	}
}

func TestXLSXSuggestions(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	f := book(t, rep, rs)
	s := sheetCells{t, f, SheetSuggestions}
	s.wantStr("D4", "Saran")
	s.wantStr("E4", "U1 persyaratan")
	// Three DISDUKCAPIL suggestions, then the puskesmas one, as they came.
	type want struct {
		code, text string
		scores     survey.Scores
	}
	for i, w := range []want{
		{"DISDUKCAPIL", "Antrean terlalu lama,\nmohon tambah loket.", disdukScores[2]},
		{"DISDUKCAPIL", "=HYPERLINK(\"http://example.invalid\",\"klik\")", disdukScores[4]},
		{"DISDUKCAPIL", "-  pelayanan ramah", disdukScores[6]},
		{"PKM-JATIBENING", "Ruang tunggu panas", survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3}},
	} {
		r := strconv.Itoa(suggestionsHeaderRow + 1 + i)
		s.wantStr("B"+r, w.code)
		s.wantStr("D"+r, w.text)
		if f, _ := f.GetCellFormula(SheetSuggestions, "D"+r); f != "" {
			t.Errorf("D%s became a formula: %q", r, f)
		}
		for e, v := range w.scores {
			if v == 0 {
				s.wantStr(colName(5+e)+r, "")
			} else {
				s.wantNum(colName(5+e)+r, float64(v))
			}
		}
	}
	s.wantStr("A"+strconv.Itoa(suggestionsHeaderRow+5), "")
	// Nobody's identity anywhere in the workbook.
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, c := range r {
				if strings.Contains(c, secretHash) {
					t.Fatalf("sheet %s holds a respondent hash", sheet)
				}
			}
		}
	}
}

func TestXLSXMismatch(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	// One response fewer than the aggregates counted.
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep, Slice(rs[:len(rs)-1])); !errors.Is(err, ErrMismatch) {
		t.Errorf("missing response: %v, want ErrMismatch", err)
	}
	// A response of a unit the summary says had nobody.
	extra := append(slices.Clone(rs), survey.Response{Unit: "RSUD-X", Submitted: rs[2].Submitted, Scores: survey.Scores{4}})
	if err := WriteXLSX(&buf, rep, Slice(extra)); !errors.Is(err, ErrMismatch) {
		t.Errorf("unexpected response: %v, want ErrMismatch", err)
	}
	// Figures computed with one weighting, printed as the other.
	rep.Weighting = survey.LegacyWeights
	if err := WriteXLSX(&buf, rep, Slice(rs)); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong weighting: %v, want ErrMismatch", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written by failed exports", buf.Len())
	}
	// An iterator's error comes back as it is.
	boom := errors.New("boom")
	if err := WriteXLSX(&buf, rep, func(func(survey.Response) error) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("iterator error: %v", err)
	}
}

func TestSheetName(t *testing.T) {
	taken := map[string]bool{"REKAP UNIT": true}
	long := strings.Repeat("A", 32)
	for _, c := range []struct{ code, want string }{
		{"PKM-KRANJI", "PKM-KRANJI"},
		{long, strings.Repeat("A", 31)},
		{long[:31] + "B", strings.Repeat("A", 29) + "~2"},
		{"pkm-kranji", "pkm-kranji~2"},
	} {
		if got := sheetName(c.code, taken); got != c.want {
			t.Errorf("sheetName(%q) = %q, want %q", c.code, got, c.want)
		}
	}
}
