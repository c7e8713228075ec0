package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// followUpRecord is the value of followups/<unit>/<seq>.
type followUpRecord struct {
	Element string `json:"el"`
	Action  string `json:"action"`
	Owner   string `json:"owner"`
	Due     string `json:"due"` // YYYY-MM-DD
	Status  string `json:"status"`
	By      int64  `json:"by"`
	Created int64  `json:"at"`
	Updated int64  `json:"upd,omitempty"`
	UpdBy   int64  `json:"ub,omitempty"`
	Done    int64  `json:"done,omitempty"` // unix seconds when marked done; absent in older records
}

// AddFollowUp stores a new plan for f.Unit and returns its number.
func (tx *Tx) AddFollowUp(f survey.FollowUp) (uint64, error) {
	if f.Unit == "" || survey.ElementIndex(f.Element) < 0 || f.Action == "" || !survey.ValidFollowUpStatus(f.Status) {
		return 0, fmt.Errorf("add follow-up: bad unit %q, element %q, action or status %q", f.Unit, f.Element, f.Status)
	}
	root, err := tx.writeBucket(bucketFollowUps)
	if err != nil {
		return 0, err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(f.Unit))
	if err != nil {
		return 0, fmt.Errorf("followups/%s: %w", f.Unit, err)
	}
	seq, err := ub.NextSequence()
	if err != nil {
		return 0, err
	}
	f.Seq = seq
	return seq, tx.putFollowUp(f)
}

func (tx *Tx) putFollowUp(f survey.FollowUp) error {
	root, err := tx.writeBucket(bucketFollowUps)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(f.Unit))
	if err != nil {
		return err
	}
	rec := followUpRecord{
		Element: string(f.Element), Action: f.Action, Owner: f.Owner, Status: f.Status, By: f.By,
		Created: f.Created.Unix(), UpdBy: f.UpdatedBy,
	}
	if !f.Due.IsZero() {
		rec.Due = survey.DayKey(f.Due)
	}
	if !f.Updated.IsZero() {
		rec.Updated = f.Updated.Unix()
	}
	if f.Status == survey.FollowUpDone && !f.Done.IsZero() {
		rec.Done = f.Done.Unix()
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return ub.Put(u64key(f.Seq), v)
}

// FollowUps returns the unit's plans, oldest first.
func (tx *Tx) FollowUps(unit string) ([]survey.FollowUp, error) {
	ub := nested(tx.bucket(bucketFollowUps), unit)
	if ub == nil {
		return nil, nil
	}
	var out []survey.FollowUp
	err := ub.ForEach(func(k, v []byte) error {
		f, err := tx.decodeFollowUp(unit, k, v)
		if err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// FollowUpOf returns one plan, or an error wrapping ErrNotFound.
func (tx *Tx) FollowUpOf(unit string, seq uint64) (survey.FollowUp, error) {
	ub := nested(tx.bucket(bucketFollowUps), unit)
	var v []byte
	if ub != nil {
		v = ub.Get(u64key(seq))
	}
	if v == nil {
		return survey.FollowUp{}, fmt.Errorf("follow-up %s/%d: %w", unit, seq, ErrNotFound)
	}
	return tx.decodeFollowUp(unit, u64key(seq), v)
}

// SetFollowUpStatus changes a plan's status, as admin by did at at.
func (tx *Tx) SetFollowUpStatus(unit string, seq uint64, status string, by int64, at time.Time) (survey.FollowUp, error) {
	if !survey.ValidFollowUpStatus(status) {
		return survey.FollowUp{}, errors.New("set follow-up status: bad status " + status)
	}
	f, err := tx.FollowUpOf(unit, seq)
	if err != nil {
		return survey.FollowUp{}, err
	}
	switch {
	case status != survey.FollowUpDone:
		f.Done = time.Time{}
	case f.Status != survey.FollowUpDone:
		// Marked done now; a repeated "done" keeps the first day.
		f.Done = at
	}
	f.Status, f.Updated, f.UpdatedBy = status, at, by
	return f, tx.putFollowUp(f)
}

func (tx *Tx) decodeFollowUp(unit string, k, v []byte) (survey.FollowUp, error) {
	seq, err := keyU64(k)
	if err != nil {
		return survey.FollowUp{}, fmt.Errorf("followups/%s key %x: %w", unit, k, err)
	}
	var rec followUpRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return survey.FollowUp{}, fmt.Errorf("followups/%s/%d: %w", unit, seq, err)
	}
	if survey.ElementIndex(survey.ElementKey(rec.Element)) < 0 {
		return survey.FollowUp{}, fmt.Errorf("followups/%s/%d: unknown element %q", unit, seq, rec.Element)
	}
	loc := tx.s.opts.Location
	f := survey.FollowUp{
		Seq: seq, Unit: unit, Element: survey.ElementKey(rec.Element), Action: rec.Action, Owner: rec.Owner,
		Status: rec.Status, By: rec.By, Created: time.Unix(rec.Created, 0).In(loc), UpdatedBy: rec.UpdBy,
	}
	if rec.Due != "" {
		d, err := time.ParseInLocation("2006-01-02", rec.Due, loc)
		if err != nil {
			return survey.FollowUp{}, fmt.Errorf("followups/%s/%d: due %q: %w", unit, seq, rec.Due, err)
		}
		f.Due = d
	}
	if rec.Updated != 0 {
		f.Updated = time.Unix(rec.Updated, 0).In(loc)
	}
	if f.Status == survey.FollowUpDone {
		switch {
		case rec.Done != 0:
			f.Done = time.Unix(rec.Done, 0).In(loc)
		case rec.Updated != 0:
			f.Done = f.Updated // marked done before the day was recorded
		default:
			f.Done = f.Created
		}
	}
	return f, nil
}
