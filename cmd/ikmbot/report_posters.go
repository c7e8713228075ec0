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

// verifiedJSON is the IKM of a part of a unit's responses: "verified",
// those that came through a fresh code of its counter screen (ikmbot
// counter), the part that proves a visit; "web", those given in the
// browser form of the public site (serve --web). Both are counted in the
// unit's own figures too.
type verifiedJSON struct {
	Respondents int      `json:"respondents"`
	IKM         *float64 `json:"ikm"`  // null without verified responses
	Mutu        *string  `json:"mutu"` // null without verified responses
}

// followUpsJSON counts a unit's follow-up plans as KemenPANRB's service
// evaluation scores them: the share done, and the days they took (from
// the day a plan was recorded to the day it was marked done).
type followUpsJSON struct {
	Planned          int      `json:"planned"`
	Done             int      `json:"done"`
	Share            *float64 `json:"share_done"` // percent; null without plans
	DoneWithin30Days int      `json:"done_within_30_days"`
	MedianDays       *int     `json:"median_days_to_complete"` // null when none is done
}

// unitParts are the parts of a unit's figures the reports show apart: the
// verified answers (counter screen), those given on the public site, and
// its follow-up plans.
type unitParts struct {
	verified, web verifiedJSON
	followUps     followUpsJSON
}

// readParts reads the verified and web figures and the follow-up plans
// of every unit over p.
func readParts(tx *store.Tx, units []survey.Unit, p survey.Period, w survey.Weighting) (map[string]unitParts, error) {
	verified, err := report.Verified(tx, units, p, w)
	if err != nil {
		return nil, err
	}
	web, err := report.Web(tx, units, p, w)
	if err != nil {
		return nil, err
	}
	plans, err := report.FollowUpStats(tx, units)
	if err != nil {
		return nil, err
	}
	part := func(r survey.Result) verifiedJSON {
		return verifiedJSON{Respondents: r.Respondents, IKM: ikmOf(r), Mutu: resultMutu(r)}
	}
	out := make(map[string]unitParts, len(units))
	for i, u := range units {
		f := followUpsJSON{Planned: plans[i].Planned, Done: plans[i].Done, DoneWithin30Days: plans[i].DoneWithinMonth}
		if share, ok := plans[i].Share(); ok {
			f.Share = &share
		}
		if plans[i].Done > 0 {
			days := plans[i].MedianDays
			f.MedianDays = &days
		}
		out[u.Code] = unitParts{verified: part(verified[i]), web: part(web[i]), followUps: f}
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
