package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"

	"github.com/ikmbot/ikmbot/bot"
	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web"
)

// runServe runs the bot until ctx ends (SIGINT/SIGTERM): by long polling,
// or behind a webhook with --webhook-url.
func runServe(ctx context.Context, cfg *config.Config, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "ikmbot.db", "database file (created if missing)")
	apiURL := fs.String("api-url", "https://api.telegram.org", "Bot API base URL: a self-hosted Bot API server, or a test fake")
	pollTimeout := fs.Duration("poll-timeout", 50*time.Second, "long-poll wait of each getUpdates call")
	webhookURL := fs.String("webhook-url", "", "receive updates by webhook at this public HTTPS URL instead of polling")
	listen := fs.String("listen", ":8443", "with --webhook-url: the address to serve the webhook on (behind your TLS proxy)")
	opsAddr := fs.String("ops", defaultOpsAddr, "address of /healthz, /readyz, /metrics and /backup; empty to disable")
	secretFile := fs.String("secret-file", "", "file holding the key of respondent hashes (default: DB.secret; IKMBOT_SECRET overrides)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	legacy := fs.Bool("legacy-weights", false, "weight each element 0.111 as the regulation's worksheets print, instead of exactly 1/9")
	sendRate := fs.Float64("send-rate", bot.DefaultSendRate, "messages sent or edited per second across all chats (Telegram allows about 30); 0 for no pace")
	chatRate := fs.Float64("chat-rate", bot.DefaultChatRate, "messages sent or edited per second in one chat (Telegram allows about 1, with short bursts); 0 for no pace")
	shutdown := fs.Duration("shutdown-timeout", 10*time.Second, "on SIGTERM, how long updates in flight may take to finish")
	// A person reads each question; 2 updates a second with a burst of 20
	// is far above honest use and stops a script flooding the bot.
	userRate := fs.Float64("user-rate", bot.DefaultUserRate, "updates per second one person may send before further ones are dropped; 0 for no cap")
	userBurst := fs.Int("user-burst", bot.DefaultUserBurst, "updates one person may send at once")
	workers := fs.Int("workers", telegram.DefaultWorkers, "updates handled at once; the others wait their turn")
	var wf webFlags
	fs.StringVar(&wf.addr, "web", "", "serve the public site (QR landing pages and the browser form) on this address, e.g. 127.0.0.1:8080 behind your TLS proxy; empty: no site")
	fs.Float64Var(&wf.rate, "web-rate", web.DefaultRate, "with --web: requests a second one client (an IP address, an IPv6 /64) may make; 0 for no cap")
	fs.IntVar(&wf.burst, "web-burst", web.DefaultBurst, "with --web: requests one client may make at once")
	fs.StringVar(&wf.proxies, "web-proxy", "127.0.0.1/8,::1", "with --web: reverse proxies whose X-Forwarded-For is believed (addresses or CIDR prefixes, comma-separated)")
	callTimeout := fs.Duration("call-timeout", telegram.DefaultCallTimeout, "longest wait for one Bot API call before it is made again (uploads: four times as long)")
	if err := fs.Parse(args); err != nil {
		return usageError{"serve: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", fs.Arg(0))}
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN"))
	if token == "" {
		return errors.New("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token (or try \"ikmbot demo\", which needs none)")
	}
	secret, err := loadSecret(getenv("IKMBOT_SECRET"), *secretFile, *dbPath)
	if err != nil {
		return err
	}
	st, err := store.Open(*dbPath, store.Options{Timeout: time.Second, Location: cfg.Location, Units: cfg.Catalog.Unit})
	if err != nil {
		return err
	}
	defer st.Close()

	// Replies to many chats go out at once; Go's default of 2 idle
	// connections per host made most of them open a new connection
	// (measured: 22 % less CPU per update with a pool, BENCHMARKS.md).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 100
	client := &http.Client{Timeout: *pollTimeout + 15*time.Second, Transport: transport}
	api, err := tg.New(token, tg.WithServerURL(*apiURL), tg.WithHTTPClient(*pollTimeout, telegram.BufferedClient{Client: client}),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }))
	if err != nil {
		// The library's message can carry the request URL, which carries the token.
		return fmt.Errorf("cannot reach the Bot API at %s: %s", *apiURL, strings.ReplaceAll(err.Error(), token, "***"))
	}
	weighting := survey.ExactWeights
	if *legacy {
		weighting = survey.LegacyWeights
	}
	metrics := bot.NewMetrics()
	bc := botConfig(cfg, secret, weighting, log)
	bc.BotUsername = askUsername(ctx, api, log)
	bc.Metrics, bc.SendRate, bc.ChatRate = metrics, *sendRate, *chatRate
	bc.UserRate, bc.UserBurst = *userRate, *userBurst
	bc.CallTimeout = *callTimeout
	b, err := bot.New(bc, st, api)
	if err != nil {
		return err
	}
	if wf.addr != "" {
		wc, err := webConfig(cfg, secret, weighting, bc.BotUsername, wf, log)
		if err != nil {
			return err
		}
		stopWeb, err := startWeb(ctx, wf.addr, wc, st, log)
		if err != nil {
			return err
		}
		defer stopWeb()
	}
	stopOps := startOps(ctx, *opsAddr, opsHandler(st, metrics, 2**pollTimeout+time.Minute, log), log)
	defer stopOps()
	if err := b.RegisterCommands(ctx); err != nil {
		log.Warn("command menu not registered", "err", err)
	}
	log.Info("ikmbot serving", "city", cfg.City, "units", cfg.Catalog.Len(), "db", *dbPath, "config", cfg.Path)

	// Handlers outlive ctx by up to the shutdown timeout, so a SIGTERM lets
	// updates in flight commit and reply.
	handlerCtx, stopHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHandlers()
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		b.RunSweeper(ctx, time.Minute)
	}()
	// Alerts to admins go out on their own goroutine, behind respondents'
	// replies; what is unsent at shutdown stays queued in the database.
	noticesDone := make(chan struct{})
	go func() {
		defer close(noticesDone)
		b.RunNotices(ctx)
	}()
	d := telegram.NewDispatcher(b.Process).WithWorkers(*workers)
	if *webhookURL != "" {
		err = serveWebhook(ctx, api, d, metrics, *webhookURL, *listen, webhookSecret(getenv, secret), log)
	} else {
		// A webhook left from another deployment makes getUpdates fail.
		if _, err := api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
			log.Warn("deleteWebhook failed", "err", err)
		}
		// Each batch is kept in the database before Telegram hears it
		// arrived, so the next getUpdates need not wait for the replies.
		poller := &telegram.Poller{APIURL: *apiURL, Token: token, Client: client, Timeout: *pollTimeout, Logger: log, Metrics: metrics.Transport(),
			HandlerContext: handlerCtx, Inbox: st}
		err = poller.Run(ctx, d)
	}
	drained := make(chan struct{})
	go func() { d.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(*shutdown):
		log.Warn("updates still in flight at the shutdown timeout; their replies are dropped", "timeout", *shutdown)
		stopHandlers()
		<-drained
	}
	<-sweepDone
	<-noticesDone
	log.Info("ikmbot stopped")
	return err
}

// webhookSecret is the token Telegram sends with every webhook request:
// IKMBOT_WEBHOOK_SECRET, or one derived from the hash key so that it stays
// the same across restarts without more configuration.
func webhookSecret(getenv func(string) string, key []byte) string {
	if s := getenv("IKMBOT_WEBHOOK_SECRET"); s != "" {
		return s
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("telegram webhook"))
	return hex.EncodeToString(m.Sum(nil))[:48]
}

// serveWebhook sets the webhook and serves it until ctx ends. The webhook
// stays set on exit: Telegram keeps the updates until the bot is back.
func serveWebhook(ctx context.Context, api *tg.Bot, d *telegram.Dispatcher, m *bot.Metrics, url, listen, secret string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("webhook listener: %w", err)
	}
	srv := &http.Server{Handler: telegram.WebhookHandler(secret, d, log), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	_, err = api.SetWebhook(ctx, &tg.SetWebhookParams{
		URL: url, SecretToken: secret, AllowedUpdates: telegram.AllowedUpdates, MaxConnections: 40,
	})
	if err != nil {
		srv.Close()
		return fmt.Errorf("setWebhook: %w", err)
	}
	m.WebhookSet()
	log.Info("webhook set", "listen", ln.Addr().String())
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("webhook listener: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// botConfig is the bot's view of the configuration.
func botConfig(cfg *config.Config, secret []byte, w survey.Weighting, log *slog.Logger) bot.Config {
	return bot.Config{
		City: cfg.City, Catalog: cfg.Catalog, TypeNames: cfg.TypeNames, Location: cfg.Location,
		RespondentPeriod: cfg.RespondentPeriod, AllowReplace: cfg.AllowReplace, SessionTTL: cfg.SessionTTL,
		DefaultLanguage: cfg.DefaultLanguage, Admins: cfg.Admins, Weighting: w, Secret: secret, Logger: log,
		ChatRetention: cfg.ChatRetention, SuggestionRetention: time.Duration(cfg.SuggestionDays) * 24 * time.Hour,
		SignedLinksOnly: cfg.SignedLinksOnly, PublicURL: cfg.PublicURL, Digest: cfg.Digest, DigestHour: cfg.DigestHour,
	}
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// loadSecret returns the key of the respondent hashes: IKMBOT_SECRET if
// set, else the secret file, created with a random key on first start. The
// key must stay the same for the life of the database, or repeat
// respondents can no longer be recognised.
func loadSecret(env, file, dbPath string) ([]byte, error) {
	if env != "" {
		if len(env) < 16 {
			return nil, errors.New("IKMBOT_SECRET must be at least 16 characters")
		}
		return []byte(env), nil
	}
	if file == "" {
		file = dbPath + ".secret"
	}
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(data))
		if len(s) < 16 {
			return nil, fmt.Errorf("secret file %s: want at least 16 characters, found %d", file, len(s))
		}
		return []byte(s), nil
	case errors.Is(err, os.ErrNotExist):
		var key [32]byte
		if _, err := rand.Read(key[:]); err != nil {
			return nil, err
		}
		s := hex.EncodeToString(key[:])
		if err := os.WriteFile(file, []byte(s+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("create secret file: %w", err)
		}
		return []byte(s), nil
	default:
		return nil, fmt.Errorf("secret file: %w", err)
	}
}
