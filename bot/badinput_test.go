package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot/models"
)

// syncBuffer collects log output from handler goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBadInput feeds every kind of unexpected update, mid-survey, and
// checks that each is answered sensibly or ignored, that the survey goes on
// afterwards, and that the logs carry no personal data.
func TestBadInput(t *testing.T) {
	var logs syncBuffer
	h := newHarness(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	const userID = 777123456
	u := h.srv.User(userID, "Rahasia", "id")
	h.handle(u.Send("/start DISDUKCAPIL"))
	question := u.Chat()[len(u.Chat())-1].ID

	private := models.Chat{ID: userID, Type: models.ChatTypePrivate}
	from := &models.User{ID: userID, FirstName: "Rahasia", LanguageCode: "id"}
	msg := func(text string) *models.Message {
		return &models.Message{ID: 900, Chat: private, From: from, Text: text}
	}
	long := strings.Repeat("sangat panjang ", 715) // 10,010 characters
	cases := []struct {
		name  string
		upd   models.Update
		reply bool // a reply is expected; otherwise the update is ignored
	}{
		{"edited message", models.Update{EditedMessage: msg("35")}, false},
		{"channel post", models.Update{ChannelPost: &models.Message{ID: 1, Chat: models.Chat{ID: -100123, Type: models.ChatTypeChannel}, Text: "/start DISDUKCAPIL"}}, false},
		{"group message", models.Update{Message: &models.Message{ID: 2, Chat: models.Chat{ID: -4242, Type: models.ChatTypeGroup}, From: from, Text: "/ikm"}}, false},
		{"inline query", models.Update{InlineQuery: &models.InlineQuery{ID: "iq", From: from, Query: "ikm"}}, false},
		{"my_chat_member", models.Update{MyChatMember: &models.ChatMemberUpdated{Chat: private, From: *from}}, false},
		{"message without sender", models.Update{Message: &models.Message{ID: 3, Chat: private, Text: "halo"}}, false},
		{"empty text", models.Update{Message: msg("")}, true},
		{"10,000 characters", models.Update{Message: msg(long)}, true},
		{"emoji", models.Update{Message: msg("👍🏽🙏")}, true},
		{"right-to-left text", models.Update{Message: msg("\u202eمرحبا\u202c")}, true},
		{"control characters", models.Update{Message: msg("a\x00b\x07c\x1b[31m")}, true},
		{"bare slash", models.Update{Message: msg("/")}, true},
		{"command for another bot", models.Update{Message: msg("/start@other_bot PKM-KRANJI")}, true},
		{"callback from another bot's message", models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb-x", From: *from,
			Message: models.MaybeInaccessibleMessage{Message: &models.Message{ID: 5555, Chat: private}}, Data: "vote:yes"}}, true},
		{"callback on an inaccessible message", models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb-y", From: *from,
			Message: models.MaybeInaccessibleMessage{InaccessibleMessage: &models.InaccessibleMessage{Chat: private, MessageID: 1}}, Data: "a:old:0:0"}}, true},
		{"callback without data", models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb-z", From: *from,
			Message: models.MaybeInaccessibleMessage{Message: &models.Message{ID: question, Chat: private}}}}, true},
	}
	for i, tc := range cases {
		tc.upd.ID = int64(1000 + i)
		before := len(h.srv.Calls())
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: panic %v", tc.name, r)
				}
			}()
			h.bot.Handle(context.Background(), &tc.upd)
		}()
		calls := h.srv.Calls()[before:]
		if tc.reply && len(calls) == 0 {
			t.Errorf("%s: no reply, want a sensible one", tc.name)
		}
		if !tc.reply && len(calls) != 0 {
			t.Errorf("%s: %d Bot API calls (%s ...), want it ignored", tc.name, len(calls), calls[0].Method)
		}
		for _, c := range calls {
			// The fake knows only the callback ids it issued itself.
			handMade := c.Method == "answerCallbackQuery" && strings.HasPrefix(c.Params["callback_query_id"], "cb-")
			if c.ErrorCode != 0 && !handMade && !strings.Contains(c.Description, "not modified") {
				t.Errorf("%s: %s failed: %d %s", tc.name, c.Method, c.ErrorCode, c.Description)
			}
		}
	}
	// The survey is still open, at its first question, and goes on.
	upd, err := u.TapIn(question, "Perempuan")
	if err != nil {
		t.Fatal(err)
	}
	h.handle(upd)
	for _, m := range u.Chat() {
		if m.ID == question && !strings.Contains(m.Text, "usia") {
			t.Errorf("after the bad input the question reads %q, want the age question", m.Text)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "update ignored") {
		t.Fatalf("logs lack the ignored updates; the check below would prove nothing:\n%s", out)
	}
	for _, secret := range []string{strconv.Itoa(userID), "Rahasia", "مرحبا", "sangat panjang", "-4242", "-100123"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain personal data %q:\n%s", secret, out)
		}
	}
}
