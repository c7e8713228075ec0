package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
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
// (fake) Bot API with our Poller and Dispatcher, until SIGTERM.
func runEchoBot(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(echoCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api-url", "", "Bot API base URL: the load tool's fake")
	workers := fs.Int("workers", telegram.DefaultWorkers, "updates handled at once")
	if err := fs.Parse(args); err != nil {
		return usageError{echoCommand + ": " + err.Error()}
	}
	token := os.Getenv("TELEGRAM_BOT_TOKEN")
	if *apiURL == "" || token == "" {
		return usageError{echoCommand + ": needs --api-url and TELEGRAM_BOT_TOKEN"}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := &http.Client{Timeout: pollTimeout + 15*time.Second}
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
