package store

import (
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// TestFollowUpDoneTime: marking a plan done records when, once; reopening
// clears it; a plan stored done before the time was recorded gives its
// last update.
func TestFollowUpDoneTime(t *testing.T) {
	loc := jakarta(t)
	s := open(t, Options{Location: loc})
	at := time.Date(2026, 2, 1, 10, 0, 0, 0, loc)
	var seq uint64
	update(t, s, func(tx *Tx) error {
		var err error
		seq, err = tx.AddFollowUp(survey.FollowUp{Unit: "A", Element: survey.Waktu, Action: "Tambah loket", Status: survey.FollowUpOpen, By: 1, Created: at})
		return err
	})
	step := func(status string, when time.Time, wantDone time.Time) {
		t.Helper()
		update(t, s, func(tx *Tx) error {
			_, err := tx.SetFollowUpStatus("A", seq, status, 7, when)
			return err
		})
		view(t, s, func(tx *Tx) error {
			f, err := tx.FollowUpOf("A", seq)
			if err == nil && !f.Done.Equal(wantDone) {
				t.Errorf("after %s at %v: Done %v, want %v", status, when, f.Done, wantDone)
			}
			return err
		})
	}
	day := 24 * time.Hour
	step(survey.FollowUpProgress, at.Add(day), time.Time{})
	step(survey.FollowUpDone, at.Add(10*day), at.Add(10*day))
	step(survey.FollowUpDone, at.Add(12*day), at.Add(10*day))
	step(survey.FollowUpOpen, at.Add(13*day), time.Time{})
	step(survey.FollowUpDone, at.Add(20*day), at.Add(20*day))

	update(t, s, func(tx *Tx) error {
		b, err := tx.writeBucket(bucketFollowUps)
		if err != nil {
			return err
		}
		old := `{"el":"waktu","action":"x","owner":"","due":"","status":"done","by":1,"at":1767243600,"upd":1767848400}`
		return b.Bucket([]byte("A")).Put(u64key(99), []byte(old))
	})
	view(t, s, func(tx *Tx) error {
		f, err := tx.FollowUpOf("A", 99)
		if err == nil && f.Done.Unix() != 1767848400 {
			t.Errorf("old done plan: Done %v, want its last update", f.Done)
		}
		return err
	})
}
