package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

// AddResponse stores a completed response and counts it, in the same
// transaction, in the unit's aggregates for the day and the month of
// r.Submitted (in Options.Location), and in the verified aggregates too
// when r.Via is verified (a fresh counter code). It sets r.ID from the
// bucket sequence; the ID is real only once Update has returned nil.
//
// When r.Respondent and window are both set (window names the "one response
// per person per unit per period" period, e.g. "2026"), it also records the
// response under respondents/, and fails with ErrDuplicate if that
// respondent already has one there: use ReplaceResponse for a second answer,
// so that one person is never counted twice.
func (tx *Tx) AddResponse(r *survey.Response, window string) error {
	if r == nil {
		return errors.New("add response: nil response")
	}
	if err := checkResponse(*r); err != nil {
		return fmt.Errorf("add response: %w", err)
	}
	b, err := tx.writeBucket(bucketResponses)
	if err != nil {
		return err
	}
	// Ids only grow, so every put appends: full pages, not bbolt's
	// default half-full split, halve the file.
	b.FillPercent = 0.9
	if r.Respondent != "" && window != "" {
		if prior, ok, err := tx.PriorResponse(r.Unit, window, r.Respondent); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("add response: unit %s, window %s: %w (response %d)", r.Unit, window, ErrDuplicate, prior)
		}
	}
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeResponse(*r, window)
	if err != nil {
		return fmt.Errorf("add response: %w", err)
	}
	if err := b.Put(u64key(id), v); err != nil {
		return err
	}
	if err := tx.addAgg(*r); err != nil {
		return err
	}
	if err := tx.addDerived(*r, id); err != nil {
		return err
	}
	if r.Respondent != "" && window != "" {
		if err := tx.putRespondent(r.Unit, window, r.Respondent, id); err != nil {
			return err
		}
	}
	r.ID = id
	return nil
}

// Outcome says what AddCompleted did with a completed response.
type Outcome int

// Outcomes of AddCompleted.
const (
	Added    Outcome = iota + 1 // stored and counted
	Replaced                    // stored and counted in place of the respondent's earlier response
	// KeptIncomplete: the respondent already has a counted response in the
	// window (another survey of theirs completed since this one began) and
	// replacing is not allowed, so the answers are kept as incomplete and
	// nobody is counted twice.
	KeptIncomplete
)

// AddCompleted stores a completed response under the rule "one response
// per person per unit per window", as every channel applies it: a first
// response is added; a repeat replaces the earlier one when allowReplace is
// set, and is otherwise kept as incomplete. Everything happens in tx.
func (tx *Tx) AddCompleted(r *survey.Response, window string, allowReplace bool) (Outcome, error) {
	prior, repeat, err := tx.PriorResponse(r.Unit, window, r.Respondent)
	if err != nil {
		return 0, err
	}
	switch {
	case repeat && allowReplace:
		return Replaced, tx.ReplaceResponse(prior, r, window)
	case repeat:
		return KeptIncomplete, tx.AddIncomplete(*r)
	}
	return Added, tx.AddResponse(r, window)
}

// checkResponse keeps records that could never be counted out of the file.
func checkResponse(r survey.Response) error {
	switch {
	case r.Unit == "":
		return errors.New("no unit")
	case r.Submitted.IsZero():
		return errors.New("no submission time")
	case !r.Scores.Valid():
		return fmt.Errorf("invalid scores %v", r.Scores)
	}
	seen := map[survey.QuestionnaireKey]bool{}
	for _, b := range r.Blocks {
		if err := b.Check(); err != nil {
			return err
		}
		if seen[b.Key] {
			return fmt.Errorf("questionnaire %s answered twice", b.Key)
		}
		seen[b.Key] = true
	}
	return nil
}

// PriorResponse returns the response the respondent gave for unit in
// window, if any. Other windows do not count: last year's answer does not
// stop this year's.
func (tx *Tx) PriorResponse(unit, window, respondent string) (id uint64, ok bool, err error) {
	if unit == "" || window == "" || respondent == "" {
		return 0, false, nil
	}
	b := nested(tx.bucket(bucketRespondents), unit, window)
	if b == nil {
		return 0, false, nil
	}
	v := b.Get([]byte(respondent))
	if v == nil {
		return 0, false, nil
	}
	id, err = keyU64(v)
	if err != nil {
		return 0, false, fmt.Errorf("respondents/%s/%s: %w", unit, window, err)
	}
	return id, true, nil
}

// ReplaceResponse swaps an earlier response for r: it takes the old scores
// out of the aggregates of the old response's own day and month, deletes the
// old record and its respondents/ entry, then does AddResponse(r, window).
// A missing old response is ErrNotFound.
func (tx *Tx) ReplaceResponse(oldID uint64, r *survey.Response, window string) error {
	b, err := tx.writeBucket(bucketResponses)
	if err != nil {
		return err
	}
	v := b.Get(u64key(oldID))
	if v == nil {
		return fmt.Errorf("replace response %d: %w", oldID, ErrNotFound)
	}
	old, _, err := tx.s.decodeResponse(oldID, v)
	if err != nil {
		return err
	}
	if err := tx.removeAgg(old); err != nil {
		return fmt.Errorf("replace response %d: %w", oldID, err)
	}
	if err := tx.removeDerived(old); err != nil {
		return fmt.Errorf("replace response %d: %w", oldID, err)
	}
	if err := b.Delete(u64key(oldID)); err != nil {
		return err
	}
	if err := tx.deleteRespondent(old.Unit, old.Respondent, oldID); err != nil {
		return err
	}
	return tx.AddResponse(r, window)
}

// Response returns one stored response, or an error wrapping ErrNotFound.
func (tx *Tx) Response(id uint64) (survey.Response, error) {
	b := tx.bucket(bucketResponses)
	var v []byte
	if b != nil {
		v = b.Get(u64key(id))
	}
	if v == nil {
		return survey.Response{}, fmt.Errorf("response %d: %w", id, ErrNotFound)
	}
	r, _, err := tx.s.decodeResponse(id, v)
	return r, err
}

// AddIncomplete keeps the partial answers of an expired or abandoned survey
// in their own bucket. They never reach the aggregates: the regulation
// counts completed questionnaires only.
func (tx *Tx) AddIncomplete(r survey.Response) error {
	if r.Unit == "" {
		return errors.New("add incomplete: no unit")
	}
	b, err := tx.writeBucket(bucketIncomplete)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeResponse(r, "")
	if err != nil {
		return fmt.Errorf("add incomplete: %w", err)
	}
	return b.Put(u64key(seq), v)
}

// ForEachResponse calls fn with every completed response in id order (which
// is the order they were stored). fn must not write responses through tx.
func (tx *Tx) ForEachResponse(fn func(survey.Response) error) error {
	return tx.forEachResponse(bucketResponses, func(r survey.Response, _ string) error { return fn(r) })
}

// ForEachIncomplete calls fn with every incomplete response in the order
// they were stored; ID is the incomplete/ sequence, not a response id.
func (tx *Tx) ForEachIncomplete(fn func(survey.Response) error) error {
	return tx.forEachResponse(bucketIncomplete, func(r survey.Response, _ string) error { return fn(r) })
}

func (tx *Tx) forEachResponse(name []byte, fn func(r survey.Response, window string) error) error {
	return tx.forEachResponseKey(name, func(_ []byte, r survey.Response, window string) error { return fn(r, window) })
}

// CountResponses returns how many completed and incomplete responses are
// stored, without decoding them.
func (tx *Tx) CountResponses() (complete, incomplete int, err error) {
	if b := tx.bucket(bucketResponses); b != nil {
		complete = b.Stats().KeyN
	}
	if b := tx.bucket(bucketIncomplete); b != nil {
		incomplete = b.Stats().KeyN
	}
	return complete, incomplete, nil
}

func (tx *Tx) putRespondent(unit, window, respondent string, id uint64) error {
	root, err := tx.writeBucket(bucketRespondents)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(unit))
	if err != nil {
		return fmt.Errorf("respondents/%s: %w", unit, err)
	}
	wb, err := ub.CreateBucketIfNotExists([]byte(window))
	if err != nil {
		return fmt.Errorf("respondents/%s/%s: %w", unit, window, err)
	}
	return wb.Put([]byte(respondent), u64key(id))
}

// deleteRespondent removes the entries that point at id. It looks in every
// window of the unit, because the caller knows the window of the new
// response, not necessarily the one the old response was recorded in.
func (tx *Tx) deleteRespondent(unit, respondent string, id uint64) error {
	if respondent == "" {
		return nil
	}
	ub := nested(tx.bucket(bucketRespondents), unit)
	if ub == nil {
		return nil
	}
	want := u64key(id)
	var windows []*bolt.Bucket
	if err := ub.ForEachBucket(func(k []byte) error {
		windows = append(windows, ub.Bucket(k))
		return nil
	}); err != nil {
		return err
	}
	for _, wb := range windows {
		if bytes.Equal(wb.Get([]byte(respondent)), want) {
			if err := wb.Delete([]byte(respondent)); err != nil {
				return err
			}
		}
	}
	return nil
}

// nested walks down sub-buckets by name; nil when any is missing.
func nested(b *bolt.Bucket, names ...string) *bolt.Bucket {
	for _, n := range names {
		if b == nil {
			return nil
		}
		b = b.Bucket([]byte(n))
	}
	return b
}
