package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer keeps the bot under Telegram's flood limits: about 30 calls a
// second overall and about one message a second in a chat. Waiting here is
// better than a 429, which stalls the chat for retry_after seconds. A nil
// *Pacer paces nothing.
type Pacer struct {
	global *rate.Limiter // nil: no cap
	chats  *Limiters     // nil: no cap
}

// NewPacer returns a pacer allowing global calls a second overall and chat
// messages a second in one chat; 0 means no cap.
func NewPacer(global, chat float64) *Pacer {
	p := &Pacer{}
	if global > 0 {
		p.global = rate.NewLimiter(rate.Limit(global), max(1, int(global)))
	}
	if chat > 0 {
		// A burst of 3 lets a hint, a question and an answer go out at once.
		p.chats = NewLimiters(chat, 3)
	}
	return p
}

// wait blocks until a call to chatID may go out; message says whether it
// counts against the chat's own pace. Every call counts globally.
func (p *Pacer) wait(ctx context.Context, chatID int64, message bool, m *Metrics) error {
	if p == nil || p.global == nil && (p.chats == nil || !message) {
		return nil
	}
	if m != nil {
		m.waiting.Add(1)
		defer m.waiting.Add(-1)
	}
	if message && p.chats != nil {
		if err := p.chats.Get(chatID).Wait(ctx); err != nil {
			return err
		}
	}
	if p.global != nil {
		return p.global.Wait(ctx)
	}
	return nil
}

// Spare waits until the global send rate has room to spare, so that a
// message nobody is waiting for (an admin's notice) never takes the place
// of a reply a respondent is waiting for: those wait in the limiter itself,
// such messages wait here first.
func (p *Pacer) Spare(ctx context.Context) error {
	if p == nil || p.global == nil {
		return nil
	}
	reserve := float64(p.global.Burst()) / 2
	for p.global.Tokens() < reserve {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
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

// Chat returns chatID's own bucket, nil when chats are not paced.
func (p *Pacer) Chat(chatID int64) *rate.Limiter {
	if p == nil || p.chats == nil {
		return nil
	}
	return p.chats.Get(chatID)
}
