package store

import (
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// BenchmarkAddResponse measures one response per Update with fsync on, as
// the bot runs. "serial" is one respondent at a time: each op waits for the
// batch delay and its own fsync. "parallel" has 64 concurrent callers, whose
// updates share commits (group commit), so the cost per response drops.
func BenchmarkAddResponse(b *testing.B) {
	loc := jakarta(b)
	at := time.Date(2026, 7, 15, 10, 0, 0, 0, loc)
	scores := survey.Scores{4, 3, 2, 1, 4, 3, 2, 1, 4}
	add := func(s *Store, n int64) error {
		r := testResponse(fmt.Sprintf("U%d", n%89), at.Add(time.Duration(n)*time.Second), scores)
		r.Respondent = fmt.Sprintf("r%d", n)
		return s.Update(func(tx *Tx) error { return tx.AddResponse(&r, "2026") })
	}
	b.Run("serial", func(b *testing.B) {
		s := open(b, Options{Location: loc})
		var n int64
		for b.Loop() {
			n++
			if err := add(s, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		s := open(b, Options{Location: loc})
		var n atomic.Int64
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := add(s, n.Add(1)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkTallyCityYear reads a whole city's year: 89 units x 12 monthly
// tallies, after seeding 100k responses.
func BenchmarkTallyCityYear(b *testing.B) {
	loc := jakarta(b)
	s, units := seedCity(b, loc)
	year, err := survey.ParsePeriod("2026", loc)
	if err != nil {
		b.Fatal(err)
	}
	var total survey.Tally
	for b.Loop() {
		total = survey.Tally{}
		err := s.View(func(tx *Tx) error {
			for _, u := range units {
				t, err := tx.Tally(u, year)
				if err != nil {
					return err
				}
				total.Merge(t)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if total.Respondents != 100_000 {
		b.Fatalf("city year has %d respondents, want 100000", total.Respondents)
	}
}

// BenchmarkScanCityYear is what BenchmarkTallyCityYear would cost without
// aggregates: decoding every response.
func BenchmarkScanCityYear(b *testing.B) {
	loc := jakarta(b)
	s, _ := seedCity(b, loc)
	year, err := survey.ParsePeriod("2026", loc)
	if err != nil {
		b.Fatal(err)
	}
	var total survey.Tally
	for b.Loop() {
		total = survey.Tally{}
		err := s.View(func(tx *Tx) error {
			return tx.ForEachResponse(func(r survey.Response) error {
				if year.Contains(r.Submitted) {
					total.Add(r.Scores)
				}
				return nil
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if total.Respondents != 100_000 {
		b.Fatalf("city year has %d respondents, want 100000", total.Respondents)
	}
}

// seedCity stores 100k responses of 2026 over 89 units with NoSync, the
// size of Kota Bekasi's survey at a few hundred respondents per unit.
func seedCity(b *testing.B, loc *time.Location) (*Store, []string) {
	b.Helper()
	units := make([]string, 89)
	for i := range units {
		units[i] = fmt.Sprintf("UNIT%02d", i)
	}
	s := open(b, Options{Location: loc, NoSync: true})
	rng := mrand.New(mrand.NewPCG(11, 12))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	const total, perTx = 100_000, 5000
	for done := 0; done < total; done += perTx {
		rs := make([]survey.Response, perTx)
		for i := range rs {
			var sc survey.Scores
			for e := range sc {
				sc[e] = uint8(1 + rng.IntN(4))
			}
			at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			rs[i] = testResponse(units[rng.IntN(len(units))], at, sc)
		}
		update(b, s, func(tx *Tx) error {
			for i := range rs {
				if err := tx.AddResponse(&rs[i], ""); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return s, units
}
