package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// bucketCounterKeys holds each unit's counter key generation; see doc.go.
var bucketCounterKeys = []byte("counter_keys")

// MaxCounterKeyGeneration bounds a unit's counter key generation, so that
// it fits the stored uint32 and an int everywhere. Reaching it is an
// error, not a wrap-around back to a key that was given out before.
const MaxCounterKeyGeneration = math.MaxInt32

// ErrCounterKeyExhausted means a unit's counter key was rotated
// MaxCounterKeyGeneration-1 times.
var ErrCounterKeyExhausted = errors.New("counter key generation limit reached")

// CounterKeyGeneration returns the generation of the unit's counter key: 1
// until the key is first rotated. The counter screen's codes verify only
// with the key of the current generation.
func (tx *Tx) CounterKeyGeneration(unit string) (int, error) {
	b := tx.bucket(bucketCounterKeys)
	if b == nil {
		return 1, nil
	}
	v := b.Get([]byte(unit))
	if v == nil {
		return 1, nil
	}
	if len(v) != 4 {
		return 0, fmt.Errorf("counter_keys/%s: value is %d bytes, want 4", unit, len(v))
	}
	n := binary.BigEndian.Uint32(v)
	if n < 1 || n > MaxCounterKeyGeneration {
		return 0, fmt.Errorf("counter_keys/%s: generation %d out of range", unit, n)
	}
	return int(n), nil
}

// RotateCounterKey moves the unit's counter key generation one up, so that
// the key a counter PC holds stops verifying, and returns the new
// generation.
func (tx *Tx) RotateCounterKey(unit string) (int, error) {
	if unit == "" {
		return 0, errors.New("rotate counter key: no unit")
	}
	cur, err := tx.CounterKeyGeneration(unit)
	if err != nil {
		return 0, err
	}
	if cur >= MaxCounterKeyGeneration {
		return 0, fmt.Errorf("rotate counter key of %s: %w", unit, ErrCounterKeyExhausted)
	}
	b, err := tx.writeBucket(bucketCounterKeys)
	if err != nil {
		return 0, err
	}
	next := cur + 1
	if err := b.Put([]byte(unit), binary.BigEndian.AppendUint32(nil, uint32(next))); err != nil {
		return 0, err
	}
	return next, nil
}
