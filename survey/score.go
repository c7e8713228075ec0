package survey

import (
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
)

// Tally keeps score counts rather than responses so that live aggregates can
// be stored, merged across units and periods, and corrected in place.
type Tally struct {
	Respondents int                           // responses counted
	Dist        [NumElements][MaxScore]uint32 // Dist[e][s-1] = how many answered score s for element e
}

// Add counts one response; unanswered elements stay out of that element's
// denominator, as the regulation divides by answers given, not by respondents.
// Scores outside 1..4 are skipped like unanswered ones: Scores.Valid is the
// gate, and a tally must never index out of range because of one bad record.
func (t *Tally) Add(s Scores) {
	t.Respondents++
	for e, v := range s {
		if v >= MinScore && v <= MaxScore {
			t.Dist[e][v-1]++
		}
	}
}

// Remove undoes Add, for a respondent who replaces an earlier answer. Counts
// stop at zero instead of wrapping, so that removing a response that was never
// added cannot turn into four billion answers.
func (t *Tally) Remove(s Scores) {
	if t.Respondents > 0 {
		t.Respondents--
	}
	for e, v := range s {
		if v >= MinScore && v <= MaxScore && t.Dist[e][v-1] > 0 {
			t.Dist[e][v-1]--
		}
	}
}

// Merge adds o's counts, which gives the IKM pooled over all respondents of
// both tallies (not the mean of their two IKMs).
func (t *Tally) Merge(o Tally) {
	t.Respondents += o.Respondents
	for e := range t.Dist {
		for s := range t.Dist[e] {
			t.Dist[e][s] += o.Dist[e][s]
		}
	}
}

// Answers returns the NRR denominator of element index e.
func (t Tally) Answers(e int) uint64 { return distAnswers(t.Dist[e][:]) }

// Sum returns the NRR numerator of element index e.
func (t Tally) Sum(e int) uint64 { return distSum(t.Dist[e][:]) }

// distAnswers counts the answers of a score distribution (dist[s-1] =
// how many answered s), for the elements and the extra items alike.
func distAnswers(dist []uint32) uint64 {
	var n uint64
	for _, c := range dist {
		n += uint64(c)
	}
	return n
}

// distSum adds up the scores of a score distribution.
func distSum(dist []uint32) uint64 {
	var n uint64
	for s, c := range dist {
		n += uint64(s+1) * uint64(c)
	}
	return n
}

// Weighting selects the element weight, so that reports printed with the
// regulation's rounded 0.111 can be reproduced.
type Weighting int

// Weightings; any other value behaves like ExactWeights.
const (
	ExactWeights  Weighting = iota // 1/k, the default
	LegacyWeights                  // 0.111 per element, as printed in the regulation's worksheets (reads ~0.1% low)
)

// Mutu is the service-quality grade (mutu pelayanan) of PermenPANRB 14/2017.
type Mutu string

// The four grades; the empty Mutu means "nothing to grade".
const (
	MutuA Mutu = "A"
	MutuB Mutu = "B"
	MutuC Mutu = "C"
	MutuD Mutu = "D"
)

// Band edges in hundredths of an IKM point. The regulation's table leaves gaps
// (76.60 < x < 76.61, ...); classifying the value rounded to two decimals
// closes them.
const (
	minC = 6500
	minB = 7661
	minA = 8831
)

// Classify grades an IKM on the 25..100 scale the way the regulation's table
// reads: after rounding half-up to 2 decimals, so that the table's gaps never
// leave a value ungraded. NaN has no grade.
func Classify(ikm float64) Mutu {
	switch {
	case math.IsNaN(ikm):
		return ""
	case math.IsInf(ikm, 1):
		return MutuA
	case math.IsInf(ikm, -1):
		return MutuD
	}
	return classifyHundredths(hundredths(decimalRat(ikm)))
}

func classifyHundredths(h *big.Int) Mutu {
	if !h.IsInt64() {
		if h.Sign() < 0 {
			return MutuD
		}
		return MutuA
	}
	return gradeHundredths(h.Int64())
}

// gradeHundredths grades an IKM already rounded to v hundredths.
func gradeHundredths(v int64) Mutu {
	switch {
	case v < minC:
		return MutuD
	case v < minB:
		return MutuC
	case v < minA:
		return MutuB
	}
	return MutuA
}

// Kinerja returns the official label of the unit's performance for reports;
// "" for an unknown grade.
func (m Mutu) Kinerja() string {
	switch m {
	case MutuA:
		return "Sangat Baik"
	case MutuB:
		return "Baik"
	case MutuC:
		return "Kurang Baik"
	case MutuD:
		return "Tidak Baik"
	}
	return ""
}

// Nilai returns the table's nilai persepsi (4 for A down to 1 for D), or 0 for
// an unknown grade.
func (m Mutu) Nilai() int {
	switch m {
	case MutuA:
		return 4
	case MutuB:
		return 3
	case MutuC:
		return 2
	case MutuD:
		return 1
	}
	return 0
}

// ElementResult is one row of the regulation's worksheet, which units use to
// plan follow-up on their weakest elements.
type ElementResult struct {
	Key      ElementKey
	Answers  uint64
	Sum      uint64
	NRR      float64 // Sum/Answers; 0 when no answers
	Weighted float64 // NRR x weight (NRR tertimbang)
	IKM      float64 // NRR x 25, unrounded
	Mutu     Mutu    // from NRR x 25 on the same table ("" when no answers)
}

// Result is the computed index of one tally, with the per-element worksheet.
type Result struct {
	Respondents int
	Elements    [NumElements]ElementResult
	Valid       bool    // false when no element has any answer (then Index/IKM are 0 and Mutu "")
	Index       float64 // sum of weighted NRRs (1..4)
	IKM         float64 // 25 x Index, unrounded
	IKM2        float64 // IKM rounded half-up to 2 decimals, for display and classification
	Mutu        Mutu
}

// Result computes NRRs, the index, the IKM and its grade.
//
// Every NRR is a ratio of integers, and every figure is defined from the
// exact rational values: each float64 field is the float64 nearest to its
// exact value, and IKM2 and the grades come from rounding the exact IKM. That
// matters for the half-up rounding that decides the grade: an IKM of exactly
// 76.605 must become 76.61 (B), but in float64 arithmetic the same value
// typically comes out as 76.60499999999999 and would round to 76.60 (C). From
// the exact rational value the rounding is never in doubt, and exact inputs
// give exact results (all answers 4 give IKM 100, not 99.99999999999999).
// ratResult is the reference, in math/big.Rat; fastResult gets the same bits
// with machine integers (see there why) and leaves the rare value it cannot
// be sure of to ratResult.
//
// With ExactWeights the weight is 1/k, k being the number of elements with at
// least one answer, so an element nobody answered neither counts as zero nor
// dilutes the others. LegacyWeights multiplies each answered element by 0.111
// exactly as the regulation's worksheets do; it only reproduces those
// worksheets when all nine elements are answered.
func (t Tally) Result(w Weighting) Result {
	if r, ok := t.fastResult(w); ok {
		return r
	}
	return t.ratResult(w)
}

// ratResult is Result computed in math/big.Rat throughout, converted to
// float64 only at the end: slow (a city report computes about a hundred) but
// obviously right, so it is the reference that fastResult is tested against.
func (t Tally) ratResult(w Weighting) Result {
	r := Result{Respondents: t.Respondents}
	var nrrs [NumElements]*big.Rat
	k := 0
	for e, key := range Elements {
		er := ElementResult{Key: key, Answers: t.Answers(e), Sum: t.Sum(e)}
		if er.Answers > 0 {
			nrr := new(big.Rat).SetFrac(new(big.Int).SetUint64(er.Sum), new(big.Int).SetUint64(er.Answers))
			nrrs[e] = nrr
			k++
			ikm := new(big.Rat).Mul(nrr, big.NewRat(25, 1))
			er.NRR = ratFloat(nrr)
			er.IKM = ratFloat(ikm)
			er.Mutu = classifyHundredths(hundredths(ikm))
		}
		r.Elements[e] = er
	}
	if k == 0 {
		return r
	}
	weight := big.NewRat(1, int64(k))
	if w == LegacyWeights {
		weight = big.NewRat(111, 1000)
	}
	index := new(big.Rat)
	for e, nrr := range nrrs {
		if nrr == nil {
			continue
		}
		weighted := new(big.Rat).Mul(nrr, weight)
		r.Elements[e].Weighted = ratFloat(weighted)
		index.Add(index, weighted)
	}
	ikm := new(big.Rat).Mul(index, big.NewRat(25, 1))
	h := hundredths(ikm)
	r.Valid = true
	r.Index = ratFloat(index)
	r.IKM = ratFloat(ikm)
	r.IKM2 = ratFloat(new(big.Rat).SetFrac(h, big.NewInt(100)))
	r.Mutu = classifyHundredths(h)
	return r
}

// Weakest returns the n answered elements with the lowest NRR, where a unit's
// follow-up plan (rencana tindak lanjut) starts. Ties keep Elements order so
// the list is stable from one report to the next; NRRs are compared exactly,
// not as floats. n <= 0 returns nil.
func (r Result) Weakest(n int) []ElementResult { return r.answered(n, compareNRR) }

// Priorities returns up to n answered elements below mutu A, the lowest
// NRR first, as Weakest orders them: the follow-up priorities. An element
// at mutu A (sangat baik) is no priority however it ranks, so a unit
// graded A on every element has none.
func (r Result) Priorities(n int) []ElementResult {
	var out []ElementResult
	for _, e := range r.Weakest(NumElements) {
		if e.Mutu != MutuA && len(out) < n {
			out = append(out, e)
		}
	}
	return out
}

// Strongest returns the n answered elements with the highest NRR, best
// first: where a unit, or a city, does best. Ties keep Elements order, as
// in Weakest. n <= 0 returns nil.
func (r Result) Strongest(n int) []ElementResult {
	return r.answered(n, func(a, b ElementResult) int { return compareNRR(b, a) })
}

// answered returns the first n answered elements in the order of cmp,
// ties in Elements order.
func (r Result) answered(n int, cmp func(a, b ElementResult) int) []ElementResult {
	if n <= 0 {
		return nil
	}
	var out []ElementResult
	for _, er := range r.Elements {
		if er.Answers > 0 {
			out = append(out, er)
		}
	}
	slices.SortStableFunc(out, cmp)
	if len(out) > n {
		out = out[:n:n]
	}
	return out
}

// compareNRR compares a.Sum/a.Answers with b.Sum/b.Answers by cross
// multiplication in 128 bits, which cannot overflow.
func compareNRR(a, b ElementResult) int {
	ah, al := bits.Mul64(a.Sum, b.Answers)
	bh, bl := bits.Mul64(b.Sum, a.Answers)
	switch {
	case ah < bh || (ah == bh && al < bl):
		return -1
	case ah > bh || (ah == bh && al > bl):
		return 1
	}
	return 0
}

// Round2 rounds half-up (away from zero) to 2 decimals, the way the
// regulation's worksheets and every published IKM are rounded.
//
// math.Round(x*100)/100 gets ties wrong: 81.955 is stored as
// 81.95499999999999829..., and a sum of floats lands on either side of a tie
// by accident. Round2 first reads x as a decimal at 9 places (far finer than
// any survey figure, far coarser than float noise at IKM magnitudes), then
// rounds that decimal exactly. For values computed from a Tally, prefer
// Result.IKM2, which is rounded from the exact rational value.
func Round2(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return ratFloat(new(big.Rat).SetFrac(hundredths(decimalRat(x)), big.NewInt(100)))
}

// decimalRat returns x as the decimal it was meant to be, at 9 places.
func decimalRat(x float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'f', 9, 64))
	if !ok {
		// Unreachable for finite x: FormatFloat always yields a valid decimal.
		panic("survey: cannot parse " + strconv.FormatFloat(x, 'f', 9, 64))
	}
	return r
}

// hundredths returns r x 100 rounded half away from zero.
func hundredths(r *big.Rat) *big.Int {
	// floor(100 p/q + 1/2) = floor((200 p + q) / 2q) for p >= 0.
	n := new(big.Int).Mul(r.Num(), big.NewInt(200))
	neg := n.Sign() < 0
	n.Abs(n)
	n.Add(n, r.Denom())
	n.Quo(n, new(big.Int).Mul(r.Denom(), big.NewInt(2)))
	if neg {
		n.Neg(n)
	}
	return n
}

// ratFloat returns the float64 nearest to r.
func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}
