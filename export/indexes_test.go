package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// ziUnits: ZI asks the SPKP on 1-6 (mean) and the SPAK on 1-4 (out of 100,
// graded); PKM asks the SPAK only; SKM asks neither.
func ziUnits() []survey.Unit {
	spkp := survey.Extra{Questionnaire: survey.QuestionnaireOf(survey.SPKP), Scale: 6, Report: survey.ReportMean}
	spak := survey.Extra{Questionnaire: survey.QuestionnaireOf(survey.SPAK), Scale: 4, Report: survey.Report100, Bands: true}
	return []survey.Unit{
		{Code: "ZI", Name: "Pengadilan Agama Uji", Type: survey.PerangkatDaerah, Extras: []survey.Extra{spkp, spak}},
		{Code: "PKM", Name: "Puskesmas Uji", Type: survey.Puskesmas, Extras: []survey.Extra{spak}},
		{Code: "SKM", Name: "Dinas Tanpa ZI", Type: survey.PerangkatDaerah},
	}
}

// ziFixture, worked by hand:
//
//	ZI, 3 respondents: SPKP from two (6 5 6 5 4 6 5 6 and 4 4 4 4 4 4 4 4:
//	item sums 10 9 10 9 8 10 9 10 = 75 over 2 answers each, mean of means
//	75/16 = 4.6875 -> 4.69 of 6); SPAK from all three (4 4 4 4 4, 3 3 3 3 3,
//	4 4 4 4 0: means 11/3 x4 and 7/2, mean 3.6333 -> x25 = 90.83, A).
//	PKM, 1 respondent: SPAK 2 2 2 2 2 -> 50.00, D. SKM, 1 respondent.
//	SPAK pooled: means 13/4 x4 and 9/3 = 3.2 -> 80.00, B; mean of units
//	(90.8333 + 50) / 2 = 70.4166 -> 70.42, C.
func ziFixture(t *testing.T) (Report, []survey.Response) {
	t.Helper()
	units := ziUnits()
	at := time.Date(2026, 4, 7, 10, 0, 0, 0, jakarta)
	spkp := func(s ...uint8) survey.Block { return survey.Block{Key: survey.SPKP, Scale: 6, Scores: s} }
	spak := func(s ...uint8) survey.Block { return survey.Block{Key: survey.SPAK, Scale: 4, Scores: s} }
	all4 := survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4}
	rs := []survey.Response{
		{ID: 1, Unit: "ZI", Submitted: at, Scores: all4, Blocks: []survey.Block{spkp(6, 5, 6, 5, 4, 6, 5, 6), spak(4, 4, 4, 4, 4)}},
		{ID: 2, Unit: "ZI", Submitted: at, Scores: all4, Blocks: []survey.Block{spkp(4, 4, 4, 4, 4, 4, 4, 4), spak(3, 3, 3, 3, 3)}},
		{ID: 3, Unit: "ZI", Submitted: at, Scores: all4, Blocks: []survey.Block{spak(4, 4, 4, 4, 0)}, Suggestion: "Bagus"},
		// On 1-4 before the city moved the SPKP to 1-6: counted apart.
		{ID: 4, Unit: "ZI", Submitted: at, Scores: all4, Blocks: []survey.Block{{Key: survey.SPKP, Scale: 4, Scores: []uint8{1, 1, 1, 1, 1, 1, 1, 1}}}},
		{ID: 5, Unit: "PKM", Submitted: at, Scores: all4, Blocks: []survey.Block{spak(2, 2, 2, 2, 2)}},
		{ID: 6, Unit: "SKM", Submitted: at, Scores: all4},
	}
	p, err := survey.ParsePeriod("2026", jakarta)
	if err != nil {
		t.Fatal(err)
	}
	rep := reportOf(p, units, rs, survey.ExactWeights)
	xs, groups := survey.Asked(units)
	for i, x := range xs {
		tallies := make([]survey.ItemTally, len(groups[i]))
		for j, u := range groups[i] {
			tallies[j] = survey.NewItemTally(x.Questionnaire)
			for _, r := range rs {
				if b, ok := survey.BlockOf(r.Blocks, x.Key); ok && r.Unit == u.Code && b.Scale == x.Scale {
					tallies[j].Add(b.Scores)
				}
			}
		}
		rep.Indexes = append(rep.Indexes, survey.SummarizeIndex(x, p, groups[i], tallies))
	}
	return rep, rs
}

func TestXLSXIndexSheets(t *testing.T) {
	rep, rs := ziFixture(t)
	f := book(t, rep, rs)
	want := []string{SheetRecap, SheetProfile, SheetSuggestions, SheetFollowUps, "ZI", "PKM", "SKM", "Rekap IPKP", "IPKP ZI", "Rekap IPAK", "IPAK ZI", "IPAK PKM"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}

	// IPKP ZI: two respondents (the 1-4 answers are not on this sheet).
	s := sheetCells{t, f, "IPKP ZI"}
	s.wantStr("C5", "P1")
	s.wantStr("C6", "informasi")
	s.wantStr("J6", "konsultasi")
	s.wantNum("C7", 6)
	s.wantNum("C8", 4)
	if got := s.str("A9"); got != "Σ Nilai/Pernyataan" {
		t.Fatalf("A9 = %q, want the sums right under the two respondents", got)
	}
	s.wantNum("C9", 10) // Σ
	s.wantNum("C10", 2) // answers
	s.wantNum("C11", 5) // mean
	s.wantNum("C12", 75.0/16)
	s.wantNum("C13", 4.69)
	s.wantNum("C14", 75.0/16)
	s.wantNum("C15", 2) // respondents
	// The check formulas recompute the mean and the index from the rows.
	rows, _ := f.GetRows("IPKP ZI")
	var meanRow, indexRow int
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Rata-rata (rumus)" {
			meanRow = i + 1
		}
		if len(r) > 0 && r[0] == "IPKP tanpa pembulatan (rumus)" {
			indexRow = i + 1
		}
	}
	if meanRow == 0 || indexRow != meanRow+1 {
		t.Fatalf("formula rows %d and %d", meanRow, indexRow)
	}
	if got := s.calc("C" + strconv.Itoa(meanRow)); got != 5 {
		t.Errorf("mean formula = %v, want 5", got)
	}
	if got := s.calc("C" + strconv.Itoa(indexRow)); got < 4.6874 || got > 4.6876 {
		t.Errorf("index formula = %v, want 4.6875", got)
	}

	// IPAK ZI: out of 100, graded.
	s = sheetCells{t, f, "IPAK ZI"}
	s.wantNum("C7", 4)
	rows, _ = f.GetRows("IPAK ZI")
	found := false
	for _, r := range rows {
		if len(r) > 2 && r[0] == "**) IPAK Unit Pelayanan" {
			found = r[2] == "90.83"
		}
	}
	if !found {
		t.Errorf("IPAK ZI has no row **) IPAK Unit Pelayanan 90.83: %q", rows)
	}
	if !hasRowWith(rows, "Mutu", "A") || !hasRowWith(rows, "Kinerja", "Sangat Baik") {
		t.Errorf("IPAK ZI: no grade A, Sangat Baik")
	}

	// The recap: each unit that asks it, then both ways.
	s = sheetCells{t, f, "Rekap IPAK"}
	s.wantStr("B6", "ZI")
	s.wantNum("E6", 3)
	s.wantNum("F6", 90.83)
	s.wantStr("G6", "A")
	s.wantStr("B7", "PKM")
	s.wantNum("F7", 50)
	s.wantStr("G7", "D")
	s.wantNum("F9", 70.42) // mean of units
	s.wantStr("G9", "C")
	s.wantNum("E10", 4)
	s.wantNum("F10", 80) // pooled
	s.wantStr("G10", "B")
}

func hasRowWith(rows [][]string, first, value string) bool {
	for _, r := range rows {
		if len(r) > 2 && r[0] == first && r[2] == value {
			return true
		}
	}
	return false
}

// TestXLSXIndexMismatch: answers that do not add up to the summary's index
// tallies stop the workbook, as the IKM's do.
func TestXLSXIndexMismatch(t *testing.T) {
	rep, rs := ziFixture(t)
	rs[0].Blocks[1].Scores[0] = 1
	err := WriteXLSX(&bytes.Buffer{}, rep, Slice(rs))
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "IPAK") {
		t.Errorf("err = %v, want ErrMismatch naming IPAK", err)
	}
}

// TestCSVIndexColumns: the answers to the extra questionnaires follow the
// elements, each questionnaire's scale first, blank where not answered.
func TestCSVIndexColumns(t *testing.T) {
	rep, rs := ziFixture(t)
	var buf bytes.Buffer
	if _, err := WriteCSV(&buf, rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	h := recs[0]
	sarana, saran := slices.Index(h, "sarana"), slices.Index(h, "saran")
	want := append(survey.QuestionnaireOf(survey.SPKP).Columns(), survey.QuestionnaireOf(survey.SPAK).Columns()...)
	if got := h[sarana+1 : saran]; !slices.Equal(got, want) {
		t.Fatalf("columns between sarana and saran: %q, want %q", got, want)
	}
	col := func(row int, name string) string { return recs[row][slices.Index(h, name)] }
	for _, c := range []struct {
		row        int
		name, want string
	}{
		{1, "spkp_skala", "6"}, {1, "spkp_informasi", "6"}, {1, "spak_calo", "4"},
		{3, "spkp_skala", ""}, {3, "spkp_informasi", ""}, {3, "spak_calo", ""}, {3, "spak_skala", "4"},
		{4, "spkp_skala", "4"}, {4, "spkp_informasi", "1"}, {4, "spak_skala", ""},
		{6, "spkp_skala", ""}, {6, "spak_pungli", ""},
	} {
		if got := col(c.row, c.name); got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.name, got, c.want)
		}
	}
	// Without indexes, the header is as it always was.
	rep.Indexes = nil
	buf.Reset()
	if _, err := WriteCSV(&buf, rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(buf.String(), "\uFEFF"), "\n")
	if first != strings.Join(CSVHeader(rep.RawProfile, nil), ",") {
		t.Errorf("header without indexes: %s", first)
	}
}

// TestPosterIndexes: a unit that asks the extra questionnaires prints each
// index with its own respondents under the IKM, and the page still holds
// the tallest profile above its foot; a unit without them prints none.
func TestPosterIndexes(t *testing.T) {
	rep, _ := ziFixture(t)
	var tall survey.ProfileTally
	for _, g := range survey.Genders {
		for _, e := range survey.Educations {
			for _, o := range survey.Occupations {
				for _, age := range []int{15, 25, 35, 45, 55, 65} {
					for range 5 {
						tall.Add(survey.Profile{Gender: g, Age: age, Education: e, Occupation: o, Service: "x"})
					}
				}
			}
		}
	}
	// The tallest profile the disclosure rule can publish: every cell of
	// one month at least MinCell.
	months, ok := survey.ProfileMonths(rep.Summary.Period, rep.Summary.Period.To.AddDate(0, 0, 1))
	rep.Profiles = survey.PublishProfiles(months, ok, [][]survey.ProfileTally{{tall}, {tall}, {tall}}, MinCell)
	ps := Posters(rep)
	if len(ps) != 3 || len(ps[0].Indexes) != 2 || len(ps[1].Indexes) != 1 || len(ps[2].Indexes) != 0 {
		t.Fatalf("posters %d, indexes %d %d %d; want 3 with 2, 1 and none", len(ps), len(ps[0].Indexes), len(ps[1].Indexes), len(ps[2].Indexes))
	}
	for _, p := range ps {
		ops, err := posterLayout(p)
		if err != nil {
			t.Fatal(err)
		}
		foot := a4H - 78 - 6 // the rule above the bands
		var texts []string
		for _, o := range ops {
			texts = append(texts, o.text)
			if !o.rect && o.y < foot && o.y+o.size > foot {
				t.Errorf("%s: %q at %.1f runs into the foot of the page (%.1f)", p.Unit.Unit.Code, o.text, o.y, foot)
			}
		}
		all := strings.Join(texts, "|")
		for _, is := range p.Indexes {
			if !strings.Contains(all, is.Extra.Index+" (") {
				t.Errorf("%s: no %s on the poster", p.Unit.Unit.Code, is.Extra.Index)
			}
		}
		if p.Unit.Unit.Code == "ZI" {
			for _, want := range []string{"4,69 dari 6  (2 responden)", "90,83  mutu A  (3 responden)"} {
				if !strings.Contains(all, want) {
					t.Errorf("ZI poster lacks %q: %s", want, all)
				}
			}
		}
		if p.Unit.Unit.Code == "SKM" && strings.Contains(all, "IPAK") {
			t.Error("a unit of the SKM alone prints IPAK")
		}
	}
}

// TestIndexChart draws both indexes of the fixture, on 1-6 and on 1-4 with
// the SKM bands: full width, one row per statement, the same bytes from
// the same figures.
func TestIndexChart(t *testing.T) {
	rep, _ := ziFixture(t)
	for _, is := range rep.Indexes {
		r := is.Units[0].Result
		data, err := IndexChart(is.Units[0].Unit.Name, is.Period, r)
		if err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, is.Extra.Index, data, ChartWidth, 0, 100000)
		if min := 112 * len(is.Extra.Items); img.Bounds().Dy() < min {
			t.Errorf("%s chart is %d high, want at least %d for %d statements", is.Extra.Index, img.Bounds().Dy(), min, len(is.Extra.Items))
		}
		again, _ := IndexChart(is.Units[0].Unit.Name, is.Period, r)
		if !bytes.Equal(data, again) {
			t.Errorf("%s: two charts of the same figures differ", is.Extra.Index)
		}
	}
	if _, err := IndexChart("x", rep.Summary.Period, survey.IndexResult{}); err == nil {
		t.Error("a chart of no questionnaire drawn")
	}
}
