package telegramtest_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func TestFormatTranscript(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	u := srv.User(1001, "Sari", "id")
	since := srv.LastSeq() // leave out getMe

	var transcript strings.Builder
	say := func(upd models.Update) {
		transcript.WriteString(telegramtest.FormatUpdate(upd) + "\n")
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	flush := func() {
		transcript.WriteString(telegramtest.FormatCalls(srv.CallsSince(since)))
		since = srv.LastSeq()
	}

	must(b.SetMyCommands(ctx, &tg.SetMyCommandsParams{LanguageCode: "id", Commands: []models.BotCommand{
		{Command: "start", Description: "Mulai survei"},
		{Command: "batal", Description: "Batalkan survei"},
	}}))
	flush()
	say(u.Send("/start DISDUKCAPIL"))
	must(b.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: int64(1001), Action: models.ChatActionTyping}))
	welcome, err := b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: int64(1001),
		Text:   "Selamat datang di Survei Kepuasan Masyarakat\nDinas Kependudukan dan Pencatatan Sipil",
		ReplyMarkup: keyboard(
			[]models.InlineKeyboardButton{btn("Laki-laki", "g:L"), btn("Perempuan", "g:P")},
			[]models.InlineKeyboardButton{btn("Lewati", "g:-")},
		),
	})
	if err != nil {
		t.Fatal(err)
	}
	flush()
	tap, err := u.Tap("Perempuan")
	if err != nil {
		t.Fatal(err)
	}
	say(tap)
	must(b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: tap.CallbackQuery.ID, Text: "Tersimpan"}))
	must(b.EditMessageText(ctx, &tg.EditMessageTextParams{
		ChatID: int64(1001), MessageID: welcome.ID, ParseMode: models.ParseModeHTML,
		Text: "Jenis kelamin: <b>Perempuan</b>\n\nTerima kasih",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{
			{Text: "Kebijakan privasi", URL: "https://example.go.id/privasi"},
		}),
	}))
	must(b.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: int64(1001), MessageID: welcome.ID}))
	_, err = b.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: int64(1001), MessageID: welcome.ID})
	if err == nil {
		t.Fatal("second identical edit succeeded")
	}
	flush()
	say(u.Sticker())
	must(b.SendDocument(ctx, &tg.SendDocumentParams{
		ChatID:   int64(1001),
		Document: &models.InputFileUpload{Filename: "rekap.csv", Data: bytes.NewReader(make([]byte, 1234))},
		Caption:  "Rekap",
	}))
	must(b.DeleteMessage(ctx, &tg.DeleteMessageParams{ChatID: int64(1001), MessageID: welcome.ID}))
	must(b.DeleteWebhook(ctx, &tg.DeleteWebhookParams{DropPendingUpdates: true}))
	flush()

	want := `setMyCommands lang=id
  /start - Mulai survei
  /batal - Batalkan survei
> user 1001: /start DISDUKCAPIL
sendChatAction chat=1001 typing
sendMessage chat=1001 -> #2
  Selamat datang di Survei Kepuasan Masyarakat
  Dinas Kependudukan dan Pencatatan Sipil
  [Laki-laki] [Perempuan]
  [Lewati]
> user 1001 taps [Perempuan] on #2
answerCallbackQuery
  Tersimpan
editMessageText chat=1001 #2 parse_mode=HTML
  Jenis kelamin: <b>Perempuan</b>

  Terima kasih
  [Kebijakan privasi](https://example.go.id/privasi)
editMessageReplyMarkup chat=1001 #2
  (keyboard removed)
editMessageReplyMarkup chat=1001 #2 -> 400 Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message
  (keyboard removed)
> user 1001 sends a sticker
sendDocument chat=1001 -> #4
  document: rekap.csv (1234 bytes)
  Rekap
deleteMessage chat=1001 #2
deleteWebhook drop_pending_updates=true
`
	if got := transcript.String(); got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatCallGeneric(t *testing.T) {
	c := telegramtest.Call{
		Method: "getUpdates",
		Params: map[string]string{"timeout": "59", "offset": "3", "allowed_updates": `["message", "callback_query"]`},
	}
	if got, want := telegramtest.FormatCall(c), `getUpdates allowed_updates="[\"message\", \"callback_query\"]" offset=3 timeout=59`; got != want {
		t.Errorf("FormatCall = %s\nwant          %s", got, want)
	}
	c = telegramtest.Call{Method: "sendMessage", Params: map[string]string{"chat_id": "5", "text": "x"}, ErrorCode: 429, Description: "Too Many Requests: retry after 3"}
	if got, want := telegramtest.FormatCall(c), "sendMessage chat=5 -> 429 Too Many Requests: retry after 3\n  x"; got != want {
		t.Errorf("FormatCall = %q, want %q", got, want)
	}
}
