package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web"
)

// "ikmload crowd --web-rate N" serves the public site from the bot's own
// store, as ikmbot serve --web does, and requests N pages a second from it
// while the crowd answers in the chat: the city page, unit pages and QR
// landing pages (which count a poster scan, a write), open loop, so that
// a slow page does not slow the requests down. It reports the pages'
// latency beside the chat's reply latency.

// webLoad is the result of the page requests of one run.
type webLoad struct {
	Rate     float64         `json:"rate_per_s"`
	Requests int64           `json:"requests"`
	Errors   int64           `json:"errors"` // transport errors and statuses other than 200
	Latency  *latencySummary `json:"latency,omitempty"`
	City     *latencySummary `json:"city_page,omitempty"`
}

// webLoader requests pages until stopped.
type webLoader struct {
	base     string
	client   *http.Client
	units    []survey.Unit
	all      latency
	city     latency
	requests atomic.Int64
	errors   atomic.Int64
}

// startWebLoad serves the site from st on loopback and requests rate pages
// a second from it until the returned stop is called.
func startWebLoad(ctx context.Context, c *city, st *store.Store, rate float64, seed uint64) (stop func() *webLoad, err error) {
	site, err := web.New(web.Config{
		City: c.Name, Catalog: c.Catalog, Location: c.Location, RespondentPeriod: c.RespondentPeriod,
		SessionTTL: c.SessionTTL, DefaultLanguage: "id", Weighting: survey.ExactWeights, Secret: []byte(loadSecret),
		// Every request comes from loopback: a per-client cap would only
		// measure the cap.
		Rate: 0, Logger: slog.New(slog.DiscardHandler),
	}, st)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 200
	l := &webLoader{base: "http://" + ln.Addr().String(), client: &http.Client{Transport: transport, Timeout: 30 * time.Second}, units: c.Catalog.Units()}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := mrand.New(mrand.NewPCG(seed, 77))
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			path, isCity := l.pick(rng)
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.get(ctx, path, isCity)
			}()
		}
	}()
	return func() *webLoad {
		cancel()
		wg.Wait()
		srv.Close()
		return &webLoad{Rate: rate, Requests: l.requests.Load(), Errors: l.errors.Load(), Latency: l.all.summary(), City: l.city.summary()}
	}, nil
}

// pick chooses a page as readers would: half of them the city page, most
// of the rest a unit's page, one in ten a poster's landing page.
func (l *webLoader) pick(rng *mrand.Rand) (string, bool) {
	u := l.units[rng.IntN(len(l.units))]
	switch n := rng.IntN(10); {
	case n < 5:
		return "/", true
	case n < 9:
		return "/u/" + u.Code, false
	default:
		return "/s/" + u.Code, false
	}
}

func (l *webLoader) get(ctx context.Context, path string, isCity bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	if err != nil {
		l.errors.Add(1)
		return
	}
	start := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			l.errors.Add(1)
		}
		return
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	d := time.Since(start)
	l.requests.Add(1)
	if err != nil || res.StatusCode != http.StatusOK {
		l.errors.Add(1)
		return
	}
	l.all.add(d)
	if isCity {
		l.city.add(d)
	}
}

// copyFile copies a seeded database to a run's own file.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// webLine is the report line of the page requests.
func webLine(w *webLoad) string {
	if w == nil {
		return ""
	}
	s := fmt.Sprintf("web: %d page requests at %g/s, %d errors", w.Requests, w.Rate, w.Errors)
	if l := w.Latency; l != nil {
		s += fmt.Sprintf("; page p50 %.1f ms p95 %.1f ms p99 %.1f ms max %.1f ms", l.P50, l.P95, l.P99, l.Max)
	}
	if l := w.City; l != nil {
		s += fmt.Sprintf("; city page p50 %.1f ms p99 %.1f ms", l.P50, l.P99)
	}
	return s
}
