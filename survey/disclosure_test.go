package survey

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func TestPublishOneBlock(t *testing.T) {
	var b ProfileTally
	add := func(n int, p Profile) {
		for range n {
			b.Add(p)
		}
	}
	add(12, Profile{Gender: "P", Education: "SMA", Service: "KTP", Occupation: "Swasta"})
	add(7, Profile{Gender: "L", Education: "SMA", Service: "Akta", Occupation: "PNS"})
	add(3, Profile{Gender: "L", Education: "S3", Service: "KTP", Occupation: "TNI"})
	add(1, Profile{Education: "SD", Service: "other", Occupation: "POLRI"})
	add(1, Profile{Education: "S2", Occupation: "Lainnya"})
	tab := PublishProfile([]ProfileTally{b}, 5)
	got := map[ProfileDim]ProfileRow{}
	for _, r := range tab.Rows {
		got[r.Dim] = r
	}
	want := map[ProfileDim]ProfileRow{
		// 2 skipped is the only small cell: the next smallest (L 10) goes too.
		DimGender: {DimGender, []ProfileCell{{"P", 12}}, 12},
		// SD 1, S2 1 and S3 3 hide each other: together 5.
		DimEducation: {DimEducation, []ProfileCell{{"SMA", 19}}, 5},
		// other 1 and skipped 1 are two, but only 2 together: Akta 7 too.
		DimService: {DimService, []ProfileCell{{"KTP", 15}}, 9},
		// TNI 3, POLRI 1, Lainnya 1 hide each other: 5.
		DimOccupation: {DimOccupation, []ProfileCell{{"PNS", 7}, {"Swasta", 12}}, 5},
		DimAge:        {DimAge, []ProfileCell{{"", 24}}, 0},
	}
	if tab.Respondents != 24 || !reflect.DeepEqual(got, want) {
		t.Errorf("PublishProfile(one block) = %d respondents\n%+v\nwant 24\n%+v", tab.Respondents, got, want)
	}
	var tiny ProfileTally
	for range 4 {
		tiny.Add(Profile{Gender: "P"})
	}
	if tab := PublishProfile([]ProfileTally{tiny}, 5); tab.Rows != nil || tab.Respondents != 4 {
		t.Errorf("a block of 4 = %+v, want 4 respondents and no rows", tab)
	}
	if tab := PublishProfile(nil, 5); tab.Rows != nil || tab.Respondents != 0 {
		t.Errorf("no blocks = %+v", tab)
	}
}

// TestPublishIsAdditive is what makes the rule hold across units and
// periods: a table of several blocks shows exactly the sums of what each
// block shows on its own, so the difference of any two tables is itself
// shown by blocks; and in every block, what a question does not show is
// nothing, or at least two counts adding up to k or more.
func TestPublishIsAdditive(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2026))
	genders, educations := []string{"L", "P", ""}, []string{"SD", "SMA", "S1", "S3", ""}
	for trial := range 300 {
		blocks := make([]ProfileTally, 1+rng.IntN(8))
		for i := range blocks {
			for range rng.IntN(25) {
				blocks[i].Add(Profile{
					Gender: genders[rng.IntN(len(genders))], Education: educations[rng.IntN(len(educations))],
					Age: 15 + rng.IntN(60), Service: []string{"A", "B", "C"}[rng.IntN(3)],
				})
			}
		}
		all := PublishProfile(blocks, MinProfileCell)
		sum := map[ProfileDim]map[string]int{}
		hidden := map[ProfileDim]int{}
		respondents := 0
		for _, b := range blocks {
			one := PublishProfile([]ProfileTally{b}, MinProfileCell)
			respondents += one.Respondents
			for _, d := range ProfileDims {
				cells, h := publishBlock(b, d, MinProfileCell)
				if h != 0 && h < MinProfileCell && b.Respondents >= MinProfileCell {
					t.Fatalf("trial %d: a block hides %d under %s, between 1 and k-1", trial, h, d)
				}
				if h == 0 && b.Respondents < MinProfileCell && b.Respondents > 0 {
					t.Fatalf("trial %d: a block of %d shows %s", trial, b.Respondents, d)
				}
				hidden[d] += h
				for _, c := range cells {
					if c.Count < MinProfileCell {
						t.Fatalf("trial %d: a block shows %s %q = %d", trial, d, c.Value, c.Count)
					}
					if sum[d] == nil {
						sum[d] = map[string]int{}
					}
					sum[d][c.Value] += c.Count
					if one.Cell(d, c.Value) != c.Count {
						t.Fatalf("trial %d: the block's own table shows %s %q = %d, want %d", trial, d, c.Value, one.Cell(d, c.Value), c.Count)
					}
				}
			}
		}
		if all.Respondents != respondents {
			t.Fatalf("trial %d: %d respondents, want %d", trial, all.Respondents, respondents)
		}
		for _, r := range all.Rows {
			total := r.Hidden
			for _, c := range r.Cells {
				total += c.Count
				if c.Count != sum[r.Dim][c.Value] {
					t.Fatalf("trial %d: %s %q = %d, the blocks show %d", trial, r.Dim, c.Value, c.Count, sum[r.Dim][c.Value])
				}
			}
			if r.Hidden != hidden[r.Dim] || total != all.Respondents {
				t.Fatalf("trial %d: %s hides %d (blocks %d), adds up to %d of %d", trial, r.Dim, r.Hidden, hidden[r.Dim], total, all.Respondents)
			}
		}
	}
}

func TestProfileMonths(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, loc)
	labels := func(ps []Period) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Label)
		}
		return out
	}
	for _, tt := range []struct {
		period string
		want   []string
		ok     bool
	}{
		{"2026", []string{"2026-01", "2026-02"}, true},
		{"2026-S1", []string{"2026-01", "2026-02"}, true},
		{"2026-Q1", []string{"2026-01", "2026-02"}, true},
		{"2026-02", []string{"2026-02"}, true},
		{"2026-03", nil, true},
		{"2026-Q2", nil, true},
		{"2025-S2", []string{"2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"}, true},
		{"2026-02-01..2026-02-28", nil, false},
	} {
		p, err := ParsePeriod(tt.period, loc)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ProfileMonths(p, now)
		if ok != tt.ok || !reflect.DeepEqual(labels(got), tt.want) {
			t.Errorf("ProfileMonths(%s) = %q, %v; want %q, %v", tt.period, labels(got), ok, tt.want, tt.ok)
		}
	}
	// At midnight on 1 March, February has ended.
	p, _ := ParsePeriod("2026-02", loc)
	if got, _ := ProfileMonths(p, time.Date(2026, 3, 1, 0, 0, 0, 0, loc)); len(got) != 1 {
		t.Errorf("at the start of March, February is %q", labels(got))
	}
	if got, _ := ProfileMonths(p, time.Date(2026, 2, 28, 23, 59, 0, 0, loc)); len(got) != 0 {
		t.Errorf("on the last evening of February, it is %q", labels(got))
	}
}
