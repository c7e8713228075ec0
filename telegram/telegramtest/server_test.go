package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// recorder is a Reporter that keeps what it is told, for tests that expect
// the fake to complain.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

func newServer(t *testing.T, opts ...telegramtest.Option) *telegramtest.Server {
	t.Helper()
	srv := telegramtest.NewServer(append([]telegramtest.Option{telegramtest.WithReporter(t)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

func newBot(t *testing.T, srv *telegramtest.Server, opts ...tg.Option) *tg.Bot {
	t.Helper()
	opts = append([]tg.Option{
		tg.WithServerURL(srv.URL()),
		tg.WithHTTPClient(2*time.Second, srv.Client()),
		tg.WithErrorsHandler(func(err error) { t.Logf("bot: %v", err) }),
	}, opts...)
	b, err := tg.New(telegramtest.Token, opts...)
	if err != nil {
		t.Fatalf("tg.New: %v", err)
	}
	return b
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func btn(label, data string) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: label, CallbackData: data}
}

type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// post calls a method with an x-www-form-urlencoded body, as some clients do;
// go-telegram/bot does not export getUpdates.
func post(ctx context.Context, t *testing.T, srv *telegramtest.Server, method string, params url.Values) response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/bot"+telegramtest.Token+"/"+method, strings.NewReader(params.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Errorf("%s: %v", method, err)
		return response{}
	}
	defer resp.Body.Close()
	var r response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Errorf("%s: decode: %v", method, err)
	}
	return r
}

func updateIDs(t *testing.T, r response) []int64 {
	t.Helper()
	if !r.OK {
		t.Fatalf("getUpdates failed: %d %s", r.ErrorCode, r.Description)
	}
	var ups []models.Update
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	return ids
}

func TestSendEditAnswerRoundTrip(t *testing.T) {
	srv := newServer(t, telegramtest.WithUsername("survei_bot"))
	b := newBot(t, srv)
	ctx := context.Background()

	me, err := b.GetMe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != telegramtest.BotID || !me.IsBot || me.Username != "survei_bot" {
		t.Errorf("getMe = %+v, want id %d, is_bot, username survei_bot", me, telegramtest.BotID)
	}

	u := srv.User(1001, "Sari", "id")
	start := u.Send("/start")
	if start.ID != 1 || start.Message.ID != 1 {
		t.Errorf("first update id %d message id %d, want 1 and 1", start.ID, start.Message.ID)
	}

	msg, err := b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID:      int64(1001),
		Text:        "Jenis kelamin?",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("Laki-laki", "q1:L"), btn("Perempuan", "q1:P")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := msg.ID, 2; got != want {
		t.Errorf("message id = %d, want %d (shared with the user's /start)", got, want)
	}
	if msg.Chat.ID != 1001 || msg.Chat.Type != models.ChatTypePrivate || msg.Text != "Jenis kelamin?" || msg.Date == 0 {
		t.Errorf("message = %+v", msg)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "q1:P" {
		t.Errorf("reply_markup not echoed: %+v", msg.ReplyMarkup)
	}

	tap, err := u.Tap("Perempuan")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tap.CallbackQuery.Data, "q1:P"; got != want {
		t.Errorf("callback data = %q, want %q", got, want)
	}
	if got := tap.CallbackQuery.Message.Message; got == nil || got.ID != msg.ID {
		t.Errorf("callback message = %+v, want #%d", got, msg.ID)
	}

	ok, err := b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: tap.CallbackQuery.ID, Text: "Tersimpan"})
	if err != nil || !ok {
		t.Fatalf("answerCallbackQuery = %v, %v", ok, err)
	}
	_, err = b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: tap.CallbackQuery.ID})
	if !errors.Is(err, tg.ErrorBadRequest) || !strings.Contains(err.Error(), "query is too old") {
		t.Errorf("second answer: err = %v, want bad request 'query is too old'", err)
	}
	_, err = b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: "nope"})
	if !errors.Is(err, tg.ErrorBadRequest) {
		t.Errorf("unknown query: err = %v, want bad request", err)
	}

	edited, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{
		ChatID: int64(1001), MessageID: msg.ID, Text: "Jenis kelamin? <b>Perempuan</b>", ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Errorf("edited = %+v, want edit_date and no keyboard", edited)
	}

	chat := srv.Chat(1001)
	if len(chat) != 2 {
		t.Fatalf("chat has %d messages, want 2: %+v", len(chat), chat)
	}
	got := chat[1]
	if got.Text != "Jenis kelamin? <b>Perempuan</b>" || got.ParseMode != "HTML" || got.Keyboard != nil || !got.Edited || !got.FromBot {
		t.Errorf("chat[1] = %+v", got)
	}
	if chat[0].FromBot || chat[0].Text != "/start" {
		t.Errorf("chat[0] = %+v, want the user's /start", chat[0])
	}
	if _, ok := srv.LastKeyboardMessage(1001); ok {
		t.Errorf("LastKeyboardMessage found one after the keyboard was removed")
	}

	if _, err := b.DeleteMessage(ctx, &tg.DeleteMessageParams{ChatID: int64(1001), MessageID: msg.ID}); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Chat(1001)); got != 1 {
		t.Errorf("after delete, chat has %d messages, want 1", got)
	}
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: int64(1001), MessageID: msg.ID, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("edit of deleted message: err = %v, want 'message to edit not found'", err)
	}
}

func TestMessageNotModified(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	kb := keyboard([]models.InlineKeyboardButton{btn("Ya", "y")})
	msg, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(7), Text: "Lanjut?", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}

	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: int64(7), MessageID: msg.ID, Text: "Lanjut?", ReplyMarkup: kb})
	if !errors.Is(err, tg.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit: err = %v, want 'message is not modified'", err)
	}
	_, err = b.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: int64(7), MessageID: msg.ID, ReplyMarkup: kb})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical markup: err = %v, want 'message is not modified'", err)
	}
	// Same text without reply_markup removes the keyboard: a real change.
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: int64(7), MessageID: msg.ID, Text: "Lanjut?"}); err != nil {
		t.Errorf("edit removing keyboard: %v", err)
	}
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: int64(7), MessageID: 99, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("unknown message: err = %v, want 'message to edit not found'", err)
	}

	calls := srv.Calls()
	last := calls[len(calls)-1]
	if last.ErrorCode != 400 || last.Method != "editMessageText" {
		t.Errorf("last call = %+v, want a recorded 400 editMessageText", last)
	}
}

func TestValidation(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	tests := []struct {
		name   string
		params tg.SendMessageParams
		want   string // "" for success
	}{
		{"empty", tg.SendMessageParams{Text: ""}, "message text is empty"},
		{"blank", tg.SendMessageParams{Text: "  \n "}, "message text is empty"},
		{"4096", tg.SendMessageParams{Text: strings.Repeat("a", 4096)}, ""},
		{"4097", tg.SendMessageParams{Text: strings.Repeat("a", 4097)}, "message is too long"},
		{"2048 emoji are 4096 UTF-16 units", tg.SendMessageParams{Text: strings.Repeat("😀", 2048)}, ""},
		{"2049 emoji", tg.SendMessageParams{Text: strings.Repeat("😀", 2049)}, "message is too long"},
		{"HTML tags do not count", tg.SendMessageParams{Text: "<b>" + strings.Repeat("a", 4096) + "</b>", ParseMode: models.ParseModeHTML}, ""},
		{"HTML br", tg.SendMessageParams{Text: "a<br>b", ParseMode: models.ParseModeHTML}, `Unsupported start tag "br" at byte offset 1`},
		{"HTML unescaped <", tg.SendMessageParams{Text: "1 < 2", ParseMode: models.ParseModeHTML}, `Unsupported start tag "" at byte offset 2`},
		{"HTML unclosed", tg.SendMessageParams{Text: "<b>bold", ParseMode: models.ParseModeHTML}, `Can't find end tag corresponding to start tag "b"`},
		{"HTML entities", tg.SendMessageParams{Text: "1 &lt; 2 &amp; <i>ok</i>", ParseMode: models.ParseModeHTML}, ""},
		{"MarkdownV2 dot", tg.SendMessageParams{Text: "Terima kasih.", ParseMode: models.ParseModeMarkdown}, `Character '.' is reserved`},
		{"MarkdownV2 escaped", tg.SendMessageParams{Text: `*Terima kasih\.*`, ParseMode: models.ParseModeMarkdown}, ""},
		{"MarkdownV2 unclosed", tg.SendMessageParams{Text: `*Terima`, ParseMode: models.ParseModeMarkdown}, "Can't find end of the entity"},
		{"bad parse mode", tg.SendMessageParams{Text: "x", ParseMode: "html"}, "unsupported parse_mode"},
		{"callback data 64", tg.SendMessageParams{Text: "x", ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("a", strings.Repeat("d", 64))})}, ""},
		{"callback data 65", tg.SendMessageParams{Text: "x", ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("a", strings.Repeat("d", 65))})}, "BUTTON_DATA_INVALID"},
		{"button without action", tg.SendMessageParams{Text: "x", ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "a"}})}, "text buttons are unallowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			p.ChatID = int64(1001)
			_, err := b.SendMessage(ctx, &p)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tt.want != "" && (!errors.Is(err, tg.ErrorBadRequest) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want bad request containing %q", err, tt.want)
			}
		})
	}
}

func TestSendDocumentMultipart(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	msg, err := b.SendDocument(ctx, &tg.SendDocumentParams{
		ChatID:   int64(1001),
		Document: &models.InputFileUpload{Filename: "rekap-2025-Q1.csv", Data: bytes.NewReader(data)},
		Caption:  "Rekap triwulan I",
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Document == nil || msg.Document.FileName != "rekap-2025-Q1.csv" || msg.Document.FileSize != 3000 || msg.Document.MimeType != "text/csv; charset=utf-8" {
		t.Errorf("document = %+v", msg.Document)
	}
	if msg.Caption != "Rekap triwulan I" || msg.Text != "" {
		t.Errorf("caption %q text %q, want the caption only", msg.Caption, msg.Text)
	}

	c, err := srv.WaitCall(ctx, 0, "sendDocument")
	if err != nil {
		t.Fatal(err)
	}
	f := c.Files["document"]
	if f.Filename != "rekap-2025-Q1.csv" || !bytes.Equal(f.Data, data) {
		t.Errorf("uploaded file %q with %d bytes, want rekap-2025-Q1.csv with the 3000 bytes sent", f.Filename, len(f.Data))
	}
	if got, want := c.Params["chat_id"], "1001"; got != want {
		t.Errorf("chat_id param = %q, want %q", got, want)
	}
	chat := srv.Chat(1001)
	if len(chat) != 1 || chat[0].Kind != telegramtest.KindDocument || chat[0].Document != "rekap-2025-Q1.csv" || chat[0].Text != "Rekap triwulan I" {
		t.Errorf("chat = %+v", chat)
	}

	_, err = b.SendDocument(ctx, &tg.SendDocumentParams{ChatID: int64(1001), Document: &models.InputFileUpload{Filename: "empty.csv", Data: bytes.NewReader(nil)}})
	if err == nil || !strings.Contains(err.Error(), "file must be non-empty") {
		t.Errorf("empty upload: err = %v", err)
	}

	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 400, 200))); err != nil {
		t.Fatal(err)
	}
	photo, err := b.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: int64(1001), Photo: &models.InputFileUpload{Filename: "grafik.png", Data: &img}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(photo.Photo); n != 3 || photo.Photo[n-1].Width != 400 || photo.Photo[0].Width != 90 {
		t.Errorf("photo sizes = %+v, want 90, 320 and 400 wide", photo.Photo)
	}
	_, err = b.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: int64(1001), Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not a png")}})
	if err == nil || !strings.Contains(err.Error(), "IMAGE_PROCESS_FAILED") {
		t.Errorf("bad image: err = %v", err)
	}
}

func TestGetUpdatesOffset(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	u := srv.User(1001, "Sari", "id")
	for _, text := range []string{"a", "b", "c"} {
		u.Send(text)
	}
	if got := srv.Pending(); got != 3 {
		t.Errorf("Pending = %d, want 3", got)
	}

	if got, want := updateIDs(t, post(ctx, t, srv, "getUpdates", nil)), []int64{1, 2, 3}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("getUpdates = %v, want %v", got, want)
	}
	if srv.Confirmed(1) {
		t.Errorf("update 1 confirmed before any offset")
	}
	// Delivered but unconfirmed updates come again.
	if got, want := updateIDs(t, post(ctx, t, srv, "getUpdates", url.Values{"offset": {"2"}, "limit": {"1"}})), []int64{2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("offset 2 limit 1 = %v, want %v", got, want)
	}
	if !srv.Confirmed(1) || srv.Confirmed(2) {
		t.Errorf("Confirmed(1), Confirmed(2) = %v, %v; want true, false", srv.Confirmed(1), srv.Confirmed(2))
	}
	if got := srv.Pending(); got != 2 {
		t.Errorf("Pending = %d, want 2", got)
	}
	if got := updateIDs(t, post(ctx, t, srv, "getUpdates", url.Values{"offset": {"4"}})); len(got) != 0 {
		t.Errorf("offset 4 = %v, want none", got)
	}
	// Confirmed updates are gone for good, even with a lower offset.
	if got, want := updateIDs(t, post(ctx, t, srv, "getUpdates", url.Values{"offset": {"1"}})), []int64{}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("offset 1 after confirming = %v, want %v", got, want)
	}
	if err := srv.WaitConfirmed(ctx, 3); err != nil {
		t.Errorf("WaitConfirmed(3) = %v", err)
	}
	if id := srv.Push(models.Update{Message: u.TextUpdate("d").Message}); id != 4 {
		t.Errorf("Push = %d, want 4", id)
	}
	if got, want := updateIDs(t, post(ctx, t, srv, "getUpdates", url.Values{"offset": {"-1"}})), []int64{4}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("offset -1 = %v, want %v", got, want)
	}
}

func TestLongPollWakesOnPush(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var got []int64
	begin := time.Now()
	wg.Go(func() {
		got = updateIDs(t, post(ctx, t, srv, "getUpdates", url.Values{"timeout": {"30"}}))
	})
	waitPolling(t, srv, 1)
	srv.User(1001, "Sari", "id").Send("halo")
	wg.Wait()
	if len(got) != 1 || got[0] != 1 {
		t.Errorf("long poll returned %v, want [1]", got)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("long poll took %v after a push, want prompt", d)
	}

	// A short timeout with nothing queued returns empty after the timeout.
	begin = time.Now()
	if got := updateIDs(t, post(ctx, t, srv, "getUpdates", url.Values{"offset": {"2"}, "timeout": {"1"}})); len(got) != 0 {
		t.Errorf("empty long poll = %v", got)
	}
	if d := time.Since(begin); d < 900*time.Millisecond {
		t.Errorf("empty long poll returned after %v, want about 1s", d)
	}
}

func waitPolling(t *testing.T, srv *telegramtest.Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.PollsStarted() < n {
		if time.Now().After(deadline) {
			t.Fatalf("getUpdates %d never started", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCloseEndsLongPoll(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	var wg sync.WaitGroup
	var r response
	wg.Go(func() {
		r = post(context.Background(), t, srv, "getUpdates", url.Values{"timeout": {"50"}})
	})
	waitPolling(t, srv, 1)

	begin := time.Now()
	srv.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll still waiting 5s after Close")
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Close and the poll took %v, want prompt", d)
	}
	if !r.OK || string(r.Result) != "[]" {
		t.Errorf("poll ended by Close = %+v, want ok with no updates", r)
	}
	srv.Close() // idempotent
}

func TestNewerPollEndsOlderWithConflict(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var first response
	wg.Go(func() {
		first = post(ctx, t, srv, "getUpdates", url.Values{"timeout": {"30"}})
	})
	waitPolling(t, srv, 1)
	second := post(ctx, t, srv, "getUpdates", nil)
	wg.Wait()
	if first.ErrorCode != 409 || !strings.Contains(first.Description, "terminated by other getUpdates request") {
		t.Errorf("first poll = %+v, want 409 terminated by other getUpdates", first)
	}
	if !second.OK {
		t.Errorf("second poll = %+v, want ok", second)
	}

	post(ctx, t, srv, "setWebhook", url.Values{"url": {"https://example.invalid/hook"}})
	if r := post(ctx, t, srv, "getUpdates", nil); r.ErrorCode != 409 {
		t.Errorf("getUpdates with a webhook = %+v, want 409", r)
	}
}

func TestTooManyRequests(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.Fail("sendMessage", telegramtest.Fault{Code: 429, RetryAfter: 7, Times: 1})

	_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: "x"})
	var tooMany *tg.TooManyRequestsError
	if !errors.As(err, &tooMany) {
		t.Fatalf("err = %v, want *TooManyRequestsError", err)
	}
	if tooMany.RetryAfter != 7 {
		t.Errorf("RetryAfter = %d, want 7", tooMany.RetryAfter)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: "x"}); err != nil {
		t.Errorf("second send after a one-time fault: %v", err)
	}
	if got := len(srv.Chat(1001)); got != 1 {
		t.Errorf("chat has %d messages, want 1: the failed send must not deliver", got)
	}

	srv.Fail(telegramtest.AnyMethod, telegramtest.Fault{Code: 502})
	_, err = b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("err = %v, want a 502 with a JSON body", err)
	}
	srv.ClearFaults()
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: "x"}); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestFailRateIsDeterministic(t *testing.T) {
	pattern := func() string {
		srv := newServer(t)
		srv.FailRate("sendChatAction", 0.5, telegramtest.Fault{Code: 500}, 42)
		b := newBot(t, srv)
		var out strings.Builder
		for range 40 {
			_, err := b.SendChatAction(context.Background(), &tg.SendChatActionParams{ChatID: int64(1), Action: models.ChatActionTyping})
			if err != nil {
				out.WriteByte('x')
			} else {
				out.WriteByte('.')
			}
		}
		return out.String()
	}
	a, b := pattern(), pattern()
	if a != b {
		t.Errorf("same seed, different failures:\n%s\n%s", a, b)
	}
	if n := strings.Count(a, "x"); n < 8 || n > 32 {
		t.Errorf("%d of 40 calls failed at rate 0.5: %s", n, a)
	}
}

func TestUnknownMethodIsReported(t *testing.T) {
	rec := &recorder{}
	srv := telegramtest.NewServer(telegramtest.WithReporter(rec))
	defer srv.Close()
	b := newBot(t, srv)
	_, err := b.GetChat(context.Background(), &tg.GetChatParams{ChatID: int64(1001)})
	if !errors.Is(err, tg.ErrorNotFound) {
		t.Errorf("err = %v, want not found", err)
	}
	if got := rec.all(); !strings.Contains(got, `unknown Bot API method "getChat"`) {
		t.Errorf("reported %q, want the unknown method", got)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	srv := newServer(t)
	_, err := tg.New("42:wrong", tg.WithServerURL(srv.URL()), tg.WithHTTPClient(time.Second, srv.Client()))
	if !errors.Is(err, tg.ErrorUnauthorized) {
		t.Errorf("err = %v, want unauthorized", err)
	}
}

func TestClientRefusesOtherHosts(t *testing.T) {
	rec := &recorder{}
	srv := telegramtest.NewServer(telegramtest.WithReporter(rec))
	defer srv.Close()
	_, err := tg.New(telegramtest.Token, tg.WithHTTPClient(time.Second, srv.Client())) // forgot WithServerURL
	if err == nil || !strings.Contains(err.Error(), "refusing request") {
		t.Errorf("err = %v, want a refused request", err)
	}
	if got := rec.all(); !strings.Contains(got, "api.telegram.org") || strings.Contains(got, telegramtest.Token) {
		t.Errorf("reported %q, want the host without the token", got)
	}
}

func TestStaleTap(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	u := srv.User(1001, "Sari", "id")
	q1, err := b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: int64(1001), Text: "Pertanyaan 1",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("Sesuai", "q1:3"), btn("Sangat sesuai", "q1:4")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Tap("Sangat sesuai"); err != nil {
		t.Fatal(err)
	}
	// The bot removes the answered keyboard and asks the next question.
	if _, err := b.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{ChatID: int64(1001), MessageID: q1.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{
		ChatID: int64(1001), Text: "Pertanyaan 2",
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("Mudah", "q2:4")}),
	}); err != nil {
		t.Fatal(err)
	}

	if _, err := u.Tap("Sesuai"); err == nil {
		t.Errorf("Tap(Sesuai) pressed a button the newest keyboard does not have")
	}
	stale, err := u.TapIn(q1.ID, "Sesuai")
	if err != nil {
		t.Fatal(err)
	}
	cq := stale.CallbackQuery
	if cq.Data != "q1:3" || cq.Message.Message == nil || cq.Message.Message.ID != q1.ID || cq.Message.Message.ReplyMarkup != nil {
		t.Errorf("stale tap = %+v, want q1:3 on #%d which now has no keyboard", cq, q1.ID)
	}
	if got, want := telegramtest.FormatUpdate(stale), fmt.Sprintf(`> user 1001 sends callback "q1:3" on #%d`, q1.ID); got != want {
		t.Errorf("FormatUpdate = %q, want %q", got, want)
	}
	forged, err := u.TapStale(q1.ID, "q1:9")
	if err != nil || forged.CallbackQuery.Data != "q1:9" || forged.ID == 0 {
		t.Errorf("TapStale = %+v, %v", forged, err)
	}
	if _, err := u.TapStale(99, "x"); err == nil {
		t.Errorf("TapStale on a message that never existed succeeded")
	}
	if _, err := u.TapIn(q1.ID, "Tidak ada"); err == nil {
		t.Errorf("TapIn with a label the message never had succeeded")
	}
	gone := u.Callback(98, "q9:1")
	if m := gone.CallbackQuery.Message; m.InaccessibleMessage == nil || m.InaccessibleMessage.MessageID != 98 {
		t.Errorf("callback on a missing message = %+v, want inaccessible #98", m)
	}
}

func TestUserUpdates(t *testing.T) {
	srv := newServer(t)
	u := srv.User(1001, "Sari", "id")

	built := u.TextUpdate("/start DISDUKCAPIL")
	if built.ID != 0 || srv.Pending() != 0 {
		t.Errorf("TextUpdate pushed: id %d, pending %d", built.ID, srv.Pending())
	}
	e := built.Message.Entities
	if len(e) != 1 || e[0].Type != models.MessageEntityTypeBotCommand || e[0].Offset != 0 || e[0].Length != 6 {
		t.Errorf("entities = %+v, want one bot_command of length 6", e)
	}
	if built.Message.From == nil || built.Message.From.LanguageCode != "id" || built.Message.Chat.Type != models.ChatTypePrivate {
		t.Errorf("message = %+v", built.Message)
	}
	if id := srv.Push(built); id != 1 {
		t.Errorf("Push = %d, want 1", id)
	}

	for _, tt := range []struct {
		upd  models.Update
		want string
	}{
		{built, "> user 1001: /start DISDUKCAPIL"},
		{u.Sticker(), "> user 1001 sends a sticker"},
		{u.Photo(), "> user 1001 sends a photo"},
		{u.Voice(), "> user 1001 sends a voice message"},
		{u.Location(), "> user 1001 sends a location"},
		{u.Send("baris satu\nbaris dua"), "> user 1001: baris satu\n  baris dua"},
	} {
		if got := telegramtest.FormatUpdate(tt.upd); got != tt.want {
			t.Errorf("FormatUpdate = %q, want %q", got, tt.want)
		}
	}
	if got := srv.Pending(); got != 6 {
		t.Errorf("Pending = %d, want 6", got)
	}
	var kinds []string
	for _, m := range srv.Chat(1001) {
		kinds = append(kinds, m.Kind)
	}
	if got, want := strings.Join(kinds, " "), "text sticker photo voice location text"; got != want {
		t.Errorf("chat kinds = %q, want %q", got, want)
	}
}

func TestBlockedUser(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	u := srv.User(1001, "Sari", "id")
	upd := u.Block()
	if got, want := telegramtest.FormatUpdate(upd), "> user 1001 blocks the bot"; got != want {
		t.Errorf("FormatUpdate = %q, want %q", got, want)
	}
	_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: "halo"})
	if !errors.Is(err, tg.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Errorf("err = %v, want forbidden: bot was blocked", err)
	}
	u.Unblock()
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: int64(1001), Text: "halo"}); err != nil {
		t.Errorf("after Unblock: %v", err)
	}
}

func TestCommands(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	set := func(lang string, scope models.BotCommandScope, cmds ...models.BotCommand) {
		t.Helper()
		if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: lang, Scope: scope}); err != nil {
			t.Fatal(err)
		}
	}
	set("", nil, models.BotCommand{Command: "start", Description: "Start the survey"})
	set("id", nil, models.BotCommand{Command: "start", Description: "Mulai survei"}, models.BotCommand{Command: "batal", Description: "Batalkan"})
	set("", &models.BotCommandScopeChat{ChatID: 9}, models.BotCommand{Command: "rekap", Description: "Rekap IKM"})

	if got := srv.User(1001, "Sari", "id").Commands(); len(got) != 2 || got[0].Description != "Mulai survei" {
		t.Errorf("Indonesian user sees %+v", got)
	}
	if got := srv.User(1002, "Ann", "en").Commands(); len(got) != 1 || got[0].Description != "Start the survey" {
		t.Errorf("English user sees %+v", got)
	}
	if got := srv.User(9, "Admin", "id").Commands(); len(got) != 1 || got[0].Command != "rekap" {
		t.Errorf("admin sees %+v", got)
	}
	got, err := b.GetMyCommands(ctx, &tg.GetMyCommandsParams{LanguageCode: "id"})
	if err != nil || len(got) != 2 {
		t.Errorf("getMyCommands = %+v, %v", got, err)
	}

	_, err = b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("upper-case command: err = %v", err)
	}
	if _, err := b.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{LanguageCode: "id"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.User(1001, "Sari", "id").Commands(); len(got) != 1 || got[0].Description != "Start the survey" {
		t.Errorf("after deleting the Indonesian list, user sees %+v", got)
	}
}

func TestBodyEncodings(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	body := `{"chat_id":1001,"text":"halo","reply_markup":{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/bot"+telegramtest.Token+"/sendMessage", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("JSON sendMessage status = %d", resp.StatusCode)
	}
	if r := post(ctx, t, srv, "SENDMESSAGE", url.Values{"chat_id": {"1001"}, "text": {"form"}}); !r.OK {
		t.Errorf("form sendMessage with an upper-case method name = %+v", r)
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Params["chat_id"] != "1001" || calls[1].Method != "sendMessage" {
		t.Fatalf("calls = %+v", calls)
	}
	m, ok := srv.LastKeyboardMessage(1001)
	if !ok || m.Keyboard[0][0] != (telegramtest.Button{Text: "OK", Data: "ok"}) {
		t.Errorf("LastKeyboardMessage = %+v, %v", m, ok)
	}
	if got := srv.CallsSince(calls[0].Seq); len(got) != 1 || got[0].Seq != calls[1].Seq {
		t.Errorf("CallsSince = %+v", got)
	}
	srv.Reset()
	if got := srv.Calls(); len(got) != 0 {
		t.Errorf("after Reset, %d calls", len(got))
	}
	if got := srv.LastSeq(); got != 2 {
		t.Errorf("LastSeq after Reset = %d, want 2 (Seq keeps counting)", got)
	}
}

// TestBotStart runs the library's own polling loop against the fake: the
// path the end-to-end tests take.
func TestBotStart(t *testing.T) {
	srv := newServer(t)
	echo := func(ctx context.Context, b *tg.Bot, upd *models.Update) {
		if upd.Message == nil {
			return
		}
		b.SendMessage(ctx, &tg.SendMessageParams{ChatID: upd.Message.Chat.ID, Text: "echo: " + upd.Message.Text})
	}
	b := newBot(t, srv, tg.WithDefaultHandler(echo))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { b.Start(ctx) })

	u := srv.User(1001, "Sari", "id")
	since := srv.LastSeq()
	upd := u.Send("halo")
	c, err := srv.WaitCall(ctx, since, "sendMessage")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Params["text"], "echo: halo"; got != want {
		t.Errorf("reply = %q, want %q", got, want)
	}
	if err := srv.WaitConfirmed(ctx, upd.ID); err != nil {
		t.Errorf("WaitConfirmed(%d) = %v; the library's next poll should confirm it", upd.ID, err)
	}
	cancel()
	wg.Wait()
}

func TestRefusesToProxy(t *testing.T) {
	rec := &recorder{}
	srv := telegramtest.NewServer(telegramtest.WithReporter(rec))
	defer srv.Close()
	proxy, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	resp, err := client.Get("http://example.invalid/bot" + telegramtest.Token + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("proxied request status = %d, want 403", resp.StatusCode)
	}
	if got := rec.all(); !strings.Contains(got, "refused a proxy request") {
		t.Errorf("reported %q, want a refused proxy request", got)
	}
}

// TestNetworkFaults checks Drop (the call takes effect, the answer never
// comes) and Hang (no answer until the client gives up, no effect).
func TestNetworkFaults(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	u := srv.User(1001, "Sari", "id")
	u.Send("/start")
	ctx := context.Background()

	srv.Fail("sendMessage", telegramtest.Fault{Network: telegramtest.Drop, Times: 1})
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1001, Text: "satu", ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("A", "a")})}); err == nil {
		t.Error("dropped sendMessage returned no error")
	}
	chat := srv.Chat(1001)
	if last := chat[len(chat)-1]; !last.FromBot || last.Text != "satu" {
		t.Fatalf("dropped sendMessage did not take effect: last message %+v", last)
	}
	sent := chat[len(chat)-1].ID
	m, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1001, Text: "dua"})
	if err != nil || m.ID != sent+1 {
		t.Fatalf("after the fault: %v, %v", m, err)
	}

	srv.Fail("editMessageText", telegramtest.Fault{Network: telegramtest.Hang, Times: 1})
	hctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = b.EditMessageText(hctx, &tg.EditMessageTextParams{ChatID: 1001, MessageID: sent, Text: "diubah"})
	cancel()
	if err == nil {
		t.Error("hung editMessageText returned no error")
	}
	for _, msg := range srv.Chat(1001) {
		if msg.ID == sent && msg.Text != "satu" {
			t.Errorf("hung edit took effect: %q", msg.Text)
		}
	}
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: 1001, MessageID: sent, Text: "diubah"}); err != nil {
		t.Errorf("edit after the fault: %v", err)
	}
	var got []string
	for _, c := range srv.Calls() {
		if c.Method == "sendMessage" || c.Method == "editMessageText" {
			got = append(got, telegramtest.FormatCall(c))
		}
	}
	want := []string{
		"sendMessage chat=1001 -> #2 (connection dropped after the call took effect)\n  satu\n  [A]",
		"sendMessage chat=1001 -> #3\n  dua",
		"editMessageText chat=1001 #2 -> (no answer: the client gave up)\n  diubah",
		"editMessageText chat=1001 #2\n  diubah",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
