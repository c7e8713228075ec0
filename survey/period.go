package survey

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// PeriodKind says how a period was chosen, so that Previous and Next can step
// by the same calendar unit.
type PeriodKind string

// The period kinds the regulation reports on, plus free date ranges.
const (
	PeriodYear     PeriodKind = "year"
	PeriodSemester PeriodKind = "semester"
	PeriodQuarter  PeriodKind = "quarter" // triwulan
	PeriodMonth    PeriodKind = "month"
	PeriodRange    PeriodKind = "range"
)

// Period is a span of whole calendar days; every result names one, because an
// IKM without its period cannot be compared with anything.
type Period struct {
	Kind  PeriodKind
	Label string    // canonical: "2020", "2020-S1", "2020-Q3", "2020-07", "2020-01-01..2020-03-31"
	From  time.Time // first day 00:00 in loc
	To    time.Time // last day (inclusive) 00:00 in loc
}

// ErrInvalidPeriod is wrapped by every ParsePeriod error, so that callers can
// answer the user with the accepted forms instead of an internal error.
var ErrInvalidPeriod = errors.New("invalid period")

// maxRangeYears caps a date range: longer spans are almost surely typos
// (2002 for 2020) and would make Buckets enumerate thousands of days.
const maxRangeYears = 10

const periodForms = "use 2020, 2020-S1, 2020-Q3, 2020-07 or 2020-01-01..2020-03-31"

// ParsePeriod reads a period as an admin types it. It accepts exactly the five
// canonical Label forms (S and Q in either case) and rejects anything
// ambiguous, since a silently misread period gives a wrong published IKM. A
// nil loc means UTC.
func ParsePeriod(s string, loc *time.Location) (Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	in := strings.TrimSpace(s)
	fail := func(reason string) (Period, error) {
		return Period{}, fmt.Errorf("%w %q: %s; %s", ErrInvalidPeriod, s, reason, periodForms)
	}
	if a, b, ok := strings.Cut(in, ".."); ok {
		from, err := parseDate(strings.TrimSpace(a))
		if err != "" {
			return fail("start date " + err)
		}
		to, err := parseDate(strings.TrimSpace(b))
		if err != "" {
			return fail("end date " + err)
		}
		if to.before(from) {
			return fail("the start date is after the end date")
		}
		if !to.before(civil{from.y + maxRangeYears, from.m, from.d}.norm()) {
			return fail(fmt.Sprintf("a range may span at most %d years", maxRangeYears))
		}
		return rangePeriod(from, to, loc), nil
	}
	if len(in) < 4 || !digits(in[:4]) {
		return fail("it must start with a four-digit year")
	}
	y := atoi(in[:4])
	if y < 1000 {
		return fail("the year must be four digits, 1000 or later")
	}
	rest := in[4:]
	switch {
	case rest == "":
		return calendarPeriod(PeriodYear, y, time.January, loc), nil
	case len(rest) == 3 && rest[0] == '-' && (rest[1] == 'S' || rest[1] == 's'):
		if rest[2] != '1' && rest[2] != '2' {
			return fail("the semester must be S1 or S2")
		}
		return calendarPeriod(PeriodSemester, y, time.Month(1+6*int(rest[2]-'1')), loc), nil
	case len(rest) == 3 && rest[0] == '-' && (rest[1] == 'Q' || rest[1] == 'q'):
		if rest[2] < '1' || rest[2] > '4' {
			return fail("the quarter must be Q1 to Q4")
		}
		return calendarPeriod(PeriodQuarter, y, time.Month(1+3*int(rest[2]-'1')), loc), nil
	case len(rest) == 3 && rest[0] == '-' && digits(rest[1:]):
		m := atoi(rest[1:])
		if m < 1 || m > 12 {
			return fail("the month must be 01 to 12")
		}
		return calendarPeriod(PeriodMonth, y, time.Month(m), loc), nil
	case len(rest) == 6 && rest[0] == '-':
		return fail("a single day is written as a range, e.g. 2020-01-01..2020-01-01")
	}
	return fail("unrecognized form")
}

// PeriodOf returns the calendar period of the given kind that contains t, in
// t's location, as used for "this month" or "this year". It panics for
// PeriodRange and unknown kinds, because a range has no natural container and
// that call is a programming error.
func PeriodOf(kind PeriodKind, t time.Time) Period {
	if monthsIn(kind) == 0 {
		panic(fmt.Sprintf("survey: PeriodOf(%q): only year, semester, quarter and month have a containing period", kind))
	}
	y, m, _ := t.Date()
	return calendarPeriod(kind, y, m, t.Location())
}

// Contains reports whether t falls on a day of p, judged by the calendar in
// p's location: a response submitted at 23:30 WIB on the last day belongs to
// that period even though it is already 16:30 UTC.
func (p Period) Contains(t time.Time) bool {
	d := civilOf(t.In(p.From.Location()))
	return !d.before(civilOf(p.From)) && !civilOf(p.To).before(d)
}

// Previous returns the period of the same kind just before p, for
// period-on-period comparison; a range steps back by its own length. An
// unknown kind gives the zero Period.
func (p Period) Previous() Period { return p.step(-1) }

// Next returns the period of the same kind just after p; see Previous.
func (p Period) Next() Period { return p.step(1) }

// Trailing returns the n periods of p's kind that end with p, oldest first,
// for a trend: 2026-Q2.Trailing(3) is 2025-Q4, 2026-Q1, 2026-Q2. n < 1
// returns nil.
func (p Period) Trailing(n int) []Period {
	if n < 1 {
		return nil
	}
	out := make([]Period, n)
	out[n-1] = p
	for i := n - 2; i >= 0; i-- {
		out[i] = out[i+1].Previous()
	}
	return out
}

func (p Period) step(dir int) Period {
	loc := p.From.Location()
	from, to := civilOf(p.From), civilOf(p.To)
	if p.Kind == PeriodRange {
		n := to.days() - from.days() + 1
		if dir < 0 {
			return rangePeriod(from.addDays(-n), from.addDays(-1), loc)
		}
		return rangePeriod(to.addDays(1), to.addDays(n), loc)
	}
	span := monthsIn(p.Kind)
	if span == 0 {
		return Period{}
	}
	c := civil{from.y, from.m + time.Month(dir*span), 1}.norm()
	return calendarPeriod(p.Kind, c.y, c.m, loc)
}

// Buckets splits p into the keys that live aggregates are stored under: whole
// calendar months as "YYYY-MM" and the days of partial months at either edge
// as "YYYY-MM-DD", both ascending. Reading a year then costs 12 look-ups, not
// 366.
func (p Period) Buckets() (months []string, days []string) {
	from, to := civilOf(p.From), civilOf(p.To)
	for d := from; !to.before(d); {
		last := civil{d.y, d.m + 1, 0}.norm()
		if d.d == 1 && !to.before(last) {
			months = append(months, fmt.Sprintf("%04d-%02d", d.y, int(d.m)))
			d = last.addDays(1)
			continue
		}
		days = append(days, d.String())
		d = d.addDays(1)
	}
	return months, days
}

// String returns the Label, so that a period prints as users write it.
func (p Period) String() string { return p.Label }

// MonthKey returns the "YYYY-MM" bucket of t in t's location.
func MonthKey(t time.Time) string { return t.Format("2006-01") }

// DayKey returns the "YYYY-MM-DD" bucket of t in t's location.
func DayKey(t time.Time) string { return t.Format("2006-01-02") }

// monthsIn returns the length in months of a calendar kind, 0 otherwise.
func monthsIn(k PeriodKind) int {
	switch k {
	case PeriodYear:
		return 12
	case PeriodSemester:
		return 6
	case PeriodQuarter:
		return 3
	case PeriodMonth:
		return 1
	}
	return 0
}

// calendarPeriod returns the period of calendar kind k containing month m of y.
func calendarPeriod(k PeriodKind, y int, m time.Month, loc *time.Location) Period {
	span := monthsIn(k)
	first := time.Month((int(m)-1)/span*span + 1)
	var label string
	switch k {
	case PeriodYear:
		label = fmt.Sprintf("%04d", y)
	case PeriodSemester:
		label = fmt.Sprintf("%04d-S%d", y, (int(first)-1)/6+1)
	case PeriodQuarter:
		label = fmt.Sprintf("%04d-Q%d", y, (int(first)-1)/3+1)
	default:
		label = fmt.Sprintf("%04d-%02d", y, int(first))
	}
	return Period{
		Kind:  k,
		Label: label,
		From:  civil{y, first, 1}.time(loc),
		To:    civil{y, first + time.Month(span), 0}.norm().time(loc),
	}
}

func rangePeriod(from, to civil, loc *time.Location) Period {
	return Period{
		Kind:  PeriodRange,
		Label: from.String() + ".." + to.String(),
		From:  from.time(loc),
		To:    to.time(loc),
	}
}

// civil is a calendar date without a clock or zone. Periods step and compare
// by civil dates so that DST jumps and zone offsets never shift a day.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// norm carries overflowing or zero months and days, as time.Date does
// (day 0 is the last day of the previous month).
func (c civil) norm() civil { return civilOf(time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC)) }

func (c civil) time(loc *time.Location) time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, loc) }

func (c civil) addDays(n int) civil { return civil{c.y, c.m, c.d + n}.norm() }

// days counts days from an arbitrary epoch; only differences mean anything.
func (c civil) days() int {
	return int(time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (c civil) before(o civil) bool {
	if c.y != o.y {
		return c.y < o.y
	}
	if c.m != o.m {
		return c.m < o.m
	}
	return c.d < o.d
}

func (c civil) String() string { return fmt.Sprintf("%04d-%02d-%02d", c.y, int(c.m), c.d) }

// parseDate reads a strict YYYY-MM-DD, returning a reason when it cannot.
func parseDate(s string) (civil, string) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
		return civil{}, fmt.Sprintf("%q is not a YYYY-MM-DD date", s)
	}
	c := civil{atoi(s[:4]), time.Month(atoi(s[5:7])), atoi(s[8:])}
	if c.y < 1000 {
		return civil{}, fmt.Sprintf("%q: the year must be 1000 or later", s)
	}
	if c.m < 1 || c.m > 12 {
		return civil{}, fmt.Sprintf("%q: the month must be 01 to 12", s)
	}
	if c.d < 1 || c != c.norm() {
		return civil{}, fmt.Sprintf("%q: %s %d has no day %d", s, c.m, c.y, c.d)
	}
	return c, ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi converts a string already checked by digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
