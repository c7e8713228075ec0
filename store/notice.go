package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// Alerts to admins wait in notices/ from the transaction of the response
// that caused them until they are sent, so a crash between the two delays
// an alert instead of losing it. alerts/ keeps, per unit, the mutu band of
// its running IKM, so that a crossing is told once.

// keyDigestDay is digests/day.
var keyDigestDay = []byte("day")

// Notice kinds.
const (
	NoticeLowScore = "low_score" // a response rated an element 1 and left a suggestion
	NoticeBand     = "band"      // a unit's running IKM moved into another mutu band
	NoticeGranted  = "granted"   // the recipient was made a unit admin
	NoticeRevoked  = "revoked"   // the recipient is no longer a unit admin
	// NoticeInviteUsed tells the city admin who made an invitation that
	// User opened it and is now an admin of Unit.
	NoticeInviteUsed = "invite_used"
	// NoticeDigest is an admin's daily digest; Period is the day it was
	// queued (YYYY-MM-DD), and it is drawn from the figures when sent.
	NoticeDigest = "digest"
)

// Notice is an alert waiting to be sent to one admin.
type Notice struct {
	Seq      uint64 // set by AddNotice
	Chat     int64  // the admin's chat (their user id)
	Kind     string
	Unit     string
	Response uint64      // NoticeLowScore: the response
	Period   string      // NoticeBand: the period of the running IKM, e.g. "2026"
	From, To survey.Mutu // NoticeBand: the bands
	IKM      float64     // NoticeBand: the IKM that crossed, rounded to 2 decimals
	User     int64       // NoticeInviteUsed: the new unit admin
	// Lang is the recipient's language when it was known as the notice
	// was queued: a revoked admin's is forgotten with their last unit.
	Lang string
	At   time.Time
}

// noticeRecord is the value of notices/<seq>.
type noticeRecord struct {
	Chat     int64  `json:"chat"`
	Kind     string `json:"kind"`
	Unit     string `json:"unit"`
	Response uint64 `json:"resp,omitempty"`
	Period   string `json:"period,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	IKM      int64  `json:"ikm,omitempty"` // hundredths
	User     int64  `json:"user,omitempty"`
	Lang     string `json:"lang,omitempty"`
	At       int64  `json:"at"`
}

// AddNotice queues n; its Seq orders the queue.
func (tx *Tx) AddNotice(n Notice) (uint64, error) {
	if n.Chat == 0 || n.Kind == "" {
		return 0, errors.New("add notice: no chat or kind")
	}
	b, err := tx.writeBucket(bucketNotices)
	if err != nil {
		return 0, err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	v, err := json.Marshal(noticeRecord{
		Chat: n.Chat, Kind: n.Kind, Unit: n.Unit, Response: n.Response, Period: n.Period,
		From: string(n.From), To: string(n.To), IKM: int64(n.IKM*100 + 0.5), User: n.User, Lang: n.Lang, At: n.At.Unix(),
	})
	if err != nil {
		return 0, err
	}
	return seq, b.Put(u64key(seq), v)
}

// Notices returns up to n queued notices, oldest first.
func (tx *Tx) Notices(n int) ([]Notice, error) {
	b := tx.bucket(bucketNotices)
	if b == nil {
		return nil, nil
	}
	var out []Notice
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
		seq, err := keyU64(k)
		if err != nil {
			return nil, fmt.Errorf("notices key %x: %w", k, err)
		}
		var rec noticeRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("notices/%d: %w", seq, err)
		}
		out = append(out, Notice{
			Seq: seq, Chat: rec.Chat, Kind: rec.Kind, Unit: rec.Unit, Response: rec.Response, Period: rec.Period,
			From: survey.Mutu(rec.From), To: survey.Mutu(rec.To), IKM: float64(rec.IKM) / 100, User: rec.User, Lang: rec.Lang,
			At: time.Unix(rec.At, 0).In(tx.s.opts.Location),
		})
	}
	return out, nil
}

// DeleteNotice takes a sent (or undeliverable) notice off the queue.
func (tx *Tx) DeleteNotice(seq uint64) error {
	b, err := tx.writeBucket(bucketNotices)
	if err != nil {
		return err
	}
	return b.Delete(u64key(seq))
}

// BandState is what alerts/<unit> remembers: the period of the unit's
// running IKM, the band it was last in, and every band it has been in
// during that period (so that an IKM wavering on a band edge is told once
// per band, not on every response).
type BandState struct {
	Period string
	Mutu   survey.Mutu
	Seen   string // bands as letters, e.g. "BC"
}

type bandRecord struct {
	Period string `json:"period"`
	Mutu   string `json:"mutu"`
	Seen   string `json:"seen"`
}

// Band returns the unit's band state; the zero value when none is stored.
func (tx *Tx) Band(unit string) (BandState, error) {
	b := tx.bucket(bucketAlerts)
	if b == nil {
		return BandState{}, nil
	}
	v := b.Get([]byte(unit))
	if v == nil {
		return BandState{}, nil
	}
	var rec bandRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return BandState{}, fmt.Errorf("alerts/%s: %w", unit, err)
	}
	return BandState{Period: rec.Period, Mutu: survey.Mutu(rec.Mutu), Seen: rec.Seen}, nil
}

// PutBand stores the unit's band state.
func (tx *Tx) PutBand(unit string, s BandState) error {
	b, err := tx.writeBucket(bucketAlerts)
	if err != nil {
		return err
	}
	v, err := json.Marshal(bandRecord{Period: s.Period, Mutu: string(s.Mutu), Seen: s.Seen})
	if err != nil {
		return err
	}
	return b.Put([]byte(unit), v)
}

// DigestDay returns the last day (YYYY-MM-DD) whose digests were queued,
// or "" when none ever were.
func (tx *Tx) DigestDay() (string, error) {
	b := tx.bucket(bucketDigests)
	if b == nil {
		return "", nil
	}
	return string(b.Get(keyDigestDay)), nil
}

// SetDigestDay records that day's digests as queued, in the transaction
// that queues them, so each is queued once whatever restarts.
func (tx *Tx) SetDigestDay(day string) error {
	b, err := tx.writeBucket(bucketDigests)
	if err != nil {
		return err
	}
	return b.Put(keyDigestDay, []byte(day))
}
