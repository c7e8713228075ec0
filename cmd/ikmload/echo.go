package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// echoCommand runs the echo bot as a process of its own, for --mode binary.
const echoCommand = "echobot"

// echoHandler is the floor the bot is measured against: for every update it
// makes the Bot API calls ikmbot makes for it (a button press: answer the
// callback, edit the question; a text: send the next question), with texts
// and keyboards of the same size, but no survey logic and no storage.
func echoHandler(api *tg.Bot, log *slog.Logger) telegram.Handler {
	var n atomic.Int64
	noPreview := &models.LinkPreviewOptions{IsDisabled: tg.True()}
	return func(ctx context.Context, u *models.Update, _ func()) error {
		start := time.Now()
		k := n.Add(1)
		text := fmt.Sprintf(echoText, k)
		kb := echoKeyboard(k)
		var err error
		switch {
		case u.CallbackQuery != nil:
			q := u.CallbackQuery
			_, err = api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
			if m := q.Message.Message; m != nil && err == nil {
				_, err = api.EditMessageText(ctx, &tg.EditMessageTextParams{
					ChatID: m.Chat.ID, MessageID: m.ID, Text: text, ParseMode: models.ParseModeHTML,
					ReplyMarkup: kb, LinkPreviewOptions: noPreview,
				})
			}
		case u.Message != nil:
			_, err = api.SendMessage(ctx, &tg.SendMessageParams{
				ChatID: u.Message.Chat.ID, Text: text, ParseMode: models.ParseModeHTML,
				ReplyMarkup: kb, LinkPreviewOptions: noPreview,
			})
		}
		if err != nil {
			log.Warn("echo reply not sent", "err", err)
		}
		log.Debug("update handled", "update_id", u.ID, "took", time.Since(start))
		return nil
	}
}

// echoText is about as long as one of ikmbot's element questions; the
// number makes every edit differ, as Telegram refuses an edit that changes
// nothing.
const echoText = "<i>Unsur 3 dari 9</i> · <b>Waktu penyelesaian</b>\n" +
	"Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan? (%d)"

// echoKeyboard is shaped like an element question's: four answers one per
// row, then back and skip.
func echoKeyboard(k int64) *models.InlineKeyboardMarkup {
	id := "e:" + strconv.FormatInt(k, 36) + ":"
	btn := func(text, data string) []models.InlineKeyboardButton {
		return []models.InlineKeyboardButton{{Text: text, CallbackData: id + data}}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
		btn("Tidak cepat", "1"), btn("Kurang cepat", "2"), btn("Cepat", "3"), btn("Sangat cepat", "4"),
		{{Text: "« Kembali", CallbackData: id + "b"}, {Text: "Lewati »", CallbackData: id + "k"}},
	}}
}

// runEchoBot is "ikmload echobot --api-url URL": the echo bot polling a
// (fake) Bot API with our Poller and Dispatcher, or with --plain on the
// library's own loop, until SIGTERM.
func runEchoBot(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(echoCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api-url", "", "Bot API base URL: the load tool's fake")
	workers := fs.Int("workers", telegram.DefaultWorkers, "updates handled at once")
	plain := fs.Bool("plain", false, "go-telegram/bot's own polling loop with its defaults instead of our Poller and Dispatcher")
	plainClient := fs.String("plain-client", "ours", "with --plain: ours (ikmbot serve's HTTP client) or library (go-telegram/bot's default)")
	if err := fs.Parse(args); err != nil {
		return usageError{echoCommand + ": " + err.Error()}
	}
	token := os.Getenv("TELEGRAM_BOT_TOKEN")
	if *apiURL == "" || token == "" {
		return usageError{echoCommand + ": needs --api-url and TELEGRAM_BOT_TOKEN"}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := &http.Client{Timeout: pollTimeout + 15*time.Second, Transport: serveTransport()}
	if *plain {
		var c tg.HttpClient = telegram.BufferedClient{Client: &http.Client{Timeout: plainPollTimeout + 15*time.Second, Transport: serveTransport()}}
		switch *plainClient {
		case "ours":
		case "library":
			c = libraryClient()
		default:
			return usageError{echoCommand + ": --plain-client must be ours or library"}
		}
		p, err := startPlainEcho(ctx, *apiURL, token, c, log)
		if err != nil {
			return err
		}
		<-ctx.Done()
		_, err = p.stop()
		return err
	}
	api, err := tg.New(token, tg.WithServerURL(*apiURL), tg.WithHTTPClient(pollTimeout, telegram.BufferedClient{Client: client}),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }))
	if err != nil {
		return err
	}
	handle := echoHandler(api, log)
	d := telegram.NewDispatcher(handle).WithWorkers(*workers)
	poller := &telegram.Poller{APIURL: *apiURL, Token: token, Client: client, Timeout: pollTimeout, Logger: log}
	err = poller.Run(ctx, d)
	d.Wait()
	return err
}

// plainHandler is echoHandler as a go-telegram/bot handler, for the plain
// echo bot. wg counts the handlers running: the library starts each update
// in a goroutine of its own and does not wait for them.
func plainHandler(log *slog.Logger, wg *sync.WaitGroup) tg.HandlerFunc {
	var handle telegram.Handler
	var once sync.Once
	return func(ctx context.Context, api *tg.Bot, u *models.Update) {
		wg.Add(1)
		defer wg.Done()
		once.Do(func() { handle = echoHandler(api, log) })
		// The library cancels ctx when it stops; a reply in flight then
		// still finishes, as ours do.
		handle(context.WithoutCancel(ctx), u, nil)
	}
}

// libraryClient is go-telegram/bot's default HTTP client (Go's default
// transport, with its two idle connections per host, and a minute's
// timeout) but refusing every address that is not loopback, so the plain
// echo bot cannot reach Telegram by mistake.
func libraryClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly}
	t.DialContext = d.DialContext
	t.Proxy = nil
	return &http.Client{Timeout: plainPollTimeout, Transport: t}
}

// plainPollTimeout is go-telegram/bot's default poll timeout (its client's
// timeout; it asks getUpdates to wait a second less).
const plainPollTimeout = time.Minute

// plainEcho is the echo bot on go-telegram/bot's own polling loop with the
// library's defaults: its getUpdates loop, which confirms updates as soon
// as they are queued, and a goroutine per update; no Poller or Dispatcher
// of ours. The cost floor of any bot on this library. Its HTTP client is
// the one ikmbot uses (a pool of idle connections, requests sent in one
// piece), so that the comparison is of what the bots do with it; with
// --plain-client library it is the library's default one.
type plainEcho struct {
	cancel   context.CancelFunc
	done     chan struct{}
	handlers sync.WaitGroup
}

// startPlainEcho starts the plain echo bot polling apiURL with token.
func startPlainEcho(ctx context.Context, apiURL, token string, client tg.HttpClient, log *slog.Logger) (*plainEcho, error) {
	p := &plainEcho{done: make(chan struct{})}
	api, err := tg.New(token, tg.WithServerURL(apiURL), tg.WithHTTPClient(plainPollTimeout, client),
		tg.WithDefaultHandler(plainHandler(log, &p.handlers)),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }))
	if err != nil {
		return nil, err
	}
	ctx, p.cancel = context.WithCancel(ctx)
	go func() {
		defer close(p.done)
		api.Start(ctx)
	}()
	return p, nil
}

func (p *plainEcho) pid() string { return "self" }

func (p *plainEcho) stop() (botStats, error) {
	p.cancel()
	<-p.done
	p.handlers.Wait()
	return botStats{}, nil
}

// serveTransport is the HTTP transport of ikmbot serve: Go's default with
// 100 idle connections per host.
func serveTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 100
	return t
}
