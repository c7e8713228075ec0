package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer keeps the bot under Telegram's flood limits: about 30 calls a
// second overall and about one message a second in a chat. Waiting here is
// better than a 429, which stalls the chat for retry_after seconds.
type pacer struct {
	global *rate.Limiter // nil: no cap
	chats  *limiters     // nil: no cap
}

func newPacer(global, chat float64) *pacer {
	p := &pacer{}
	if global > 0 {
		p.global = rate.NewLimiter(rate.Limit(global), max(1, int(global)))
	}
	if chat > 0 {
		// A burst of 3 lets a hint, a question and an answer go out at once.
		p.chats = newLimiters(chat, 3)
	}
	return p
}

// wait blocks until a call to chatID may go out; message says whether it
// counts against the chat's own pace. Every call counts globally.
func (p *pacer) wait(ctx context.Context, chatID int64, message bool, m *Metrics) error {
	if p.global == nil && (p.chats == nil || !message) {
		return nil
	}
	if m != nil {
		m.waiting.Add(1)
		defer m.waiting.Add(-1)
	}
	if message && p.chats != nil {
		if err := p.chats.get(chatID).Wait(ctx); err != nil {
			return err
		}
	}
	if p.global != nil {
		return p.global.Wait(ctx)
	}
	return nil
}

// limiters is a token bucket per id (chat or user), created on first use.
type limiters struct {
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

func newLimiters(perSecond float64, burst int) *limiters {
	return &limiters{every: rate.Limit(perSecond), burst: burst, ids: map[int64]*idLimiter{}}
}

func (l *limiters) get(id int64) *rate.Limiter {
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
