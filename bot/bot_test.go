package bot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func TestPanicIsRecoveredWithAnApology(t *testing.T) {
	var boom atomic.Bool
	boom.Store(true)
	h := newHarness(t, func(c *Config) {
		next := c.NewID
		c.NewID = func() string {
			if boom.Load() {
				panic("boom")
			}
			return next()
		}
	})
	u := h.srv.User(1001, "Budi", "id")
	h.handle(u.Send("/start DISDUKCAPIL"))
	boom.Store(false)
	chat := u.Chat()
	if last := chat[len(chat)-1]; !strings.Contains(last.Text, "terjadi kesalahan") {
		t.Fatalf("after a panic the person got %q, want the apology", last.Text)
	}
	// The process lives on, and the same request now works.
	h.handle(u.Send("/start DISDUKCAPIL"))
	if m := u.Chat()[len(u.Chat())-1]; !strings.Contains(m.Text, "Apa jenis kelamin") {
		t.Errorf("after recovery the bot answered %q, want the first question", m.Text)
	}
}

func TestCommandMenuPerLanguage(t *testing.T) {
	h := newHarness(t)
	err := h.st.Update(func(tx *store.Tx) error {
		_, err := tx.GrantUnit(store.Grant{User: 2001, Unit: "DISDUKCAPIL", By: testAdmin, At: h.now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := func(u *telegramtest.User) string {
		var s []string
		for _, c := range u.Commands() {
			s = append(s, c.Command)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		user *telegramtest.User
		want string
	}{
		{h.srv.User(1001, "Budi", "id"), "start batal bahasa bantuan"},
		{h.srv.User(1002, "John", "en"), "start cancel language help"},
		{h.srv.User(1003, "Mei", "zh"), "start batal bahasa bantuan"},
		{h.srv.User(testAdmin, "Admin", "id"), "ikm peringkat saran tindaklanjut qr loket cadangan admin audit start bantuan"},
		{h.srv.User(2001, "Sari", "id"), "ikm saran tindaklanjut start bantuan"},
	} {
		if got := names(tc.user); got != tc.want {
			t.Errorf("user %d (%s) sees commands %q, want %q", tc.user.ID(), tc.user.Model().LanguageCode, got, tc.want)
		}
	}
}

func TestCallbackDataRoundTrip(t *testing.T) {
	for _, data := range []string{
		encodeAnswer("ab12c", 7, 3), encodeSkip("x", 0), encodeBack("x", 14), encodeContinue("s1"),
		encodeRestart("PKM-KRANJI"), encodeUnit("DISDUKCAPIL"), encodeTypes(), encodeTypePage("puskesmas", 2), encodeLang("en"),
	} {
		if _, ok := parseCallback(data); !ok {
			t.Errorf("parseCallback(%q) refused data the bot itself makes", data)
		}
		if len(data) > maxCallbackData {
			t.Errorf("%q is longer than Telegram's 64 bytes", data)
		}
	}
	for _, data := range []string{"", "a", "a::1:1", "a:s:1", "a:s:x:1", "a:s:1:-1", "a:s:12345:1", "q:x", "T:x",
		"t:puskesmas:", "u:", strings.Repeat("u", 65), "aa:s:1:1", "l:"} {
		if d, ok := parseCallback(data); ok {
			t.Errorf("parseCallback(%q) = %+v, want refused", data, d)
		}
	}
}

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"a:s1:3:2", "k:s1:0", "t:puskesmas:2", "u:PKM-KRANJI", "l:en", "T", ":::", "a:\x00:1:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		d, ok := parseCallback(data)
		if !ok {
			return
		}
		if d.step < 0 || d.choice < 0 || d.page < 0 || d.step > 9999 || d.choice > 9999 {
			t.Errorf("parseCallback(%q) accepted out-of-range numbers: %+v", data, d)
		}
	})
}

// TestLongRetryHoldsNoOtherChat: Telegram answers one person's edit with
// 429 and retry_after 30. Their update is committed, so it is confirmed and
// the Poller goes on: another person's /start is answered, with the
// Dispatcher's only place, while the first reply still waits.
func TestLongRetryHoldsNoOtherChat(t *testing.T) {
	h := newHarness(t)
	d := telegram.NewDispatcher(h.bot.Process).WithWorkers(1) // a waiting reply must not keep the only place
	ctx, stop := context.WithCancel(context.Background())
	handlers, stopHandlers := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		p := &telegram.Poller{APIURL: h.srv.URL(), Token: telegramtest.Token, Client: h.srv.Client(), Timeout: time.Second, HandlerContext: handlers}
		done <- p.Run(ctx, d)
	}()
	defer func() {
		stopHandlers() // ends the 30 s wait of a failed run
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
		d.Wait()
	}()
	count := func(method, chat string) int {
		n := 0
		for _, c := range h.srv.Calls() {
			if c.Method == method && c.Params["chat_id"] == chat {
				n++
			}
		}
		return n
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	budi := h.srv.User(1001, "Budi", "id")
	budi.Send("/start DISDUKCAPIL")
	waitFor("Budi's first question", func() bool { return count("sendMessage", "1001") == 2 })
	h.srv.Fail("editMessageText", telegramtest.Fault{Code: 429, RetryAfter: 30, Times: 1})
	tap, err := budi.Tap("Perempuan")
	if err != nil {
		t.Fatal(err)
	}
	waitFor("the 429", func() bool { return count("editMessageText", "1001") == 1 })
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.srv.WaitConfirmed(wctx, tap.ID); err != nil {
		t.Fatalf("the committed press was not confirmed while its reply waited: %v", err)
	}
	h.srv.User(1002, "Sari", "id").Send("/start DISDUKCAPIL")
	waitFor("Sari's welcome while Budi's reply waits", func() bool { return count("sendMessage", "1002") == 2 })
	if n := count("editMessageText", "1001"); n != 1 {
		t.Errorf("Budi's edit was made %d times before retry_after passed, want 1", n)
	}
	var chat store.Chat
	if err := h.st.View(func(tx *store.Tx) (err error) { chat, err = tx.Chat(1001); return err }); err != nil || chat.Session == nil || chat.Session.Profile.Gender != "P" {
		t.Errorf("Budi's answer is not stored: %+v, %v", chat.Session, err)
	}
}

func TestFloodingUserIsCapped(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.UserRate, c.UserBurst = 0.001, 5 })
	u := h.srv.User(1001, "Budi", "id")
	other := h.srv.User(1002, "Sari", "id")
	for i := 0; i < 20; i++ {
		h.handle(u.Sticker())
	}
	replies := 0
	for _, m := range u.Chat() {
		if m.FromBot {
			replies++
		}
	}
	if replies != 5 {
		t.Errorf("20 stickers got %d replies, want 5 (the burst), the rest dropped", replies)
	}
	h.handle(other.Send("/start DISDUKCAPIL"))
	if len(other.Chat()) < 3 {
		t.Errorf("another person was slowed down by the flood: %d messages", len(other.Chat()))
	}
}

func TestRetentionSweep(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ChatRetention, c.SuggestionRetention = time.Hour, 48*time.Hour })
	h.run(`user budi 1001 id
budi send /bahasa
budi tap English
budi send /start PKM-KRANJI
budi tap Skip »
budi tap Prefer not to say
budi tap Skip »
budi tap Skip »
budi tap Skip »
budi tap Appropriate
budi tap Easy
budi tap Fast
budi tap Free
budi tap Appropriate
budi tap Competent
budi tap Polite and friendly
budi tap Well managed
budi tap Good
budi send The nurse at counter 2, Ibu Sri, was rude.`)
	count := func() (chats int, suggestion string) {
		h.st.View(func(tx *store.Tx) error {
			tx.ForEachChat(func(store.Chat) error { chats++; return nil })
			return tx.ForEachResponse(func(r survey.Response) error { suggestion = r.Suggestion; return nil })
		})
		return
	}
	if chats, s := count(); chats != 1 || s == "" {
		t.Fatalf("after the survey: %d chats (the language choice keeps one), suggestion %q", chats, s)
	}
	h.now = h.now.Add(2 * time.Hour)
	if c, s, err := h.bot.SweepRetention(); err != nil || c != 1 || s != 0 {
		t.Fatalf("sweep after 2h: %d chats, %d suggestions, %v; want 1, 0", c, s, err)
	}
	if chats, s := count(); chats != 0 || s == "" {
		t.Errorf("after 2h: %d chats, suggestion %q; want the chat gone, the suggestion kept", chats, s)
	}
	h.now = h.now.Add(48 * time.Hour)
	if _, s, err := h.bot.SweepRetention(); err != nil || s != 1 {
		t.Fatalf("sweep after 50h blanked %d suggestions (%v), want 1", s, err)
	}
	if _, s := count(); s != "" {
		t.Errorf("suggestion after its retention = %q, want it blanked", s)
	}
	tally, _ := h.st.Tally("PKM-KRANJI", survey.PeriodOf(survey.PeriodYear, h.now))
	if got := tally.Result(survey.ExactWeights).IKM2; tally.Respondents != 1 || got != 80.56 {
		t.Errorf("figures after the purge: %d respondents, IKM %v; want 1, 80.56 (29/9 x 25, unchanged)", tally.Respondents, got)
	}
}

func TestBackupInChat(t *testing.T) {
	h := newHarness(t)
	h.run(`user budi 1001 id
user admin 9001 id
budi send /start DISDUKCAPIL
budi send /cadangan
admin send /cadangan`)
	var doc *telegramtest.Call
	for _, c := range h.srv.Calls() {
		if c.Method == "sendDocument" {
			if c.Params["chat_id"] != "9001" {
				t.Fatalf("a backup went to chat %s, want only the admin", c.Params["chat_id"])
			}
			doc = &c
		}
	}
	if doc == nil {
		t.Fatalf("the admin got no backup:\n%s", h.out.String())
	}
	if !strings.Contains(h.out.String(), "hanya untuk admin") {
		t.Errorf("a citizen's /cadangan was not refused:\n%s", h.out.String())
	}
	var data []byte
	for _, f := range doc.Files {
		data = f.Data
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup sent in chat does not open: %v", err)
	}
	defer cp.Close()
	err = cp.View(func(tx *store.Tx) error {
		ch, err := tx.Chat(1001)
		if err == nil && (ch.Session == nil || ch.Session.Unit.Code != "DISDUKCAPIL") {
			t.Errorf("the backup lacks the open survey: %+v", ch)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
