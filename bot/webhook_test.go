package bot

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/telegram"
)

const hookSecret = "webhook-secret-for-tests"

func postUpdate(h http.Handler, method, secret string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWebhookHandler(t *testing.T) {
	h := newHarness(t)
	d := telegram.NewDispatcher(h.bot.Process)
	hook := telegram.WebhookHandler(hookSecret, d, h.cfg.Logger)
	u := h.srv.User(1001, "Budi", "id")
	start := u.TextUpdate("/start DISDUKCAPIL")
	start.ID = 77
	good, _ := json.Marshal(start)

	for _, tc := range []struct {
		name   string
		method string
		secret string
		body   []byte
		want   int
	}{
		{"wrong method", http.MethodGet, hookSecret, nil, http.StatusMethodNotAllowed},
		{"no secret", http.MethodPost, "", good, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, hookSecret + "x", good, http.StatusUnauthorized},
		{"prefix of the secret", http.MethodPost, hookSecret[:5], good, http.StatusUnauthorized},
		{"not JSON", http.MethodPost, hookSecret, []byte("hello"), http.StatusBadRequest},
		{"no update id", http.MethodPost, hookSecret, []byte(`{"message":{}}`), http.StatusBadRequest},
		{"too large", http.MethodPost, hookSecret, bytes.Repeat([]byte(" "), telegram.MaxWebhookBody+1), http.StatusRequestEntityTooLarge},
	} {
		if rec := postUpdate(hook, tc.method, tc.secret, tc.body); rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
	if n := len(h.srv.Calls()); n != 0 {
		t.Fatalf("refused requests made %d Bot API calls, want none", n)
	}

	if rec := postUpdate(hook, http.MethodPost, hookSecret, good); rec.Code != http.StatusOK {
		t.Fatalf("a good update: status %d, want 200", rec.Code)
	}
	// 200 means stored; the replies follow on their own.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		chat := u.Chat()
		if len(chat) > 0 && strings.Contains(chat[len(chat)-1].Text, "jenis kelamin") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the webhook the person sees %v, want the first question", chat)
		}
	}
	// Telegram redelivers it: harmless, still 200.
	if rec := postUpdate(hook, http.MethodPost, hookSecret, good); rec.Code != http.StatusOK {
		t.Errorf("a redelivered update: status %d, want 200", rec.Code)
	}

	// When the update cannot be stored, Telegram must be told to retry.
	h.st.Close()
	next := u.TextUpdate("35")
	next.ID = 78
	body, _ := json.Marshal(next)
	if rec := postUpdate(hook, http.MethodPost, hookSecret, body); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("an update that could not be stored: status %d, want 503", rec.Code)
	}
	h.open() // for the harness's cleanup
}

func FuzzWebhookHandler(f *testing.F) {
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"from":{"id":5},"text":"/start X"}}`))
	f.Add([]byte(`{"update_id":2,"callback_query":{"id":"q","from":{"id":5},"data":"a:s1:0:0","message":{"message_id":3,"chat":{"id":5,"type":"private"}}}}`))
	f.Add([]byte(`{"update_id":3,"edited_message":{"message_id":1,"chat":{"id":5,"type":"private"}}}`))
	f.Add([]byte(`{"update_id":4,"channel_post":{"message_id":1,"chat":{"id":-100,"type":"channel"},"text":"hi"}}`))
	f.Add([]byte(`[]`))
	h := newHarness(f)
	hook := telegram.WebhookHandler(hookSecret, telegram.NewDispatcher(h.bot.Process), h.cfg.Logger)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := postUpdate(hook, http.MethodPost, hookSecret, body)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Errorf("body %q: status %d", body, rec.Code)
		}
	})
}
