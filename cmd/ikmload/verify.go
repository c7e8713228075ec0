package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// baseline is what a database held before the run, so that a run on a
// seeded database checks only what it added.
type baseline struct{ complete, incomplete int }

func takeBaseline(st *store.Store) (baseline, error) {
	var b baseline
	err := st.View(func(tx *store.Tx) error {
		var err error
		b.complete, b.incomplete, err = tx.CountResponses()
		return err
	})
	return b, err
}

// verification is the end-of-run check of the database.
type verification struct {
	OK         bool     `json:"ok"`
	Responses  int      `json:"responses"`  // completed responses in the file
	Added      int      `json:"added"`      // added by this run
	Incomplete int      `json:"incomplete"` // added to incomplete/ by this run
	Tallies    int      `json:"tallies"`    // unit-year and unit-month tallies compared
	Problems   []string `json:"problems,omitempty"`
}

// maxProblems keeps a badly broken run's report readable.
const maxProblems = 10

func (v *verification) problem(format string, args ...any) {
	if len(v.Problems) < maxProblems {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

// verify checks that each of the surveys the respondents completed was
// stored exactly once, under a respondent of its own, and that every unit's
// aggregates equal a recount of the raw responses, for every year and month
// that has any. The run added between lo and hi responses: exactly the
// surveys completed, or in a crowd, where people may leave while their
// last answer is being stored, up to those who left too.
func verify(st *store.Store, units []survey.Unit, before baseline, lo, hi int) (verification, error) {
	var v verification
	loc := st.Location()
	type key struct{ unit, period string }
	recount := map[key]*survey.Tally{}
	periods := map[string]bool{}
	add := func(unit, period string, sc survey.Scores) {
		t := recount[key{unit, period}]
		if t == nil {
			t = new(survey.Tally)
			recount[key{unit, period}] = t
		}
		t.Add(sc)
		periods[period] = true
	}
	err := st.View(func(tx *store.Tx) error {
		complete, incomplete, err := tx.CountResponses()
		if err != nil {
			return err
		}
		v.Responses, v.Incomplete = complete, incomplete-before.incomplete
		who := map[string]uint64{}
		seen := 0
		err = tx.ForEachResponse(func(r survey.Response) error {
			seen++
			at := r.Submitted.In(loc)
			add(r.Unit, strconv.Itoa(at.Year()), r.Scores)
			add(r.Unit, survey.MonthKey(at), r.Scores)
			// Ids only grow, and ForEachResponse goes in id order: what
			// the run added comes after what the file held.
			if seen <= before.complete {
				return nil
			}
			v.Added++
			switch prior, dup := who[r.Respondent]; {
			case r.Respondent == "":
				v.problem("response %d has no respondent", r.ID)
			case dup:
				v.problem("respondent %s answered twice: responses %d and %d", r.Respondent, prior, r.ID)
			}
			who[r.Respondent] = r.ID
			return nil
		})
		if err != nil {
			return err
		}
		if complete != seen {
			v.problem("%d responses counted, %d read", complete, seen)
		}
		switch {
		case lo == hi && v.Added != lo:
			v.problem("%d surveys completed, %d responses stored", lo, v.Added)
		case v.Added < lo || v.Added > hi:
			v.problem("%d surveys completed and %d more may have been, %d responses stored", lo, hi-lo, v.Added)
		}
		if v.Incomplete != 0 {
			v.problem("%d surveys stored as incomplete", v.Incomplete)
		}
		sorted := slices.Sorted(func(yield func(string) bool) {
			for p := range periods {
				if !yield(p) {
					return
				}
			}
		})
		for _, u := range units {
			for _, label := range sorted {
				p, err := survey.ParsePeriod(label, loc)
				if err != nil {
					return err
				}
				got, err := tx.Tally(u.Code, p)
				if err != nil {
					return err
				}
				var want survey.Tally
				if t := recount[key{u.Code, label}]; t != nil {
					want = *t
				}
				v.Tallies++
				if got != want {
					v.problem("%s %s: aggregate has %d respondents, the responses %d (or the score counts differ)", u.Code, label, got.Respondents, want.Respondents)
				}
			}
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	for k := range recount {
		if !slices.ContainsFunc(units, func(u survey.Unit) bool { return u.Code == k.unit }) {
			v.problem("responses for unit %s, which is not configured", k.unit)
			break
		}
	}
	v.OK = len(v.Problems) == 0
	return v, nil
}

// errVerify reports a failed verification as the run's error.
var errVerify = errors.New("verification failed")
