package store

import (
	"fmt"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// PurgeSuggestions blanks the free-text suggestion of every response, and
// every incomplete one, submitted before cutoff, for cities whose retention
// rule says free text (which may name people) goes after N days. Scores and
// profiles stay, so no figure changes. It returns how many were blanked.
func (tx *Tx) PurgeSuggestions(cutoff time.Time) (int, error) {
	n := 0
	for _, name := range responseBuckets {
		b := tx.bucket(name)
		if b == nil {
			continue
		}
		type change struct {
			key  []byte
			data []byte
		}
		var changes []change
		err := tx.forEachResponseKey(name, func(k []byte, r survey.Response, window string) error {
			if r.Suggestion == "" || !r.Submitted.Before(cutoff) {
				return nil
			}
			r.Suggestion = ""
			data, err := encodeResponse(r, window)
			if err != nil {
				return err
			}
			changes = append(changes, change{append([]byte(nil), k...), data})
			return nil
		})
		if err != nil {
			return n, err
		}
		// Written after the scan: bbolt forbids changing a bucket while
		// iterating it.
		wb, err := tx.writeBucket(name)
		if err != nil {
			return n, err
		}
		for _, c := range changes {
			if err := wb.Put(c.key, c.data); err != nil {
				return n, err
			}
		}
		n += len(changes)
	}
	return n, nil
}

// forEachResponseKey calls fn with every record of name (responses/ or
// incomplete/) in key order, and its key: the one scan of records, which
// every other goes through. k is only valid until fn returns.
func (tx *Tx) forEachResponseKey(name []byte, fn func(k []byte, r survey.Response, window string) error) error {
	b := tx.bucket(name)
	if b == nil {
		return nil
	}
	cache := newStringCache()
	return b.ForEach(func(k, v []byte) error {
		id, err := keyU64(k)
		if err != nil {
			return fmt.Errorf("%s key %x: %w", name, k, err)
		}
		r, window, err := tx.s.decodeResponseCached(id, v, cache)
		if err != nil {
			return err
		}
		return fn(k, r, window)
	})
}
