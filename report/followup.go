package report

import (
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// FollowUps returns the follow-up plans of units, by unit in the units'
// order and then by number, open and done alike: plans carry no period.
func FollowUps(tx *store.Tx, units []survey.Unit) ([]survey.FollowUp, error) {
	var out []survey.FollowUp
	for _, u := range units {
		plans, err := tx.FollowUps(u.Code)
		if err != nil {
			return nil, err
		}
		out = append(out, plans...)
	}
	return out, nil
}

// Plans are a unit's follow-up plans as its screens show them.
type Plans struct {
	Open []survey.FollowUp // not yet done, oldest first
	Done int               // how many are done
}

// UnitPlans reads the unit's follow-up plans.
func UnitPlans(tx *store.Tx, unit string) (Plans, error) {
	all, err := tx.FollowUps(unit)
	if err != nil {
		return Plans{}, err
	}
	var p Plans
	for _, f := range all {
		if f.Status == survey.FollowUpDone {
			p.Done++
		} else {
			p.Open = append(p.Open, f)
		}
	}
	return p, nil
}

// Overdue counts the plans of units that are past their deadline on day,
// the start of a calendar day (survey.FollowUp.Overdue).
func Overdue(tx *store.Tx, units []survey.Unit, day time.Time) (int, error) {
	plans, err := FollowUps(tx, units)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range plans {
		if f.Overdue(day) {
			n++
		}
	}
	return n, nil
}

// FollowUpStats returns, in the units' order, each unit's follow-up plans
// counted as the service evaluation scores them (survey.SummarizeFollowUps):
// planned, done, the share done and the days they took. Plans carry no
// period: every plan of the unit counts.
func FollowUpStats(tx *store.Tx, units []survey.Unit) ([]survey.FollowUpStats, error) {
	out := make([]survey.FollowUpStats, len(units))
	for i, u := range units {
		plans, err := tx.FollowUps(u.Code)
		if err != nil {
			return nil, err
		}
		out[i] = survey.SummarizeFollowUps(plans)
	}
	return out, nil
}
