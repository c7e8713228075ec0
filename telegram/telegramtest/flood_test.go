package telegramtest_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// clock is a settable clock for the flood limits' buckets.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// retryAfter returns the retry_after of a 429, or 0 for any other outcome.
func retryAfter(err error) int {
	var tooMany *tg.TooManyRequestsError
	if errors.As(err, &tooMany) {
		return tooMany.RetryAfter
	}
	return 0
}

func TestFloodLimitsPerChat(t *testing.T) {
	clk := newClock()
	srv := newServer(t, telegramtest.WithClock(clk.Now), telegramtest.WithFloodLimits(telegramtest.FloodLimits{ChatPerSecond: 1, ChatBurst: 3}))
	b := newBot(t, srv)
	ctx := context.Background()
	u := srv.User(1001, "Sari", "id")
	u.Send("/start")

	send := func(chat int64, text string) (*models.Message, error) {
		return b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: text, ReplyMarkup: keyboard([]models.InlineKeyboardButton{btn("A", "a"), btn("B", "b")})})
	}
	// A burst of three, sends and edits alike.
	m, err := send(1001, "satu")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := send(1001, "dua"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: 1001, MessageID: m.ID, Text: "satu, diubah"}); err != nil {
		t.Fatal(err)
	}
	// The fourth at the same moment is refused, and does nothing.
	_, err = send(1001, "tiga")
	if got := retryAfter(err); got != 1 {
		t.Fatalf("fourth send at once: err = %v, want 429 with retry_after 1", err)
	}
	if got := len(srv.Chat(1001)); got != 3 {
		t.Errorf("chat has %d messages, want 3: a refused send must not deliver", got)
	}
	_, err = b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: 1001, MessageID: m.ID, Text: "satu, lagi"})
	if retryAfter(err) == 0 {
		t.Errorf("edit over the chat's limit: err = %v, want 429", err)
	}
	// Answering a press is not limited; nor is another chat.
	tap, err := u.Tap("A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: tap.CallbackQuery.ID}); err != nil {
		t.Errorf("answerCallbackQuery over the chat's limit: %v, want no limit", err)
	}
	if _, err := send(2002, "lain"); err != nil {
		t.Errorf("send to another chat: %v", err)
	}
	// A second later one more may go: one a second after the burst.
	clk.advance(time.Second)
	if _, err := send(1001, "tiga"); err != nil {
		t.Errorf("a second later: %v", err)
	}
	if _, err := send(1001, "empat"); retryAfter(err) != 1 {
		t.Errorf("second send in that second: err = %v, want 429 with retry_after 1", err)
	}
	if got, want := srv.FloodRefused(), 3; got != want {
		t.Errorf("FloodRefused = %d, want %d", got, want)
	}
	var refused []string
	for _, c := range srv.Calls() {
		if c.ErrorCode == 429 {
			refused = append(refused, c.Method+" "+c.Description)
		}
	}
	want := []string{
		"sendMessage Too Many Requests: retry after 1",
		"editMessageText Too Many Requests: retry after 1",
		"sendMessage Too Many Requests: retry after 1",
	}
	if len(refused) != len(want) {
		t.Fatalf("refused calls %q, want %q", refused, want)
	}
	for i := range want {
		if refused[i] != want[i] {
			t.Errorf("refused[%d] = %q, want %q", i, refused[i], want[i])
		}
	}
}

func TestFloodLimitsOverall(t *testing.T) {
	clk := newClock()
	srv := newServer(t, telegramtest.WithClock(clk.Now), telegramtest.WithFloodLimits(telegramtest.FloodLimits{PerSecond: 30, Burst: 30, ChatPerSecond: 1, ChatBurst: 3}))
	b := newBot(t, srv)
	ctx := context.Background()
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: "halo " + strconv.FormatInt(chat, 10)})
		return err
	}
	// 30 chats at once: the whole burst.
	for chat := int64(1); chat <= 30; chat++ {
		if err := send(chat); err != nil {
			t.Fatalf("send %d of 30: %v", chat, err)
		}
	}
	if err := send(31); retryAfter(err) != 1 {
		t.Fatalf("31st send at once: err = %v, want 429 with retry_after 1", err)
	}
	// A tenth of a second refills three.
	clk.advance(100 * time.Millisecond)
	for chat := int64(31); chat <= 33; chat++ {
		if err := send(chat); err != nil {
			t.Errorf("send %d after 100ms: %v", chat, err)
		}
	}
	if err := send(34); retryAfter(err) != 1 {
		t.Errorf("fourth send after 100ms: err = %v, want 429", err)
	}
	// A refusal by the overall limit does not use the chat's share: after
	// a second, chat 34 has its whole burst.
	clk.advance(time.Second)
	for i := range 3 {
		if err := send(34); err != nil {
			t.Errorf("send %d of chat 34's burst: %v", i+1, err)
		}
	}
	if err := send(34); retryAfter(err) != 1 {
		t.Errorf("fourth send in chat 34: err = %v, want 429 from the chat's limit", err)
	}
	// Not limited: answers, deletes, polls and set-up.
	if _, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "mulai"}}}); err != nil {
		t.Errorf("setMyCommands: %v", err)
	}
	if got, want := srv.FloodRefused(), 3; got != want {
		t.Errorf("FloodRefused = %d, want %d", got, want)
	}
}

func TestFloodRetryAfterRoundsUp(t *testing.T) {
	clk := newClock()
	srv := newServer(t, telegramtest.WithClock(clk.Now), telegramtest.WithFloodLimits(telegramtest.FloodLimits{ChatPerSecond: 0.25, ChatBurst: 1}))
	b := newBot(t, srv)
	ctx := context.Background()
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 7, Text: "satu"}); err != nil {
		t.Fatal(err)
	}
	clk.advance(500 * time.Millisecond)
	// 3.5 s to go: Telegram says 4.
	_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 7, Text: "dua"})
	if got := retryAfter(err); got != 4 {
		t.Errorf("retry_after = %d (err %v), want 4", got, err)
	}
}

func TestNoFloodLimitsByDefault(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	for i := range 100 {
		if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1001, Text: "x" + strconv.Itoa(i)}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if got := srv.FloodRefused(); got != 0 {
		t.Errorf("FloodRefused = %d, want 0", got)
	}
}

// TestRoundTrip checks only lower bounds: a call answers no sooner than
// the round trip, and takes effect half of it after it was made.
func TestRoundTrip(t *testing.T) {
	const rtt = 200 * time.Millisecond
	srv := newServer(t, telegramtest.WithRoundTrip(rtt))
	b := newBot(t, srv)
	ctx := context.Background()

	start := time.Now()
	m, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1001, Text: "halo"})
	end := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if got := end.Sub(start); got < rtt {
		t.Errorf("sendMessage answered after %v, want at least the round trip %v", got, rtt)
	}
	calls := srv.Calls()
	c := calls[len(calls)-1]
	if c.Method != "sendMessage" || c.MessageID != m.ID {
		t.Fatalf("last call %+v, want the send", c)
	}
	if c.At.Sub(start) < rtt/2 || end.Sub(c.At) < rtt/2 {
		t.Errorf("the send took effect %v after it was made and %v before its answer, want at least %v each", c.At.Sub(start), end.Sub(c.At), rtt/2)
	}

	// Faults still work through the delayed answer.
	srv.Fail("sendMessage", telegramtest.Fault{Network: telegramtest.Drop, Times: 1})
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1001, Text: "hilang"}); err == nil {
		t.Error("dropped sendMessage returned no error")
	}
	srv.Fail("sendMessage", telegramtest.Fault{Code: 429, RetryAfter: 3, Times: 1})
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1001, Text: "nanti"}); retryAfter(err) != 3 {
		t.Errorf("429 fault: err = %v, want retry_after 3", err)
	}
}
