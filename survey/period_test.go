package survey

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Jakarta must load on machines without a zoneinfo database
)

func jakarta(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// day formats a period bound with its offset, so a wrong zone or a non-midnight
// bound shows up in the comparison.
func day(t time.Time) string { return t.Format("2006-01-02 15:04 -0700") }

func TestParsePeriod(t *testing.T) {
	loc := jakarta(t)
	tests := []struct {
		in       string
		kind     PeriodKind
		label    string
		from, to string
	}{
		{"2020", PeriodYear, "2020", "2020-01-01", "2020-12-31"},
		{"2020-S1", PeriodSemester, "2020-S1", "2020-01-01", "2020-06-30"},
		{"2020-S2", PeriodSemester, "2020-S2", "2020-07-01", "2020-12-31"},
		{"2020-s2", PeriodSemester, "2020-S2", "2020-07-01", "2020-12-31"},
		{"2020-Q1", PeriodQuarter, "2020-Q1", "2020-01-01", "2020-03-31"},
		{"2020-Q3", PeriodQuarter, "2020-Q3", "2020-07-01", "2020-09-30"},
		{"2020-q4", PeriodQuarter, "2020-Q4", "2020-10-01", "2020-12-31"},
		{"2020-07", PeriodMonth, "2020-07", "2020-07-01", "2020-07-31"},
		{"2020-12", PeriodMonth, "2020-12", "2020-12-01", "2020-12-31"},
		{"2024-02", PeriodMonth, "2024-02", "2024-02-01", "2024-02-29"},
		{"2023-02", PeriodMonth, "2023-02", "2023-02-01", "2023-02-28"},
		{"2020-01-01..2020-03-31", PeriodRange, "2020-01-01..2020-03-31", "2020-01-01", "2020-03-31"},
		{"2024-02-29..2024-02-29", PeriodRange, "2024-02-29..2024-02-29", "2024-02-29", "2024-02-29"},
		{"2019-12-15 .. 2020-01-14", PeriodRange, "2019-12-15..2020-01-14", "2019-12-15", "2020-01-14"},
		{"2010-01-01..2019-12-31", PeriodRange, "2010-01-01..2019-12-31", "2010-01-01", "2019-12-31"},
		{"  2020-Q2\n", PeriodQuarter, "2020-Q2", "2020-04-01", "2020-06-30"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in, loc)
		if err != nil {
			t.Errorf("ParsePeriod(%q): %v", tt.in, err)
			continue
		}
		if p.Kind != tt.kind || p.Label != tt.label || p.String() != tt.label ||
			day(p.From) != tt.from+" 00:00 +0700" || day(p.To) != tt.to+" 00:00 +0700" {
			t.Errorf("ParsePeriod(%q) = %s %q %s..%s, want %s %q %s..%s (00:00 +0700)",
				tt.in, p.Kind, p.Label, day(p.From), day(p.To), tt.kind, tt.label, tt.from, tt.to)
		}
		if p.From.Location() != loc || p.To.Location() != loc {
			t.Errorf("ParsePeriod(%q): location %v..%v, want %v", tt.in, p.From.Location(), p.To.Location(), loc)
		}
		back, err := ParsePeriod(p.Label, loc)
		if err != nil || back != p {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want the same period back", p.Label, back, err)
		}
	}
}

func TestParsePeriodNilLocation(t *testing.T) {
	p, err := ParsePeriod("2020-07", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.From, time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("From = %v, want %v", got, want)
	}
}

func TestParsePeriodErrors(t *testing.T) {
	tests := []struct {
		in     string
		reason string // part of the message
	}{
		{"", "four-digit year"},
		{"20", "four-digit year"},
		{"abcd", "four-digit year"},
		{"0999", "1000 or later"},
		{"20200", "unrecognized"},
		{"2020-13", "month must be 01 to 12"},
		{"2020-00", "month must be 01 to 12"},
		{"2020-7", "unrecognized"},
		{"2020/07", "unrecognized"},
		{"2020-Q5", "Q1 to Q4"},
		{"2020-Q0", "Q1 to Q4"},
		{"2020-S3", "S1 or S2"},
		{"2020-S0", "S1 or S2"},
		{"2020-W01", "unrecognized"},
		{"2020-01-01", "single day"},
		{"2021-02-29..2021-03-01", "has no day 29"},
		{"2020-02-30..2020-03-01", "has no day 30"},
		{"2020-04-31..2020-05-01", "has no day 31"},
		{"2020-01-00..2020-01-02", "has no day 0"},
		{"2020-13-01..2020-12-31", "month must be 01 to 12"},
		{"2020-01-01..2020-1-31", "not a YYYY-MM-DD"},
		{"2020-01-01..", "not a YYYY-MM-DD"},
		{"..2020-01-01", "not a YYYY-MM-DD"},
		{"2020-03-31..2020-01-01", "after the end date"},
		{"2010-01-01..2020-01-01", "at most 10 years"},
		{"2020-01-01..2020-01-02..2020-01-03", "not a YYYY-MM-DD"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in, time.UTC)
		if err == nil {
			t.Errorf("ParsePeriod(%q) = %+v, want an error", tt.in, p)
			continue
		}
		if !errors.Is(err, ErrInvalidPeriod) {
			t.Errorf("ParsePeriod(%q) error %v does not wrap ErrInvalidPeriod", tt.in, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.reason) {
			t.Errorf("ParsePeriod(%q) error %q, want it to mention %q", tt.in, msg, tt.reason)
		}
		for _, form := range []string{"2020-S1", "2020-Q3", "2020-07", "2020-01-01..2020-03-31"} {
			if !strings.Contains(msg, form) {
				t.Errorf("ParsePeriod(%q) error %q does not name the form %s", tt.in, msg, form)
			}
		}
	}
}

func TestPeriodOf(t *testing.T) {
	loc := jakarta(t)
	// 2020-07-01 06:30 WIB is still 2020-06-30 in UTC.
	at := time.Date(2020, 6, 30, 23, 30, 0, 0, time.UTC).In(loc)
	tests := []struct {
		kind  PeriodKind
		label string
	}{
		{PeriodYear, "2020"},
		{PeriodSemester, "2020-S2"},
		{PeriodQuarter, "2020-Q3"},
		{PeriodMonth, "2020-07"},
	}
	for _, tt := range tests {
		p := PeriodOf(tt.kind, at)
		want, err := ParsePeriod(tt.label, loc)
		if err != nil {
			t.Fatal(err)
		}
		if p != want {
			t.Errorf("PeriodOf(%s, %v) = %+v, want %+v", tt.kind, at, p, want)
		}
		if !p.Contains(at) {
			t.Errorf("PeriodOf(%s, %v) = %s does not contain it", tt.kind, at, p.Label)
		}
	}
	if got := PeriodOf(PeriodMonth, at.UTC()).Label; got != "2020-06" {
		t.Errorf("PeriodOf(month) in UTC = %s, want 2020-06", got)
	}
	for _, kind := range []PeriodKind{PeriodRange, "", "week"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("PeriodOf(%q) did not panic", kind)
				}
			}()
			PeriodOf(kind, at)
		}()
	}
}

func TestPeriodStep(t *testing.T) {
	tests := []struct {
		label, prev, next string
	}{
		{"2020", "2019", "2021"},
		{"2020-S1", "2019-S2", "2020-S2"},
		{"2020-S2", "2020-S1", "2021-S1"},
		{"2020-Q1", "2019-Q4", "2020-Q2"},
		{"2019-Q4", "2019-Q3", "2020-Q1"},
		{"2020-01", "2019-12", "2020-02"},
		{"2020-12", "2020-11", "2021-01"},
		{"2024-03", "2024-02", "2024-04"},
		{"2020-01-01..2020-01-10", "2019-12-22..2019-12-31", "2020-01-11..2020-01-20"},
		{"2024-02-20..2024-03-01", "2024-02-09..2024-02-19", "2024-03-02..2024-03-12"}, // 11 days over a leap day
		{"2024-02-29..2024-02-29", "2024-02-28..2024-02-28", "2024-03-01..2024-03-01"},
		{"2020-01-01..2020-12-31", "2018-12-31..2019-12-31", "2021-01-01..2022-01-01"}, // 366 days, not "a year"
	}
	loc := jakarta(t)
	for _, tt := range tests {
		p, err := ParsePeriod(tt.label, loc)
		if err != nil {
			t.Fatal(err)
		}
		prev, next := p.Previous(), p.Next()
		if prev.Label != tt.prev || prev.Kind != p.Kind {
			t.Errorf("%s.Previous() = %s %s, want %s %s", tt.label, prev.Kind, prev.Label, p.Kind, tt.prev)
		}
		if next.Label != tt.next || next.Kind != p.Kind {
			t.Errorf("%s.Next() = %s %s, want %s %s", tt.label, next.Kind, next.Label, p.Kind, tt.next)
		}
		if want, _ := ParsePeriod(tt.prev, loc); prev != want {
			t.Errorf("%s.Previous() = %+v, want %+v", tt.label, prev, want)
		}
		if back := prev.Next(); back != p {
			t.Errorf("%s.Previous().Next() = %s, want %s", tt.label, back.Label, p.Label)
		}
		if back := next.Previous(); back != p {
			t.Errorf("%s.Next().Previous() = %s, want %s", tt.label, back.Label, p.Label)
		}
		// Consecutive: the day after prev.To is p.From.
		if got := prev.To.AddDate(0, 0, 1); !got.Equal(p.From) {
			t.Errorf("%s.Previous() ends %s, want the day before %s", tt.label, day(prev.To), day(p.From))
		}
	}
	if got := (Period{}).Next(); got != (Period{}) {
		t.Errorf("zero Period.Next() = %+v, want zero", got)
	}
}

func TestPeriodTrailing(t *testing.T) {
	tests := []struct {
		label string
		n     int
		want  []string
	}{
		{"2026", 4, []string{"2023", "2024", "2025", "2026"}},
		{"2026-Q2", 3, []string{"2025-Q4", "2026-Q1", "2026-Q2"}},
		{"2026-01", 2, []string{"2025-12", "2026-01"}},
		{"2026-S1", 1, []string{"2026-S1"}},
		{"2026-01-01..2026-01-10", 2, []string{"2025-12-22..2025-12-31", "2026-01-01..2026-01-10"}},
		{"2026", 0, nil},
		{"2026", -1, nil},
	}
	loc := jakarta(t)
	for _, tt := range tests {
		p, err := ParsePeriod(tt.label, loc)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, q := range p.Trailing(tt.n) {
			got = append(got, q.Label)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s.Trailing(%d) = %q, want %q", tt.label, tt.n, got, tt.want)
		}
	}
}

func TestPeriodBuckets(t *testing.T) {
	monthsOf := func(y int, from, to int) []string {
		var out []string
		for m := from; m <= to; m++ {
			out = append(out, fmt.Sprintf("%04d-%02d", y, m))
		}
		return out
	}
	daysOf := func(y, m, from, to int) []string {
		var out []string
		for d := from; d <= to; d++ {
			out = append(out, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
		}
		return out
	}
	tests := []struct {
		label  string
		months []string
		days   []string
	}{
		{"2020", monthsOf(2020, 1, 12), nil},
		{"2020-S2", monthsOf(2020, 7, 12), nil},
		{"2020-Q3", monthsOf(2020, 7, 9), nil},
		{"2024-02", []string{"2024-02"}, nil},
		{"2020-01-15..2020-03-03", []string{"2020-02"}, append(daysOf(2020, 1, 15, 31), daysOf(2020, 3, 1, 3)...)},
		{"2019-12-31..2020-02-01", []string{"2020-01"}, []string{"2019-12-31", "2020-02-01"}},
		{"2024-02-29..2024-02-29", nil, []string{"2024-02-29"}},
		{"2024-02-01..2024-02-29", []string{"2024-02"}, nil},
		{"2024-02-01..2024-02-28", nil, daysOf(2024, 2, 1, 28)},
		{"2023-02-01..2023-02-28", []string{"2023-02"}, nil},
		{"2024-02-28..2024-03-01", nil, []string{"2024-02-28", "2024-02-29", "2024-03-01"}},
		{"2020-03-01..2020-03-31", []string{"2020-03"}, nil},
		{"2020-03-02..2020-03-31", nil, daysOf(2020, 3, 2, 31)},
		{"2019-11-30..2020-02-29", []string{"2019-12", "2020-01", "2020-02"}, []string{"2019-11-30"}},
	}
	loc := jakarta(t)
	for _, tt := range tests {
		p, err := ParsePeriod(tt.label, loc)
		if err != nil {
			t.Fatal(err)
		}
		months, days := p.Buckets()
		if !slices.Equal(months, tt.months) {
			t.Errorf("%s months = %v, want %v", tt.label, months, tt.months)
		}
		if !slices.Equal(days, tt.days) {
			t.Errorf("%s days = %v, want %v", tt.label, days, tt.days)
		}
	}
}

// TestPeriodBucketsCover checks on many ranges that the buckets tile the
// period exactly: every day of it in one bucket, nothing outside.
func TestPeriodBucketsCover(t *testing.T) {
	start := time.Date(2023, 11, 20, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 120; i += 7 {
		for n := 1; n < 140; n += 9 {
			from := start.AddDate(0, 0, i)
			to := from.AddDate(0, 0, n-1)
			label := DayKey(from) + ".." + DayKey(to)
			p, err := ParsePeriod(label, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			months, days := p.Buckets()
			covered := map[string]int{}
			for _, m := range months {
				first, _ := time.Parse("2006-01", m)
				for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
					covered[DayKey(d)]++
				}
			}
			for _, d := range days {
				covered[d]++
			}
			if len(covered) != n {
				t.Errorf("%s: buckets cover %d days, want %d", label, len(covered), n)
			}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				if covered[DayKey(d)] != 1 {
					t.Errorf("%s: day %s covered %d times, want once", label, DayKey(d), covered[DayKey(d)])
				}
			}
			if !slices.IsSorted(months) || !slices.IsSorted(days) {
				t.Errorf("%s: buckets not ascending: %v %v", label, months, days)
			}
		}
	}
}

func TestPeriodContains(t *testing.T) {
	loc := jakarta(t) // WIB, UTC+7
	p, err := ParsePeriod("2020-Q1", loc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2019, 12, 31, 16, 59, 59, 0, time.UTC), false}, // 23:59:59 WIB Dec 31
		{time.Date(2019, 12, 31, 17, 0, 0, 0, time.UTC), true},    // 00:00 WIB Jan 1, still Dec 31 in UTC
		{time.Date(2019, 12, 31, 17, 30, 0, 0, time.UTC), true},
		{time.Date(2020, 1, 1, 0, 0, 0, 0, loc), true},
		{time.Date(2020, 3, 31, 16, 59, 59, 0, time.UTC), true}, // 23:59:59 WIB Mar 31
		{time.Date(2020, 3, 31, 17, 0, 0, 0, time.UTC), false},  // 00:00 WIB Apr 1, still Mar 31 in UTC
		{time.Date(2020, 3, 31, 23, 59, 0, 0, loc), true},
		{time.Date(2020, 4, 1, 0, 0, 0, 0, loc), false},
		{time.Date(2020, 2, 29, 12, 0, 0, 0, loc), true},
	}
	for _, tt := range tests {
		if got := p.Contains(tt.at); got != tt.want {
			t.Errorf("%s.Contains(%v) = %v, want %v", p.Label, tt.at, got, tt.want)
		}
	}

	leap, err := ParsePeriod("2024-02-29..2024-02-29", loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2024, 2, 28, 16, 59, 0, 0, time.UTC), false},
		{time.Date(2024, 2, 28, 17, 0, 0, 0, time.UTC), true},
		{time.Date(2024, 2, 29, 16, 59, 0, 0, time.UTC), true},
		{time.Date(2024, 2, 29, 17, 0, 0, 0, time.UTC), false},
	} {
		if got := leap.Contains(tt.at); got != tt.want {
			t.Errorf("%s.Contains(%v) = %v, want %v", leap.Label, tt.at, got, tt.want)
		}
	}
}

func TestMonthDayKey(t *testing.T) {
	loc := jakarta(t)
	at := time.Date(2020, 1, 31, 18, 0, 0, 0, time.UTC) // 2020-02-01 01:00 WIB
	tests := []struct {
		t          time.Time
		month, day string
	}{
		{at, "2020-01", "2020-01-31"},
		{at.In(loc), "2020-02", "2020-02-01"},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, loc), "2024-02", "2024-02-29"},
	}
	for _, tt := range tests {
		if got := MonthKey(tt.t); got != tt.month {
			t.Errorf("MonthKey(%v) = %q, want %q", tt.t, got, tt.month)
		}
		if got := DayKey(tt.t); got != tt.day {
			t.Errorf("DayKey(%v) = %q, want %q", tt.t, got, tt.day)
		}
	}
}
