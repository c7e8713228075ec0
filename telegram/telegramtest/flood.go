package telegramtest

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

// FloodLimits are the rates at which Telegram lets a bot send, as its Bot
// API FAQ publishes them: "no more than one message per second in a single
// chat", short bursts allowed, and "no more than 30 messages per second"
// in all. Beyond them a call is refused with 429 Too Many Requests and a
// retry_after, and has no effect.
//
// Sends and edits count (sendMessage, sendDocument, sendPhoto,
// editMessageText, editMessageReplyMarkup); answerCallbackQuery, getUpdates,
// deleteMessage, sendChatAction and the set-up methods do not. A counted call
// that reaches the method uses its share even when the method then refuses
// it (an edit that changes nothing is refused with "message is not
// modified" after Telegram took the request); a call refused with 429 uses
// none.
//
// Each limit is a token bucket: Burst calls at once after a quiet moment,
// then one every 1/PerSecond seconds. The buckets run on the server's clock
// (WithClock).
type FloodLimits struct {
	PerSecond float64 // every chat together; 0: no limit
	Burst     int     // at most this many at once (at least 1)

	ChatPerSecond float64 // in one chat; 0: no limit
	ChatBurst     int     // at most this many at once in one chat (at least 1)
}

// TelegramLimits are Telegram's published flood limits: "no more than 30
// messages per second or so" overall, and about one a second in a chat,
// "short bursts" allowed. Telegram does not say how short; this model lets
// a bot send five at once across chats and three at once in a chat, after a
// quiet moment. (With a burst of 30 across chats a bot could send 60 in its
// first second; with 1, any two calls closer than 1/30 s, as network jitter
// makes them, would be refused.)
var TelegramLimits = FloodLimits{PerSecond: 30, Burst: 5, ChatPerSecond: 1, ChatBurst: 3}

// WithFloodLimits makes the server refuse sends and edits beyond l with 429
// and retry_after, as Telegram does. Without it there is no limit.
func WithFloodLimits(l FloodLimits) Option {
	return func(s *Server) {
		s.flood = &flood{limits: l, chats: map[string]*bucket{}}
		if l.PerSecond > 0 {
			s.flood.global = &bucket{}
		}
	}
}

// WithRoundTrip makes every call take d longer than on loopback, as a call
// to Telegram takes a network round trip (about 150 ms from Indonesia): half
// of it before the call is handled (the request travelling), half after,
// before the answer is written. A long poll waits as usual in between.
func WithRoundTrip(d time.Duration) Option {
	return func(s *Server) { s.roundTrip = d }
}

// floodCounted are the methods the flood limits apply to.
var floodCounted = map[string]bool{
	"sendMessage": true, "sendDocument": true, "sendPhoto": true,
	"editMessageText": true, "editMessageReplyMarkup": true,
}

// flood is the server's record of the flood limits' buckets.
type flood struct {
	limits FloodLimits
	global *bucket            // nil: no overall limit
	chats  map[string]*bucket // by chat_id as sent
}

// bucket is a token bucket: tokens left at a time.
type bucket struct {
	tokens float64
	at     time.Time
	used   bool // false until the first call: the bucket starts full
}

// take reports whether a call may go now and, if not, how long until it
// could.
func (b *bucket) take(now time.Time, perSecond float64, burst int, commit bool) (bool, time.Duration) {
	capacity := float64(max(burst, 1))
	tokens := capacity
	if b.used {
		tokens = min(capacity, b.tokens+now.Sub(b.at).Seconds()*perSecond)
	}
	if tokens < 1 {
		return false, time.Duration((1 - tokens) / perSecond * float64(time.Second))
	}
	if commit {
		b.tokens, b.at, b.used = tokens-1, now, true
	}
	return true, 0
}

// floodLocked checks a call of method against the flood limits and uses its
// share; it returns the 429 to answer when the call is over them.
func (s *Server) floodLocked(method string, req *request) *apiError {
	f := s.flood
	if f == nil || !floodCounted[method] {
		return nil
	}
	now := s.now()
	var chat *bucket
	if f.limits.ChatPerSecond > 0 {
		id := req.params["chat_id"]
		if chat = f.chats[id]; chat == nil {
			chat = &bucket{}
			f.chats[id] = chat
		}
	}
	// Both limits must allow the call before either is charged for it.
	var wait time.Duration
	if chat != nil {
		if ok, w := chat.take(now, f.limits.ChatPerSecond, f.limits.ChatBurst, false); !ok {
			wait = max(wait, w)
		}
	}
	if f.global != nil {
		if ok, w := f.global.take(now, f.limits.PerSecond, f.limits.Burst, false); !ok {
			wait = max(wait, w)
		}
	}
	if wait > 0 {
		s.floodRefused++
		// Telegram gives whole seconds, and at least one.
		after := max(1, int(math.Ceil(wait.Seconds())))
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", after), retryAfter: after}
	}
	if chat != nil {
		chat.take(now, f.limits.ChatPerSecond, f.limits.ChatBurst, true)
	}
	if f.global != nil {
		f.global.take(now, f.limits.PerSecond, f.limits.Burst, true)
	}
	return nil
}

// FloodRefused returns how many calls the flood limits have refused with
// 429 since the server started (Reset does not clear it).
func (s *Server) FloodRefused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.floodRefused
}

// delayedWriter holds back the answer of a call by the second half of the
// round trip: its first write waits that long.
type delayedWriter struct {
	http.ResponseWriter
	delay time.Duration
	req   <-chan struct{} // the request's context ends
	done  <-chan struct{} // the server closes
	slept bool
}

func (w *delayedWriter) sleep() {
	if w.slept {
		return
	}
	w.slept = true
	sleep(w.delay, w.req, w.done)
}

func (w *delayedWriter) WriteHeader(code int) {
	w.sleep()
	w.ResponseWriter.WriteHeader(code)
}

func (w *delayedWriter) Write(p []byte) (int, error) {
	w.sleep()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (Drop hijacks it).
func (w *delayedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// sleep waits d, or until either channel is closed.
func sleep(d time.Duration, a, b <-chan struct{}) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-a:
	case <-b:
	}
}
