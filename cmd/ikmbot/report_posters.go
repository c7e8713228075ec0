package main

import (
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// posterJSON is one poster version of a unit in the JSON report: how many
// scanned its deep link, began the survey from it and completed it. The
// counts run from when the poster was printed, whatever --period says:
// the funnel measures posters, not periods.
type posterJSON struct {
	Version   int  `json:"version"` // 0: unsigned links, which name only the unit code
	Current   bool `json:"current"` // false for revoked versions and unsigned links
	Scans     int  `json:"scans"`
	Started   int  `json:"started"`
	Completed int  `json:"completed"`
}

// verifiedJSON is the IKM of a unit's verified responses: those that came
// through a fresh code of its counter screen (ikmbot counter). They are
// counted in the unit's own figures too; this is the part of them that
// proves a visit.
type verifiedJSON struct {
	Respondents int      `json:"respondents"`
	IKM         *float64 `json:"ikm"`  // null without verified responses
	Mutu        *string  `json:"mutu"` // null without verified responses
}

// readVerified reads the verified figures of every unit over p.
func readVerified(tx *store.Tx, units []survey.Unit, p survey.Period, w survey.Weighting) (map[string]verifiedJSON, error) {
	results, err := report.Verified(tx, units, p, w)
	if err != nil {
		return nil, err
	}
	out := make(map[string]verifiedJSON, len(units))
	for i, r := range results {
		out[units[i].Code] = verifiedJSON{Respondents: r.Respondents, IKM: ikmOf(r), Mutu: resultMutu(r)}
	}
	return out, nil
}

// unitPosters is a unit's poster funnel, newest version first.
type unitPosters struct {
	version int // current poster version
	rows    []posterJSON
}

// readPosters reads the poster funnel of every unit in one transaction.
func readPosters(tx *store.Tx, units []survey.Unit) (map[string]unitPosters, error) {
	out := make(map[string]unitPosters, len(units))
	for _, u := range units {
		posters, err := report.PosterFunnel(tx, u.Code)
		if err != nil {
			return nil, err
		}
		up := unitPosters{version: posters.Version, rows: make([]posterJSON, 0, len(posters.Rows))}
		for _, r := range posters.Rows {
			up.rows = append(up.rows, posterJSON{Version: r.Version, Current: r.Current, Scans: r.Scans, Started: r.Started, Completed: r.Completed})
		}
		out[u.Code] = up
	}
	return out, nil
}
