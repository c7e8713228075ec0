package telegram

import (
	"context"
	"sync"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func newSender(t *testing.T, srv *telegramtest.Server, pace *Pacer) *Sender {
	t.Helper()
	api, err := tg.New(telegramtest.Token, tg.WithServerURL(srv.URL()), tg.WithHTTPClient(time.Minute, srv.Client()), tg.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return &Sender{API: api, Pace: pace}
}

// methods lists the Bot API calls the fake took since seq, as method names.
func methods(srv *telegramtest.Server, since int) []string {
	var out []string
	for _, c := range srv.CallsSince(since) {
		out = append(out, c.Method)
	}
	return out
}

// TestSenderSkipsEditsThatChangeNothing makes the edits of a double tap, a
// redelivery and a stale button: none reaches Telegram while the Sender
// knows the message shows that already, and each does after a restart,
// when it no longer knows.
func TestSenderSkipsEditsThatChangeNothing(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	s := newSender(t, srv, NewPacer(0, 0))
	ctx := context.Background()
	kb := Keyboard([]models.InlineKeyboardButton{Button("Ya", "a:1"), Button("Tidak", "a:2")})
	next := Keyboard([]models.InlineKeyboardButton{Button("Baik", "b:1")})
	id, err := s.Do(ctx, Call{Method: SendMessage, ChatID: 7, Text: "Pertanyaan 1", Keyboard: kb})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		call Call
		made bool
	}{
		{"the same text and buttons", Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Pertanyaan 1", Keyboard: kb}, false},
		{"the next question", Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Pertanyaan 2", Keyboard: next}, true},
		{"the next question again (a double tap)", Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Pertanyaan 2", Keyboard: next}, false},
		{"the same text, other buttons", Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Pertanyaan 2", Keyboard: kb}, true},
		{"the buttons removed", Call{Method: EditMessageReplyMarkup, ChatID: 7, MsgID: id}, true},
		{"the buttons removed again (a stale button)", Call{Method: EditMessageReplyMarkup, ChatID: 7, MsgID: id}, false},
		{"a thank-you", Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Terima kasih (12 responden)", Screen: "thanks:s1"}, true},
		{"the thank-you with a newer count", Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Terima kasih (13 responden)", Screen: "thanks:s1"}, false},
		{"another chat's message of the same id", Call{Method: EditMessageReplyMarkup, ChatID: 8, MsgID: id}, true},
	}
	for _, st := range steps {
		seq := srv.LastSeq()
		if _, err := s.Do(ctx, st.call); err != nil && st.call.ChatID == 7 {
			t.Fatalf("%s: %v", st.name, err)
		}
		if made := len(methods(srv, seq)) > 0; made != st.made {
			t.Errorf("%s: call made %v, want %v (calls %v)", st.name, made, st.made, methods(srv, seq))
		}
	}
	// A new Sender, as after a restart, knows nothing: the edit is made,
	// and Telegram's "not modified" counts as done.
	s = newSender(t, srv, NewPacer(0, 0))
	seq := srv.LastSeq()
	if _, err := s.Do(ctx, Call{Method: EditMessageText, ChatID: 7, MsgID: id, Text: "Terima kasih (12 responden)"}); err != nil {
		t.Errorf("edit after a restart: %v", err)
	}
	if got := methods(srv, seq); len(got) != 1 || srv.CallsSince(seq)[0].ErrorCode != 400 {
		t.Errorf("after a restart: calls %v, want one edit answered 'not modified'", got)
	}
}

// TestSenderAnswersAreNotPaced makes callback answers while the pace is
// used up: they go at once. Only their order relative to a waiting send is
// checked, not time.
func TestSenderAnswersAreNotPaced(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	pace := NewPacer(0.2, 0) // one call every five seconds
	s := newSender(t, srv, pace)
	ctx := context.Background()
	u := srv.User(7, "Sari", "id")
	if _, err := s.Do(ctx, Call{Method: SendMessage, ChatID: 7, Text: "satu", Keyboard: Keyboard([]models.InlineKeyboardButton{Button("A", "a")})}); err != nil {
		t.Fatal(err)
	}
	waiting, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.Do(waiting, Call{Method: SendMessage, ChatID: 7, Text: "dua"})
	waitUntil(t, "the second send queued", func() bool { return pace.Waiting() == 1 })
	for range 5 {
		tap, err := u.Tap("A")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Do(ctx, Call{Method: AnswerCallbackQuery, CallbackID: tap.CallbackQuery.ID}); err != nil {
			t.Fatalf("answer: %v", err)
		}
	}
	if n := pace.Waiting(); n != 1 {
		t.Errorf("%d calls wait, want the send still waiting behind the pace after five answers went", n)
	}
}

// TestSenderAdaptsToTelegramsLimit sends to many chats at 30 a second
// through a Telegram that allows only 10: the 429s slow the sender down
// until they stop, every message arrives, and no refused call is retried
// on its own (a storm would be a 429 for most of the 36 calls, and more
// for their retries).
func TestSenderAdaptsToTelegramsLimit(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t), telegramtest.WithFloodLimits(telegramtest.FloodLimits{PerSecond: 10, Burst: 5}))
	defer srv.Close()
	s := newSender(t, srv, NewPacer(30, 1))
	ctx := context.Background()
	const chats, each = 12, 3
	var wg sync.WaitGroup
	for chat := range int64(chats) {
		wg.Go(func() {
			for i := range each {
				if _, err := s.Do(ctx, Call{Method: SendMessage, ChatID: 100 + chat, Text: "pesan " + string(rune('a'+i))}); err != nil {
					t.Errorf("chat %d, message %d: %v", chat, i, err)
				}
			}
		})
	}
	wg.Wait()
	for chat := range int64(chats) {
		if n := len(srv.Chat(100 + chat)); n != each {
			t.Errorf("chat %d has %d messages, want %d", chat, n, each)
		}
	}
	if refused := srv.FloodRefused(); refused > chats*each/4 {
		t.Errorf("%d of %d sends refused with 429, want the sender to slow down after the first few", refused, chats*each)
	}
	t.Logf("%d sends, %d refused with 429; pace now %.1f a second", chats*each, srv.FloodRefused(), s.Pace.PaceNow())
}
