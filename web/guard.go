package web

import (
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// guard wraps the site: it recovers a panic into the error page, sets the
// security headers every page carries, applies the per-client rate limit
// and caps request bodies.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.fail(w, r, http.StatusInternalServerError, "web.error.internal")
			}
		}()
		h := w.Header()
		// No script runs anywhere on the site, and nothing is framed or
		// loaded from elsewhere.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https://t.me; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if !s.limit.allow(s.clientKey(r)) {
			h.Set("Retry-After", "10")
			s.fail(w, r, http.StatusTooManyRequests, "web.error.rate")
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// clientKey names the client a request counts against: its address, or
// the address a trusted reverse proxy says it forwarded for; an IPv6
// client by its /64, since one host is given a whole /64 and can rotate
// through it. Kept in memory only.
func (s *Server) clientKey(r *http.Request) netip.Prefix {
	addr := remoteAddr(r.RemoteAddr)
	if addr.IsValid() && s.trusted(addr) {
		// The proxy appends the address it saw: the rightmost entry that
		// is not one of our proxies is the client.
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !s.trusted(addr) {
				break
			}
		}
	}
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remoteAddr(hostport string) netip.Addr {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// limiter keeps a token bucket per client. Clients are forgotten after two
// idle periods: the map holds the last two minutes' clients, swapped
// wholesale, so it needs no sweep and never grows past what two minutes
// of traffic bring.
type limiter struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	cur   map[netip.Prefix]*rate.Limiter
	prev  map[netip.Prefix]*rate.Limiter
	swap  time.Time
}

// limiterPeriod is how long an idle client keeps its bucket (at least one,
// at most two periods).
const limiterPeriod = time.Minute

func newLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return nil
	}
	return &limiter{rate: rate.Limit(perSecond), burst: max(burst, 1), cur: map[netip.Prefix]*rate.Limiter{}}
}

// allow reports whether the client may make one more request now. A nil
// limiter allows everything.
func (l *limiter) allow(client netip.Prefix) bool {
	if l == nil {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	if now.Sub(l.swap) >= limiterPeriod {
		l.prev, l.cur, l.swap = l.cur, make(map[netip.Prefix]*rate.Limiter, len(l.cur)), now
	}
	lim := l.cur[client]
	if lim == nil {
		if lim = l.prev[client]; lim == nil {
			lim = rate.NewLimiter(l.rate, l.burst)
		}
		l.cur[client] = lim
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}
