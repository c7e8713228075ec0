package telegram

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
// goroutines never wait for it, and, through the release function handed to
// the handler, neither does the Poller's next batch
// (TestExportHoldsNoOtherChat).
//
// At most a fixed number of handlers run at once (DefaultWorkers unless
// WithWorkers says otherwise); the other chats' updates wait their turn. A
// batch of a hundred updates all running at once shares two cores a
// hundred ways, so each one takes that much longer from start to finish
// while the batch as a whole ends hardly sooner (BENCHMARKS.md: 8 % more
// throughput than with 32 at once, for twice the p99).
type Dispatcher struct {
	handle Handler
	slots  chan struct{} // a handler runs holding one

	mu     sync.Mutex
	queues map[int64][]job
	wg     sync.WaitGroup
}

type job struct {
	upd  *models.Update
	done func(error)
}

// Handler handles one update to completion and reports whether its state
// change could not be stored. release reports the update done before the
// handler returns: the update is committed, while the handler still works
// on it: its replies waiting for their turn under Telegram's flood limits,
// files being drawn and uploaded (a year of a whole city's XLSX takes
// seconds). It gives the handler's place to another update, and tells a
// Poller without an Inbox (which waits for a whole batch before it asks
// Telegram for the next) and a webhook (which answers Telegram then) that
// the update is safe; the chat's own later updates still wait in its
// queue. Nothing is lost by confirming the update to Telegram then: its
// state is committed, and a redelivery changes nothing. A handler must not
// call release for an update that failed, which must reach the caller as
// the failure it is (a webhook then asks Telegram to send the update again).
type Handler func(ctx context.Context, upd *models.Update, release func()) error

// NewDispatcher returns a dispatcher that calls handle (normally
// Bot.Process) for every update.
func NewDispatcher(handle Handler) *Dispatcher {
	return &Dispatcher{handle: handle, queues: map[int64][]job{}, slots: make(chan struct{}, DefaultWorkers)}
}

// DefaultWorkers is how many updates a Dispatcher handles at once. Each
// handler mostly waits: for the group commit's fsync, and for Telegram,
// two round trips of 100-300 ms from Indonesia. 32 at once still reach
// Telegram's cap of about 30 messages a second with 500 ms per update,
// and on two cores under a burst keep each update's own time short
// (BENCHMARKS.md measures both).
const DefaultWorkers = 32

// WithWorkers sets how many updates d handles at once (at least 1); call it
// before the first Submit.
func (d *Dispatcher) WithWorkers(n int) *Dispatcher {
	d.slots = make(chan struct{}, max(n, 1))
	return d
}

// Submit queues upd behind the chat's earlier updates; done, if not nil, is
// called with handle's result when it has been handled.
func (d *Dispatcher) Submit(ctx context.Context, upd *models.Update, done func(error)) {
	key := Parse(upd).ChatID
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
		d.slots <- struct{}{}
		var once sync.Once
		report := func(err error) {
			once.Do(func() {
				// An update reported early goes on drawing its files
				// without a slot: it is done as far as others are concerned.
				<-d.slots
				if j.done != nil {
					j.done(err)
				}
			})
		}
		report(d.handle(ctx, j.upd, func() { report(nil) }))
	}
}

// Wait blocks until every submitted update has been handled.
func (d *Dispatcher) Wait() { d.wg.Wait() }
