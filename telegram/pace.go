package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Priority says who waits for a paced call. Under the flood limits the
// Pacer lets calls go in this order, first come first served within each.
type Priority int

const (
	// Reply is a reply to the update of a person waiting for it: the next
	// question after a tap. The zero value.
	Reply Priority = iota
	// Screen is an admin's own screen (a report, a menu, an export's
	// message): someone waits, but a respondent's reply comes first.
	Screen
	// Notice is a message nobody is waiting for: an alert, a daily digest,
	// a survey closed for idleness.
	Notice

	priorities = 3
)

// How the Pacer reacts to Telegram.
const (
	// chatBurst lets a hint, a question and an answer go out at once.
	chatBurst = 3
	// minRate is the least the overall pace falls to after 429s.
	minRate = 1
	// slowFactor is what a 429 multiplies the overall pace by, for its
	// retry_after; the pace then grows back by a tenth of the configured
	// one each second.
	slowFactor = 0.8
	// maxPause bounds how long a 429 stops every chat. The refused call's
	// own chat waits the whole retry_after, which can be half a minute
	// when that chat alone is over its limit.
	maxPause = time.Second
	// maxHold bounds how long a 429 holds its chat.
	maxHold = 30 * time.Second
)

// Pacer keeps the bot under Telegram's flood limits, which count sends and
// edits (not callback answers): a budget of calls a second overall, and one
// per chat. A call that may not go yet waits in the Pacer's queue, not in a
// sleep of its own: replies to respondents first, then admins' screens,
// then notices (Priority), each in arrival order, skipping a chat that has
// used its own budget so that it holds up no other chat.
//
// A 429 from Telegram means the estimate of the limits was wrong (Slow):
// the refused call's chat waits out retry_after; every other chat stops
// for up to a second, then goes on at a lower overall pace for
// retry_after, which then grows back to the configured one over some
// seconds. The refused call waits in the queue again, at the head of its
// class, so a 429 never turns into a storm of retries, each of which would
// earn another 429.
//
// A nil *Pacer paces nothing.
type Pacer struct {
	rate      float64 // configured calls a second overall; 0: no overall pace
	burst     float64
	chatRate  float64 // calls a second in one chat; 0: no chat pace
	chatBurst float64

	mu       sync.Mutex
	tokens   float64 // overall budget left at `at`
	at       time.Time
	cur      float64   // current overall pace: rate, or less after a 429
	slowedAt time.Time // from when cur grows back
	slowRate float64   // cur then
	paused   time.Time // nothing goes before this (a 429)
	chats    map[int64]*chatBudget
	holds    int // chats with a hold (HoldChat, Slow)
	queue    [priorities][]*ticket
	waiting  int
	running  bool          // the scheduler goroutine is running
	wake     chan struct{} // tells the scheduler something changed
}

// chatBudget is one chat's token bucket.
type chatBudget struct {
	tokens float64
	at     time.Time
	held   time.Time // zero, or nothing to this chat before it
}

// ticket is one call waiting for its turn.
type ticket struct {
	chat    int64
	ready   chan struct{}
	granted bool
}

// NewPacer returns a pacer allowing global calls a second overall and chat
// calls a second in one chat; 0 means no pace. The overall budget lets a
// tenth of a second's calls go at once, so that calls made together still
// reach Telegram spread out; a chat's lets three.
func NewPacer(global, chat float64) *Pacer {
	p := &Pacer{rate: max(global, 0), chatRate: max(chat, 0), chatBurst: chatBurst,
		chats: map[int64]*chatBudget{}, wake: make(chan struct{}, 1)}
	p.burst = max(1, float64(int(p.rate/10)))
	p.cur = p.rate
	p.tokens = p.burst
	p.at = time.Now()
	return p
}

// Wait blocks until a call to chatID of priority prio may go out, or ctx
// ends. Only sends and edits should wait: Telegram does not limit callback
// answers.
func (p *Pacer) Wait(ctx context.Context, chatID int64, prio Priority) error {
	return p.wait(ctx, chatID, prio, false, nil)
}

func (p *Pacer) wait(ctx context.Context, chatID int64, prio Priority, front bool, m *Metrics) error {
	if p == nil {
		return nil
	}
	prio = min(max(prio, Reply), Notice)
	p.mu.Lock()
	now := time.Now()
	// The way is clear when nobody of this priority or above waits.
	clear := true
	for q := Reply; q <= prio; q++ {
		clear = clear && len(p.queue[q]) == 0
	}
	if clear && p.mayGoLocked(now, chatID) {
		p.takeLocked(now, chatID)
		p.mu.Unlock()
		return nil
	}
	t := &ticket{chat: chatID, ready: make(chan struct{})}
	if front {
		p.queue[prio] = append([]*ticket{t}, p.queue[prio]...)
	} else {
		p.queue[prio] = append(p.queue[prio], t)
	}
	p.waiting++
	if !p.running {
		p.running = true
		go p.schedule()
	}
	p.mu.Unlock()
	p.poke()
	if m != nil {
		m.waiting.Add(1)
		defer m.waiting.Add(-1)
	}
	select {
	case <-t.ready:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		defer p.mu.Unlock()
		if t.granted {
			return nil // its turn came anyway: use it
		}
		q := p.queue[prio]
		for i, w := range q {
			if w == t {
				p.queue[prio] = append(q[:i:i], q[i+1:]...)
				p.waiting--
				break
			}
		}
		return ctx.Err()
	}
}

// poke wakes the scheduler.
func (p *Pacer) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// refillLocked brings the overall budget and pace up to now.
func (p *Pacer) refillLocked(now time.Time) {
	if p.rate == 0 {
		return
	}
	if p.cur < p.rate && now.After(p.slowedAt) {
		p.cur = min(p.rate, p.slowRate+now.Sub(p.slowedAt).Seconds()*p.rate/10)
	}
	if d := now.Sub(p.at); d > 0 {
		p.tokens = min(p.burst, p.tokens+d.Seconds()*p.cur)
		p.at = now
	}
}

// chatLocked returns chatID's budget brought up to now, creating a full one.
func (p *Pacer) chatLocked(now time.Time, chatID int64) *chatBudget {
	c := p.chats[chatID]
	if c == nil {
		if len(p.chats) >= maxLimiters {
			for id, o := range p.chats {
				if now.Sub(o.at) > time.Minute && o.held.IsZero() {
					delete(p.chats, id)
				}
			}
		}
		c = &chatBudget{tokens: p.chatBurst, at: now}
		p.chats[chatID] = c
	}
	if d := now.Sub(c.at); d > 0 {
		c.tokens = min(p.chatBurst, c.tokens+d.Seconds()*p.chatRate)
		c.at = now
	}
	if !c.held.IsZero() && !now.Before(c.held) {
		c.held = time.Time{}
		p.holds--
	}
	return c
}

// chatReadyLocked returns when chatID may have its next call.
func (p *Pacer) chatReadyLocked(now time.Time, chatID int64) time.Time {
	if p.chatRate == 0 && p.holds == 0 {
		return now
	}
	c := p.chatLocked(now, chatID)
	at := now
	if p.chatRate > 0 && c.tokens < 1 {
		at = now.Add(time.Duration((1 - c.tokens) / p.chatRate * float64(time.Second)))
	}
	if c.held.After(at) {
		at = c.held
	}
	return at
}

// mayGoLocked reports whether a call to chatID may go now.
func (p *Pacer) mayGoLocked(now time.Time, chatID int64) bool {
	if now.Before(p.paused) {
		return false
	}
	p.refillLocked(now)
	if p.rate > 0 && p.tokens < 1 {
		return false
	}
	return !p.chatReadyLocked(now, chatID).After(now)
}

// takeLocked spends a call's share of the budgets.
func (p *Pacer) takeLocked(now time.Time, chatID int64) {
	if p.rate > 0 {
		p.tokens--
	}
	if p.chatRate > 0 {
		p.chatLocked(now, chatID).tokens--
	}
}

// schedule grants waiting calls their turn while any wait, then ends.
func (p *Pacer) schedule() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		p.mu.Lock()
		next := p.grantLocked(time.Now())
		if p.waiting == 0 {
			p.running = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		timer.Reset(time.Until(next))
		select {
		case <-timer.C:
		case <-p.wake:
		}
	}
}

// grantLocked lets every call go that may, in priority order, and returns
// when the scheduler should look again.
func (p *Pacer) grantLocked(now time.Time) time.Time {
	for {
		if now.Before(p.paused) {
			return p.paused
		}
		p.refillLocked(now)
		if p.rate > 0 && p.tokens < 1 {
			return now.Add(time.Duration((1 - p.tokens) / p.cur * float64(time.Second)))
		}
		// The first waiting call whose chat may have one; meanwhile the
		// soonest any waiting chat may.
		next := now.Add(time.Hour)
		var pick *ticket
		for q := range p.queue {
			for i, t := range p.queue[q] {
				ready := p.chatReadyLocked(now, t.chat)
				if !ready.After(now) {
					pick = t
					p.queue[q] = append(p.queue[q][:i:i], p.queue[q][i+1:]...)
					break
				}
				if ready.Before(next) {
					next = ready
				}
			}
			if pick != nil {
				break
			}
		}
		if pick == nil {
			return next
		}
		p.takeLocked(now, pick.chat)
		pick.granted = true
		p.waiting--
		close(pick.ready)
	}
}

// Slow tells the pacer that Telegram refused a call to chatID with 429 and
// retry_after: that chat waits it out, every other chat stops for up to a
// second, and the overall pace drops for retry_after, then grows back.
func (p *Pacer) Slow(chatID int64, retryAfter time.Duration) {
	if p == nil {
		return
	}
	retryAfter = min(max(retryAfter, time.Second), maxHold)
	p.mu.Lock()
	now := time.Now()
	p.holdLocked(now, chatID, now.Add(retryAfter))
	p.chatLocked(now, chatID).tokens = 0
	pause := now.Add(min(retryAfter, maxPause))
	if pause.After(p.paused) {
		p.paused = pause
	}
	if p.rate > 0 {
		p.refillLocked(now)
		p.cur = max(minRate, p.cur*slowFactor)
		p.slowedAt, p.slowRate = now.Add(retryAfter), p.cur
		p.tokens = min(p.tokens, 0)
		p.at = pause
	}
	p.mu.Unlock()
	p.poke()
}

// HoldChat keeps calls to chatID waiting until d from now, as a 429 for
// that chat alone would; other chats go on.
func (p *Pacer) HoldChat(chatID int64, d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	now := time.Now()
	p.holdLocked(now, chatID, now.Add(d))
	p.mu.Unlock()
	p.poke()
}

// holdLocked keeps chatID's calls waiting until until.
func (p *Pacer) holdLocked(now time.Time, chatID int64, until time.Time) {
	c := p.chatLocked(now, chatID)
	if !until.After(now) || !until.After(c.held) {
		return
	}
	if c.held.IsZero() {
		p.holds++
	}
	c.held = until
}

// PaceNow returns the overall pace the pacer keeps now, in calls a second
// (0: none); it is below the configured one for some seconds after a 429.
func (p *Pacer) PaceNow() float64 {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refillLocked(time.Now())
	return p.cur
}

// Waiting returns how many calls wait for their turn.
func (p *Pacer) Waiting() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiting
}

// Limiters is a token bucket per id (chat or user), created on first use.
type Limiters struct {
	every rate.Limit
	burst int

	mu  sync.Mutex
	ids map[int64]*idLimiter
}

type idLimiter struct {
	lim  *rate.Limiter
	used time.Time
}

// maxLimiters bounds the limiters kept; idle ones are dropped when the map
// grows past it, so a city-wide campaign does not grow memory without end.
const maxLimiters = 10000

// NewLimiters returns token buckets of perSecond and burst, one per id.
func NewLimiters(perSecond float64, burst int) *Limiters {
	return &Limiters{every: rate.Limit(perSecond), burst: burst, ids: map[int64]*idLimiter{}}
}

// Get returns id's bucket.
func (l *Limiters) Get(id int64) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.ids) >= maxLimiters {
		for k, v := range l.ids {
			if now.Sub(v.used) > time.Minute {
				delete(l.ids, k)
			}
		}
	}
	v, ok := l.ids[id]
	if !ok {
		v = &idLimiter{lim: rate.NewLimiter(l.every, l.burst)}
		l.ids[id] = v
	}
	v.used = now
	return v.lim
}
