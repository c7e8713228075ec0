package main

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/bot"
	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/locales"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

//go:embed demo.script
var defaultDemoScript string

// Demo personas: a citizen, and a city admin who may type /ikm.
const (
	demoCitizen = 1001
	demoAdmin   = 9001
)

// demoBotUsername is the demo bot's username, as the fake Bot API reports
// it.
const demoBotUsername = "ikm_demo_bot"

// demo is the real bot, polling over loopback HTTP, against the in-process
// fake Bot API; a person (or a script) plays the citizen.
type demo struct {
	srv     *telegramtest.Server
	citizen *telegramtest.User
	admin   *telegramtest.User
	out     io.Writer
	// settle waits, once an update is confirmed, for what it caused
	// after that: its files, drawn after the commit, and, when a script
	// plays, the notices it queued, sent here instead of by RunNotices,
	// so that they print under the line that caused them.
	settle func(context.Context)
}

// runDemo implements ikmbot demo: interactive in a terminal, otherwise it
// plays a script (--script FILE, or standard input, or the built-in one) and
// prints the transcript.
func runDemo(ctx context.Context, cfg *config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	script := fs.String("script", "", "play this script instead of asking in the terminal (lines: send TEXT, tap LABEL, sticker, photo, admin TEXT)")
	dbPath := fs.String("db", "", "keep the demo's database in this file (default: a temporary file, removed at the end)")
	langs := locales.Codes()
	lang := fs.String("lang", locales.Default.String(), "the citizen's Telegram language: "+strings.Join(langs, " or "))
	if err := fs.Parse(args); err != nil {
		return usageError{"demo: " + err.Error()}
	}
	if !slices.Contains(langs, *lang) {
		return usageError{"demo: --lang must be " + strings.Join(langs, " or ")}
	}
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "ikmbot-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = dir + "/demo.db"
	}

	srv := telegramtest.NewServer(telegramtest.WithUsername(demoBotUsername),
		telegramtest.WithReporter(telegramtest.ReporterFunc(func(f string, a ...any) { fmt.Fprintf(stderr, "fake Telegram: "+f+"\n", a...) })))
	defer srv.Close()
	st, err := store.Open(*dbPath, store.Options{Timeout: time.Second, Location: cfg.Location, Units: cfg.Catalog.Unit})
	if err != nil {
		return err
	}
	defer st.Close()
	api, err := tg.New(telegramtest.Token, tg.WithServerURL(srv.URL()), tg.WithHTTPClient(5*time.Second, srv.Client()))
	if err != nil {
		return err
	}
	bc := botConfig(cfg, []byte("ikmbot demo secret, not for production"), survey.ExactWeights, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	bc.Admins = append(append([]int64(nil), bc.Admins...), demoAdmin)
	// The fake's username, so that /qr and /admin undang make links.
	bc.BotUsername = demoBotUsername
	b, err := bot.New(bc, st, api)
	if err != nil {
		return err
	}
	if err := b.RegisterCommands(ctx); err != nil {
		return err
	}

	pollCtx, stopPolling := context.WithCancel(ctx)
	pollDone := make(chan error, 1)
	// The handler reports an update done only when it has returned, so
	// that the Poller confirms it to the fake only once its replies are
	// out: a confirmed update is an answered one (demo.act).
	d := telegram.NewDispatcher(func(ctx context.Context, upd *models.Update, _ func()) error { return b.Process(ctx, upd, nil) })
	go func() {
		p := &telegram.Poller{APIURL: srv.URL(), Token: telegramtest.Token, Client: srv.Client(), Timeout: time.Second}
		pollDone <- p.Run(pollCtx, d)
	}()
	scripted := *script != "" || !console.IsTerminal(stdin)
	noticesDone := make(chan struct{})
	go func() {
		defer close(noticesDone)
		if !scripted {
			b.RunNotices(pollCtx)
		}
	}()
	defer func() {
		stopPolling()
		<-pollDone
		d.Wait()
		<-noticesDone
	}()

	dm := &demo{srv: srv, citizen: srv.User(demoCitizen, "Warga", *lang), admin: srv.User(demoAdmin, "Admin", "id"), out: stdout,
		settle: func(ctx context.Context) {
			// No update is in flight but the one confirmed: the next
			// comes from this goroutine, after.
			d.Wait()
			if scripted {
				b.DeliverNotices(ctx)
			}
		}}
	switch {
	case *script != "":
		data, err := os.ReadFile(*script)
		if err != nil {
			return err
		}
		return dm.play(ctx, string(data))
	case !console.IsTerminal(stdin):
		data, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		if strings.TrimSpace(string(data)) == "" {
			data = []byte(defaultDemoScript)
		}
		return dm.play(ctx, string(data))
	}
	return dm.interactive(ctx, stdin)
}

// act pushes one update and waits until the bot has handled it and sent
// its replies: the poller confirms an update only after that.
func (dm *demo) act(ctx context.Context, upd models.Update) ([]telegramtest.Call, error) {
	seq := dm.srv.LastSeq()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := dm.srv.WaitConfirmed(ctx, upd.ID); err != nil {
		return nil, fmt.Errorf("the bot did not answer: %w", err)
	}
	dm.settle(ctx)
	var calls []telegramtest.Call
	for _, c := range dm.srv.CallsSince(seq) {
		if c.Method != "getUpdates" {
			calls = append(calls, c)
		}
	}
	return calls, nil
}

// play runs a script and prints the transcript in the golden-test format.
func (dm *demo) play(ctx context.Context, script string) error {
	completed := 0
	for n, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		upd, err := dm.scriptUpdate(line)
		if err != nil {
			return fmt.Errorf("script line %d %q: %w", n+1, line, err)
		}
		fmt.Fprintln(dm.out, telegramtest.FormatUpdate(upd))
		calls, err := dm.act(ctx, upd)
		if err != nil {
			return err
		}
		for _, c := range calls {
			fmt.Fprintln(dm.out, "  "+strings.ReplaceAll(strings.TrimRight(telegramtest.FormatCall(c), "\n"), "\n", "\n  "))
			if strings.Contains(c.Params["text"], "🙏") {
				completed++
			}
		}
	}
	fmt.Fprintf(dm.out, "demo: script played, %d survey(s) completed\n", completed)
	return nil
}

func (dm *demo) scriptUpdate(line string) (models.Update, error) {
	verb, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch verb {
	case "send":
		return dm.citizen.Send(arg), nil
	case "tap":
		return dm.citizen.Tap(arg)
	case "sticker":
		return dm.citizen.Sticker(), nil
	case "photo":
		return dm.citizen.Photo(), nil
	case "voice":
		return dm.citizen.Voice(), nil
	case "admin":
		return dm.admin.Send(arg), nil
	}
	return models.Update{}, errors.New("want send TEXT, tap LABEL, sticker, photo, voice or admin TEXT")
}

const demoHelp = `ikmbot demo: the real bot against a fake Telegram, in this terminal.
You are a citizen who was just served; the bot opened from the unit's QR code.
Type a number to tap that button, or any text to send it (commands too: /start, /batal, /bahasa).
  :admin   act as the city admin (try /ikm and /ikm DISDUKCAPIL)
  :warga   act as the citizen again
  :quit    leave (Ctrl-D works too)
`

// interactive lets a person chat with the bot; buttons are numbered.
func (dm *demo) interactive(ctx context.Context, stdin io.Reader) error {
	fmt.Fprint(dm.out, demoHelp)
	me := dm.citizen
	unit := "DISDUKCAPIL"
	fmt.Fprintf(dm.out, "\n(scanning the QR code of %s)\n", unit)
	if err := dm.show(ctx, me, me.Send("/start "+unit)); err != nil {
		return err
	}
	in := bufio.NewScanner(stdin)
	for {
		fmt.Fprint(dm.out, "> ")
		if !in.Scan() {
			fmt.Fprintln(dm.out)
			return in.Err()
		}
		line := strings.TrimSpace(in.Text())
		switch line {
		case "":
			continue
		case ":quit", ":q":
			return nil
		case ":admin":
			me = dm.admin
			fmt.Fprintln(dm.out, "(you are now the city admin; type /ikm)")
			continue
		case ":warga":
			me = dm.citizen
			fmt.Fprintln(dm.out, "(you are the citizen again)")
			continue
		}
		var upd models.Update
		if n, err := strconv.Atoi(line); err == nil {
			if b, ok := dm.button(me, n); ok {
				if upd, err = me.Tap(b); err != nil {
					return err
				}
			}
		}
		if upd.ID == 0 { // not a button number: the text itself, e.g. an age
			upd = me.Send(line)
		}
		if err := dm.show(ctx, me, upd); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// button returns the label of button n (1-based) of the newest keyboard.
func (dm *demo) button(u *telegramtest.User, n int) (string, bool) {
	m, ok := dm.srv.LastKeyboardMessage(u.ID())
	if !ok {
		return "", false
	}
	i := 0
	for _, row := range m.Keyboard {
		for _, b := range row {
			i++
			if i == n {
				return b.Text, true
			}
		}
	}
	return "", false
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plain turns the bot's HTML into terminal text.
func plain(s string) string { return html.UnescapeString(tags.ReplaceAllString(s, "")) }

// show waits for the bot's answer to upd and prints it as a chat would.
func (dm *demo) show(ctx context.Context, u *telegramtest.User, upd models.Update) error {
	calls, err := dm.act(ctx, upd)
	if err != nil {
		return err
	}
	for _, c := range calls {
		switch c.Method {
		case "sendMessage":
			fmt.Fprintf(dm.out, "\nbot: %s\n", strings.ReplaceAll(plain(c.Params["text"]), "\n", "\n     "))
		case "editMessageText":
			fmt.Fprintf(dm.out, "\nbot (edits message #%d): %s\n", c.MessageID, strings.ReplaceAll(plain(c.Params["text"]), "\n", "\n     "))
		case "answerCallbackQuery":
			if t := c.Params["text"]; t != "" {
				fmt.Fprintf(dm.out, "  [%s]\n", t)
			}
		}
	}
	if m, ok := dm.srv.LastKeyboardMessage(u.ID()); ok {
		i := 0
		for _, row := range m.Keyboard {
			var labels []string
			for _, b := range row {
				i++
				labels = append(labels, fmt.Sprintf("%d) %s", i, b.Text))
			}
			fmt.Fprintln(dm.out, "     "+strings.Join(labels, "   "))
		}
	}
	return nil
}
