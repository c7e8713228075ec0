package survey

import (
	"sort"
	"time"
)

// UnitSummary is one unit's figures for a period.
type UnitSummary struct {
	Unit   Unit
	Tally  Tally
	Result Result
	Target int // Krejcie-Morgan sample target for the period; 0 when the unit's users are unknown
}

// TargetKnown reports whether the unit has a sample target: whether its
// users per year are known. A known target can still be 0, over a period
// short enough.
func (u UnitSummary) TargetKnown() bool { return u.Unit.Users > 0 }

// BelowTarget reports whether the unit has fewer respondents than its sample
// target, i.e. its IKM is not yet representative. Unknown targets never warn.
func (u UnitSummary) BelowTarget() bool { return u.Target > 0 && u.Tally.Respondents < u.Target }

// GroupSummary is the pooled figure of a group of units, e.g. one unit type.
type GroupSummary struct {
	Type     UnitType
	Units    int // configured units in the group
	WithData int // units with at least one respondent
	Tally    Tally
	Result   Result // pooled over the group's respondents
	// MeanIKM is the mean of the unrounded IKMs of the group's units with
	// respondents, as for the city; MeanIKM2 and MeanMutu display it.
	MeanIKM  float64
	MeanIKM2 float64
	MeanMutu Mutu
}

// CitySummary holds the figures of every unit for a period and the two honest
// ways of aggregating them, labelled: the regulation fixes neither.
type CitySummary struct {
	Period Period
	Units  []UnitSummary // every configured unit, in configured order
	ByType []GroupSummary
	Pooled Result // the IKM over all respondents of all units
	// MeanIKM is the mean of the unrounded IKMs of the units that have
	// respondents; MeanIKM2 and MeanMutu are its rounded display and band.
	MeanIKM  float64
	MeanIKM2 float64
	MeanMutu Mutu
	WithData int // units with at least one respondent
}

// Respondents is the number of respondents over all units.
func (c CitySummary) Respondents() int { return c.Pooled.Respondents }

// Summarize computes every unit's result and the city aggregates. tallies[i]
// belongs to units[i].
func Summarize(p Period, units []Unit, tallies []Tally, w Weighting) CitySummary {
	c := CitySummary{Period: p, Units: make([]UnitSummary, len(units))}
	var city Tally
	groups := map[UnitType]*GroupSummary{}
	var sum float64
	for i, u := range units {
		us := UnitSummary{Unit: u, Tally: tallies[i], Result: tallies[i].Result(w), Target: SampleTarget(u.Users, p)}
		c.Units[i] = us
		city.Merge(us.Tally)
		g := groups[u.Type]
		if g == nil {
			g = &GroupSummary{Type: u.Type}
			groups[u.Type] = g
			c.ByType = append(c.ByType, GroupSummary{Type: u.Type})
		}
		g.Units++
		g.Tally.Merge(us.Tally)
		if us.Result.Valid {
			g.WithData++
			c.WithData++
			sum += us.Result.IKM
			g.MeanIKM += us.Result.IKM // a sum until the loop below
		}
	}
	for i := range c.ByType {
		g := groups[c.ByType[i].Type]
		g.Result = g.Tally.Result(w)
		if g.WithData > 0 {
			g.MeanIKM /= float64(g.WithData)
			g.MeanIKM2 = Round2(g.MeanIKM)
			g.MeanMutu = Classify(g.MeanIKM)
		}
		c.ByType[i] = *g
	}
	c.Pooled = city.Result(w)
	if c.WithData > 0 {
		c.MeanIKM = sum / float64(c.WithData)
		c.MeanIKM2 = Round2(c.MeanIKM)
		c.MeanMutu = Classify(c.MeanIKM)
	}
	return c
}

// Ranked returns the units with respondents, highest IKM first (ties by
// configured order), for compact listings.
func (c CitySummary) Ranked() []UnitSummary {
	var out []UnitSummary
	for _, u := range c.Units {
		if u.Result.Valid {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Result.IKM2 > out[j].Result.IKM2 })
	return out
}

// UnitsBelowTarget returns the units with fewer respondents than their
// sample target, in configured order.
func (c CitySummary) UnitsBelowTarget() []UnitSummary {
	var out []UnitSummary
	for _, u := range c.Units {
		if u.BelowTarget() {
			out = append(out, u)
		}
	}
	return out
}

// SampleTarget is the sum of the units' sample targets. It means something
// only when every unit's users are known; otherwise ok is false.
func (c CitySummary) SampleTarget() (total int, ok bool) {
	for _, u := range c.Units {
		if !u.TargetKnown() {
			return 0, false
		}
		total += u.Target
	}
	return total, true
}

// SampleTarget is the Krejcie-Morgan minimum number of respondents for a
// unit serving usersPerYear people, over period p. The regulation takes N as
// the users in the survey period, so a yearly figure is scaled by the share
// of the year the period covers.
func SampleTarget(usersPerYear int, p Period) int {
	if usersPerYear <= 0 {
		return 0
	}
	// Count calendar days, not hours: a period spanning a DST change is not
	// a whole number of 24-hour days.
	from := time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, time.UTC)
	to := time.Date(p.To.Year(), p.To.Month(), p.To.Day(), 0, 0, 0, 0, time.UTC)
	days := to.Sub(from).Hours()/24 + 1
	n := float64(usersPerYear) * days / daysInYear(p.From)
	return SampleSize(int(n + 0.5))
}

func daysInYear(t time.Time) float64 {
	y := t.Year()
	if (y%4 == 0 && y%100 != 0) || y%400 == 0 {
		return 366
	}
	return 365
}
