package store

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

// aggKeys returns the day and month buckets a response submitted at t is
// counted in, on the store's calendar.
func (tx *Tx) aggKeys(t time.Time) (day, month string) {
	t = t.In(tx.s.opts.Location)
	return survey.DayKey(t), survey.MonthKey(t)
}

// aggBuckets are the keyspaces a response is counted in: agg/ always, and
// agg_verified/ too when it came through a fresh counter code.
func aggBuckets(via survey.Via) [][]byte {
	if via.Verified() {
		return [][]byte{bucketAgg, bucketAggVerified}
	}
	return [][]byte{bucketAgg}
}

// addAgg counts r's scores in its unit's day and month tallies.
func (tx *Tx) addAgg(r survey.Response) error {
	for _, root := range aggBuckets(r.Via) {
		err := tx.changeAgg(root, r.Unit, r.Submitted, func(t *survey.Tally) error {
			t.Add(r.Scores)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// removeAgg takes r's scores out of its unit's day and month tallies. A
// tally that does not contain them means agg/ no longer matches
// responses/; that is reported rather than clamped, since a silently wrong
// index is worse than a failed replace.
func (tx *Tx) removeAgg(r survey.Response) error {
	for _, root := range aggBuckets(r.Via) {
		err := tx.changeAgg(root, r.Unit, r.Submitted, func(t *survey.Tally) error {
			if t.Respondents < 1 {
				return errAggMismatch
			}
			for e, v := range r.Scores {
				if v >= survey.MinScore && v <= survey.MaxScore && t.Dist[e][v-1] < 1 {
					return errAggMismatch
				}
			}
			t.Remove(r.Scores)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

var errAggMismatch = errors.New("aggregate does not contain the response (run RebuildAggregates)")

func (tx *Tx) changeAgg(name []byte, unit string, at time.Time, change func(*survey.Tally) error) error {
	root, err := tx.writeBucket(name)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(unit))
	if err != nil {
		return fmt.Errorf("%s/%s: %w", name, unit, err)
	}
	ub.FillPercent = 0.9 // days come in order: new keys append
	day, month := tx.aggKeys(at)
	for _, key := range []string{day, month} {
		var t survey.Tally
		if v := ub.Get([]byte(key)); v != nil {
			if t, err = decodeTally(v); err != nil {
				return fmt.Errorf("%s/%s/%s: %w", name, unit, key, err)
			}
		}
		if err := change(&t); err != nil {
			return fmt.Errorf("%s/%s/%s: %w", name, unit, key, err)
		}
		if t == (survey.Tally{}) {
			// An emptied bucket is deleted, so agg/ after a replace looks
			// exactly like agg/ rebuilt from scratch.
			if err := ub.Delete([]byte(key)); err != nil {
				return err
			}
			continue
		}
		v, err := encodeTally(t)
		if err != nil {
			return fmt.Errorf("%s/%s/%s: %w", name, unit, key, err)
		}
		if err := ub.Put([]byte(key), v); err != nil {
			return err
		}
	}
	return nil
}

// Tally returns the unit's counts over p by summing the month and day
// tallies that p.Buckets names: a year is twelve reads, whatever the number
// of responses. p's From and To are read as calendar dates, which are dates
// on the store's calendar (Store.Location): build "this month" with
// survey.PeriodOf(kind, now.In(s.Location())).
func (tx *Tx) Tally(unit string, p survey.Period) (survey.Tally, error) {
	return tx.tally(bucketAgg, unit, p)
}

// VerifiedTally is Tally of the unit's verified responses only: those that
// came through a fresh code of the unit's counter screen
// (survey.ViaCounter). They are also in Tally.
func (tx *Tx) VerifiedTally(unit string, p survey.Period) (survey.Tally, error) {
	return tx.tally(bucketAggVerified, unit, p)
}

func (tx *Tx) tally(name []byte, unit string, p survey.Period) (survey.Tally, error) {
	var sum survey.Tally
	err := tx.periodValues(name, unit, p, func(v []byte) error {
		t, err := decodeTally(v)
		sum.Merge(t)
		return err
	})
	return sum, err
}

// periodValues calls fn with each stored month and leftover-day value of
// name/unit that p.Buckets names: a period's figure is a sum of a few reads,
// never a scan of responses.
func (tx *Tx) periodValues(name []byte, unit string, p survey.Period, fn func(v []byte) error) error {
	ub := nested(tx.bucket(name), unit)
	if ub == nil {
		return nil
	}
	for _, key := range tx.periodKeys(p) {
		if v := ub.Get(key); v != nil {
			if err := fn(v); err != nil {
				return fmt.Errorf("%s/%s/%s: %w", name, unit, key, err)
			}
		}
	}
	return nil
}

// periodKeys are a period's month and leftover-day keys, as p.Buckets names
// them.
type periodKeys struct {
	p    survey.Period
	keys [][]byte
}

// periodKeys returns p's keys, computed once per transaction for the same
// period: formatting them took an eighth of a city /ikm.
func (tx *Tx) periodKeys(p survey.Period) [][]byte {
	if tx.keys != nil && tx.keys.p == p {
		return tx.keys.keys
	}
	months, days := p.Buckets()
	k := &periodKeys{p: p, keys: make([][]byte, 0, len(months)+len(days))}
	for _, keys := range [][]string{months, days} {
		for _, key := range keys {
			k.keys = append(k.keys, []byte(key))
		}
	}
	tx.keys = k
	return k.keys
}

// RebuildAggregates drops agg/, agg_verified/ and respondents/ and
// recomputes them from responses/, the source of truth: the repair for a
// damaged or suspect aggregate, and the migration path when the tally
// encoding changes. It holds every tally in memory (two years of 89 units
// is about 70k tallies of 148 bytes) and writes in the same transaction.
// The profile aggregates (prof/) and the suggestion index are rebuilt too.
func (tx *Tx) RebuildAggregates() error {
	for _, name := range [][]byte{bucketAgg, bucketAggVerified, bucketRespondents} {
		if !tx.tx.Writable() {
			return fmt.Errorf("rebuild: %w", bolt.ErrTxNotWritable)
		}
		if err := tx.tx.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return fmt.Errorf("rebuild: drop %s: %w", name, err)
		}
		if _, err := tx.tx.CreateBucket(name); err != nil {
			return fmt.Errorf("rebuild: create %s: %w", name, err)
		}
	}
	type aggKey struct{ root, unit, key string }
	tallies := map[aggKey]*survey.Tally{}
	type respondent struct{ unit, window, who string }
	respondents := map[respondent]uint64{}
	err := tx.forEachResponse(bucketResponses, func(r survey.Response, window string) error {
		day, month := tx.aggKeys(r.Submitted)
		for _, root := range aggBuckets(r.Via) {
			for _, key := range []string{day, month} {
				k := aggKey{string(root), r.Unit, key}
				t := tallies[k]
				if t == nil {
					t = new(survey.Tally)
					tallies[k] = t
				}
				t.Add(r.Scores)
			}
		}
		if r.Respondent != "" && window != "" {
			// Id order: if an old file has two, the later one is the answer
			// that stands.
			respondents[respondent{r.Unit, window, r.Respondent}] = r.ID
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	// Sorted inserts fill bbolt pages fully; map order would leave them half
	// empty.
	keys := slices.SortedFunc(maps.Keys(tallies), func(a, b aggKey) int {
		return cmp.Or(cmp.Compare(a.root, b.root), cmp.Compare(a.unit, b.unit), cmp.Compare(a.key, b.key))
	})
	for _, k := range keys {
		t := tallies[k]
		ub, err := tx.tx.Bucket([]byte(k.root)).CreateBucketIfNotExists([]byte(k.unit))
		if err != nil {
			return fmt.Errorf("rebuild: %s/%s: %w", k.root, k.unit, err)
		}
		ub.FillPercent = 0.9
		v, err := encodeTally(*t)
		if err != nil {
			return fmt.Errorf("rebuild: %s/%s/%s: %w", k.root, k.unit, k.key, err)
		}
		if err := ub.Put([]byte(k.key), v); err != nil {
			return err
		}
	}
	// In key order too: in map order every put lands in the middle of an
	// ever larger unsplit node, and the copying grows with the square of
	// the respondents.
	who := slices.SortedFunc(maps.Keys(respondents), func(a, b respondent) int {
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.window, b.window), cmp.Compare(a.who, b.who))
	})
	for _, k := range who {
		if err := tx.putRespondent(k.unit, k.window, k.who, respondents[k]); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	return tx.rebuildDerived()
}
