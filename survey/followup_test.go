package survey

import (
	"testing"
	"time"
)

func TestFollowUpOverdue(t *testing.T) {
	loc := time.UTC
	due := time.Date(2026, 6, 30, 0, 0, 0, 0, loc)
	dayAfter, dueDay := due.AddDate(0, 0, 1), due
	tests := []struct {
		name string
		f    FollowUp
		day  time.Time
		want bool
	}{
		{"open, the day after the deadline", FollowUp{Due: due, Status: FollowUpOpen}, dayAfter, true},
		{"under way, the day after", FollowUp{Due: due, Status: FollowUpProgress}, dayAfter, true},
		{"open, on the deadline", FollowUp{Due: due, Status: FollowUpOpen}, dueDay, false},
		{"done, the day after", FollowUp{Due: due, Status: FollowUpDone}, dayAfter, false},
		{"no deadline", FollowUp{Status: FollowUpOpen}, dayAfter, false},
	}
	for _, tt := range tests {
		if got := tt.f.Overdue(tt.day); got != tt.want {
			t.Errorf("%s: Overdue = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSummarizeFollowUps(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 23, 30, 0, 0, loc) }
	plan := func(status string, created, done int) FollowUp {
		f := FollowUp{Status: status, Created: day(created)}
		if done > 0 {
			f.Done = time.Date(2026, 3, 1, 0, 30, 0, 0, loc).AddDate(0, 0, done-1)
		}
		return f
	}
	// Days are calendar days in the city's zone: recorded late on the 1st,
	// done early on the 2nd is one day.
	if d, ok := plan(FollowUpDone, 1, 2).DaysToComplete(); !ok || d != 1 {
		t.Errorf("DaysToComplete = %d, %v; want 1", d, ok)
	}
	if _, ok := plan(FollowUpProgress, 1, 0).DaysToComplete(); ok {
		t.Error("a plan under way has days to complete")
	}
	for _, tt := range []struct {
		plans []FollowUp
		want  FollowUpStats
		share float64
	}{
		{nil, FollowUpStats{}, -1},
		{[]FollowUp{plan(FollowUpOpen, 1, 0), plan(FollowUpProgress, 1, 0)}, FollowUpStats{Planned: 2}, 0},
		{[]FollowUp{plan(FollowUpDone, 1, 31), plan(FollowUpDone, 1, 5), plan(FollowUpOpen, 1, 0)}, FollowUpStats{Planned: 3, Done: 2, DoneWithinMonth: 2, MedianDays: 4}, 66.67},
		{[]FollowUp{plan(FollowUpDone, 1, 31), plan(FollowUpDone, 1, 5), plan(FollowUpDone, 1, 10)}, FollowUpStats{Planned: 3, Done: 3, DoneWithinMonth: 3, MedianDays: 9}, 100},
	} {
		got := SummarizeFollowUps(tt.plans)
		if got != tt.want {
			t.Errorf("SummarizeFollowUps = %+v, want %+v", got, tt.want)
		}
		share, ok := got.Share()
		if ok != (tt.share >= 0) || ok && share != tt.share {
			t.Errorf("Share = %v, %v; want %v", share, ok, tt.share)
		}
	}
	// 32 days is beyond the month.
	late := SummarizeFollowUps([]FollowUp{{Status: FollowUpDone, Created: day(1), Done: day(1).AddDate(0, 0, 31)}})
	if late.DoneWithinMonth != 0 || late.MedianDays != 31 {
		t.Errorf("a plan of 31 days: %+v", late)
	}
}
