package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web"
)

// BenchmarkWebPages times the public site's pages over a seeded database,
// handler only (no network): IKMBOT_BENCH_DB names it, e.g. the 1M
// responses of "ikmload seed --db 1m.db --responses 1000000 --from
// 2025-01-01 --to 2026-12-31"; without it the benchmark is skipped. The
// file is opened read-write, as serve opens it, and not changed.
//
//	IKMBOT_BENCH_DB=1m.db go test ./cmd/ikmbot -run '^$' -bench WebPages -benchtime 200x -count 5
func BenchmarkWebPages(b *testing.B) {
	path := os.Getenv("IKMBOT_BENCH_DB")
	if path == "" {
		b.Skip("IKMBOT_BENCH_DB is not set")
	}
	cfg, err := config.Load("")
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(path, store.Options{Location: cfg.Location, Units: cfg.Catalog.Unit})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	wc, err := webConfig(cfg, []byte("benchmark-secret-0123456789"), survey.ExactWeights, "BekasiIKMBot", webFlags{}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	// Each page is timed drawn (the clock moves a second a request, past
	// the site's page cache) and as served from that cache.
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, cfg.Location)
	moving := true
	wc.Now = func() time.Time {
		if moving {
			now = now.Add(time.Second)
		}
		return now
	}
	site, err := web.New(wc, st)
	if err != nil {
		b.Fatal(err)
	}
	h := site.Handler()
	for _, page := range []struct{ name, path string }{
		{"city year", "/?p=2026"},
		{"city quarter", "/?p=2026-Q2"},
		{"unit year", "/u/DISDUKCAPIL?p=2026"},
		{"open data json", "/data/2026.json"},
		{"kiosk", "/kiosk?p=2026"},
	} {
		for _, drawn := range []bool{true, false} {
			name := page.name + "/cached"
			if drawn {
				name = page.name + "/drawn"
			}
			b.Run(name, func(b *testing.B) {
				moving = drawn
				size := 0
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, page.path, nil))
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d", page.path, rec.Code)
					}
					size = rec.Body.Len()
				}
				b.ReportMetric(float64(size), "bytes/page")
			})
		}
	}
}
