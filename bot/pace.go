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
	chat   rate.Limit    // 0: no cap

	mu    sync.Mutex
	chats map[int64]*chatLimiter
}

type chatLimiter struct {
	lim  *rate.Limiter
	used time.Time
}

// maxChatLimiters bounds the per-chat limiters kept; idle ones are dropped
// when the map grows past it.
const maxChatLimiters = 10000

func newPacer(global, chat float64) *pacer {
	p := &pacer{chat: rate.Limit(chat), chats: map[int64]*chatLimiter{}}
	if global > 0 {
		p.global = rate.NewLimiter(rate.Limit(global), max(1, int(global)))
	}
	return p
}

// wait blocks until a call to chatID may go out; message says whether it
// counts against the chat's own pace. Every call counts globally.
func (p *pacer) wait(ctx context.Context, chatID int64, message bool, m *Metrics) error {
	if p.global == nil && (p.chat == 0 || !message) {
		return nil
	}
	if m != nil {
		m.waiting.Add(1)
		defer m.waiting.Add(-1)
	}
	if message && p.chat > 0 {
		if err := p.chatLimiter(chatID).Wait(ctx); err != nil {
			return err
		}
	}
	if p.global != nil {
		return p.global.Wait(ctx)
	}
	return nil
}

func (p *pacer) chatLimiter(chatID int64) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if len(p.chats) >= maxChatLimiters {
		for id, c := range p.chats {
			if now.Sub(c.used) > time.Minute {
				delete(p.chats, id)
			}
		}
	}
	c, ok := p.chats[chatID]
	if !ok {
		// A burst of 3 lets a hint, a question and an answer go out at once.
		c = &chatLimiter{lim: rate.NewLimiter(p.chat, 3)}
		p.chats[chatID] = c
	}
	c.used = now
	return c.lim
}
