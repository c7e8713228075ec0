package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ikmbot/ikmbot/bot"
	"github.com/ikmbot/ikmbot/store"
)

// defaultOpsAddr is loopback: health, metrics and backups are for the
// machine's own operator and monitoring agent, not the internet.
const defaultOpsAddr = "127.0.0.1:9464"

// opsHandler serves /healthz, /readyz, /metrics and /backup.
func opsHandler(st *store.Store, m *bot.Metrics, readyAge time.Duration, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !m.Ready(time.Now(), readyAge) {
			http.Error(w, "not receiving updates from Telegram", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		m.WritePrometheus(w)
	})
	// A hot backup has to come from the process that holds the file lock;
	// "ikmbot backup" asks here when the bot is running. It holds answers,
	// so only the machine itself may ask, whatever address ops listens on.
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			http.Error(w, "backups are served to this machine only", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		if n, err := st.Backup(w); err != nil {
			log.Error("backup over ops failed", "bytes", n, "err", err)
		} else {
			log.Info("backup served", "bytes", n)
		}
	})
	return mux
}

// startOps serves the ops endpoints on addr until ctx ends. A port that is
// taken is logged, not fatal: the bot serving citizens matters more.
func startOps(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (stop func()) {
	if addr == "" {
		return func() {}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("ops listener not started", "addr", addr, "err", err)
		return func() {}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ops listener failed", "err", err)
		}
	}()
	log.Info("ops listening", "addr", ln.Addr().String())
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		<-done
	}
}
