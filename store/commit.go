package store

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit runs concurrent Update calls in shared write transactions
// without bbolt's Batch timer. Batch holds every transaction open for
// MaxBatchDelay (10ms) to collect company, so a person alone waits 10ms for
// nothing, and the bot's poller, which hands out a hundred updates at once
// and waits for all of them, idles 10ms per hundred. Here the first caller
// commits at once, and everyone who arrives while a commit is running goes
// into the next one: an idle bot commits immediately, a busy one commits
// back to back in groups as large as the disk's pace makes them.
//
// The callers do the work themselves, no goroutine of its own: the caller
// that finds no commit running leads, commits everything queued, and hands
// the lead to the first caller that queued behind it.
//
// Failure semantics are bbolt Batch's, which Update documents: a member that
// returns an error is taken out, the others are run again in a new
// transaction, and the failed one is run once more alone.
type groupCommit struct {
	mu      sync.Mutex
	running bool // a leader is committing
	queue   []*member
}

type member struct {
	fn   func(*bolt.Tx) error
	done chan error // one result; errLead first if this member must lead
}

var (
	errLead    = errors.New("lead the next commit")
	errTrySolo = errors.New("run alone after the group failed")
)

// panicked carries a panic out of a shared transaction to the goroutine
// whose fn raised it.
type panicked struct{ reason any }

func (p panicked) Error() string { return fmt.Sprintf("panic: %v", p.reason) }

func (g *groupCommit) update(db *bolt.DB, fn func(*bolt.Tx) error) error {
	m := &member{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, m)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if !lead {
		err := <-m.done
		if err != errLead {
			return finish(db, fn, err)
		}
	}
	// Lead: commit all that is queued (this member included), then pass
	// the lead on, or stop when nobody is waiting.
	g.mu.Lock()
	group := g.queue
	g.queue = nil
	g.mu.Unlock()
	commit(db, group)
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
	} else {
		g.running = false
	}
	g.mu.Unlock()
	return finish(db, fn, <-m.done)
}

// commit runs group in one transaction and gives every member its result.
func commit(db *bolt.DB, group []*member) {
	for len(group) > 0 {
		failed := -1
		err := db.Update(func(tx *bolt.Tx) error {
			for i, m := range group {
				if err := call(m.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].done <- errTrySolo
			group = append(group[:failed], group[failed+1:]...)
			continue
		}
		for _, m := range group {
			m.done <- err
		}
		return
	}
}

func call(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
	}()
	return fn(tx)
}

// finish turns a member's result into Update's: a member taken out of a
// failed group runs alone, and a panic is raised again here.
func finish(db *bolt.DB, fn func(*bolt.Tx) error, err error) error {
	if err == errTrySolo {
		err = db.Update(func(tx *bolt.Tx) error { return call(fn, tx) })
	}
	if p, ok := err.(panicked); ok {
		panic(p.reason)
	}
	return err
}
