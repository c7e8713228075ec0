package bot

import (
	"sync"
	"time"
)

// An update stays in the Poller's inbox (store.KeepUpdates) until it is
// answered: its effects committed and its replies made. Were it taken out
// in the transaction that handles it, a crash between the commit and the
// replies would lose them; kept until answered, the next start hands it
// to the bot again, which finds it handled (store.Tx.SeenUpdate) and shows
// the person where they are, as it does for an update Telegram sends
// twice. Updates answered are taken out together, a moment later, in a
// transaction that shares the commit of the handlers running then.

// answeredDelay is how long answered updates gather before they are taken
// out of the inbox. A crash loses at most this long of them, which the next
// start then shows again.
const answeredDelay = 100 * time.Millisecond

// answeredUpdates gathers the ids of updates answered since the last flush.
type answeredUpdates struct {
	mu    sync.Mutex
	ids   []int64
	armed bool // a flush is due
}

// add records id as answered and makes sure a flush follows.
func (a *answeredUpdates) add(b *Bot, id int64) {
	if !b.store.InboxInUse() {
		return // handed over by a webhook, or by a test
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ids = append(a.ids, id)
	if !a.armed {
		a.armed = true
		time.AfterFunc(answeredDelay, func() { b.FlushAnswered() })
	}
}

// FlushAnswered takes the updates answered so far out of the Poller's
// inbox now. ikmbot serve calls it on shutdown, after the last handler
// returned and before the store closes; otherwise it runs by itself.
func (b *Bot) FlushAnswered() {
	a := &b.answered
	a.mu.Lock()
	ids := a.ids
	a.ids, a.armed = nil, false
	a.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if err := b.store.DropUpdates(ids); err != nil {
		// They stay in the inbox: the next start shows those people
		// where they are, which is harmless.
		b.log.Warn("answered updates not taken out of the inbox", "updates", len(ids), "err", err)
	}
}
