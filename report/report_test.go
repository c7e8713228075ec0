package report_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Jakarta even where the host has no zoneinfo

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

func jakarta(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// units are three units of two types; PKM-KOSONG never gets a response.
var units = []survey.Unit{
	{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah, Users: 20000},
	{Code: "PKM-KRANJI", Name: "Puskesmas Kranji", Type: survey.Puskesmas, Users: 3000},
	{Code: "PKM-KOSONG", Name: "Puskesmas Kosong", Type: survey.Puskesmas},
}

// fixture is a store in t.TempDir() holding responses, as the bot stores
// them, over 2025 and 2026, a few of them verified at the counter; and
// the same responses as a slice, for recounting by hand.
func fixture(t *testing.T) (*store.Store, []survey.Response) {
	t.Helper()
	loc := jakarta(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "ikmbot.db"), store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var rs []survey.Response
	// Every 9 days from 2025-01-03 to 2026-06-30, alternating units,
	// scores that vary by element and by response.
	for i, at := 0, time.Date(2025, 1, 3, 23, 30, 0, 0, loc); at.Before(time.Date(2026, 7, 1, 0, 0, 0, 0, loc)); i, at = i+1, at.AddDate(0, 0, 9) {
		var sc survey.Scores
		for e := range sc {
			sc[e] = uint8(1 + (i+e*e)%4)
		}
		if i%7 == 3 {
			sc[4] = 0 // one element unanswered
		}
		r := survey.Response{
			Unit: units[i%2].Code, Submitted: at, Source: survey.SourceTelegram, Respondent: fmt.Sprint("r", i), Scores: sc,
			Profile: survey.Profile{Gender: []string{"L", "P"}[i%2], Age: 20 + i%50, Education: survey.Educations[i%len(survey.Educations)]},
		}
		if i%5 == 0 {
			r.Via = survey.ViaCounter
		}
		if i%3 == 1 {
			r.Source = survey.SourceWeb
		}
		rs = append(rs, r)
	}
	if err := st.Update(func(tx *store.Tx) error {
		for i := range rs {
			if err := tx.AddResponse(&rs[i], ""); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return st, rs
}

func view(t *testing.T, st *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := st.View(fn); err != nil {
		t.Fatal(err)
	}
}

// recount tallies by hand the responses of each unit in p that keep says
// to keep.
func recount(rs []survey.Response, p survey.Period, keep func(survey.Response) bool) []survey.Tally {
	out := make([]survey.Tally, len(units))
	for _, r := range rs {
		i := slices.IndexFunc(units, func(u survey.Unit) bool { return u.Code == r.Unit })
		if i >= 0 && p.Contains(r.Submitted) && keep(r) {
			out[i].Add(r.Scores)
		}
	}
	return out
}

func all(survey.Response) bool { return true }

func period(t *testing.T, s string) survey.Period {
	t.Helper()
	p, err := survey.ParsePeriod(s, jakarta(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var periods = []string{"2025", "2026", "2026-S1", "2025-Q3", "2026-02", "2025-12-20..2026-01-10", "2027", "2024-12-31..2024-12-31"}

func TestSummary(t *testing.T) {
	st, rs := fixture(t)
	for _, w := range []survey.Weighting{survey.ExactWeights, survey.LegacyWeights} {
		for _, label := range periods {
			p := period(t, label)
			want := survey.Summarize(p, units, recount(rs, p, all), w)
			view(t, st, func(tx *store.Tx) error {
				got, err := report.Summary(tx, units, p, w)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Summary(%s, %v) = %+v\nwant (a recount) %+v", label, w, got, want)
				}
				return nil
			})
		}
	}
}

func TestSummaryOfNoUnits(t *testing.T) {
	st, _ := fixture(t)
	view(t, st, func(tx *store.Tx) error {
		got, err := report.Summary(tx, nil, period(t, "2026"), survey.ExactWeights)
		if err != nil || len(got.Units) != 0 || got.WithData != 0 || got.Pooled.Valid {
			t.Errorf("Summary of no units = %+v, %v; want an empty summary", got, err)
		}
		return err
	})
}

func TestTrend(t *testing.T) {
	st, rs := fixture(t)
	tests := []struct {
		end  string
		n    int
		want []string
	}{
		{"2026", 3, []string{"2024", "2025", "2026"}},
		{"2026-Q2", 4, []string{"2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"}},
		{"2026-01-01..2026-01-31", 2, []string{"2025-12-01..2025-12-31", "2026-01-01..2026-01-31"}},
		{"2026-03", 1, []string{"2026-03"}},
		{"2026", 0, nil},
	}
	for _, tt := range tests {
		view(t, st, func(tx *store.Tx) error {
			got, err := report.Trend(tx, units, period(t, tt.end), tt.n, survey.ExactWeights)
			if err != nil {
				return err
			}
			var labels []string
			for _, s := range got {
				labels = append(labels, s.Period.Label)
				if want := survey.Summarize(s.Period, units, recount(rs, s.Period, all), survey.ExactWeights); !reflect.DeepEqual(s, want) {
					t.Errorf("Trend(%s, %d): %s = %+v, want %+v", tt.end, tt.n, s.Period.Label, s, want)
				}
			}
			if !slices.Equal(labels, tt.want) {
				t.Errorf("Trend(%s, %d) periods = %q, want %q", tt.end, tt.n, labels, tt.want)
			}
			return nil
		})
	}
}

func TestResultAndVerified(t *testing.T) {
	st, rs := fixture(t)
	verified := func(r survey.Response) bool { return r.Via.Verified() }
	web := func(r survey.Response) bool { return r.Source == survey.SourceWeb }
	for _, label := range periods {
		p := period(t, label)
		tallies, vtallies, wtallies := recount(rs, p, all), recount(rs, p, verified), recount(rs, p, web)
		view(t, st, func(tx *store.Tx) error {
			got, err := report.Verified(tx, units, p, survey.ExactWeights)
			if err != nil {
				return err
			}
			gotWeb, err := report.Web(tx, units, p, survey.ExactWeights)
			if err != nil {
				return err
			}
			for i, u := range units {
				if want := wtallies[i].Result(survey.ExactWeights); !reflect.DeepEqual(gotWeb[i], want) {
					t.Errorf("Web(%s)[%s] = %+v, want %+v", label, u.Code, gotWeb[i], want)
				}
			}
			for i, u := range units {
				if want := vtallies[i].Result(survey.ExactWeights); !reflect.DeepEqual(got[i], want) {
					t.Errorf("Verified(%s)[%s] = %+v, want %+v", label, u.Code, got[i], want)
				}
				res, err := report.Result(tx, u.Code, p, survey.ExactWeights)
				if err != nil {
					return err
				}
				if want := tallies[i].Result(survey.ExactWeights); !reflect.DeepEqual(res, want) {
					t.Errorf("Result(%s, %s) = %+v, want %+v", u.Code, label, res, want)
				}
				if got[i].Respondents > res.Respondents {
					t.Errorf("%s %s: %d verified of %d respondents", u.Code, label, got[i].Respondents, res.Respondents)
				}
			}
			return nil
		})
	}
	// The fixture must reach both branches: verified and not.
	view(t, st, func(tx *store.Tx) error {
		got, err := report.Verified(tx, units, period(t, "2026"), survey.ExactWeights)
		if err == nil && (!got[0].Valid || got[2].Valid) {
			t.Errorf("Verified(2026) = %+v; want DISDUKCAPIL's valid and PKM-KOSONG's empty", got)
		}
		web, err := report.Web(tx, units, period(t, "2026"), survey.ExactWeights)
		if err == nil && (!web[0].Valid || !web[1].Valid || web[2].Valid) {
			t.Errorf("Web(2026) = %+v; want both units' web answers and none at PKM-KOSONG", web)
		}
		return err
	})
}

// TestProfiles: the profiles are those the disclosure rule publishes from
// each unit's ended months, recounted by hand from the responses; read on
// 2026-04-15, a date range has none and 2026's months stop at March.
func TestProfiles(t *testing.T) {
	st, rs := fixture(t)
	now := time.Date(2026, 4, 15, 9, 0, 0, 0, jakarta(t))
	for _, label := range periods {
		p := period(t, label)
		months, ok := survey.ProfileMonths(p, now)
		blocks := make([][]survey.ProfileTally, len(units))
		for i := range blocks {
			blocks[i] = make([]survey.ProfileTally, len(months))
		}
		for _, r := range rs {
			i := slices.IndexFunc(units, func(u survey.Unit) bool { return u.Code == r.Unit })
			for m, mp := range months {
				if mp.Contains(r.Submitted) {
					blocks[i][m].Add(r.Profile)
				}
			}
		}
		want := survey.PublishProfiles(months, ok, blocks, survey.MinProfileCell)
		view(t, st, func(tx *store.Tx) error {
			got, err := report.Profiles(tx, units, p, now)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Profiles(%s) = %+v, want %+v", label, got, want)
			}
			return nil
		})
		if ok != (p.Kind != survey.PeriodRange) {
			t.Errorf("Profiles(%s) available %v", label, ok)
		}
	}
}

func TestPosterFunnel(t *testing.T) {
	type scan struct {
		version int
		stage   store.FunnelStage
	}
	c := func(scans, started, completed int) store.FunnelCounts {
		return store.FunnelCounts{Scans: scans, Started: started, Completed: completed}
	}
	tests := []struct {
		name    string
		revokes int
		scans   []scan
		want    report.Posters
	}{
		{"nothing scanned", 0, nil, report.Posters{Version: 1, Rows: []report.PosterRow{}}},
		{"the first poster", 0, []scan{{1, store.FunnelScan}, {1, store.FunnelScan}, {1, store.FunnelStart}},
			report.Posters{Version: 1, Rows: []report.PosterRow{{Version: 1, Current: true, FunnelCounts: c(2, 1, 0)}}}},
		{"a revoked poster and unsigned links, newest first", 2, []scan{
			{0, store.FunnelScan}, {1, store.FunnelScan}, {1, store.FunnelStart}, {1, store.FunnelComplete},
			{3, store.FunnelScan}, {3, store.FunnelScan}, {3, store.FunnelScan}, {3, store.FunnelStart},
		}, report.Posters{Version: 3, Rows: []report.PosterRow{
			{Version: 3, Current: true, FunnelCounts: c(3, 1, 0)},
			{Version: 1, FunnelCounts: c(1, 1, 1)},
			{Version: 0, FunnelCounts: c(1, 0, 0)},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := fixture(t)
			if err := st.Update(func(tx *store.Tx) error {
				for range tt.revokes {
					if _, err := tx.RevokePosters("PKM-KRANJI"); err != nil {
						return err
					}
				}
				for _, s := range tt.scans {
					if err := tx.CountFunnel("PKM-KRANJI", s.version, s.stage); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			view(t, st, func(tx *store.Tx) error {
				got, err := report.PosterFunnel(tx, "PKM-KRANJI")
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("PosterFunnel = %+v, want %+v", got, tt.want)
				}
				for _, r := range got.Rows {
					if r.Unsigned() != (r.Version == 0) || (r.Unsigned() && r.Current) {
						t.Errorf("row %+v: Unsigned %v, Current %v", r, r.Unsigned(), r.Current)
					}
				}
				return nil
			})
		})
	}
}

func TestFollowUps(t *testing.T) {
	loc := jakarta(t)
	st, _ := fixture(t)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, loc) }
	plans := []survey.FollowUp{
		{Unit: "PKM-KRANJI", Element: survey.Sarana, Action: "kipas", Due: day(5, 31), Status: survey.FollowUpProgress},
		{Unit: "DISDUKCAPIL", Element: survey.Waktu, Action: "loket", Due: day(6, 30), Status: survey.FollowUpOpen},
		{Unit: "DISDUKCAPIL", Element: survey.Pengaduan, Action: "kanal", Due: day(4, 1), Status: survey.FollowUpDone},
		{Unit: "DISDUKCAPIL", Element: survey.Biaya, Action: "papan tarif", Status: survey.FollowUpOpen},
		{Unit: "OTHER", Element: survey.Biaya, Action: "not asked for", Due: day(1, 1), Status: survey.FollowUpOpen},
	}
	if err := st.Update(func(tx *store.Tx) error {
		for _, f := range plans {
			f.Created = day(3, 1)
			if _, err := tx.AddFollowUp(f); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	actions := func(fs []survey.FollowUp) (out []string) {
		for _, f := range fs {
			out = append(out, f.Unit+" #"+fmt.Sprint(f.Seq)+" "+f.Action)
		}
		return out
	}
	view(t, st, func(tx *store.Tx) error {
		// In the units' order, then by number; units without plans add nothing.
		got, err := report.FollowUps(tx, units)
		if err != nil {
			return err
		}
		if want := []string{"DISDUKCAPIL #1 loket", "DISDUKCAPIL #2 kanal", "DISDUKCAPIL #3 papan tarif", "PKM-KRANJI #1 kipas"}; !slices.Equal(actions(got), want) {
			t.Errorf("FollowUps = %q, want %q", actions(got), want)
		}
		for _, tt := range []struct {
			unit string
			open []string
			done int
		}{
			{"DISDUKCAPIL", []string{"DISDUKCAPIL #1 loket", "DISDUKCAPIL #3 papan tarif"}, 1},
			{"PKM-KRANJI", []string{"PKM-KRANJI #1 kipas"}, 0},
			{"PKM-KOSONG", nil, 0},
		} {
			p, err := report.UnitPlans(tx, tt.unit)
			if err != nil {
				return err
			}
			if !slices.Equal(actions(p.Open), tt.open) || p.Done != tt.done {
				t.Errorf("UnitPlans(%s) = open %q, done %d; want %q, %d", tt.unit, actions(p.Open), p.Done, tt.open, tt.done)
			}
		}
		for _, tt := range []struct {
			units []survey.Unit
			day   time.Time
			want  int
		}{
			{units, day(5, 31), 0},     // due today is not late yet
			{units, day(6, 1), 1},      // kipas
			{units, day(7, 1), 2},      // and loket; kanal is done, papan tarif has no deadline
			{units[:1], day(7, 1), 1},  // loket alone
			{units[2:], day(12, 1), 0}, // no plans
		} {
			n, err := report.Overdue(tx, tt.units, tt.day)
			if err != nil {
				return err
			}
			if n != tt.want {
				t.Errorf("Overdue(%d units, %s) = %d, want %d", len(tt.units), tt.day.Format(time.DateOnly), n, tt.want)
			}
		}
		// Plans stored as done have taken 0 days (their day of completion
		// is the day they were recorded).
		stats, err := report.FollowUpStats(tx, units)
		if err != nil {
			return err
		}
		want := []survey.FollowUpStats{{Planned: 3, Done: 1, DoneWithinMonth: 1}, {Planned: 1}, {}}
		if !slices.Equal(stats, want) {
			t.Errorf("FollowUpStats = %+v, want %+v", stats, want)
		}
		return nil
	})
}
