package survey

import "time"

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
}

// Overdue reports whether the plan is not done and its deadline is before
// day, the start of a calendar day; a plan without a deadline is never
// overdue.
func (f FollowUp) Overdue(day time.Time) bool {
	return f.Status != FollowUpDone && !f.Due.IsZero() && f.Due.Before(day)
}
