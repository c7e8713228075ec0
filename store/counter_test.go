package store

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"
)

func TestCounterKeyRotateAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s := openAt(t, path, Options{})
	gen := func(s *Store, unit string) int {
		t.Helper()
		var g int
		view(t, s, func(tx *Tx) error {
			var err error
			g, err = tx.CounterKeyGeneration(unit)
			return err
		})
		return g
	}
	if got := gen(s, "DISDUKCAPIL"); got != 1 {
		t.Errorf("generation of a unit never rotated = %d, want 1", got)
	}
	for want := 2; want <= 3; want++ {
		var got int
		update(t, s, func(tx *Tx) error {
			var err error
			got, err = tx.RotateCounterKey("DISDUKCAPIL")
			return err
		})
		if got != want {
			t.Errorf("RotateCounterKey = %d, want %d", got, want)
		}
	}
	if got := gen(s, "PKM-BANTARGEBANG"); got != 1 {
		t.Errorf("another unit's generation = %d, want 1 (rotation is per unit)", got)
	}
	var posters int
	view(t, s, func(tx *Tx) (err error) { posters, err = tx.PosterVersion("DISDUKCAPIL"); return err })
	if posters != 1 {
		t.Errorf("poster version after rotating the counter key = %d, want 1 (they are apart)", posters)
	}
	if err := s.Update(func(tx *Tx) error { _, err := tx.RotateCounterKey(""); return err }); err == nil {
		t.Error("RotateCounterKey of no unit succeeded")
	}
	s.Close()

	ro := openAt(t, path, Options{ReadOnly: true})
	if got := gen(ro, "DISDUKCAPIL"); got != 3 {
		t.Errorf("generation after reopening = %d, want 3", got)
	}
	if err := ro.Update(func(tx *Tx) error { _, err := tx.RotateCounterKey("DISDUKCAPIL"); return err }); err == nil {
		t.Error("RotateCounterKey on a read-only store succeeded")
	}
}

func TestRotateCounterKeyStopsAtTheLimit(t *testing.T) {
	s := open(t, Options{})
	update(t, s, func(tx *Tx) error {
		b, err := tx.writeBucket(bucketCounterKeys)
		if err != nil {
			return err
		}
		return b.Put([]byte("U1"), binary.BigEndian.AppendUint32(nil, MaxCounterKeyGeneration))
	})
	err := s.Update(func(tx *Tx) error { _, err := tx.RotateCounterKey("U1"); return err })
	if !errors.Is(err, ErrCounterKeyExhausted) {
		t.Errorf("rotating at generation %d: %v, want ErrCounterKeyExhausted", MaxCounterKeyGeneration, err)
	}
}

func TestCounterKeyGenerationRefusesDamage(t *testing.T) {
	s := open(t, Options{})
	for unit, v := range map[string][]byte{"U1": {0, 0, 0, 0}, "U2": {1}, "U3": {0x80, 0, 0, 0}} {
		update(t, s, func(tx *Tx) error { return tx.tx.Bucket(bucketCounterKeys).Put([]byte(unit), v) })
		err := s.View(func(tx *Tx) error { _, err := tx.CounterKeyGeneration(unit); return err })
		if err == nil {
			t.Errorf("CounterKeyGeneration(%s) of a damaged value %x succeeded", unit, v)
		}
	}
}
