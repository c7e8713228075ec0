package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/ikmbot/ikmbot/deeplink"
)

// MaxPosterVersion bounds a unit's poster version by what a signed deep
// link can carry (6 digits). A million revocations is far beyond any real
// use; reaching it is an error, not a wrap-around.
const MaxPosterVersion = deeplink.MaxPosterVersion

// ErrPosterVersionExhausted means a unit's posters were revoked
// MaxPosterVersion-1 times.
var ErrPosterVersionExhausted = errors.New("poster version limit reached")

// PosterVersion returns the unit's current poster version: 1 until the
// posters are first revoked. Deep links that carry an older version come
// from revoked posters.
func (tx *Tx) PosterVersion(unit string) (int, error) {
	return tx.serial(bucketPosters, unit, MaxPosterVersion)
}

// RevokePosters makes every printed poster of the unit outdated by moving
// its current version one up, and returns the new version.
func (tx *Tx) RevokePosters(unit string) (int, error) {
	n, err := tx.nextSerial(bucketPosters, unit, MaxPosterVersion)
	if errors.Is(err, errSerialExhausted) {
		return 0, fmt.Errorf("revoke posters of %s: %w", unit, ErrPosterVersionExhausted)
	}
	return n, err
}

// serial reads a unit's number in bucket (poster version, counter key
// generation): 1 when absent, and never above max.
func (tx *Tx) serial(bucket []byte, unit string, max int) (int, error) {
	b := tx.bucket(bucket)
	if b == nil {
		return 1, nil
	}
	v := b.Get([]byte(unit))
	if v == nil {
		return 1, nil
	}
	if len(v) != 4 {
		return 0, fmt.Errorf("%s/%s: value is %d bytes, want 4", bucket, unit, len(v))
	}
	n := int(binary.BigEndian.Uint32(v))
	if n < 1 || n > max {
		return 0, fmt.Errorf("%s/%s: %d out of range", bucket, unit, n)
	}
	return n, nil
}

// errSerialExhausted means a unit's number reached its max; the callers
// name it.
var errSerialExhausted = errors.New("limit reached")

// nextSerial moves a unit's number in bucket one up and returns it; at max
// it fails with errSerialExhausted rather than wrap around.
func (tx *Tx) nextSerial(bucket []byte, unit string, max int) (int, error) {
	if unit == "" {
		return 0, fmt.Errorf("%s: no unit", bucket)
	}
	cur, err := tx.serial(bucket, unit, max)
	if err != nil {
		return 0, err
	}
	if cur >= max {
		return 0, errSerialExhausted
	}
	b, err := tx.writeBucket(bucket)
	if err != nil {
		return 0, err
	}
	next := cur + 1
	if err := b.Put([]byte(unit), binary.BigEndian.AppendUint32(nil, uint32(next))); err != nil {
		return 0, err
	}
	return next, nil
}

// FunnelStage is a step on the way from a poster to an answer.
type FunnelStage int

// Funnel stages, in the order a respondent passes them.
const (
	FunnelScan     FunnelStage = iota // a /start carrying the poster's deep link
	FunnelStart                       // a survey begun from that link
	FunnelComplete                    // that survey completed
	numFunnelStages
)

// FunnelCounts says how many times each stage was reached.
type FunnelCounts struct {
	Scans     int
	Started   int
	Completed int
}

// PosterFunnel is the funnel of one poster version of a unit. Version 0
// counts unsigned deep links, which name only the unit code.
type PosterFunnel struct {
	Version int
	FunnelCounts
}

// funnelSize is the length of an encoded funnel value: one uint32 per stage.
const funnelSize = 4 * int(numFunnelStages)

// CountFunnel adds one to a stage of the unit's poster version, in the
// transaction of the event itself, so the funnel never disagrees with what
// happened.
func (tx *Tx) CountFunnel(unit string, version int, stage FunnelStage) error {
	if unit == "" || version < 0 || version > MaxPosterVersion || stage < 0 || stage >= numFunnelStages {
		return fmt.Errorf("count funnel: bad unit %q, version %d or stage %d", unit, version, stage)
	}
	root, err := tx.writeBucket(bucketFunnel)
	if err != nil {
		return err
	}
	ub, err := root.CreateBucketIfNotExists([]byte(unit))
	if err != nil {
		return fmt.Errorf("funnel/%s: %w", unit, err)
	}
	key := binary.BigEndian.AppendUint32(nil, uint32(version))
	v := make([]byte, funnelSize)
	if old := ub.Get(key); old != nil {
		if len(old) != funnelSize {
			return fmt.Errorf("funnel/%s/%d: value is %d bytes, want %d", unit, version, len(old), funnelSize)
		}
		copy(v, old)
	}
	at := 4 * int(stage)
	n := binary.BigEndian.Uint32(v[at:])
	if n == math.MaxUint32 {
		return fmt.Errorf("funnel/%s/%d: counter full", unit, version)
	}
	binary.BigEndian.PutUint32(v[at:], n+1)
	return ub.Put(key, v)
}

// Funnel returns the unit's funnel per poster version, oldest version
// first; versions nobody scanned are absent.
func (tx *Tx) Funnel(unit string) ([]PosterFunnel, error) {
	ub := nested(tx.bucket(bucketFunnel), unit)
	if ub == nil {
		return nil, nil
	}
	var out []PosterFunnel
	err := ub.ForEach(func(k, v []byte) error {
		if len(k) != 4 || len(v) != funnelSize {
			return fmt.Errorf("funnel/%s: bad entry %x", unit, k)
		}
		out = append(out, PosterFunnel{
			Version: int(binary.BigEndian.Uint32(k)),
			FunnelCounts: FunnelCounts{
				Scans:     int(binary.BigEndian.Uint32(v[0:])),
				Started:   int(binary.BigEndian.Uint32(v[4:])),
				Completed: int(binary.BigEndian.Uint32(v[8:])),
			},
		})
		return nil
	})
	return out, err
}
