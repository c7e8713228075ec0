package report

import "github.com/ikmbot/ikmbot/store"

// Posters is how a unit's posters lead to answers: the deep-link funnel
// of each poster version. The counts run from when a poster was printed,
// whatever period a report covers: the funnel measures posters, not
// periods.
type Posters struct {
	Version int         // the unit's current poster version
	Rows    []PosterRow // newest version first; versions nobody scanned are absent
}

// PosterRow is the funnel of one poster version.
type PosterRow struct {
	// Version 0 counts unsigned deep links, which name only the unit code.
	Version int
	// Current is true for the poster on the wall now; false for revoked
	// versions and for unsigned links.
	Current bool
	store.FunnelCounts
}

// Unsigned reports whether the row counts unsigned deep links.
func (r PosterRow) Unsigned() bool { return r.Version == 0 }

// PosterFunnel reads the funnel of the unit's posters, newest version
// first: the poster on the wall now is what an admin asks about.
func PosterFunnel(tx *store.Tx, unit string) (Posters, error) {
	current, err := tx.PosterVersion(unit)
	if err != nil {
		return Posters{}, err
	}
	funnel, err := tx.Funnel(unit)
	if err != nil {
		return Posters{}, err
	}
	out := Posters{Version: current, Rows: make([]PosterRow, 0, len(funnel))}
	for i := len(funnel) - 1; i >= 0; i-- {
		f := funnel[i]
		// Versions start at 1, so unsigned links (0) are never current.
		out.Rows = append(out.Rows, PosterRow{Version: f.Version, Current: f.Version >= current, FunnelCounts: f.FunnelCounts})
	}
	return out, nil
}
