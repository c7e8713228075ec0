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

// addAgg counts scores in the unit's day and month tallies.
func (tx *Tx) addAgg(unit string, at time.Time, scores survey.Scores) error {
	return tx.changeAgg(unit, at, func(t *survey.Tally) error {
		t.Add(scores)
		return nil
	})
}

// removeAgg takes scores out of the unit's day and month tallies. A tally
// that does not contain them means agg/ no longer matches responses/; that
// is reported rather than clamped, since a silently wrong index is worse
// than a failed replace.
func (tx *Tx) removeAgg(unit string, at time.Time, scores survey.Scores) error {
	return tx.changeAgg(unit, at, func(t *survey.Tally) error {
		if t.Respondents < 1 {
			return errAggMismatch
		}
		for e, v := range scores {
			if v >= survey.MinScore && v <= survey.MaxScore && t.Dist[e][v-1] < 1 {
				return errAggMismatch
			}
		}
		t.Remove(scores)
		return nil
	})
}

var errAggMismatch = errors.New("aggregate does not contain the response (run RebuildAggregates)")

func (tx *Tx) changeAgg(unit string, at time.Time, change func(*survey.Tally) error) error {
	root, err := tx.writeBucket(bucketAgg)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(unit))
	if err != nil {
		return fmt.Errorf("agg/%s: %w", unit, err)
	}
	ub.FillPercent = 0.9 // days come in order: new keys append
	day, month := tx.aggKeys(at)
	for _, key := range []string{day, month} {
		var t survey.Tally
		if v := ub.Get([]byte(key)); v != nil {
			if t, err = decodeTally(v); err != nil {
				return fmt.Errorf("agg/%s/%s: %w", unit, key, err)
			}
		}
		if err := change(&t); err != nil {
			return fmt.Errorf("agg/%s/%s: %w", unit, key, err)
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
			return fmt.Errorf("agg/%s/%s: %w", unit, key, err)
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
	var sum survey.Tally
	ub := nested(tx.bucket(bucketAgg), unit)
	if ub == nil {
		return sum, nil
	}
	months, days := p.Buckets()
	for _, keys := range [][]string{months, days} {
		for _, key := range keys {
			v := ub.Get([]byte(key))
			if v == nil {
				continue
			}
			t, err := decodeTally(v)
			if err != nil {
				return survey.Tally{}, fmt.Errorf("agg/%s/%s: %w", unit, key, err)
			}
			sum.Merge(t)
		}
	}
	return sum, nil
}

// RebuildAggregates drops agg/ and respondents/ and recomputes both from
// responses/, the source of truth: the repair for a damaged or suspect
// aggregate, and the migration path when the tally encoding changes. It
// holds every tally in memory (two years of 89 units is about 70k tallies
// of 148 bytes) and writes in the same transaction.
func (tx *Tx) RebuildAggregates() error {
	for _, name := range [][]byte{bucketAgg, bucketRespondents} {
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
	type aggKey struct{ unit, key string }
	tallies := map[aggKey]*survey.Tally{}
	type respondent struct{ unit, window, who string }
	respondents := map[respondent]uint64{}
	err := tx.forEachResponse(bucketResponses, func(r survey.Response, window string) error {
		day, month := tx.aggKeys(r.Submitted)
		for _, key := range []string{day, month} {
			k := aggKey{r.Unit, key}
			t := tallies[k]
			if t == nil {
				t = new(survey.Tally)
				tallies[k] = t
			}
			t.Add(r.Scores)
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
		return cmp.Or(cmp.Compare(a.unit, b.unit), cmp.Compare(a.key, b.key))
	})
	root := tx.tx.Bucket(bucketAgg)
	for _, k := range keys {
		t := tallies[k]
		ub, err := root.CreateBucketIfNotExists([]byte(k.unit))
		if err != nil {
			return fmt.Errorf("rebuild: agg/%s: %w", k.unit, err)
		}
		ub.FillPercent = 0.9
		v, err := encodeTally(*t)
		if err != nil {
			return fmt.Errorf("rebuild: agg/%s/%s: %w", k.unit, k.key, err)
		}
		if err := ub.Put([]byte(k.key), v); err != nil {
			return err
		}
	}
	for k, id := range respondents {
		if err := tx.putRespondent(k.unit, k.window, k.who, id); err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	return nil
}
