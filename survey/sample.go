package survey

// SampleSize returns the minimum number of respondents for a unit with the
// given number of service users in the period, from the Krejcie and Morgan
// table the regulation prescribes:
//
//	S = 3.841 N 0.25 / (0.0025 (N - 1) + 3.841 x 0.25)
//
// rounded to the nearest integer (half up), which reproduces every row of the
// published table; rounding up would get N = 15 wrong. population <= 0
// returns 0.
func SampleSize(population int) int {
	if population <= 0 {
		return 0
	}
	// S tends to 384.1 and already rounds to 384 from N of about 250,000,
	// so capping N keeps the integer arithmetic below from overflowing
	// without changing any result.
	n := int64(population)
	if n > 1_000_000_000 {
		n = 1_000_000_000
	}
	// Scaled by 100,000 so the arithmetic is exact: S = 96025 N / (250 (N-1) + 96025).
	num := 96025 * n
	den := 250*(n-1) + 96025
	return int((2*num + den) / (2 * den))
}

// AgeBand groups an age for reports. The respondent's age is stored as typed
// because regions band ages differently; these are ikmbot's default bands.
// 0 (not given) and negative ages return "".
func AgeBand(age int) string {
	switch {
	case age <= 0:
		return ""
	case age < 20:
		return "<20"
	case age < 30:
		return "20-29"
	case age < 40:
		return "30-39"
	case age < 50:
		return "40-49"
	case age < 60:
		return "50-59"
	}
	return "60+"
}
