package survey

import (
	"math"
	"math/bits"
)

// fastResult computes Result with machine integers and float64 division, at
// a small fraction of ratResult's cost, and reports false for the rare tally
// where it cannot be sure of a figure: Result then asks ratResult.
//
// Why its figures are the same bits as ratResult's. Every float64 figure of
// ratResult is the float64 nearest to an exact rational (ratFloat: big.Rat
// rounds half to even), and IKM2 and the grades come from h = floor(100 v +
// 1/2) of an exact IKM v (hundredths). Sizes: a count is a uint32, so an
// element has A < 2^34 answers and a sum of scores S <= 4A < 2^36.
//
//  1. An integer below 2^53 converts to float64 exactly, and IEEE 754
//     division rounds the exact quotient to nearest, ties to even. So for
//     p, q < 2^53, float64(p)/float64(q) is the float64 nearest to p/q: the
//     same float64 as ratFloat. This gives NRR = S/A, the element's 25 S/A,
//     NRR tertimbang S/(kA) or 111 S/(1000 A) (numerators < 2^43,
//     denominators < 2^44), and IKM2 = h/100.
//  2. For v = p/q, h = floor((200 p + q) / 2q), as hundredths computes it,
//     which is integer division when 200 p + q fits in 64 bits. For an
//     element's 25 S/A that is 5000 S + A < 2^50.
//  3. When every answered element has the same number of answers A (always,
//     for answers from the chat, where elements cannot be skipped), the index
//     is one fraction too: sum(S)/(kA) or 111 sum(S)/(1000 A), with numerator
//     p < 111 x 9 x 2^36 < 2^46 and denominator q < 2^44. Then the IKM is
//     25p/q (25p < 2^51) and h = floor((5000 p + q) / 2q) with
//     5000 p + q < 2^59: 1 and 2 apply, and nothing is left to ratResult.
//  4. Otherwise (paper forms may leave elements blank), the index x is a sum
//     of up to nine fractions whose common denominator does not fit a
//     machine word. Each fraction is computed in fixed point with 128
//     fraction bits (type fixed), truncated, so their sum lo is below x by
//     less than one unit of 2^-128 per fraction, and equal to it when no
//     fraction was truncated: lo <= x <= hi = lo + n 2^-128. Every figure is
//     a non-decreasing function of x (rounding to the nearest float64, and
//     floor(5000 x) from which h = floor((floor(5000 x) + 1) / 2)), computed
//     exactly on lo and hi (fixed.mul, fixed.float); where a figure is the
//     same at both ends, it is the figure of x. It differs only when a
//     float64 rounding midpoint or a hundredths tie lies within 9 x 2^-128
//     of x: in practice only an IKM exactly on a tie such as 76.605, whose
//     truncated parts sum to just below it. Then fastResult gives up.
func (t Tally) fastResult(w Weighting) (Result, bool) {
	r := Result{Respondents: t.Respondents}
	// The index is the sum over answered elements of wn S / (wd A).
	k := uint64(0)
	var sumS, a uint64
	oneDenominator := true
	for e, key := range Elements {
		er := ElementResult{Key: key, Answers: t.Answers(e), Sum: t.Sum(e)}
		if er.Answers > 0 {
			er.NRR = float64(er.Sum) / float64(er.Answers)
			er.IKM = float64(25*er.Sum) / float64(er.Answers)
			er.Mutu = gradeHundredths(int64((5000*er.Sum + er.Answers) / (2 * er.Answers)))
			if k > 0 && er.Answers != a {
				oneDenominator = false
			}
			a = er.Answers
			sumS += er.Sum
			k++
		}
		r.Elements[e] = er
	}
	if k == 0 {
		return r, true
	}
	wn, wd := uint64(1), k
	if w == LegacyWeights {
		wn, wd = 111, 1000
	}
	for e := range r.Elements {
		if er := &r.Elements[e]; er.Answers > 0 {
			er.Weighted = float64(wn*er.Sum) / float64(wd*er.Answers)
		}
	}
	var h uint64
	if oneDenominator {
		p, q := wn*sumS, wd*a
		r.Index = float64(p) / float64(q)
		r.IKM = float64(25*p) / float64(q)
		h = (5000*p + q) / (2 * q)
	} else {
		var lo fixed
		var slack uint64
		for _, er := range r.Elements {
			if er.Answers > 0 {
				f, exact := quoFixed(wn*er.Sum, wd*er.Answers)
				lo = lo.add(f)
				if !exact {
					slack = k
				}
			}
		}
		hi := lo.add(fixed{lo: slack})
		if r.Index = lo.float(); hi.float() != r.Index {
			return Result{}, false
		}
		if r.IKM = lo.mul(25).float(); hi.mul(25).float() != r.IKM {
			return Result{}, false
		}
		m := lo.mul(5000).i
		if hi.mul(5000).i != m {
			return Result{}, false
		}
		h = (m + 1) / 2
	}
	r.Valid = true
	r.IKM2 = float64(h) / 100
	r.Mutu = gradeHundredths(int64(h))
	return r, true
}

// fixed is the non-negative number i + (hi 2^64 + lo) / 2^128: fixed point
// with 128 fraction bits, wide enough that nine truncations of 2^-128 stay
// far below anything Result rounds to.
type fixed struct{ i, hi, lo uint64 }

// quoFixed returns p/q truncated to a fixed, and whether that is exact. q > 0.
func quoFixed(p, q uint64) (fixed, bool) {
	// Long division by q, one 64-bit digit at a time; each remainder is
	// below q, so bits.Div64 cannot overflow.
	i, rem := p/q, p%q
	hi, rem := bits.Div64(rem, 0, q)
	lo, rem := bits.Div64(rem, 0, q)
	return fixed{i, hi, lo}, rem == 0
}

// add returns x + y; the integer parts here are small, so i cannot overflow.
func (x fixed) add(y fixed) fixed {
	var c uint64
	x.lo, c = bits.Add64(x.lo, y.lo, 0)
	x.hi, c = bits.Add64(x.hi, y.hi, c)
	x.i += y.i + c
	return x
}

// mul returns x m exactly, provided the integer part x.i m + carry fits.
func (x fixed) mul(m uint64) fixed {
	h0, l0 := bits.Mul64(x.lo, m)
	h1, l1 := bits.Mul64(x.hi, m)
	hi, c := bits.Add64(l1, h0, 0)
	return fixed{i: x.i*m + h1 + c, hi: hi, lo: l0}
}

// float returns the float64 nearest to x, ties to even, as big.Rat's
// Float64 does.
func (x fixed) float() float64 {
	// top holds the 64 leading bits of x from its highest set bit down,
	// weighing 2^exp each; sticky is nonzero when any bit below them is.
	var top, sticky uint64
	var exp int
	switch {
	case x.i != 0:
		n := bits.Len64(x.i)
		top = x.i<<(64-n) | x.hi>>n
		sticky = x.hi<<(64-n) | x.lo
		exp = n - 64
	case x.hi != 0:
		n := bits.Len64(x.hi)
		top = x.hi<<(64-n) | x.lo>>n
		sticky = x.lo << (64 - n)
		exp = n - 128
	case x.lo != 0:
		n := bits.Len64(x.lo)
		top = x.lo << (64 - n)
		exp = n - 192
	default:
		return 0
	}
	// Keep 53 bits; the 11 dropped ones and sticky decide the rounding.
	const drop = 64 - 53
	mant, rest := top>>drop, top&(1<<drop-1)
	const half = 1 << (drop - 1)
	if rest > half || rest == half && (sticky != 0 || mant&1 == 1) {
		mant++ // at most 2^53, still exact in a float64
	}
	return math.Ldexp(float64(mant), exp+drop)
}
