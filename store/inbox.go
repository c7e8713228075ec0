package store

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// The inbox keeps updates from Telegram between their arrival and their
// answer: a batch from getUpdates is written here in one transaction
// before it is confirmed to Telegram, and each update leaves it once its
// effects are committed and its replies made (Answered). So nothing
// confirmed is ever lost: a crash leaves it here, and the next start
// handles it, or, when its effects were committed (updates/ has its id),
// shows the person where they are, as a redelivery from Telegram would.
//
// Answered updates leave the inbox together: in the transaction that keeps
// the next batch, or, when none comes, a moment later in one of their own.
// A crash loses at most that moment's worth, which the next start shows
// again.

// answeredFlush is how long answered updates wait for the next batch to
// leave the inbox with, before they leave in a transaction of their own.
const answeredFlush = 500 * time.Millisecond

// answered gathers the ids of updates answered and not yet taken out.
type answered struct {
	mu     sync.Mutex
	ids    []int64
	armed  bool // a flush is due
	closed bool
}

// KeepUpdates writes the updates (their ids and raw JSON, ids[i] with
// raws[i]) to the inbox in one transaction, and reports for each whether it
// is new: not in the inbox already and not handled before (MarkUpdate).
// Only new ones are written. Telegram sends an unconfirmed update again, so
// an update can arrive while the first copy waits in the inbox or after it
// was handled.
func (s *Store) KeepUpdates(ids []int64, raws [][]byte) ([]bool, error) {
	if len(ids) != len(raws) {
		return nil, fmt.Errorf("keep updates: %d ids for %d updates", len(ids), len(raws))
	}
	s.inboxUsed.Store(true)
	fresh := make([]bool, len(ids))
	gone := s.answeredSoFar()
	err := s.Update(func(tx *Tx) error {
		clear(fresh)
		in, err := tx.writeBucket(bucketInbox)
		if err != nil {
			return err
		}
		for _, id := range gone {
			if err := in.Delete(i64key(id)); err != nil {
				return err
			}
		}
		seen := tx.bucket(bucketUpdates)
		for i, id := range ids {
			k := i64key(id)
			if in.Get(k) != nil || seen != nil && seen.Get(k) != nil {
				continue
			}
			if err := in.Put(k, raws[i]); err != nil {
				return err
			}
			fresh[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.answeredGone(len(gone))
	return fresh, nil
}

// Answered records that an update was handled and answered: it leaves the
// inbox with the next batch kept, or in a moment. It does nothing unless
// this process keeps updates in the inbox (InboxInUse).
func (s *Store) Answered(updateID int64) {
	if !s.InboxInUse() {
		return
	}
	a := &s.answered
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.ids = append(a.ids, updateID)
	if !a.armed {
		a.armed = true
		time.AfterFunc(answeredFlush, func() { s.FlushAnswered() })
	}
}

// answeredSoFar returns the answered updates recorded so far.
func (s *Store) answeredSoFar() []int64 {
	a := &s.answered
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int64(nil), a.ids...)
}

// answeredGone forgets the first n answered updates: they left the inbox.
// Only appends happen meanwhile, so they are still the first n.
func (s *Store) answeredGone(n int) {
	a := &s.answered
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ids = a.ids[min(n, len(a.ids)):]
}

// FlushAnswered takes the answered updates out of the inbox now, in a
// transaction of its own if there are any. Close calls it.
func (s *Store) FlushAnswered() error {
	a := &s.answered
	a.mu.Lock()
	ids := append([]int64(nil), a.ids...)
	a.armed = false
	closed := a.closed
	a.mu.Unlock()
	if len(ids) == 0 || closed {
		return nil
	}
	if err := s.DropUpdates(ids); err != nil {
		return err // they stay; the next start shows those people where they are
	}
	s.answeredGone(len(ids))
	return nil
}

// KeptUpdates calls fn with every update in the inbox, oldest first: at
// start, the updates a crash or a shutdown left unhandled. raw is valid
// only during the call.
func (s *Store) KeptUpdates(fn func(id int64, raw []byte) error) error {
	s.inboxUsed.Store(true)
	return s.View(func(tx *Tx) error {
		b := tx.bucket(bucketInbox)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return nil
			}
			return fn(int64(binary.BigEndian.Uint64(k)), v)
		})
	})
}

// DropUpdates takes updates out of the inbox, in one transaction: those
// handled and answered. It writes nothing when none of them is there.
func (s *Store) DropUpdates(ids []int64) error {
	var kept [][]byte
	err := s.View(func(tx *Tx) error {
		b := tx.bucket(bucketInbox)
		if b == nil {
			return nil
		}
		for _, id := range ids {
			if k := i64key(id); b.Get(k) != nil {
				kept = append(kept, k)
			}
		}
		return nil
	})
	if err != nil || len(kept) == 0 {
		return err
	}
	return s.Update(func(tx *Tx) error {
		b, err := tx.writeBucket(bucketInbox)
		if err != nil {
			return err
		}
		for _, k := range kept {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// InboxInUse reports whether this process keeps updates in the inbox
// (KeepUpdates or KeptUpdates was called): otherwise there is nothing to
// take out of it.
func (s *Store) InboxInUse() bool { return s.inboxUsed.Load() }

// InboxLen returns how many updates wait in the inbox.
func (s *Store) InboxLen() (int, error) {
	n := 0
	err := s.View(func(tx *Tx) error {
		if b := tx.bucket(bucketInbox); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}
