package report

import (
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Summary reads each unit's aggregates for p and summarizes them with
// survey.Summarize: one bucket read per month and per leftover day of the
// period, never a scan of responses.
func Summary(tx *store.Tx, units []survey.Unit, p survey.Period, w survey.Weighting) (survey.CitySummary, error) {
	tallies := make([]survey.Tally, len(units))
	for i, u := range units {
		t, err := tx.Tally(u.Code, p)
		if err != nil {
			return survey.CitySummary{}, err
		}
		tallies[i] = t
	}
	return survey.Summarize(p, units, tallies, w), nil
}

// Trend returns the summaries of units over the n periods that end with p
// (survey.Period.Trailing), oldest first, p's last.
func Trend(tx *store.Tx, units []survey.Unit, p survey.Period, n int, w survey.Weighting) ([]survey.CitySummary, error) {
	periods := p.Trailing(n)
	out := make([]survey.CitySummary, len(periods))
	for i, q := range periods {
		var err error
		if out[i], err = Summary(tx, units, q, w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Result is the result of one unit over p: the running figure a
// respondent's thanks and the admins' alerts quote.
func Result(tx *store.Tx, unit string, p survey.Period, w survey.Weighting) (survey.Result, error) {
	t, err := tx.Tally(unit, p)
	if err != nil {
		return survey.Result{}, err
	}
	return t.Result(w), nil
}

// Verified returns, in the units' order, the result of each unit's
// verified responses over p: those that came through a fresh code of its
// counter screen (survey.Via.Verified). They count in the unit's own
// figures too; this is the part of them that proves a visit.
func Verified(tx *store.Tx, units []survey.Unit, p survey.Period, w survey.Weighting) ([]survey.Result, error) {
	out := make([]survey.Result, len(units))
	for i, u := range units {
		t, err := tx.VerifiedTally(u.Code, p)
		if err != nil {
			return nil, err
		}
		out[i] = t.Result(w)
	}
	return out, nil
}

// Web returns, in the units' order, the result of each unit's answers
// given in the browser form over p (survey.SourceWeb). They count in the
// unit's own figures too; this is the part that came through the public
// site, shown apart as the verified part is.
func Web(tx *store.Tx, units []survey.Unit, p survey.Period, w survey.Weighting) ([]survey.Result, error) {
	out := make([]survey.Result, len(units))
	for i, u := range units {
		t, err := tx.WebTally(u.Code, p)
		if err != nil {
			return nil, err
		}
		out[i] = t.Result(w)
	}
	return out, nil
}

// Profiles returns who the units' respondents over p were, as the
// disclosure rule publishes them at now (survey.ProfileMonths,
// survey.PublishProfiles): from each unit's month aggregates of the months
// of p that have ended, one table per unit in the units' order and one of
// all of them. A date range has none.
func Profiles(tx *store.Tx, units []survey.Unit, p survey.Period, now time.Time) (survey.Profiles, error) {
	months, ok := survey.ProfileMonths(p, now)
	blocks := make([][]survey.ProfileTally, len(units))
	for i, u := range units {
		blocks[i] = make([]survey.ProfileTally, len(months))
		for m, mp := range months {
			var err error
			if blocks[i][m], err = tx.ProfileTally(u.Code, mp); err != nil {
				return survey.Profiles{}, err
			}
		}
	}
	return survey.PublishProfiles(months, ok, blocks, survey.MinProfileCell), nil
}
