package survey

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIntervalIsConservative draws respondents whose element scores are
// strongly correlated (a satisfied person rates everything high) and checks
// that the interval computed from the tally alone is never narrower than
// the normal interval computed from the per-respondent index values, which
// only raw responses give.
func TestIntervalIsConservative(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := MinIntervalRespondents + rng.IntN(400)
		corr := rng.Float64()
		var tl Tally
		idx := make([]float64, n)
		for i := range n {
			mood := 1 + rng.IntN(4)
			var s Scores
			sum := 0
			for e := range s {
				v := mood
				if rng.Float64() > corr {
					v = 1 + rng.IntN(4)
				}
				s[e] = uint8(v)
				sum += v
			}
			tl.Add(s)
			idx[i] = 25 * float64(sum) / NumElements
		}
		var mean, ss float64
		for _, x := range idx {
			mean += x
		}
		mean /= float64(n)
		for _, x := range idx {
			ss += (x - mean) * (x - mean)
		}
		exact := Z95 * math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
		iv := tl.Interval(ExactWeights, Z95)
		if !iv.Valid {
			t.Fatalf("trial %d: no interval for %d respondents", trial, n)
		}
		if iv.HalfWidth < exact-1e-9 {
			t.Errorf("trial %d (n=%d, corr %.2f): half-width %.4f narrower than the per-respondent %.4f", trial, n, corr, iv.HalfWidth, exact)
		}
		if r := tl.Result(ExactWeights); math.Abs(r.IKM-mean) > 1e-9 {
			t.Errorf("trial %d: IKM %v, per-respondent mean %v", trial, r.IKM, mean)
		}
	}
}

func TestIntervalEdges(t *testing.T) {
	var few Tally
	for range MinIntervalRespondents - 1 {
		few.Add(Scores{4, 4, 4, 4, 4, 4, 4, 4, 4})
	}
	if iv := few.Interval(ExactWeights, Z95); iv.Valid {
		t.Errorf("interval with %d respondents: %+v, want none", few.Respondents, iv)
	}
	all4 := few
	all4.Add(Scores{4, 4, 4, 4, 4, 4, 4, 4, 4})
	if iv := all4.Interval(ExactWeights, Z95); iv.Valid {
		t.Errorf("all answers 4: %+v, want no interval", iv)
	}
	// Half 1s and half 4s on one element only: s = 1.5 x sqrt(n/(n-1)).
	var one Tally
	for i := range 40 {
		one.Add(Scores{uint8(1 + 3*(i%2))})
	}
	iv := one.Interval(ExactWeights, Z95)
	want := Z95 * 25 * 1.5 * math.Sqrt(40.0/39) / math.Sqrt(40)
	if !iv.Valid || math.Abs(iv.HalfWidth-want) > 1e-9 || math.Abs(iv.Lo-(62.5-want)) > 1e-9 || math.Abs(iv.Hi-(62.5+want)) > 1e-9 {
		t.Errorf("one element, half 1 half 4: %+v, want half-width %v around 62.5", iv, want)
	}
}
