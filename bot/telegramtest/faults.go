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

// faultLocked returns the injected error for this call of method, if any.
func (s *Server) faultLocked(method string) *apiError {
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
	return r.fault.apiError()
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
