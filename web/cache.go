package web

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// Published pages are the same for every reader of a period and language,
// and a city page reads every unit's aggregates four periods back (about
// 4,000 bucket reads for a year of 89 units). At 200 requests a second
// that would be most of a small server's work, so a page drawn is kept
// for pageCacheTTL and served to everyone who asks meanwhile: the figures
// are at most that old, which no reader can tell from the page's own
// one-minute cache.

const (
	pageCacheTTL = time.Second
	// pageCacheMax bounds the pages kept: periods, units and languages
	// multiply, and a crawler may ask for every one. Past it the cache
	// starts afresh.
	pageCacheMax = 2000
)

type cachedPage struct {
	at     time.Time
	status int
	header http.Header
	body   []byte
}

type pageCache struct {
	mu    sync.Mutex
	pages map[string]cachedPage
}

// recorder keeps what a published page's handler wrote.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// cached serves a published page from the cache while it is fresh, and
// otherwise draws it and keeps it. Only whole 200 pages are kept; the
// reader's If-None-Match is answered from the kept page's ETag.
func (s *Server) cached(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path + "?" + r.URL.RawQuery + "|" + s.pageLang(r, "")
		now := s.cfg.Now()
		s.pages.mu.Lock()
		p, ok := s.pages.pages[key]
		s.pages.mu.Unlock()
		if !ok || now.Sub(p.at) >= pageCacheTTL {
			inner := r.Clone(r.Context())
			inner.Header.Del("If-None-Match")
			rec := &recorder{header: http.Header{}}
			h(rec, inner)
			p = cachedPage{at: now, status: rec.status, header: rec.header, body: rec.body.Bytes()}
			if p.status == http.StatusOK && p.header.Get("ETag") != "" {
				s.pages.mu.Lock()
				if s.pages.pages == nil || len(s.pages.pages) >= pageCacheMax {
					s.pages.pages = map[string]cachedPage{}
				}
				s.pages.pages[key] = p
				s.pages.mu.Unlock()
			}
		}
		for k, v := range p.header {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		if p.status != http.StatusOK || p.header.Get("ETag") == "" {
			w.WriteHeader(p.status)
			w.Write(p.body)
			return
		}
		serveETag(w, r, p.header.Get("ETag"), p.body)
	}
}
