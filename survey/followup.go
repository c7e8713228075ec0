package survey

import (
	"slices"
	"time"
)

// Follow-up plan statuses.
const (
	FollowUpOpen     = "open"     // planned
	FollowUpProgress = "progress" // under way
	FollowUpDone     = "done"
)

// ValidFollowUpStatus reports whether s is one of the statuses.
func ValidFollowUpStatus(s string) bool {
	return s == FollowUpOpen || s == FollowUpProgress || s == FollowUpDone
}

// FollowUp is a follow-up plan (rencana tindak lanjut): one action a unit
// takes on one element of its result, as the regulation asks a unit to
// publish beside its IKM. The store keeps them, the chat edits them, the
// XLSX prints them (never By).
type FollowUp struct {
	Seq     uint64 // per unit, from 1; set when stored
	Unit    string // unit code
	Element ElementKey
	Action  string
	Owner   string    // the person in charge, as typed
	Due     time.Time // the deadline, a calendar day; zero: none
	Status  string    // FollowUpOpen, FollowUpProgress or FollowUpDone
	By      int64     // the Telegram user id of the admin who recorded it
	Created time.Time
	Updated time.Time // zero: never changed
	// UpdatedBy is the admin who set the status last; 0 before anyone did,
	// and in plans stored before it was kept (the audit log has it).
	UpdatedBy int64
	// Done is when the plan was marked done; zero while it is not. Plans
	// marked done before the day was recorded give their last update.
	Done time.Time
}

// DaysToComplete is how many calendar days a done plan took, from the day
// it was recorded to the day it was marked done; ok is false for a plan
// not done.
func (f FollowUp) DaysToComplete() (days int, ok bool) {
	if f.Status != FollowUpDone || f.Done.IsZero() {
		return 0, false
	}
	return civilOf(f.Done).days() - civilOf(f.Created.In(f.Done.Location())).days(), true
}

// FollowUpMonth is the time KemenPANRB's service evaluation gives a plan
// for the top score: completed within a month of the report.
const FollowUpMonth = 30

// FollowUpStats are a group of plans as the service evaluation (PEKPPP)
// scores them: how many were planned and done, the share done, and how
// fast.
type FollowUpStats struct {
	Planned int
	Done    int
	// DoneWithinMonth counts done plans that took at most FollowUpMonth
	// days; MedianDays is the median days to complete of the done ones
	// (the lower middle of an even count), 0 when none is done. A done
	// plan whose day of completion is unknown counts as done only.
	DoneWithinMonth int
	MedianDays      int
}

// SummarizeFollowUps counts plans.
func SummarizeFollowUps(plans []FollowUp) FollowUpStats {
	s := FollowUpStats{Planned: len(plans)}
	var days []int
	for _, f := range plans {
		if f.Status == FollowUpDone {
			s.Done++
		}
		if d, ok := f.DaysToComplete(); ok {
			days = append(days, d)
			if d <= FollowUpMonth {
				s.DoneWithinMonth++
			}
		}
	}
	if len(days) > 0 {
		slices.Sort(days)
		s.MedianDays = days[(len(days)-1)/2]
	}
	return s
}

// Share is the percentage of plans done (done / planned x 100, rounded
// half-up to 2 decimals); ok is false when nothing is planned.
func (s FollowUpStats) Share() (share float64, ok bool) {
	if s.Planned == 0 {
		return 0, false
	}
	return Round2(100 * float64(s.Done) / float64(s.Planned)), true
}

// Overdue reports whether the plan is not done and its deadline is before
// day, the start of a calendar day; a plan without a deadline is never
// overdue.
func (f FollowUp) Overdue(day time.Time) bool {
	return f.Status != FollowUpDone && !f.Due.IsZero() && f.Due.Before(day)
}
