package survey

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

// same builds a tally of n respondents who all gave score v on every element.
func same(n int, v uint8) Tally {
	var t Tally
	for range n {
		t.Add(Scores{v, v, v, v, v, v, v, v, v})
	}
	return t
}

func mustPeriod(t *testing.T, s string, loc *time.Location) Period {
	t.Helper()
	p, err := ParsePeriod(s, loc)
	if err != nil {
		t.Fatalf("ParsePeriod(%q): %v", s, err)
	}
	return p
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func unitCodes(us []UnitSummary) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Unit.Code)
	}
	return out
}

// reportFixture is three units of two types: one all-4, one all-3, and one
// without respondents, configured in that order with the types interleaved.
func reportFixture() ([]Unit, []Tally) {
	units := []Unit{
		{Code: "DINSOS", Name: "Dinas Sosial", Type: PerangkatDaerah, Users: 1000},
		{Code: "PKM-01", Name: "Puskesmas Bekasi Jaya", Type: Puskesmas},
		{Code: "DISHUB", Name: "Dinas Perhubungan", Type: PerangkatDaerah, Users: 100},
	}
	tallies := []Tally{same(2, 4), same(4, 3), {}}
	return units, tallies
}

func TestSummarize(t *testing.T) {
	p := mustPeriod(t, "2023", jakarta(t))
	units, tallies := reportFixture()
	kept := slices.Clone(tallies)
	c := Summarize(p, units, tallies, ExactWeights)

	if !reflect.DeepEqual(tallies, kept) {
		t.Error("Summarize modified the tallies it was given")
	}
	if c.Period.Label != "2023" || !c.Period.From.Equal(p.From) || !c.Period.To.Equal(p.To) {
		t.Errorf("Period = %+v, want %+v", c.Period, p)
	}

	// Every configured unit, in configured order, the empty one included.
	if got, want := unitCodes(c.Units), []string{"DINSOS", "PKM-01", "DISHUB"}; !slices.Equal(got, want) {
		t.Fatalf("Units = %q, want %q", got, want)
	}
	unitTests := []struct {
		respondents int
		valid       bool
		ikm         float64
		mutu        Mutu
		target      int
		below       bool
	}{
		{2, true, 100, MutuA, 278, true}, // 1000 users a year, whole year: Krejcie-Morgan row 1000 -> 278
		{4, true, 75, MutuC, 0, false},   // users unknown: no target, no warning
		{0, false, 0, "", 80, true},      // 100 users -> 80
	}
	for i, want := range unitTests {
		us := c.Units[i]
		if !reflect.DeepEqual(us.Unit, units[i]) {
			t.Errorf("Units[%d].Unit = %+v, want %+v", i, us.Unit, units[i])
		}
		if us.Tally != tallies[i] {
			t.Errorf("Units[%d].Tally differs from the tally given", i)
		}
		if !reflect.DeepEqual(us.Result, tallies[i].Result(ExactWeights)) {
			t.Errorf("Units[%d].Result = %+v, want the tally's own result", i, us.Result)
		}
		r := us.Result
		if r.Respondents != want.respondents || r.Valid != want.valid || r.IKM != want.ikm || r.IKM2 != want.ikm || r.Mutu != want.mutu {
			t.Errorf("Units[%d] (%s) = respondents %d valid %v IKM %v IKM2 %v mutu %q, want %d %v %v %v %q",
				i, us.Unit.Code, r.Respondents, r.Valid, r.IKM, r.IKM2, r.Mutu, want.respondents, want.valid, want.ikm, want.ikm, want.mutu)
		}
		if us.Target != want.target {
			t.Errorf("Units[%d] (%s).Target = %d, want %d", i, us.Unit.Code, us.Target, want.target)
		}
		if got := us.BelowTarget(); got != want.below {
			t.Errorf("Units[%d] (%s).BelowTarget() = %v, want %v", i, us.Unit.Code, got, want.below)
		}
	}

	// Pooled over all six respondents: every element has 2 answers of 4 and
	// 4 answers of 3, so NRR = (2x4 + 4x3) / 6 = 20/6 = 3.3333 on all nine,
	// index = 10/3 and IKM = 25 x 10/3 = 83.333..., shown as 83.33 (B). The
	// all-4 unit weighs 2/6, not 1/2: pooling weights by answers.
	if got := c.Respondents(); got != 6 {
		t.Errorf("Respondents() = %d, want 6", got)
	}
	if c.Pooled.Respondents != 6 || !c.Pooled.Valid {
		t.Errorf("Pooled respondents %d valid %v, want 6 true", c.Pooled.Respondents, c.Pooled.Valid)
	}
	if !near(c.Pooled.IKM, 250.0/3) || c.Pooled.IKM2 != 83.33 || c.Pooled.Mutu != MutuB {
		t.Errorf("Pooled IKM %v (%v, %q), want %v (83.33, B)", c.Pooled.IKM, c.Pooled.IKM2, c.Pooled.Mutu, 250.0/3)
	}
	for _, er := range c.Pooled.Elements {
		if er.Answers != 6 || er.Sum != 20 {
			t.Errorf("Pooled %s: %d answers sum %d, want 6 and 20", er.Key, er.Answers, er.Sum)
		}
	}

	// Mean of unit IKMs over the units WITH data: (100 + 75) / 2 = 87.5 (B).
	// Counting the empty unit as 0 would give 58.33.
	if c.WithData != 2 {
		t.Errorf("WithData = %d, want 2", c.WithData)
	}
	if c.MeanIKM != 87.5 || c.MeanIKM2 != 87.5 || c.MeanMutu != MutuB {
		t.Errorf("MeanIKM %v (%v, %q), want 87.5 (87.5, B)", c.MeanIKM, c.MeanIKM2, c.MeanMutu)
	}

	// By type, in order of first appearance, pooled within each type.
	type group struct {
		typ                      UnitType
		units, withData, respond int
		ikm                      float64
		mutu                     Mutu
	}
	wantGroups := []group{
		{PerangkatDaerah, 2, 1, 2, 100, MutuA},
		{Puskesmas, 1, 1, 4, 75, MutuC},
	}
	var gotGroups []group
	for _, g := range c.ByType {
		gotGroups = append(gotGroups, group{g.Type, g.Units, g.WithData, g.Tally.Respondents, g.Result.IKM, g.Result.Mutu})
		if g.Result.Respondents != g.Tally.Respondents {
			t.Errorf("ByType %s: Result.Respondents %d, Tally.Respondents %d", g.Type, g.Result.Respondents, g.Tally.Respondents)
		}
	}
	if !reflect.DeepEqual(gotGroups, wantGroups) {
		t.Errorf("ByType =\n %+v\nwant\n %+v", gotGroups, wantGroups)
	}
}

func TestSummarizeLegacyWeights(t *testing.T) {
	p := mustPeriod(t, "2023", nil)
	units, tallies := reportFixture()
	c := Summarize(p, units, tallies, LegacyWeights)
	// 0.111 x 9 = 0.999 of every exact figure: 100 -> 99.9, 75 -> 74.925,
	// pooled 83.333 -> 83.25, mean (99.9 + 74.925) / 2 = 87.4125 -> 87.41.
	if got := c.Units[0].Result.IKM2; got != 99.9 {
		t.Errorf("all-4 unit with legacy weights: IKM2 %v, want 99.9", got)
	}
	if got := c.Units[1].Result.IKM; !near(got, 74.925) {
		t.Errorf("all-3 unit with legacy weights: IKM %v, want 74.925", got)
	}
	if got := c.Pooled.IKM2; got != 83.25 {
		t.Errorf("pooled with legacy weights: IKM2 %v, want 83.25", got)
	}
	if !near(c.MeanIKM, 87.4125) || c.MeanIKM2 != 87.41 {
		t.Errorf("mean with legacy weights: %v (%v), want 87.4125 (87.41)", c.MeanIKM, c.MeanIKM2)
	}
	if got := c.ByType[0].Result.IKM2; got != 99.9 {
		t.Errorf("ByType[0] with legacy weights: IKM2 %v, want 99.9", got)
	}
}

func TestSummarizeNoData(t *testing.T) {
	p := mustPeriod(t, "2023-Q2", nil)
	tests := []struct {
		name  string
		units []Unit
	}{
		{"no units", nil},
		{"units without respondents", []Unit{{Code: "A", Type: RSUD}, {Code: "B", Type: RSUD}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Summarize(p, tt.units, make([]Tally, len(tt.units)), ExactWeights)
			if len(c.Units) != len(tt.units) {
				t.Errorf("len(Units) = %d, want %d", len(c.Units), len(tt.units))
			}
			if c.WithData != 0 || c.Respondents() != 0 || c.Pooled.Valid {
				t.Errorf("WithData %d, respondents %d, pooled valid %v, want 0, 0, false", c.WithData, c.Respondents(), c.Pooled.Valid)
			}
			if c.MeanIKM != 0 || c.MeanIKM2 != 0 || c.MeanMutu != "" || math.IsNaN(c.MeanIKM) {
				t.Errorf("mean = %v (%v, %q), want 0 and no grade", c.MeanIKM, c.MeanIKM2, c.MeanMutu)
			}
			if got := c.Ranked(); len(got) != 0 {
				t.Errorf("Ranked() = %q, want none", unitCodes(got))
			}
			for _, g := range c.ByType {
				if g.WithData != 0 || g.Result.Valid {
					t.Errorf("ByType %s: WithData %d valid %v, want 0 false", g.Type, g.WithData, g.Result.Valid)
				}
			}
		})
	}
}

func TestSummarizeTypeOrder(t *testing.T) {
	units := []Unit{
		{Code: "P1", Type: Puskesmas},
		{Code: "D1", Type: PerangkatDaerah},
		{Code: "P2", Type: Puskesmas},
		{Code: "R1", Type: RSUD},
		{Code: "P3", Type: Puskesmas},
		{Code: "X1", Type: "kecamatan"},
	}
	tallies := []Tally{same(1, 4), {}, same(3, 2), same(1, 1), {}, same(2, 3)}
	c := Summarize(mustPeriod(t, "2023", nil), units, tallies, ExactWeights)
	type group struct {
		typ             UnitType
		units, withData int
		respondents     int
	}
	want := []group{
		{Puskesmas, 3, 2, 4},
		{PerangkatDaerah, 1, 0, 0},
		{RSUD, 1, 1, 1},
		{"kecamatan", 1, 1, 2},
	}
	var got []group
	for _, g := range c.ByType {
		got = append(got, group{g.Type, g.Units, g.WithData, g.Tally.Respondents})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ByType =\n %+v\nwant\n %+v", got, want)
	}
	// Puskesmas pooled: 1 x 4 and 3 x 2 per element, NRR 10/4 = 2.5, IKM 62.5 (D).
	if r := c.ByType[0].Result; r.IKM != 62.5 || r.Mutu != MutuD {
		t.Errorf("Puskesmas pooled IKM %v %q, want 62.5 D", r.IKM, r.Mutu)
	}
	if c.WithData != 4 {
		t.Errorf("WithData = %d, want 4", c.WithData)
	}
	// Mean over the four units with data: (100 + 50 + 25 + 75) / 4 = 62.5.
	if c.MeanIKM != 62.5 || c.MeanMutu != MutuD {
		t.Errorf("MeanIKM = %v %q, want 62.5 D", c.MeanIKM, c.MeanMutu)
	}
}

func TestRanked(t *testing.T) {
	units := []Unit{
		{Code: "A75", Type: Puskesmas},
		{Code: "B100", Type: Puskesmas},
		{Code: "C-empty", Type: Puskesmas},
		{Code: "D75", Type: RSUD},
		{Code: "E87", Type: PerangkatDaerah},
		{Code: "F75", Type: Puskesmas},
		{Code: "G-empty", Type: RSUD},
	}
	var mixed Tally
	mixed.Merge(same(1, 4))
	mixed.Merge(same(1, 3)) // NRR 3.5 everywhere: IKM 87.5
	tallies := []Tally{same(3, 3), same(1, 4), {}, same(10, 3), mixed, same(1, 3), {}}
	c := Summarize(mustPeriod(t, "2023", nil), units, tallies, ExactWeights)
	before := unitCodes(c.Units)

	ranked := c.Ranked()
	// Highest first; the three 75s keep configured order (A, D, F) whatever
	// their respondent counts; units without respondents are left out.
	if got, want := unitCodes(ranked), []string{"B100", "E87", "A75", "D75", "F75"}; !slices.Equal(got, want) {
		t.Errorf("Ranked() = %q, want %q", got, want)
	}
	for i := 1; i < len(ranked); i++ {
		if ranked[i].Result.IKM2 > ranked[i-1].Result.IKM2 {
			t.Errorf("Ranked()[%d] IKM2 %v above Ranked()[%d] %v", i, ranked[i].Result.IKM2, i-1, ranked[i-1].Result.IKM2)
		}
	}
	if got := unitCodes(c.Units); !slices.Equal(got, before) {
		t.Errorf("Ranked reordered Units: %q, want %q", got, before)
	}
}

func TestRankedManyTies(t *testing.T) {
	// Enough units that a non-stable sort would shuffle the ties.
	var units []Unit
	var tallies []Tally
	var want100, want75 []string
	for i := range 40 {
		code := string(rune('A'+i%26)) + string(rune('a'+i/26))
		units = append(units, Unit{Code: code, Type: Puskesmas})
		switch i % 3 {
		case 0:
			tallies = append(tallies, same(1+i, 4))
			want100 = append(want100, code)
		case 1:
			tallies = append(tallies, same(1+i, 3))
			want75 = append(want75, code)
		default:
			tallies = append(tallies, Tally{})
		}
	}
	c := Summarize(mustPeriod(t, "2023", nil), units, tallies, ExactWeights)
	if got, want := unitCodes(c.Ranked()), append(want100, want75...); !slices.Equal(got, want) {
		t.Errorf("Ranked() =\n %q\nwant\n %q", got, want)
	}
}

func TestSummarizeMeanOnBandEdge(t *testing.T) {
	var eighty Tally
	eighty.Merge(same(4, 3))
	eighty.Merge(same(1, 4)) // NRR (4x3 + 4) / 5 = 3.2: IKM 80
	units := []Unit{{Code: "X", Type: RSUD}, {Code: "Y", Type: RSUD}}
	c := Summarize(mustPeriod(t, "2023", nil), units, []Tally{eighty, same(1, 2)}, ExactWeights)
	// Mean (80 + 50) / 2 = 65.00, the lowest C; pooled (16 + 2) / 6 = 3: 75 (C).
	if c.MeanIKM != 65 || c.MeanIKM2 != 65 || c.MeanMutu != MutuC {
		t.Errorf("MeanIKM %v (%v, %q), want 65 (65, C)", c.MeanIKM, c.MeanIKM2, c.MeanMutu)
	}
	if c.Pooled.IKM != 75 || c.Pooled.Mutu != MutuC {
		t.Errorf("Pooled IKM %v %q, want 75 C", c.Pooled.IKM, c.Pooled.Mutu)
	}
}

func TestBelowTarget(t *testing.T) {
	tests := []struct {
		target, respondents int
		want                bool
	}{
		{0, 0, false},  // unknown target never warns
		{0, 50, false}, // unknown target never warns
		{278, 0, true},
		{278, 2, true},
		{278, 277, true},
		{278, 278, false},
		{278, 1000, false},
		{1, 0, true},
		{1, 1, false},
	}
	for _, tt := range tests {
		us := UnitSummary{Target: tt.target, Tally: Tally{Respondents: tt.respondents}}
		if got := us.BelowTarget(); got != tt.want {
			t.Errorf("BelowTarget() with target %d and %d respondents = %v, want %v", tt.target, tt.respondents, got, tt.want)
		}
	}
}

func TestCityTargets(t *testing.T) {
	p := mustPeriod(t, "2023", nil)
	units, tallies := reportFixture()
	// DINSOS and DISHUB know their users, the Puskesmas does not.
	c := Summarize(p, units, tallies, ExactWeights)
	for i, want := range []bool{true, false, true} {
		if got := c.Units[i].TargetKnown(); got != want {
			t.Errorf("%s: TargetKnown() = %v, want %v", c.Units[i].Unit.Code, got, want)
		}
	}
	if total, ok := c.SampleTarget(); ok || total != 0 {
		t.Errorf("SampleTarget() with a unit of unknown users = %d, %v; want 0, false", total, ok)
	}
	if got, want := unitCodes(c.UnitsBelowTarget()), []string{"DINSOS", "DISHUB"}; !slices.Equal(got, want) {
		t.Errorf("UnitsBelowTarget() = %q, want %q (an unknown target never counts)", got, want)
	}
	known := Summarize(p, []Unit{units[0], units[2]}, []Tally{tallies[0], tallies[2]}, ExactWeights)
	want := SampleTarget(1000, p) + SampleTarget(100, p)
	if total, ok := known.SampleTarget(); !ok || total != want {
		t.Errorf("SampleTarget() = %d, %v; want %d, true", total, ok, want)
	}
	if total, ok := (CitySummary{}).SampleTarget(); !ok || total != 0 {
		t.Errorf("SampleTarget() of no units = %d, %v; want 0, true", total, ok)
	}
	reached := Summarize(p, []Unit{{Code: "TINY", Users: 1}}, []Tally{same(5, 4)}, ExactWeights)
	if got := reached.UnitsBelowTarget(); len(got) != 0 {
		t.Errorf("UnitsBelowTarget() of a unit past its target = %q, want none", unitCodes(got))
	}
}

func TestSampleTarget(t *testing.T) {
	tests := []struct {
		users  int
		period string
		n      int // users in the period, by hand: users x days / days in that year, to nearest
		want   int // SampleSize(n), pinned where the table gives it
	}{
		{0, "2023", 0, 0},
		{-5, "2023", 0, 0},
		{1000, "2023", 1000, 278},    // Krejcie-Morgan row 1000
		{1000, "2024", 1000, 278},    // leap year: 366 / 366
		{3660, "2024", 3660, 0},      // leap year, whole year: N = users
		{10_000_000, "2023", 0, 384}, // S tends to 384
		{4000, "2023-Q1", 986, 277},  // 90 / 365: 986.30
		{4000, "2024-Q1", 995, 277},  // leap: 91 / 366: 994.54
		{3650, "2023-02", 280, 0},    // 28 / 365: exactly 280
		{3660, "2024-02", 290, 165},  // leap: 29 / 366: exactly 290; 29/365 would give 291 -> 166
		{365, "2023-S1", 181, 0},     // 181 / 365
		{365, "2023-S2", 184, 0},     // 184 / 365
		{36500, "2023-01-01..2023-01-10", 1000, 278},
		{36500, "2023-05-05..2023-05-05", 100, 80}, // a single day
		{73, "2023-01-01..2023-03-31", 18, 17},     // same days as 2023-Q1: exactly 18
		{36600, "2024-02-28..2024-03-01", 300, 0},  // 3 days across the leap day
		{71, "2023-Q1", 18, 17},                    // 17.507 rounds to 18, not down to 17 (16)
		{1, "2023", 1, 1},
		{1, "2023-01", 0, 0}, // 31/365 of one user rounds to nobody
	}
	for _, loc := range []*time.Location{time.UTC, jakarta(t)} {
		for _, tt := range tests {
			p := mustPeriod(t, tt.period, loc)
			got := SampleTarget(tt.users, p)
			if want := SampleSize(tt.n); tt.n > 0 && got != want {
				t.Errorf("%s: SampleTarget(%d, %s) = %d, want SampleSize(%d) = %d", loc, tt.users, tt.period, got, tt.n, want)
			}
			if tt.want > 0 && got != tt.want {
				t.Errorf("%s: SampleTarget(%d, %s) = %d, want %d", loc, tt.users, tt.period, got, tt.want)
			}
			if tt.n == 0 && tt.want == 0 && got != 0 {
				t.Errorf("%s: SampleTarget(%d, %s) = %d, want 0", loc, tt.users, tt.period, got)
			}
		}
	}
}

// TestSampleTargetDST checks that the share of the year is counted in
// calendar days wherever the period's location observes daylight saving time.
func TestSampleTargetDST(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		users  int
		period string
		n      int
	}{
		{71, "2023-Q1", 18},    // 90 days: 17.507; an hour short gives 17.499
		{71, "2023-S1", 35},    // 181 days: 35.208
		{2000, "2023-Q1", 493}, // 90 days: 493.15
		{54, "2023-Q4", 14},    // 92 days: 13.611
	}
	for _, tt := range tests {
		p := mustPeriod(t, tt.period, loc)
		utc := mustPeriod(t, tt.period, time.UTC)
		if got, want := SampleTarget(tt.users, p), SampleSize(tt.n); got != want {
			t.Errorf("SampleTarget(%d, %s in %s) = %d, want SampleSize(%d) = %d", tt.users, tt.period, loc, got, tt.n, want)
		}
		if got, want := SampleTarget(tt.users, p), SampleTarget(tt.users, utc); got != want {
			t.Errorf("SampleTarget(%d, %s): %d in %s, %d in UTC; the zone must not matter", tt.users, tt.period, got, loc, want)
		}
	}
}
