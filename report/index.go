package report

import (
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// Indexes summarizes over p each extra questionnaire (SPKP, SPAK) that any
// of units asks (survey.Asked), from the tallies of the units that ask it,
// with survey.SummarizeIndex: each unit's index, the pooled one and the
// mean of units, each with its own respondents. One summary per
// questionnaire, in the order of survey.Questionnaires; none when no unit
// asks one, so the figures of an SKM-only city are as they were.
func Indexes(tx *store.Tx, units []survey.Unit, p survey.Period) ([]survey.IndexSummary, error) {
	xs, groups := survey.Asked(units)
	out := make([]survey.IndexSummary, len(xs))
	for i, x := range xs {
		tallies := make([]survey.ItemTally, len(groups[i]))
		for j, u := range groups[i] {
			var err error
			if tallies[j], err = tx.ItemTally(u.Code, x, p); err != nil {
				return nil, err
			}
		}
		out[i] = survey.SummarizeIndex(x, p, groups[i], tallies)
	}
	return out, nil
}
