package export

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// profileFixture: 2026, read on 10 March, so January and February count
// and March does not.
//
//	DISDUKCAPIL January (12): P 7, L 5; D4/S1 6, SMA 5, S3 1 (S3 is
//	  hidden, and SMA with it: together 6)
//	DISDUKCAPIL February (6): P 6; SMA 6
//	DISDUKCAPIL March (3, running): L 3; S2 3 - not counted
//	PKM-JATIBENING January (2): too few, all hidden
//	PKM-JATIBENING February (5): P 5; education skipped 5
//
// DISDUKCAPIL over the year so far: 18; P 13, L 5; D4/S1 6, SMA 6, 6 not
// shown. All units: 25; P 18, L 5, 2 not shown; D4/S1 6, SMA 6, skipped
// 5, 8 not shown.
func profileFixture() (Report, []survey.Response) {
	var rs []survey.Response
	add := func(unit string, n int, day string, p survey.Profile) {
		at, err := time.ParseInLocation("2006-01-02 15:04", day+" 10:00", jakarta)
		if err != nil {
			panic(err)
		}
		for range n {
			rs = append(rs, survey.Response{ID: uint64(len(rs) + 1), Unit: unit, Submitted: at, Profile: p, Scores: survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3}})
		}
	}
	add("DISDUKCAPIL", 5, "2026-01-05", survey.Profile{Gender: "P", Education: "D4/S1"})
	add("DISDUKCAPIL", 1, "2026-01-06", survey.Profile{Gender: "L", Education: "D4/S1"})
	add("DISDUKCAPIL", 2, "2026-01-07", survey.Profile{Gender: "P", Education: "SMA"})
	add("DISDUKCAPIL", 3, "2026-01-08", survey.Profile{Gender: "L", Education: "SMA"})
	add("DISDUKCAPIL", 1, "2026-01-31", survey.Profile{Gender: "L", Education: "S3"})
	add("DISDUKCAPIL", 6, "2026-02-10", survey.Profile{Gender: "P", Education: "SMA"})
	add("DISDUKCAPIL", 3, "2026-03-09", survey.Profile{Gender: "L", Education: "S2"})
	add("PKM-JATIBENING", 2, "2026-01-20", survey.Profile{Gender: "L", Education: "S3"})
	add("PKM-JATIBENING", 5, "2026-02-20", survey.Profile{Gender: "P"})
	p, err := survey.ParsePeriod("2026", jakarta)
	if err != nil {
		panic(err)
	}
	rep := reportOf(p, testUnits, rs, survey.ExactWeights)
	rep.Generated = time.Date(2026, 3, 10, 9, 0, 0, 0, jakarta)
	return rep, rs
}

func TestProfilesFrom(t *testing.T) {
	rep, rs := profileFixture()
	pr, err := ProfilesFrom(rep, Slice(rs))
	if err != nil {
		t.Fatal(err)
	}
	var months []string
	for _, m := range pr.Months {
		months = append(months, m.Label)
	}
	if !pr.Available || !slices.Equal(months, []string{"2026-01", "2026-02"}) {
		t.Fatalf("available %v, months %q; want January and February", pr.Available, months)
	}
	row := func(t survey.ProfileTable, d survey.ProfileDim) survey.ProfileRow {
		for _, r := range t.Rows {
			if r.Dim == d {
				return r
			}
		}
		return survey.ProfileRow{}
	}
	for _, c := range []struct {
		name string
		t    survey.ProfileTable
		n    int
		d    survey.ProfileDim
		want survey.ProfileRow
	}{
		{"DISDUKCAPIL", pr.Units[0], 18, survey.DimGender, prow(survey.DimGender, 0, "L", 5, "P", 13)},
		{"DISDUKCAPIL", pr.Units[0], 18, survey.DimEducation, prow(survey.DimEducation, 6, "SMA", 6, "D4/S1", 6)},
		{"PKM-JATIBENING", pr.Units[1], 7, survey.DimGender, prow(survey.DimGender, 2, "P", 5)},
		{"all", pr.All, 25, survey.DimGender, prow(survey.DimGender, 2, "L", 5, "P", 18)},
		{"all", pr.All, 25, survey.DimEducation, prow(survey.DimEducation, 8, "SMA", 6, "D4/S1", 6, "", 5)},
	} {
		if c.t.Respondents != c.n || !reflect.DeepEqual(row(c.t, c.d), c.want) {
			t.Errorf("%s %s: %d respondents, %+v; want %d, %+v", c.name, c.d, c.t.Respondents, row(c.t, c.d), c.n, c.want)
		}
	}
	if pr.Units[2].Respondents != 0 || pr.Units[2].Rows != nil {
		t.Errorf("RSUD-X: %+v, want nothing", pr.Units[2])
	}
	// A date range has no profile.
	rng, _ := survey.ParsePeriod("2026-01-01..2026-02-28", jakarta)
	rep.Summary.Period = rng
	if pr, _ := ProfilesFrom(rep, Slice(rs)); pr.Available || pr.All.Rows != nil {
		t.Errorf("a date range's profiles = %+v, want none", pr)
	}
}

// prow is a profile row: the question, the count not shown, then value
// and count pairs.
func prow(d survey.ProfileDim, hidden int, cells ...any) survey.ProfileRow {
	r := survey.ProfileRow{Dim: d, Hidden: hidden}
	for i := 0; i < len(cells); i += 2 {
		r.Cells = append(r.Cells, survey.ProfileCell{Value: cells[i].(string), Count: cells[i+1].(int)})
	}
	return r
}

func TestValueLabels(t *testing.T) {
	for _, c := range []struct {
		d    survey.ProfileDim
		v    string
		want string
	}{
		{survey.DimGender, "L", "Laki-laki"},
		{survey.DimGender, "P", "Perempuan"},
		{survey.DimService, "other", "Lainnya"},
		{survey.DimEducation, "", "Tidak diisi"},
		{survey.DimEducation, "D4/S1", "D4/S1"},
	} {
		if got := valueLabel(c.d, c.v); got != c.want {
			t.Errorf("valueLabel(%s, %q) = %q, want %q", c.d, c.v, got, c.want)
		}
	}
}

func TestMonthsText(t *testing.T) {
	p := func(s string) survey.Period {
		q, err := survey.ParsePeriod(s, jakarta)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	for _, c := range []struct {
		ms   []survey.Period
		want string
	}{
		{[]survey.Period{p("2026-01")}, "Januari 2026"},
		{[]survey.Period{p("2026-01"), p("2026-02")}, "Januari s.d. Februari 2026"},
		{[]survey.Period{p("2025-12"), p("2026-01")}, "Desember 2025 s.d. Januari 2026"},
	} {
		if got := monthsText(c.ms); got != c.want {
			t.Errorf("monthsText = %q, want %q", got, c.want)
		}
	}
}
