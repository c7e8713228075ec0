package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/poster"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// counterUsage is printed for ikmbot counter -h.
const counterUsage = `usage: ikmbot counter --unit CODE --bot-username NAME [--listen 127.0.0.1:8080] [--step 5m] [--key-file F]
       ikmbot counter --unit CODE --print-key [--db FILE] [--secret-file F]

Serves a web page for a screen at the unit's counter: the unit's name, a
QR code that opens the bot for the unit, and its link. The code changes
every --step (1m to 15m) and the page follows it by itself. An answer that
comes through a code still current when scanned (this step or the one
before) is marked verified, proof that the person was at the counter;
/ikm CODE and ikmbot report give the IKM of verified answers beside the
total. A stale or copied code still lets the person answer, unverified.

The counter PC needs only the unit's counter key, never the bot's secret:
a key opens nothing but this unit's counter codes. On the server, print it

    ikmbot counter --unit CODE --print-key > CODE.counter-key

and on the counter PC (with the same --config) pass that file with
--key-file, or its line in IKMBOT_COUNTER_KEY. Without either, the key is
derived from the bot's secret (IKMBOT_SECRET, or the secret file beside
--db), which works on the server itself. Keep the key like a password.

A leaked key is replaced with /loket ganti CODE in the chat (city admins),
which answers with the new key; codes of the old key stop verifying at
once. The key has a generation kept in the database, so --print-key reads
the database, which the running bot holds: while it runs, send /loket
kunci CODE to the bot for the current key instead.

Show http://127.0.0.1:8080/ in a full-screen browser on the counter
screen, and keep --listen on loopback: whoever can load the page can
answer as verified without visiting. The PC's clock must be right (to a
minute); the page shows it.
`

// counterKeyEnv holds the counter key when no --key-file is given.
const counterKeyEnv = "IKMBOT_COUNTER_KEY"

// runCounter implements ikmbot counter: it serves the counter screen until
// ctx ends, or prints the unit's counter key with --print-key.
func runCounter(ctx context.Context, load func() (*config.Config, error), args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := load()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("counter", flag.ContinueOnError)
	unitCode := fs.String("unit", "", "the unit whose counter this is, by code (required)")
	botName := fs.String("bot-username", "", "the bot's Telegram username, e.g. BekasiIKMBot (required to serve)")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the counter page; keep it on loopback")
	step := fs.Duration("step", deeplink.DefaultCounterStep, "how long one code is shown: whole minutes from 1m to 15m")
	keyFile := fs.String("key-file", "", "file with the unit's counter key, as --print-key prints it ("+counterKeyEnv+" otherwise)")
	printKey := fs.Bool("print-key", false, "print the unit's current counter key, derived from the bot's secret, and exit (on the server, with the bot stopped)")
	dbPath := fs.String("db", defaultDB, "the bot's database file, which holds the key's generation, and beside which the secret file lies (only to derive the key)")
	secretFile := fs.String("secret-file", "", "file holding the bot's secret (default: DB.secret; IKMBOT_SECRET overrides)")
	if done, err := parseCommandFlags(fs, counterUsage, args, stdout); done || err != nil {
		return err
	}
	if *unitCode == "" {
		return errors.New("counter: --unit is required (see ikmbot counter -h)")
	}
	u, err := unitByCode(cfg, *unitCode)
	if err != nil {
		return fmt.Errorf("counter: --unit: %w", err)
	}
	if *printKey {
		secret, err := findSecret(getenv("IKMBOT_SECRET"), *secretFile, *dbPath)
		if err != nil {
			return fmt.Errorf("counter: %w", err)
		}
		if secret == nil {
			return fmt.Errorf("counter: --print-key: no secret beside %s and no IKMBOT_SECRET: run it on the server, where the bot keeps its secret", *dbPath)
		}
		gen, err := counterKeyGeneration(*dbPath, u.Code)
		if err != nil {
			return fmt.Errorf("counter: --print-key: %w", err)
		}
		fmt.Fprintf(stderr, "The counter key of %s (generation %d): keep it like a password. On the counter PC:\n  ikmbot counter --unit %s --bot-username NAME --key-file FILE\n", u.Code, gen, u.Code)
		_, err = fmt.Fprintln(stdout, deeplink.FormatCounterKey(u.Code, deeplink.CounterKey(secret, u.Code, gen)))
		return err
	}
	if *botName == "" {
		return errors.New("counter: --bot-username is required (see ikmbot counter -h)")
	}
	name, err := checkBotUsername(*botName)
	if err != nil {
		return fmt.Errorf("counter: --bot-username: %w", err)
	}
	if err := deeplink.CheckCounterStep(*step); err != nil {
		return fmt.Errorf("counter: --step: %w", err)
	}
	key, err := loadCounterKey(u, *keyFile, getenv, *secretFile, *dbPath)
	if err != nil {
		return fmt.Errorf("counter: %w", err)
	}
	page, err := newCounterPage(cfg, u, name, key, *step, cmdNow)
	if err != nil {
		return fmt.Errorf("counter: %w", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("counter: %w", err)
	}
	return serveCounter(ctx, ln, page, stderr)
}

// serveCounter serves the page on ln until ctx ends.
func serveCounter(ctx context.Context, ln net.Listener, page *counterPage, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if ip := net.ParseIP(hostOf(ln.Addr().String())); ip == nil || !ip.IsLoopback() {
		log.Warn("the counter page is reachable from other machines: anyone who loads it can answer as verified without visiting; prefer --listen 127.0.0.1:PORT", "listen", ln.Addr().String())
	}
	srv := &http.Server{Handler: page.handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("counter screen serving: open the page in a full-screen browser", "url", "http://"+ln.Addr().String()+"/", "unit", page.unit.Code, "step", page.step)
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("counter: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-served
	return err
}

// hostOf is the host part of a host:port address.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// parseCounterKey reads a counter key written as CODE:KEY
// (deeplink.FormatCounterKey), so that a key handed to the wrong unit's
// counter is refused at start rather than making every code on its screen
// look forged.
func parseCounterKey(s string, u survey.Unit) ([]byte, error) {
	code, key, err := deeplink.ParseCounterKey(s)
	switch {
	case errors.Is(err, deeplink.ErrCounterKeyLayout):
		return nil, errors.New("want CODE:KEY, as ikmbot counter --print-key prints it")
	case !strings.EqualFold(code, u.Code):
		return nil, fmt.Errorf("this is the counter key of %s, not of %s", code, u.Code)
	case err != nil:
		return nil, errors.New("the key is damaged: print it again with ikmbot counter --print-key")
	}
	return key, nil
}

// loadCounterKey finds the unit's counter key: --key-file, else
// IKMBOT_COUNTER_KEY, else derived from the bot's secret where it lies
// (on the server). It never creates a secret: a new one would sign codes
// the bot refuses.
func loadCounterKey(u survey.Unit, keyFile string, getenv func(string) string, secretFile, dbPath string) ([]byte, error) {
	if keyFile != "" {
		data, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("--key-file: %w", err)
		}
		key, err := parseCounterKey(string(data), u)
		if err != nil {
			return nil, fmt.Errorf("--key-file %s: %w", keyFile, err)
		}
		return key, nil
	}
	if s := getenv(counterKeyEnv); s != "" {
		key, err := parseCounterKey(s, u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", counterKeyEnv, err)
		}
		return key, nil
	}
	secret, err := findSecret(getenv("IKMBOT_SECRET"), secretFile, dbPath)
	if err != nil {
		return nil, err
	}
	if secret == nil {
		return nil, fmt.Errorf("no counter key: on the server run \"ikmbot counter --unit %s --print-key\" and give its output here with --key-file or %s", u.Code, counterKeyEnv)
	}
	gen, err := counterKeyGeneration(dbPath, u.Code)
	if err != nil {
		return nil, err
	}
	return deeplink.CounterKey(secret, u.Code, gen), nil
}

// counterKeyGeneration reads the generation of the unit's counter key from
// the bot's database, read-only. A database that does not exist yet has
// every key at generation 1; it is not created. While the bot runs it
// holds the file, and the current key is to be had in the chat instead.
func counterKeyGeneration(dbPath, code string) (int, error) {
	if _, err := os.Stat(dbPath); errors.Is(err, os.ErrNotExist) {
		return 1, nil
	}
	if err := checkDBExists(dbPath); err != nil {
		return 0, err
	}
	st, err := store.Open(dbPath, store.Options{Timeout: storeTimeout, ReadOnly: true})
	if err != nil {
		return 0, friendlyOpenError(dbPath, err,
			fmt.Sprintf("send /loket kunci %s to the bot in the chat for the unit's current counter key (city admins), or stop the bot and run this again", code))
	}
	defer st.Close()
	var gen int
	err = st.View(func(tx *store.Tx) (err error) {
		gen, err = tx.CounterKeyGeneration(code)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", dbPath, err)
	}
	return gen, st.Close()
}

// counterPage serves a unit's counter screen: GET / is the page, GET
// /qr.png the current code alone.
type counterPage struct {
	city      string
	unit      survey.Unit
	botName   string
	publicURL string // the city's public site: the QR opens its landing page
	key       []byte
	step      time.Duration
	loc       *time.Location
	now       func() time.Time

	mu   sync.Mutex
	last counterQR // drawn once a step, however many times the page loads
}

// counterQR is the QR code of one step.
type counterQR struct {
	code deeplink.CounterCode
	link string
	png  []byte
}

func newCounterPage(cfg *config.Config, u survey.Unit, botName string, key []byte, step time.Duration, now func() time.Time) (*counterPage, error) {
	if err := deeplink.CheckCounterStep(step); err != nil {
		return nil, err
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	return &counterPage{city: cfg.City, unit: u, botName: botName, publicURL: cfg.PublicURL, key: key, step: step, loc: loc, now: now}, nil
}

// current returns the QR code of the step now in progress.
func (p *counterPage) current(now time.Time) (counterQR, error) {
	code := deeplink.CounterCodeAt(p.unit.Code, p.step, now)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last.png != nil && p.last.code == code {
		return p.last, nil
	}
	link := deeplink.PosterLink(p.publicURL, p.botName, code.Payload(p.key))
	png, err := poster.PNG(link)
	if err != nil {
		return counterQR{}, err
	}
	p.last = counterQR{code: code, link: link, png: png}
	return p.last, nil
}

func (p *counterPage) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.servePage)
	mux.HandleFunc("GET /qr.png", p.servePNG)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// A code must never come from a cache: a stale one would not verify.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'")
		mux.ServeHTTP(w, r)
	})
}

// counterTemplate is the page, in Bahasa Indonesia as the posters are. It
// embeds the QR code, so that the code and the link under it are always of
// the same step, and reloads itself just after the code changes.
var counterTemplate = template.Must(template.New("counter").Parse(`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{{.Refresh}}">
<title>{{.Unit}} · Survei Kepuasan Masyarakat</title>
<style>
body{margin:0;font-family:sans-serif;text-align:center;color:#000;background:#fff}
header{background:#0b4f8a;color:#fff;padding:1.5vh 0;font-size:2.2vh}
h1{font-size:4.2vh;margin:2vh 4vw 1vh}
.cta{font-size:2.8vh;margin:0 4vw}
img{display:block;margin:1vh auto;width:min(62vh,90vw);height:auto;image-rendering:pixelated}
.link{font-family:monospace;font-size:2vh;word-break:break-all;margin:0 4vw}
.note{font-size:1.8vh;color:#444}
</style>
</head>
<body>
<header><b>SURVEI KEPUASAN MASYARAKAT</b><br>{{.City}}</header>
<h1>{{.Unit}}</h1>
<p class="cta"><b>{{.CallToAction}}</b><br>{{.CallToActionSub}}</p>
<img src="{{.QR}}" alt="Kode QR survei {{.Unit}}">
<p class="link">{{.Link}}</p>
<p class="note">Kode ini berganti setiap {{.Minutes}} menit, berikutnya pukul {{.Next}}. Jam komputer ini: {{.Clock}}.</p>
</body>
</html>
`))

func (p *counterPage) servePage(w http.ResponseWriter, r *http.Request) {
	now := p.now()
	qr, err := p.current(now)
	if err != nil {
		http.Error(w, "the QR code cannot be drawn", http.StatusInternalServerError)
		return
	}
	// Reload a second after the code changes; a reload that lands early
	// just schedules another.
	refresh := int(math.Ceil(qr.code.End().Sub(now).Seconds())) + 1
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// An error here is a write to a browser that went away.
	_ = counterTemplate.Execute(w, map[string]any{
		"Refresh":         max(refresh, 1),
		"City":            p.city,
		"Unit":            p.unit.Name,
		"CallToAction":    poster.CallToAction,
		"CallToActionSub": poster.CallToActionSub,
		"QR":              template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(qr.png)),
		"Link":            qr.link,
		"Minutes":         int(p.step / time.Minute),
		"Next":            qr.code.End().In(p.loc).Format("15:04"),
		"Clock":           now.In(p.loc).Format("15:04:05 MST"),
	})
}

func (p *counterPage) servePNG(w http.ResponseWriter, r *http.Request) {
	qr, err := p.current(p.now())
	if err != nil {
		http.Error(w, "the QR code cannot be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(qr.png)
}
