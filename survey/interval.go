package survey

import "math"

// MinIntervalRespondents is the fewest respondents for which Interval
// gives an interval: below it the normal approximation is too rough to
// print.
const MinIntervalRespondents = 30

// Z95 is the normal quantile of a two-sided 95% interval.
const Z95 = 1.959963984540054

// IKMInterval is a confidence interval for an IKM, on the 25..100 scale.
type IKMInterval struct {
	Valid     bool
	Lo, Hi    float64 // clamped to 25..100
	HalfWidth float64 // before clamping
}

// Interval returns a conservative normal-approximation confidence interval
// for the IKM of t at quantile z (Z95 for 95%).
//
// The IKM is 25 times a weighted sum of the element NRRs, and each NRR is
// the mean of that element's answers, so its standard error is s_e/sqrt(n_e)
// with s_e the sample standard deviation of the element's scores and n_e
// its answers, both of which the tally's score counts give exactly. The
// standard error of the sum would need the correlations between elements,
// which only per-respondent data has; a tally has none. Since
// sd(X+Y) <= sd(X)+sd(Y) whatever the correlation, the interval uses
//
//	SE(IKM) <= 25 x sum over elements of w_e x s_e / sqrt(n_e)
//
// which is the exact standard error if all elements were perfectly
// correlated and an upper bound otherwise: the interval is never too
// narrow on this count (treating the elements as independent would make it
// narrower than the truth, since satisfied respondents tend to rate every
// element high). It covers sampling error only, as if respondents were a
// random sample of the unit's users; self-selection is not in it.
//
// It is not Valid with fewer than MinIntervalRespondents respondents, when
// an answered element has fewer than two answers, or when every element's
// answers are all the same (zero spread is no evidence of zero error).
func (t Tally) Interval(w Weighting, z float64) IKMInterval {
	if t.Respondents < MinIntervalRespondents {
		return IKMInterval{}
	}
	r := t.Result(w)
	if !r.Valid {
		return IKMInterval{}
	}
	k := 0
	for e := range t.Dist {
		if t.Answers(e) > 0 {
			k++
		}
	}
	weight := 1 / float64(k)
	if w == LegacyWeights {
		weight = 0.111
	}
	var se float64
	for e := range t.Dist {
		n := t.Answers(e)
		if n == 0 {
			continue
		}
		if n < 2 {
			return IKMInterval{}
		}
		mean := float64(t.Sum(e)) / float64(n)
		var ss float64
		for s, c := range t.Dist[e] {
			d := float64(s+1) - mean
			ss += float64(c) * d * d
		}
		sd := math.Sqrt(ss / float64(n-1))
		se += weight * sd / math.Sqrt(float64(n))
	}
	if se == 0 {
		// Every answer the same: the normal approximation has nothing to
		// go on, and an interval of zero width would claim certainty.
		return IKMInterval{}
	}
	half := z * 25 * se
	return IKMInterval{
		Valid:     true,
		Lo:        math.Max(25, r.IKM-half),
		Hi:        math.Min(100, r.IKM+half),
		HalfWidth: half,
	}
}
