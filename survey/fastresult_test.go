package survey

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// weightings are the options Result must agree on; any value other than
// LegacyWeights behaves like ExactWeights.
var weightings = []Weighting{ExactWeights, LegacyWeights, Weighting(7)}

// checkFast compares fastResult with the big.Rat reference for every
// weighting, field by field (Result is comparable; no figure is NaN). Where
// fastResult gives up, it checks the reason fastResult's comment gives: the
// IKM lies exactly on a hundredths tie. It returns how often that happened.
func checkFast(t testing.TB, name string, tally Tally) (fallbacks int) {
	t.Helper()
	for _, w := range weightings {
		want := tally.ratResult(w)
		got, ok := tally.fastResult(w)
		if !ok {
			if !onTie(tally, w) {
				t.Fatalf("%s, weighting %d: fastResult gave up, but the IKM is not on a tie; tally %+v", name, w, tally)
			}
			fallbacks++
			got = tally.Result(w)
		}
		if got != want {
			t.Fatalf("%s, weighting %d, fast path taken %v:\n got %+v\nwant %+v\ntally %+v", name, w, ok, got, want, tally)
		}
	}
	return fallbacks
}

// onTie reports whether the tally's exact IKM is a whole number of
// half-hundredths, computed afresh in big.Rat.
func onTie(tally Tally, w Weighting) bool {
	sum, k := new(big.Rat), int64(0)
	for e := range tally.Dist {
		if a := tally.Answers(e); a > 0 {
			sum.Add(sum, new(big.Rat).SetFrac(new(big.Int).SetUint64(tally.Sum(e)), new(big.Int).SetUint64(a)))
			k++
		}
	}
	weight := big.NewRat(1, max(k, 1))
	if w == LegacyWeights {
		weight = big.NewRat(111, 1000)
	}
	// 200 x IKM = 200 x 25 x weight x sum of NRRs.
	return sum.Mul(sum, weight).Mul(sum, big.NewRat(5000, 1)).IsInt()
}

// sameAnswers returns a tally in which each of the nine elements has a
// answers summing to s (a <= s <= 4a): that element's NRR is s/a.
func sameAnswers(a, s uint64) Tally {
	var c [MaxScore]uint32
	switch {
	case s <= 2*a: // scores 1 and 2
		c[1] = uint32(s - a)
		c[0] = uint32(a) - c[1]
	case s <= 3*a:
		c[2] = uint32(s - 2*a)
		c[1] = uint32(a) - c[2]
	default:
		c[3] = uint32(s - 3*a)
		c[2] = uint32(a) - c[3]
	}
	var t Tally
	for e := range t.Dist {
		t.Dist[e] = c
	}
	return t
}

// randomTally draws a tally of one of several shapes: counts from tiny to
// the uint32 limit, elements nobody answered, a single respondent, and every
// answered element with the same number of answers (as from the chat) or
// not (as from paper forms with blanks). sameA reports the latter.
func randomTally(rng *rand.Rand) (tally Tally, sameA bool) {
	limits := []uint32{1, 2, 3, 10, 1000, 1 << 20, 1 << 31, math.MaxUint32}
	limit := limits[rng.IntN(len(limits))]
	count := func() uint32 { return uint32(rng.Uint64N(uint64(limit) + 1)) }
	switch rng.IntN(4) {
	case 0, 1: // any counts at all
		for e := range tally.Dist {
			for s := range tally.Dist[e] {
				tally.Dist[e][s] = count()
			}
		}
	case 2: // one respondent, some elements possibly unanswered
		var sc Scores
		for e := range sc {
			sc[e] = uint8(rng.IntN(MaxScore + 1))
		}
		tally.Add(sc)
	default: // the same number of answers, split differently per element
		base := [MaxScore]uint32{count(), count(), count(), count()}
		for e := range tally.Dist {
			p := rng.Perm(MaxScore)
			for s := range tally.Dist[e] {
				tally.Dist[e][s] = base[p[s]]
			}
		}
	}
	tally.Respondents = rng.IntN(1 << 20)
	// Now and then leave elements unanswered.
	if rng.IntN(3) == 0 {
		for range 1 + rng.IntN(NumElements) {
			tally.Dist[rng.IntN(NumElements)] = [MaxScore]uint32{}
		}
	}
	var a uint64
	sameA = true
	for e := range tally.Dist {
		if n := tally.Answers(e); n > 0 {
			if a > 0 && n != a {
				sameA = false
			}
			a = n
		}
	}
	return tally, sameA
}

func TestFastResultRandom(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	rng := rand.New(rand.NewPCG(14, 2017))
	var sameA, mixed int
	for i := range n {
		tally, same := randomTally(rng)
		f := checkFast(t, "random tally", tally)
		if same {
			sameA++
			if f > 0 {
				t.Fatalf("random tally %d: every element has the same answers, but fastResult gave up: %+v", i, tally)
			}
		} else {
			mixed++
		}
	}
	if sameA < n/4 || mixed < n/4 {
		t.Errorf("%d tallies with the same answers per element and %d without; want at least %d of each", sameA, mixed, n/4)
	}
}

// TestFastResultBoundaries puts the IKM exactly on a rounding tie, or just
// beside one, where only exact arithmetic rounds right (SKM.md: classify
// after rounding half up to 2 decimals).
func TestFastResultBoundaries(t *testing.T) {
	const m = 800_000 // 5000 m answers, just below the uint32 limit
	tests := []struct {
		name  string
		tally Tally
		w     Weighting
		ikm2  float64
		want  Mutu
		// giveUp: the denominators differ and the IKM is exactly on a tie,
		// the one case fastResult must leave to ratResult (its point 4);
		// with the same denominators it decides ties itself (point 3).
		giveUp bool
	}{
		// Nine elements with the same NRR s/a: the IKM is 25 s/a.
		{"76.605", sameAnswers(5000, 15321), ExactWeights, 76.61, MutuB, false},
		{"76.605 - 6.25e-9", sameAnswers(5000*m, 15321*m-1), ExactWeights, 76.60, MutuC, false},
		{"76.605 + 6.25e-9", sameAnswers(5000*m, 15321*m+1), ExactWeights, 76.61, MutuB, false},
		{"64.995", sameAnswers(5000, 12999), ExactWeights, 65.00, MutuC, false},
		{"64.985", sameAnswers(5000, 12997), ExactWeights, 64.99, MutuD, false},
		{"88.305", sameAnswers(5000, 17661), ExactWeights, 88.31, MutuA, false},
		{"88.295", sameAnswers(5000, 17659), ExactWeights, 88.30, MutuB, false},
		{"100", sameAnswers(math.MaxUint32, 4*math.MaxUint32), ExactWeights, 100, MutuA, false},
		{"25", sameAnswers(math.MaxUint32, math.MaxUint32), ExactWeights, 25, MutuD, false},
		// Legacy: IKM = 2.775 x sum of NRRs; 76.605 = 2.775 x 9 x 5107/1665.
		{"legacy 76.605", sameAnswers(1665, 5107), LegacyWeights, 76.61, MutuB, false},
		{"legacy 99.9", sameAnswers(3, 12), LegacyWeights, 99.9, MutuA, false},
		{"legacy 24.975", sameAnswers(3, 3), LegacyWeights, 24.98, MutuD, false},
		// Different denominators: the ties of TestResultTies, and one with
		// two elements: 25/2 x (3/1 + 7821/2500) = 76.605.
		{"mixed 76.605", uniform([4]uint32{0, 0, 1, 0}, [4]uint32{0, 0, 2500 - 321, 321}), ExactWeights, 76.61, MutuB, true},
		{"mixed 76.605 nine", tieOfNine([4]uint32{0, 0, 1, 0}, 2889), ExactWeights, 76.61, MutuB, true},
		{"mixed 64.995 nine", tieOfNine([4]uint32{0, 1, 1, 0}, 1991), ExactWeights, 65.00, MutuC, true},
		{"mixed 88.305 nine", tieOfNine([4]uint32{0, 0, 1, 1}, 3949), ExactWeights, 88.31, MutuA, true},
		{"mixed 76.6044 nine", tieOfNine([4]uint32{0, 0, 1, 0}, 2888), ExactWeights, 76.60, MutuC, false},
	}
	for _, tt := range tests {
		r := tt.tally.Result(tt.w)
		if r.IKM2 != tt.ikm2 || r.Mutu != tt.want {
			t.Errorf("%s: got IKM %v IKM2 %v mutu %q, want IKM2 %v mutu %q", tt.name, r.IKM, r.IKM2, r.Mutu, tt.ikm2, tt.want)
		}
		// Nine equal elements each have the grade of the whole.
		same := true
		for _, d := range tt.tally.Dist {
			same = same && d == tt.tally.Dist[0]
		}
		if same && tt.w == ExactWeights {
			for _, er := range r.Elements {
				if er.Mutu != tt.want {
					t.Errorf("%s: %s mutu %q, want %q", tt.name, er.Key, er.Mutu, tt.want)
				}
			}
		}
		if _, ok := tt.tally.fastResult(tt.w); ok == tt.giveUp {
			t.Errorf("%s: fastResult answered %v, want %v", tt.name, ok, !tt.giveUp)
		}
		checkFast(t, tt.name, tt.tally)
	}
}

// tieOfNine is TestResultTies' tally: eight elements with counts eight and
// the ninth with 5000 answers, of which four are 4s and the rest 3s.
func tieOfNine(eight [MaxScore]uint32, four uint32) Tally {
	return uniform(eight, eight, eight, eight, eight, eight, eight, eight, [4]uint32{0, 0, 5000 - four, four})
}

// TestFixedFloat checks the rounding of fixed to float64 against big.Rat,
// on random values and on ties, where round-half-to-even matters.
func TestFixedFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 128))
	two128 := new(big.Int).Lsh(big.NewInt(1), 128)
	for range 100_000 {
		x := fixed{i: rng.Uint64() >> rng.IntN(65), hi: rng.Uint64(), lo: rng.Uint64()}
		// Clear low bits now and then, so that many values are exact or
		// exactly halfway between two float64s.
		switch rng.IntN(4) {
		case 0:
			x.lo = 0
			x.hi &^= 1<<rng.IntN(64) - 1
		case 1:
			x.i = 0
			x.lo &^= 1<<rng.IntN(64) - 1
		case 2:
			x.i, x.hi = 0, 0
		}
		num := new(big.Int).SetUint64(x.i)
		num.Lsh(num, 64).Or(num, new(big.Int).SetUint64(x.hi))
		num.Lsh(num, 64).Or(num, new(big.Int).SetUint64(x.lo))
		want, _ := new(big.Rat).SetFrac(num, two128).Float64()
		if got := x.float(); got != want {
			t.Fatalf("%+v.float() = %v (%b), want %v (%b)", x, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
}

// decodeTally reads a fuzz input. With the first byte even, 36 varints are
// the counts (clamped to uint32). With it odd, four varints are one split
// of the answers and then each element takes a byte: which of the 24
// orders of that split it has, or unanswered; so every answered element
// has the same number of answers.
func decodeTally(data []byte) Tally {
	var t Tally
	if len(data) == 0 {
		return t
	}
	mode, data := data[0], data[1:]
	next := func() uint32 {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			data = nil
			return 0
		}
		data = data[n:]
		return uint32(min(v, math.MaxUint32))
	}
	if mode%2 == 0 {
		for e := range t.Dist {
			for s := range t.Dist[e] {
				t.Dist[e][s] = next()
			}
		}
		return t
	}
	base := [MaxScore]uint32{next(), next(), next(), next()}
	for e := range t.Dist {
		if len(data) == 0 {
			break
		}
		b := data[0]
		data = data[1:]
		if b >= 24 {
			continue
		}
		p := permutations[b]
		for s := range t.Dist[e] {
			t.Dist[e][s] = base[p[s]]
		}
	}
	return t
}

// permutations are the 24 orders of four scores.
var permutations = func() (ps [][MaxScore]int) {
	for a := range 4 {
		for b := range 4 {
			for c := range 4 {
				for d := range 4 {
					if a != b && a != c && a != d && b != c && b != d && c != d {
						ps = append(ps, [MaxScore]int{a, b, c, d})
					}
				}
			}
		}
	}
	return ps
}()

// encodeTally is decodeTally's first mode backwards, for seeds.
func encodeTally(t Tally) []byte {
	out := []byte{0}
	for e := range t.Dist {
		for _, c := range t.Dist[e] {
			out = binary.AppendUvarint(out, uint64(c))
		}
	}
	return out
}

func FuzzResult(f *testing.F) {
	f.Add(encodeTally(workedExample()))
	f.Add(encodeTally(tieOfNine([4]uint32{0, 0, 1, 0}, 2889)))
	f.Add(encodeTally(sameAnswers(5000, 15321)))
	f.Add(encodeTally(sameAnswers(math.MaxUint32, 3*math.MaxUint32+5)))
	f.Add([]byte{1, 3, 0, 2, 200, 1, 0, 1, 2, 3, 4, 5, 6, 7, 255})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0, 0, 9, 23, 22, 30})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, "fuzzed tally", decodeTally(data))
	})
}

// benchTally is a unit's year like the bot benchmarks' seeded city (1M
// responses over 89 units, scores mostly 3 and 4); blank > 0 leaves about one
// element in blank unanswered, as paper forms may, so that the elements'
// denominators differ.
func benchTally(blank int) Tally {
	rng := rand.New(rand.NewPCG(6, uint64(blank)))
	var t Tally
	for range 11_236 {
		var s Scores
		for e := range s {
			if blank > 0 && rng.IntN(blank) == 0 {
				continue
			}
			s[e] = uint8(1 + min(3, rng.IntN(5)))
		}
		t.Add(s)
	}
	return t
}

// BenchmarkResult is the per-unit cost of a city report (one Result per
// unit and one for the city).
func BenchmarkResult(b *testing.B) {
	for _, bc := range []struct {
		name  string
		tally Tally
		w     Weighting
	}{
		{"all-answered/exact", benchTally(0), ExactWeights},
		{"all-answered/legacy", benchTally(0), LegacyWeights},
		{"some-blank/exact", benchTally(20), ExactWeights},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var r Result
			for b.Loop() {
				r = bc.tally.Result(bc.w)
			}
			if !r.Valid {
				b.Fatal("no result")
			}
		})
	}
}
