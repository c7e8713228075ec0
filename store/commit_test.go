package store

import (
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// lastTxid is the id of the last committed write transaction.
func lastTxid(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestUpdateGroupsConcurrentCalls: callers that arrive while a commit runs
// share the next one, and every update is applied exactly once.
func TestUpdateGroupsConcurrentCalls(t *testing.T) {
	s := open(t, Options{})
	const goroutines, each = 32, 10
	before := lastTxid(t, s)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				err := s.Update(func(tx *Tx) error {
					c, err := tx.Chat(int64(g))
					if err != nil {
						return err
					}
					c.LastUpdate++
					return tx.PutChat(c)
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	view(t, s, func(tx *Tx) error {
		for g := range goroutines {
			if c, _ := tx.Chat(int64(g)); c.LastUpdate != int64(each) {
				t.Errorf("chat %d: seq %d, want %d", g, c.LastUpdate, each)
			}
		}
		return nil
	})
	commits := lastTxid(t, s) - before
	if commits >= goroutines*each {
		t.Errorf("%d commits for %d concurrent updates: nothing was grouped", commits, goroutines*each)
	}
	t.Logf("%d updates in %d commits", goroutines*each, commits)
}

// TestUpdatePanicReachesCaller: a panicking fn panics in its own caller's
// goroutine, and the others of its group still commit.
func TestUpdatePanicReachesCaller(t *testing.T) {
	s := open(t, Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			defer func() {
				if r := recover(); (r != nil) != (g == 3) {
					t.Errorf("member %d: recovered %v", g, r)
				}
			}()
			err := s.Update(func(tx *Tx) error {
				if g == 3 {
					panic("member 3 panics")
				}
				return tx.PutChat(Chat{ID: int64(g), Lang: "id"})
			})
			if err != nil {
				t.Errorf("member %d: %v", g, err)
			}
		})
	}
	wg.Wait()
	view(t, s, func(tx *Tx) error {
		for g := range 8 {
			if c, _ := tx.Chat(int64(g)); (c.Lang == "id") != (g != 3) {
				t.Errorf("chat %d: %+v", g, c)
			}
		}
		return nil
	})
}
