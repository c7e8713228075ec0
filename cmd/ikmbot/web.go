package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web"
)

// webFlags are serve's flags for the public site.
type webFlags struct {
	addr    string
	rate    float64
	burst   int
	proxies string
}

// webConfig is the public site's view of the configuration.
func webConfig(cfg *config.Config, secret []byte, w survey.Weighting, botUsername string, f webFlags, log *slog.Logger) (web.Config, error) {
	var proxies []netip.Prefix
	for _, s := range strings.Split(f.proxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return web.Config{}, usageError{fmt.Sprintf("serve: --web-proxy: %q is not an address or a CIDR prefix", s)}
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		proxies = append(proxies, p)
	}
	return web.Config{
		City: cfg.City, Catalog: cfg.Catalog, TypeNames: cfg.TypeNames, Location: cfg.Location,
		RespondentPeriod: cfg.RespondentPeriod, AllowReplace: cfg.AllowReplace, SessionTTL: cfg.SessionTTL,
		DefaultLanguage: cfg.DefaultLanguage, SignedLinksOnly: cfg.SignedLinksOnly, Weighting: w, Secret: secret,
		BotUsername: botUsername, PublicURL: cfg.PublicURL, Rate: f.rate, Burst: f.burst, TrustedProxies: proxies,
		Logger: log.With("part", "web"),
	}, nil
}

// startWeb serves the public site on addr until stop is called: the
// landing pages of the QR codes and the browser form, from this process's
// store. Unlike the ops port, a public site that cannot listen is an
// error: the operator asked for it, and posters point at it.
func startWeb(ctx context.Context, addr string, wc web.Config, st *store.Store, log *slog.Logger) (stop func(), err error) {
	site, err := web.New(wc, st)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web listener: %w", err)
	}
	srv := &http.Server{
		Handler: site.Handler(),
		// A phone on a weak signal is slow; a client that sends nothing
		// is not given a connection for long.
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("web listener failed", "err", err)
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		site.RunSweeper(sweepCtx, 10*time.Minute)
	}()
	log.Info("web listening", "addr", ln.Addr().String(), "public_url", wc.PublicURL)
	if wc.PublicURL == "" {
		log.Warn("--web without public_url in the config: posters still open Telegram directly; set public_url to print the site's address on them")
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		stopSweep()
		<-done
		<-done
	}, nil
}
