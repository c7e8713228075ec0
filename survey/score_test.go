package survey

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// counts builds a tally in which element e has c[s-1] answers of score s.
func counts(t Tally, e int, c [MaxScore]uint32) Tally {
	t.Dist[e] = c
	return t
}

// uniform builds a tally in which elements 0..len(cs)-1 have the given counts.
func uniform(cs ...[MaxScore]uint32) Tally {
	var t Tally
	for e, c := range cs {
		t = counts(t, e, c)
	}
	return t
}

func TestClassify(t *testing.T) {
	tests := []struct {
		ikm  float64
		want Mutu
	}{
		{25, MutuD},
		{0, MutuD},
		{-3, MutuD},
		{64.99, MutuD},
		{64.994, MutuD}, // rounds to 64.99
		{64.995, MutuC}, // rounds to 65.00
		{65.00, MutuC},
		{76.60, MutuC},
		{76.604, MutuC}, // gap: rounds to 76.60
		{76.605, MutuB}, // gap: rounds to 76.61
		{76.61, MutuB},
		{81.96, MutuB}, // Kota Bekasi 2020
		{88.30, MutuB},
		{88.304, MutuB},
		{88.305, MutuA},
		{88.31, MutuA},
		{100, MutuA},
		{120, MutuA},
		{math.Inf(1), MutuA},
		{math.Inf(-1), MutuD},
		{math.NaN(), ""},
	}
	for _, tt := range tests {
		if got := Classify(tt.ikm); got != tt.want {
			t.Errorf("Classify(%v) = %q, want %q", tt.ikm, got, tt.want)
		}
	}
}

func TestRound2(t *testing.T) {
	tests := []struct {
		x, want float64
	}{
		{81.955, 81.96}, // stored as 81.95499999999999829...
		{76.605, 76.61},
		{76.604, 76.60},
		{64.995, 65.00},
		{64.994, 64.99},
		{1.005, 1.01},
		{2.675, 2.68},
		{81.95499999999999, 81.96}, // float noise around a tie
		{0.1 + 0.2, 0.3},
		{24.975, 24.98},
		{100, 100},
		{25, 25},
		{0, 0},
		{0.004, 0},
		{0.005, 0.01},
		{-1.005, -1.01}, // half away from zero
		{-0.004, 0},
		{12345678.125, 12345678.13},
	}
	for _, tt := range tests {
		if got := Round2(tt.x); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := Round2(x); !(got == x || math.IsNaN(got) && math.IsNaN(x)) {
			t.Errorf("Round2(%v) = %v, want it unchanged", x, got)
		}
	}
}

func TestMutuLabels(t *testing.T) {
	tests := []struct {
		m       Mutu
		kinerja string
		nilai   int
	}{
		{MutuA, "Sangat Baik", 4},
		{MutuB, "Baik", 3},
		{MutuC, "Kurang Baik", 2},
		{MutuD, "Tidak Baik", 1},
		{"", "", 0},
		{"E", "", 0},
	}
	for _, tt := range tests {
		if got := tt.m.Kinerja(); got != tt.kinerja {
			t.Errorf("Mutu(%q).Kinerja() = %q, want %q", tt.m, got, tt.kinerja)
		}
		if got := tt.m.Nilai(); got != tt.nilai {
			t.Errorf("Mutu(%q).Nilai() = %d, want %d", tt.m, got, tt.nilai)
		}
	}
}

// TestResultNIEdges builds tallies whose index lands on each edge of the NI
// column (1..4) of the regulation's table. With one element answered, k = 1
// and the index is that element's NRR.
func TestResultNIEdges(t *testing.T) {
	tests := []struct {
		name  string
		dist  [MaxScore]uint32
		index float64
		ikm2  float64
		want  Mutu
	}{
		{"all 1", [4]uint32{7, 0, 0, 0}, 1, 25, MutuD},
		{"NI 2.5996", [4]uint32{0, 1001, 1499, 0}, 2.5996, 64.99, MutuD}, // 6499/2500
		{"NI 2.60", [4]uint32{0, 2, 3, 0}, 2.6, 65.00, MutuC},            // 13/5
		{"NI 3.064", [4]uint32{0, 0, 117, 8}, 3.064, 76.60, MutuC},       // 383/125
		{"NI 3.0644", [4]uint32{0, 0, 2339, 161}, 3.0644, 76.61, MutuB},  // 7661/2500
		{"NI 3.532", [4]uint32{0, 0, 117, 133}, 3.532, 88.30, MutuB},     // 883/250
		{"NI 3.5324", [4]uint32{0, 0, 1169, 1331}, 3.5324, 88.31, MutuA}, // 8831/2500
		{"all 4", [4]uint32{0, 0, 0, 3}, 4, 100, MutuA},
	}
	for _, tt := range tests {
		for e := range NumElements {
			tally := counts(Tally{}, e, tt.dist)
			r := tally.Result(ExactWeights)
			if r.Index != tt.index || r.IKM2 != tt.ikm2 || r.Mutu != tt.want {
				t.Errorf("%s at %s: got index %v, IKM2 %v, mutu %q; want %v, %v, %q",
					tt.name, Elements[e], r.Index, r.IKM2, r.Mutu, tt.index, tt.ikm2, tt.want)
			}
			if got := r.Elements[e].Mutu; got != tt.want {
				t.Errorf("%s: element mutu = %q, want %q", tt.name, got, tt.want)
			}
		}
	}
}

// TestResultTies puts the nine-element IKM exactly on a half-hundredth, where
// rounding the float IKM would go the wrong way. Eight elements score NRR x
// and the ninth makes up the rest:
//
//	76.605 = 25/9 x (8 x 3   + 17889/5000)   17889/5000 = 3.5778
//	64.995 = 25/9 x (8 x 2.5 + 16991/5000)   16991/5000 = 3.3982
//	88.305 = 25/9 x (8 x 3.5 + 18949/5000)   18949/5000 = 3.7898
//	76.6044... = 25/9 x (8 x 3 + 17888/5000) just below the 76.605 tie
func TestResultTies(t *testing.T) {
	tests := []struct {
		name  string
		eight [MaxScore]uint32
		ninth [MaxScore]uint32
		ikm2  float64
		want  Mutu
	}{
		{"76.605", [4]uint32{0, 0, 1, 0}, [4]uint32{0, 0, 5000 - 2889, 2889}, 76.61, MutuB},
		{"64.995", [4]uint32{0, 1, 1, 0}, [4]uint32{0, 0, 5000 - 1991, 1991}, 65.00, MutuC},
		{"88.305", [4]uint32{0, 0, 1, 1}, [4]uint32{0, 0, 5000 - 3949, 3949}, 88.31, MutuA},
		{"76.6044", [4]uint32{0, 0, 1, 0}, [4]uint32{0, 0, 5000 - 2888, 2888}, 76.60, MutuC},
	}
	for _, tt := range tests {
		tally := uniform(tt.eight, tt.eight, tt.eight, tt.eight, tt.eight, tt.eight, tt.eight, tt.eight, tt.ninth)
		r := tally.Result(ExactWeights)
		if r.IKM2 != tt.ikm2 || r.Mutu != tt.want {
			t.Errorf("IKM %s (float %v): got IKM2 %v mutu %q, want %v %q", tt.name, r.IKM, r.IKM2, r.Mutu, tt.ikm2, tt.want)
		}
		if got := Classify(r.IKM2); got != r.Mutu {
			t.Errorf("IKM %s: Classify(IKM2) = %q, Result.Mutu = %q; want them equal", tt.name, got, r.Mutu)
		}
	}
}

func TestResultExactVsLegacy(t *testing.T) {
	allOf := func(score uint8) Tally {
		var tally Tally
		var s Scores
		for e := range s {
			s[e] = score
		}
		tally.Add(s)
		tally.Add(s)
		return tally
	}
	tests := []struct {
		name        string
		tally       Tally
		w           Weighting
		index, ikm  float64
		ikm2        float64
		want        Mutu
		wantWeights float64
	}{
		{"all 4 exact", allOf(4), ExactWeights, 4, 100, 100, MutuA, 4.0 / 9},
		{"all 4 legacy", allOf(4), LegacyWeights, 3.996, 99.9, 99.9, MutuA, 0.444},
		{"all 1 exact", allOf(1), ExactWeights, 1, 25, 25, MutuD, 1.0 / 9},
		{"all 1 legacy", allOf(1), LegacyWeights, 0.999, 24.975, 24.98, MutuD, 0.111},
		{"all 3 exact", allOf(3), ExactWeights, 3, 75, 75, MutuC, 3.0 / 9},
		{"unknown weighting is exact", allOf(4), Weighting(7), 4, 100, 100, MutuA, 4.0 / 9},
	}
	for _, tt := range tests {
		r := tt.tally.Result(tt.w)
		if !r.Valid || r.Index != tt.index || r.IKM != tt.ikm || r.IKM2 != tt.ikm2 || r.Mutu != tt.want {
			t.Errorf("%s: got valid %v index %v IKM %v IKM2 %v mutu %q; want true %v %v %v %q",
				tt.name, r.Valid, r.Index, r.IKM, r.IKM2, r.Mutu, tt.index, tt.ikm, tt.ikm2, tt.want)
		}
		for _, er := range r.Elements {
			if er.Weighted != tt.wantWeights {
				t.Errorf("%s: %s weighted = %v, want %v", tt.name, er.Key, er.Weighted, tt.wantWeights)
			}
		}
		if r.Respondents != 2 {
			t.Errorf("%s: respondents = %d, want 2", tt.name, r.Respondents)
		}
	}
}

// workedExample is four respondents; the fourth skipped pengaduan.
//
//	           per pro wak bia pro kom per pen sar
//	R1          4   4   3   4   3   3   4   2   3
//	R2          3   3   3   4   3   4   4   2   3
//	R3          3   2   2   4   3   3   3   1   2
//	R4          4   3   3   4   4   3   4   -   3
//	sum        14  12  11  16  13  13  15   5  11
//	answers     4   4   4   4   4   4   4   3   4
//	NRR       3.5 3.0 2.75 4.0 3.25 3.25 3.75 5/3 2.75
//
// Sum of NRRs = 26.25 + 5/3 = 335/12.
// Exact:  index = 335/108 = 3.10185..., IKM = 8375/108 = 77.546296... -> 77.55 B.
// Legacy: index = 0.111 x 335/12 = 3.09875, IKM = 77.46875 -> 77.47 B.
func workedExample() Tally {
	var t Tally
	for _, s := range []Scores{
		{4, 4, 3, 4, 3, 3, 4, 2, 3},
		{3, 3, 3, 4, 3, 4, 4, 2, 3},
		{3, 2, 2, 4, 3, 3, 3, 1, 2},
		{4, 3, 3, 4, 4, 3, 4, 0, 3},
	} {
		t.Add(s)
	}
	return t
}

func TestResultWorkedExample(t *testing.T) {
	tally := workedExample()

	r := tally.Result(ExactWeights)
	if got, want := r.Respondents, 4; got != want {
		t.Errorf("respondents = %d, want %d", got, want)
	}
	wantElems := []struct {
		answers, sum uint64
		nrr, ikm     float64
		mutu         Mutu
	}{
		{4, 14, 3.5, 87.5, MutuB},
		{4, 12, 3.0, 75, MutuC},
		{4, 11, 2.75, 68.75, MutuC},
		{4, 16, 4.0, 100, MutuA},
		{4, 13, 3.25, 81.25, MutuB},
		{4, 13, 3.25, 81.25, MutuB},
		{4, 15, 3.75, 93.75, MutuA},
		{3, 5, 5.0 / 3, 125.0 / 3, MutuD}, // denominator 3, not 4
		{4, 11, 2.75, 68.75, MutuC},
	}
	for e, w := range wantElems {
		er := r.Elements[e]
		if er.Key != Elements[e] || er.Answers != w.answers || er.Sum != w.sum || er.NRR != w.nrr || er.IKM != w.ikm || er.Mutu != w.mutu {
			t.Errorf("element %d = %+v; want key %s answers %d sum %d NRR %v IKM %v mutu %q",
				e, er, Elements[e], w.answers, w.sum, w.nrr, w.ikm, w.mutu)
		}
		if got, want := er.Weighted, w.nrr/9; math.Abs(got-want) > 1e-15 {
			t.Errorf("%s weighted = %v, want %v", er.Key, got, want)
		}
	}
	if got, want := r.Elements[7].Weighted, 5.0/27; got != want {
		t.Errorf("pengaduan weighted = %v, want %v", got, want)
	}
	if got, want := r.Index, 335.0/108; got != want {
		t.Errorf("exact index = %v, want %v", got, want)
	}
	if got, want := r.IKM, 8375.0/108; got != want {
		t.Errorf("exact IKM = %v, want %v", got, want)
	}
	if got, want := r.IKM2, 77.55; got != want {
		t.Errorf("exact IKM2 = %v, want %v", got, want)
	}
	if got, want := r.Mutu, MutuB; got != want {
		t.Errorf("exact mutu = %q, want %q", got, want)
	}

	l := tally.Result(LegacyWeights)
	if got, want := l.Index, 3.09875; got != want {
		t.Errorf("legacy index = %v, want %v", got, want)
	}
	if got, want := l.IKM, 77.46875; got != want {
		t.Errorf("legacy IKM = %v, want %v", got, want)
	}
	if got, want := l.IKM2, 77.47; got != want {
		t.Errorf("legacy IKM2 = %v, want %v", got, want)
	}
	if got, want := l.Elements[0].Weighted, 3.5*0.111; math.Abs(got-want) > 1e-15 {
		t.Errorf("legacy persyaratan weighted = %v, want %v", got, want)
	}
}

func TestResultUnanswered(t *testing.T) {
	var none Tally
	none.Add(Scores{})
	r := none.Result(ExactWeights)
	if r.Valid || r.Index != 0 || r.IKM != 0 || r.IKM2 != 0 || r.Mutu != "" || r.Respondents != 1 {
		t.Errorf("no answers: got %+v, want invalid with zero index, empty mutu, 1 respondent", r)
	}
	for e, er := range r.Elements {
		if er.Key != Elements[e] || er.Answers != 0 || er.NRR != 0 || er.Mutu != "" || er.Weighted != 0 {
			t.Errorf("no answers: element %d = %+v, want only its key", e, er)
		}
	}
	if got := r.Weakest(3); len(got) != 0 {
		t.Errorf("no answers: Weakest(3) = %v, want empty", got)
	}

	// Sarana never answered: it must not count as zero in the mean.
	var partial Tally
	partial.Add(Scores{4, 4, 4, 4, 4, 4, 4, 4, 0})
	partial.Add(Scores{4, 4, 4, 4, 4, 4, 4, 4, 0})
	r = partial.Result(ExactWeights)
	if !r.Valid || r.IKM != 100 || r.Mutu != MutuA {
		t.Errorf("eight answered: got IKM %v mutu %q, want 100 A", r.IKM, r.Mutu)
	}
	if got, want := r.Elements[0].Weighted, 0.5; got != want {
		t.Errorf("eight answered: weight = %v, want %v (1/8 x 4)", got, want)
	}
	if er := r.Elements[8]; er.Answers != 0 || er.Weighted != 0 || er.Mutu != "" {
		t.Errorf("eight answered: sarana = %+v, want empty", er)
	}
	// Legacy keeps 0.111 per answered element, as documented.
	if got, want := partial.Result(LegacyWeights).IKM2, 88.8; got != want {
		t.Errorf("eight answered legacy: IKM2 = %v, want %v", got, want)
	}

	// A partly skipped element keeps its own denominator.
	var mixed Tally
	mixed.Add(Scores{4, 1, 1, 1, 1, 1, 1, 1, 1})
	mixed.Add(Scores{0, 1, 1, 1, 1, 1, 1, 1, 1})
	mixed.Add(Scores{2, 1, 1, 1, 1, 1, 1, 1, 1})
	if got, want := mixed.Result(ExactWeights).Elements[0].NRR, 3.0; got != want {
		t.Errorf("persyaratan NRR = %v, want %v (6 over 2 answers)", got, want)
	}
}

// TestPriorities: the weakest elements below mutu A; one at A (NRR 4,00
// or 3,5324 and up) is never a follow-up priority.
func TestPriorities(t *testing.T) {
	tally := uniform(
		[4]uint32{0, 0, 0, 3}, // persyaratan 4: A
		[4]uint32{0, 0, 3, 0}, // prosedur 3: C
		[4]uint32{0, 0, 1, 2}, // waktu 11/3 = 3.67: A
		[4]uint32{0, 1, 2, 0}, // biaya 8/3 = 2.67: C
	)
	var got []ElementKey
	for _, e := range tally.Result(ExactWeights).Priorities(3) {
		got = append(got, e.Key)
	}
	if want := []ElementKey{Biaya, Prosedur}; !slices.Equal(got, want) {
		t.Errorf("Priorities(3) = %v, want %v", got, want)
	}
	if got := uniform([4]uint32{0, 0, 0, 3}).Result(ExactWeights).Priorities(3); got != nil {
		t.Errorf("Priorities of an all-A unit = %v, want none", got)
	}
}

func TestWeakest(t *testing.T) {
	r := workedExample().Result(ExactWeights)
	keys := func(ers []ElementResult) []ElementKey {
		var out []ElementKey
		for _, er := range ers {
			out = append(out, er.Key)
		}
		return out
	}
	tests := []struct {
		n    int
		want []ElementKey
	}{
		{-1, nil},
		{0, nil},
		{1, []ElementKey{Pengaduan}},
		{3, []ElementKey{Pengaduan, Waktu, Sarana}}, // waktu and sarana tie at 2.75
		{4, []ElementKey{Pengaduan, Waktu, Sarana, Prosedur}},
		{99, []ElementKey{Pengaduan, Waktu, Sarana, Prosedur, Produk, Kompetensi, Persyaratan, Perilaku, Biaya}},
	}
	for _, tt := range tests {
		if got := keys(r.Weakest(tt.n)); !slices.Equal(got, tt.want) {
			t.Errorf("Weakest(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}

	// Equal NRRs from different fractions tie exactly; unanswered are left out.
	tally := uniform(
		[4]uint32{0, 0, 0, 1},  // 4
		[4]uint32{0, 2, 0, 0},  // 2 = 4/2
		[4]uint32{0, 0, 0, 0},  // unanswered
		[4]uint32{0, 1, 0, 0},  // 2 = 2/1
		[4]uint32{1, 0, 1, 0},  // 2 = 4/2
		[4]uint32{0, 10, 0, 1}, // 24/11 = 2.1818...
	)
	got := keys(tally.Result(ExactWeights).Weakest(9))
	want := []ElementKey{Prosedur, Biaya, Produk, Kompetensi, Persyaratan}
	if !slices.Equal(got, want) {
		t.Errorf("Weakest with ties = %v, want %v", got, want)
	}
	// Best first, the ties still in Elements order.
	got = keys(tally.Result(ExactWeights).Strongest(9))
	want = []ElementKey{Persyaratan, Kompetensi, Prosedur, Biaya, Produk}
	if !slices.Equal(got, want) {
		t.Errorf("Strongest with ties = %v, want %v", got, want)
	}
}

func TestStrongest(t *testing.T) {
	r := workedExample().Result(ExactWeights)
	tests := []struct {
		n    int
		want []ElementKey
	}{
		{-1, nil},
		{0, nil},
		{1, []ElementKey{Biaya}},
		{3, []ElementKey{Biaya, Perilaku, Persyaratan}},
		{99, []ElementKey{Biaya, Perilaku, Persyaratan, Produk, Kompetensi, Prosedur, Waktu, Sarana, Pengaduan}}, // produk and kompetensi tie, as waktu and sarana
	}
	for _, tt := range tests {
		var got []ElementKey
		for _, er := range r.Strongest(tt.n) {
			got = append(got, er.Key)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Strongest(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestTallyAddRemoveMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2017))
	var responses []Scores
	for range 500 {
		var s Scores
		for e := range s {
			s[e] = uint8(rng.IntN(MaxScore + 1)) // 0 = unanswered
		}
		responses = append(responses, s)
	}

	var all, a, b Tally
	var wantAnswers, wantSum [NumElements]uint64
	for i, s := range responses {
		all.Add(s)
		if i%3 == 0 {
			a.Add(s)
		} else {
			b.Add(s)
		}
		for e, v := range s {
			if v != 0 {
				wantAnswers[e]++
				wantSum[e] += uint64(v)
			}
		}
	}
	if all.Respondents != len(responses) {
		t.Errorf("respondents = %d, want %d", all.Respondents, len(responses))
	}
	for e := range NumElements {
		if got, want := all.Answers(e), wantAnswers[e]; got != want {
			t.Errorf("Answers(%d) = %d, want %d", e, got, want)
		}
		if got, want := all.Sum(e), wantSum[e]; got != want {
			t.Errorf("Sum(%d) = %d, want %d", e, got, want)
		}
	}

	merged := a
	merged.Merge(b)
	if merged != all {
		t.Errorf("a.Merge(b) = %+v, want %+v", merged, all)
	}
	if got, want := merged.Result(ExactWeights), all.Result(ExactWeights); got != want {
		t.Errorf("merged result = %+v, want %+v", got, want)
	}

	// Removing b's responses from the whole leaves a.
	rest := all
	for i, s := range responses {
		if i%3 != 0 {
			rest.Remove(s)
		}
	}
	if rest != a {
		t.Errorf("all minus b = %+v, want %+v", rest, a)
	}

	// A respondent replacing an answer: remove the old, add the new.
	replaced := all
	replaced.Remove(responses[0])
	replaced.Add(Scores{1, 1, 1, 1, 1, 1, 1, 1, 1})
	replaced.Remove(Scores{1, 1, 1, 1, 1, 1, 1, 1, 1})
	replaced.Add(responses[0])
	if replaced != all {
		t.Errorf("replace and restore changed the tally")
	}

	var empty Tally
	empty.Remove(Scores{4, 4, 4, 4, 4, 4, 4, 4, 4})
	if empty != (Tally{}) {
		t.Errorf("Remove on an empty tally = %+v, want it to stay empty", empty)
	}

	// Out-of-range scores are skipped by both Add and Remove.
	var bad Tally
	bad.Add(Scores{5, 255, 4})
	if got, want := bad.Answers(0)+bad.Answers(1), uint64(0); got != want {
		t.Errorf("out-of-range answers counted: %d, want %d", got, want)
	}
	if got, want := bad.Answers(2), uint64(1); got != want {
		t.Errorf("Answers(2) = %d, want %d", got, want)
	}
	bad.Remove(Scores{5, 255, 4})
	if bad != (Tally{}) {
		t.Errorf("Add then Remove of out-of-range scores = %+v, want empty", bad)
	}
}
