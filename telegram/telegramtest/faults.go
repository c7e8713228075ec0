package telegramtest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// AnyMethod, given to Fail or FailRate, applies the fault to every method
// that has no fault of its own.
const AnyMethod = "*"

// Fault is an error answer injected in place of a method's normal result.
type Fault struct {
	Code        int    // error_code and HTTP status; 0 means 500
	Description string // empty means Telegram's usual text for Code
	RetryAfter  int    // seconds, sent as parameters.retry_after (use with 429)
	Times       int    // how many calls fail; 0 means every call until cleared

	// Network faults, in place of an error answer (Code is then unused):
	Network Network
}

// Network is a fault of the connection rather than of the Bot API.
type Network int

const (
	// NoNetworkFault: the fault is an error answer.
	NoNetworkFault Network = iota
	// Drop: the call takes effect (a message is sent, an edit made), then
	// the connection closes without an answer, so the client cannot know
	// that it worked: the case that makes a retried send a duplicate.
	Drop
	// Hang: no answer until the client gives up; the call has no effect.
	Hang
)

// String is how transcripts show the fault.
func (n Network) String() string {
	switch n {
	case Drop:
		return "connection dropped after the call took effect"
	case Hang:
		return "no answer: the client gave up"
	}
	return ""
}

type faultRule struct {
	fault Fault
	rate  float64 // 1 fails every call
	rng   *rand.Rand
	used  int
}

// Fail makes method (or AnyMethod) answer with f, replacing any earlier fault
// for that method. The call is recorded but has no other effect.
func (s *Server) Fail(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = &faultRule{fault: f, rate: 1}
}

// FailRate makes a fraction rate (0..1) of method's calls answer with f,
// chosen by a generator seeded with seed: the same sequence of calls fails
// the same way on every run. Times, if set, bounds the number of failures.
func (s *Server) FailRate(method string, rate float64, f Fault, seed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = &faultRule{fault: f, rate: rate, rng: rand.New(rand.NewPCG(uint64(seed), 0x1ce))}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// faultLocked returns the injected fault for this call of method, if any.
func (s *Server) faultLocked(method string) *Fault {
	key := method
	r := s.faults[key]
	if r == nil {
		key = AnyMethod
		r = s.faults[key]
	}
	if r == nil {
		return nil
	}
	if r.rate < 1 && (r.rng == nil || r.rng.Float64() >= r.rate) {
		return nil
	}
	r.used++
	if r.fault.Times > 0 && r.used >= r.fault.Times {
		delete(s.faults, key)
	}
	f := r.fault
	return &f
}

func (f Fault) apiError() *apiError {
	e := &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter}
	if e.code == 0 {
		e.code = http.StatusInternalServerError
	}
	if e.desc == "" {
		switch e.code {
		case http.StatusTooManyRequests:
			e.desc = fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter)
		case http.StatusBadRequest:
			e.desc = "Bad Request"
		case http.StatusForbidden:
			e.desc = "Forbidden: bot was blocked by the user"
		default:
			e.desc = http.StatusText(e.code)
			if e.desc == "" {
				e.desc = fmt.Sprintf("Error %d", e.code)
			}
		}
	}
	return e
}
