package bot

import (
	"context"
	"sync"

	"github.com/go-telegram/bot/models"
)

// Dispatcher runs updates of one chat in order and updates of different
// chats in parallel. go-telegram/bot runs every update in its own goroutine,
// which would let a double tap race itself; this keeps a queue per chat
// instead, with one goroutine per chat that has work. So a slow update (an
// export being drawn) holds up only its own chat's queue: other chats'
// goroutines never wait for it, and, through reportEarly, neither does the
// Poller's next batch (TestExportHoldsNoOtherChat).
type Dispatcher struct {
	handle func(context.Context, *models.Update) error

	mu     sync.Mutex
	queues map[int64][]job
	wg     sync.WaitGroup
}

type job struct {
	upd  *models.Update
	done func(error)
}

// NewDispatcher returns a dispatcher that calls handle (normally
// Bot.Process) for every update.
func NewDispatcher(handle func(context.Context, *models.Update) error) *Dispatcher {
	return &Dispatcher{handle: handle, queues: map[int64][]job{}}
}

// Submit queues upd behind the chat's earlier updates; done, if not nil, is
// called with handle's result when it has been handled.
func (d *Dispatcher) Submit(ctx context.Context, upd *models.Update, done func(error)) {
	key := parseUpdate(upd).chatID
	d.mu.Lock()
	q, busy := d.queues[key]
	d.queues[key] = append(q, job{upd, done})
	d.mu.Unlock()
	if !busy {
		d.wg.Add(1)
		go d.drain(ctx, key)
	}
}

// drain handles the chat's queue until it is empty, then lets the goroutine
// end, so idle chats cost nothing.
func (d *Dispatcher) drain(ctx context.Context, key int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[key]
		if len(q) == 0 {
			delete(d.queues, key)
			d.mu.Unlock()
			return
		}
		j := q[0]
		d.queues[key] = q[1:]
		d.mu.Unlock()
		var once sync.Once
		report := func(err error) {
			once.Do(func() {
				if j.done != nil {
					j.done(err)
				}
			})
		}
		report(d.handle(context.WithValue(ctx, earlyKey{}, report), j.upd))
	}
}

// earlyKey is the context key of the function that reports an update done
// before its handler returns (reportEarly).
type earlyKey struct{}

// reportEarly tells the Dispatcher's caller that the update is committed
// and its messages sent while the handler still works on it: drawing and
// uploading files (a year of a whole city's XLSX takes seconds). The
// Poller waits for a whole batch before it asks Telegram for the next, so
// without this one admin's export would hold up every other chat's next
// updates; the chat's own later updates still wait in its queue. Nothing
// is lost by confirming the update to Telegram here: its state is
// committed, and a redelivered press would not draw the file again. A
// handler not run by a Dispatcher (the tests' harness) reports nothing.
func reportEarly(ctx context.Context) {
	if report, ok := ctx.Value(earlyKey{}).(func(error)); ok {
		report(nil)
	}
}

// Wait blocks until every submitted update has been handled.
func (d *Dispatcher) Wait() { d.wg.Wait() }
