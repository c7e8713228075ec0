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
