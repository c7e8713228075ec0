package store

import (
	"errors"
	"fmt"
	"math"
)

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
	return tx.serial(bucketCounterKeys, unit, MaxCounterKeyGeneration)
}

// RotateCounterKey moves the unit's counter key generation one up, so that
// the key a counter PC holds stops verifying, and returns the new
// generation.
func (tx *Tx) RotateCounterKey(unit string) (int, error) {
	n, err := tx.nextSerial(bucketCounterKeys, unit, MaxCounterKeyGeneration)
	if errors.Is(err, errSerialExhausted) {
		return 0, fmt.Errorf("rotate counter key of %s: %w", unit, ErrCounterKeyExhausted)
	}
	return n, err
}
