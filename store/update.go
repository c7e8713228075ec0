package store

import (
	"encoding/binary"
	"time"
)

// updateTTL is how long a handled update_id is remembered. Telegram keeps
// an unconfirmed update for 24 hours, so it can never be redelivered later
// than that; twice the margin covers clock skew and a long outage.
const updateTTL = 48 * time.Hour

// pruneScan bounds the work MarkUpdate spends on pruning. Each call adds one
// key and may remove up to this many, so the bucket converges to about
// updateTTL of traffic without any call ever walking the whole bucket.
const pruneScan = 16

// SeenUpdate reports whether updateID was already handled (MarkUpdate in a
// committed transaction), so a redelivered update can be a no-op.
func (tx *Tx) SeenUpdate(updateID int64) (bool, error) {
	b := tx.bucket(bucketUpdates)
	if b == nil {
		return false, nil
	}
	return b.Get(i64key(updateID)) != nil, nil
}

// MarkUpdate remembers that updateID was handled at now, in the same
// transaction as the update's effects, and prunes a few entries older than
// 48 hours.
func (tx *Tx) MarkUpdate(updateID int64, now time.Time) error {
	b, err := tx.writeBucket(bucketUpdates)
	if err != nil {
		return err
	}
	if err := b.Put(i64key(updateID), i64key(now.Unix())); err != nil {
		return err
	}
	// update_ids grow by one per update, so the oldest entries come first.
	// Telegram may restart the sequence at a random value after a week of
	// silence; then older entries can sit behind newer ones until those age
	// too, which delays pruning but never lets it run unbounded.
	cutoff := now.Add(-updateTTL).Unix()
	var stale [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(stale) < pruneScan; k, v = c.Next() {
		if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= cutoff {
			break
		}
		// k points into the mmap and dies with the cursor's page: copy.
		stale = append(stale, append([]byte(nil), k...))
	}
	// Deleting after the walk: bbolt cursors skip keys when the bucket
	// changes under them.
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
