package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/ikmbot/ikmbot/bot"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// runServe runs the bot by long polling until ctx ends (SIGINT/SIGTERM).
func runServe(ctx context.Context, cfg *Config, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "ikmbot.db", "database file (created if missing)")
	apiURL := fs.String("api-url", "https://api.telegram.org", "Bot API base URL: a self-hosted Bot API server, or a test fake")
	pollTimeout := fs.Duration("poll-timeout", 50*time.Second, "long-poll wait of each getUpdates call")
	secretFile := fs.String("secret-file", "", "file holding the key of respondent hashes (default: DB.secret; IKMBOT_SECRET overrides)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	legacy := fs.Bool("legacy-weights", false, "weight each element 0.111 as the regulation's worksheets print, instead of exactly 1/9")
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

	client := &http.Client{Timeout: *pollTimeout + 15*time.Second}
	api, err := tg.New(token, tg.WithServerURL(*apiURL), tg.WithHTTPClient(*pollTimeout, client),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }))
	if err != nil {
		// The library's message can carry the request URL, which carries the token.
		return fmt.Errorf("cannot reach the Bot API at %s: %s", *apiURL, strings.ReplaceAll(err.Error(), token, "***"))
	}
	weighting := survey.ExactWeights
	if *legacy {
		weighting = survey.LegacyWeights
	}
	b, err := bot.New(botConfig(cfg, secret, weighting, log), st, api)
	if err != nil {
		return err
	}
	// A webhook left from another deployment makes getUpdates fail.
	if _, err := api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		log.Warn("deleteWebhook failed", "err", err)
	}
	if err := b.RegisterCommands(ctx); err != nil {
		log.Warn("command menu not registered", "err", err)
	}
	log.Info("ikmbot serving", "city", cfg.City, "units", cfg.Catalog.Len(), "db", *dbPath, "config", cfg.Path)

	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	sweepDone := make(chan struct{})
	go func() {
		defer close(sweepDone)
		b.RunSweeper(sweepCtx, time.Minute)
	}()
	d := bot.NewDispatcher(b.Process)
	poller := &bot.Poller{APIURL: *apiURL, Token: token, Client: client, Timeout: *pollTimeout, Logger: log}
	err = poller.Run(ctx, d)
	d.Wait()
	stopSweep()
	<-sweepDone
	log.Info("ikmbot stopped")
	return err
}

// botConfig is the bot's view of the configuration.
func botConfig(cfg *Config, secret []byte, w survey.Weighting, log *slog.Logger) bot.Config {
	return bot.Config{
		City: cfg.City, Catalog: cfg.Catalog, TypeNames: cfg.TypeNames, Location: cfg.Location,
		RespondentPeriod: cfg.RespondentPeriod, AllowReplace: cfg.AllowReplace, SessionTTL: cfg.SessionTTL,
		DefaultLanguage: cfg.DefaultLanguage, Admins: cfg.Admins, Weighting: w, Secret: secret, Logger: log,
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
