package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/ikmbot/ikmbot/locales"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/summary"
	"github.com/ikmbot/ikmbot/survey"
)

// Config is what the site needs of the city's configuration and the
// server's secrets.
type Config struct {
	City             string
	Catalog          *survey.Catalog
	TypeNames        map[survey.UnitType]string // names of extra unit types
	Location         *time.Location
	RespondentPeriod survey.PeriodKind // one response per browser per unit per period
	AllowReplace     bool
	SessionTTL       time.Duration // an idle form is closed after this; its answers are kept as incomplete
	DefaultLanguage  string        // "id" or "en", when the browser prefers neither
	SignedLinksOnly  bool          // refuse landing links without a signature
	Weighting        survey.Weighting
	Secret           []byte // the server secret: cookie, CSRF and respondent-hash keys derive from it

	// BotUsername names the Telegram bot for the landing page's "Open in
	// Telegram" button; empty hides it.
	BotUsername string
	// PublicURL is the site's public base URL (https://...). An https URL
	// makes the cookie Secure.
	PublicURL string

	// Rate and Burst bound the requests one client (an IP address, an IPv6
	// /64) may make: Rate a second, Burst at once. Rate 0 means no cap.
	Rate  float64
	Burst int
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// (a reverse proxy on the same host); nil means loopback only.
	TrustedProxies []netip.Prefix

	Logger *slog.Logger
	// Now and NewID are inputs so tests are deterministic; nil means the
	// wall clock and random ids.
	Now   func() time.Time
	NewID func() string
}

// Defaults of Config.
const (
	DefaultRate  = 20
	DefaultBurst = 100
	// maxBody caps a form post: a suggestion of 1,000 four-byte characters
	// is 12,000 bytes percent-encoded, and the rest is a few hundred.
	maxBody = 32 << 10
	// maxOpenSessions bounds the web surveys open at once, so that a
	// flood of fresh cookies cannot grow the database without end; far
	// above what a city's units see in a session TTL.
	maxOpenSessions = 200_000
)

// Server serves the public site. It is safe for concurrent use.
type Server struct {
	cfg    Config
	st     *store.Store
	log    *slog.Logger
	keys   keys
	bundle *i18n.Bundle
	tmpl   templates
	limit  *limiter
	starts *limiter // a tighter bound on starting surveys
	css    asset
	mux    *http.ServeMux
	pages  pageCache
	// summaryKey is the city's public key for its signed summaries
	// (package summary), published on the open data page.
	summaryKey string
}

// New returns the site over st.
func New(cfg Config, st *store.Store) (*Server, error) {
	if cfg.Catalog == nil || st == nil {
		return nil, errors.New("web: no catalog or no store")
	}
	if len(cfg.Secret) < 16 {
		return nil, errors.New("web: the secret is missing or shorter than 16 bytes")
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.RespondentPeriod == "" {
		cfg.RespondentPeriod = survey.PeriodYear
	}
	if cfg.DefaultLanguage != "en" {
		cfg.DefaultLanguage = "id"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	if cfg.TrustedProxies == nil {
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	bundle, err := locales.Bundle()
	if err != nil {
		return nil, err
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	css, err := loadAsset("static/site.css", "text/css; charset=utf-8")
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, st: st, log: cfg.Logger, keys: deriveKeys(cfg.Secret), bundle: bundle, tmpl: tmpl, css: css,
		limit:  newLimiter(cfg.Rate, cfg.Burst),
		starts: newLimiter(cfg.Rate/40, max(cfg.Burst/5, 1)),
	}
	s.summaryKey = summary.EncodeKey(summary.PublicKey(summary.KeyFromSecret(cfg.Secret)))
	s.mux = http.NewServeMux()
	s.routes()
	return s, nil
}

// routes registers every page. Methods are told apart here rather than in
// the patterns, so that a wrong method and an unknown path get the
// localized page, not the mux's plain text.
func (s *Server) routes() {
	s.mux.HandleFunc("/s/{payload}", s.methods(s.landing, s.start))
	s.mux.HandleFunc("/f/{unit}", s.methods(s.form, s.answer))
	s.mux.HandleFunc("/static/site.css", s.methods(s.css.serve, nil))
	s.mux.HandleFunc("/{$}", s.methods(s.cached(s.city), nil))
	s.mux.HandleFunc("/u/{code}", s.methods(s.cached(s.unit), nil))
	s.mux.HandleFunc("/metode", s.methods(s.cached(s.method), nil))
	s.mux.HandleFunc("/kiosk", s.methods(s.cached(s.kiosk), nil))
	s.mux.HandleFunc("/data", s.methods(s.cached(s.dataIndex), nil))
	s.mux.HandleFunc("/data/{file}", s.methods(s.cached(s.dataFile), nil))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "web.error.not_found")
	})
}

// methods routes GET and HEAD to get and POST to post (when not nil);
// anything else gets 405.
func (s *Server) methods(get, post http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			get(w, r)
		case r.Method == http.MethodPost && post != nil:
			post(w, r)
		default:
			allow := "GET, HEAD"
			if post != nil {
				allow += ", POST"
			}
			w.Header().Set("Allow", allow)
			s.fail(w, r, http.StatusMethodNotAllowed, "web.error.method")
		}
	}
}

// Handler returns the site with its guards around it: panic recovery,
// security headers, per-client rate limits, the cross-origin check and
// body caps.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "web.error.csrf")
	}))
	return s.guard(cop.Handler(s.mux))
}

// now is the clock in the city's time zone: survey days and periods use it.
func (s *Server) now() time.Time { return s.cfg.Now().In(s.cfg.Location) }

// RunSweeper closes web surveys left idle for the session TTL, every
// interval until ctx ends: their answers are kept as incomplete, as the
// chat keeps an expired survey's.
func (s *Server) RunSweeper(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Sweep(); err != nil {
			s.log.Error("web sweep", "err", err)
		} else if n > 0 {
			s.log.Info("web surveys expired", "n", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepBatch bounds one sweep transaction, so that a backlog never holds
// the write lock for long.
const sweepBatch = 500

// Sweep closes the web surveys idle for the session TTL and returns how
// many it closed.
func (s *Server) Sweep() (int, error) {
	if s.cfg.SessionTTL <= 0 {
		return 0, nil
	}
	now := s.now()
	type key struct{ browser, unit string }
	var stale []key
	err := s.st.View(func(tx *store.Tx) error {
		return tx.ForEachWebSession(func(ws store.WebSession) error {
			if ws.Session.Expired(now, s.cfg.SessionTTL) {
				stale = append(stale, key{ws.Session.Respondent, ws.Session.Unit.Code})
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	closed := 0
	for len(stale) > 0 {
		batch := stale[:min(len(stale), sweepBatch)]
		stale = stale[len(batch):]
		n := 0
		err := s.st.Update(func(tx *store.Tx) error {
			n = 0
			for _, k := range batch {
				ws, ok, err := tx.WebSession(k.browser, k.unit)
				if err != nil {
					return err
				}
				// Read again: the person may have answered since the scan.
				if !ok || !ws.Session.Expired(now, s.cfg.SessionTTL) {
					continue
				}
				if err := closeSession(tx, ws); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return closed, err
		}
		closed += n
	}
	return closed, nil
}

// closeSession ends an open web survey without completing it, keeping any
// answers as incomplete (never counted).
func closeSession(tx *store.Tx, ws store.WebSession) error {
	sess := ws.Session
	if sess.Answered() {
		r := sess.Partial(sess.Updated)
		r.Source = survey.SourceWeb
		if err := tx.AddIncomplete(r); err != nil {
			return err
		}
	}
	return tx.DeleteWebSession(sess.Respondent, sess.Unit.Code)
}

func randomID() string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("web: no randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
