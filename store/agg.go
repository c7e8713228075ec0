package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// aggKeys returns the day and month buckets a response submitted at t is
// counted in, on the store's calendar.
func (tx *Tx) aggKeys(t time.Time) (day, month string) {
	t = t.In(tx.s.opts.Location)
	return survey.DayKey(t), survey.MonthKey(t)
}

// changeExtras applies change to the day and month tallies of every
// answered block of r, under agg_extra/<unit>/<questionnaire>-<scale>/.
func (tx *Tx) changeExtras(r survey.Response, change func(t *survey.ItemTally, scores []uint8) error) error {
	if len(r.Blocks) == 0 {
		return nil
	}
	root, err := tx.writeBucket(bucketAggExtra)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(r.Unit))
	if err != nil {
		return fmt.Errorf("%s/%s: %w", bucketAggExtra, r.Unit, err)
	}
	day, month := tx.aggKeys(r.Submitted)
	for _, blk := range r.Blocks {
		if blk.Answered() == 0 {
			continue
		}
		q := survey.QuestionnaireOf(blk.Key)
		if q == nil {
			return fmt.Errorf("unknown questionnaire %q", blk.Key)
		}
		name := survey.Extra{Questionnaire: q, Scale: blk.Scale}.TallyKey()
		qb, err := ub.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return fmt.Errorf("%s/%s/%s: %w", bucketAggExtra, r.Unit, name, err)
		}
		qb.FillPercent = 0.9
		for _, key := range []string{day, month} {
			t := survey.NewItemTally(q)
			if v := qb.Get([]byte(key)); v != nil {
				if t, err = decodeItemTally(v, q, blk.Scale); err != nil {
					return fmt.Errorf("%s/%s/%s/%s: %w", bucketAggExtra, r.Unit, name, key, err)
				}
			}
			if err := change(&t, blk.Scores); err != nil {
				return fmt.Errorf("%s/%s/%s/%s: %w", bucketAggExtra, r.Unit, name, key, err)
			}
			if t.Empty() {
				if err := qb.Delete([]byte(key)); err != nil {
					return err
				}
				continue
			}
			v, err := encodeItemTally(t, blk.Scale)
			if err != nil {
				return fmt.Errorf("%s/%s/%s/%s: %w", bucketAggExtra, r.Unit, name, key, err)
			}
			if err := qb.Put([]byte(key), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// ItemTally returns the unit's counts of extra questionnaire x over p, on
// x's scale, from the month and day tallies p.Buckets names, like Tally.
// Answers given on another scale (before the config changed) are not in it.
func (tx *Tx) ItemTally(unit string, x survey.Extra, p survey.Period) (survey.ItemTally, error) {
	sum := survey.NewItemTally(x.Questionnaire)
	ub := nested(tx.bucket(bucketAggExtra), unit, x.TallyKey())
	if ub == nil {
		return sum, nil
	}
	for _, key := range tx.periodKeys(p) {
		if v := ub.Get(key); v != nil {
			t, err := decodeItemTally(v, x.Questionnaire, x.Scale)
			if err != nil {
				return sum, fmt.Errorf("%s/%s/%s/%s: %w", bucketAggExtra, unit, x.TallyKey(), key, err)
			}
			sum.Merge(t)
		}
	}
	return sum, nil
}

// addAgg counts r's scores in its unit's day and month tallies.
func (tx *Tx) addAgg(r survey.Response) error {
	for _, root := range tallyBucketsOf(r) {
		err := tx.changeAgg(root, r.Unit, r.Submitted, func(t *survey.Tally) error {
			t.Add(r.Scores)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return tx.changeExtras(r, func(t *survey.ItemTally, scores []uint8) error {
		t.Add(scores)
		return nil
	})
}

// removeAgg takes r's scores out of its unit's day and month tallies. A
// tally that does not contain them means agg/ no longer matches
// responses/; that is reported rather than clamped, since a silently wrong
// index is worse than a failed replace.
func (tx *Tx) removeAgg(r survey.Response) error {
	for _, root := range tallyBucketsOf(r) {
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
	return tx.changeExtras(r, func(t *survey.ItemTally, scores []uint8) error {
		if !t.Contains(scores) {
			return errAggMismatch
		}
		t.Remove(scores)
		return nil
	})
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

// WebTally is Tally of the unit's responses given in the browser form
// (survey.SourceWeb). They are also in Tally.
func (tx *Tx) WebTally(unit string, p survey.Period) (survey.Tally, error) {
	return tx.tally(bucketAggWeb, unit, p)
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
