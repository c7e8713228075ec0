package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// lockedBuffer is a bytes.Buffer safe for the server goroutine's logging.
// It also notes the updates the bot logs as handled (at --log-level debug).
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed and replaced at every write
	partial []byte        // the last line, until its end is written
	handled map[int64]bool
}

// handledLine is the bot's debug line for an update it has handled: its
// effects committed and its replies made.
var handledLine = regexp.MustCompile(`msg="update handled" update_id=(\d+) `)

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written != nil {
		close(l.written)
		l.written = nil
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		if m := handledLine.FindSubmatch(l.partial[:i]); m != nil {
			id, _ := strconv.ParseInt(string(m[1]), 10, 64)
			if l.handled == nil {
				l.handled = map[int64]bool{}
			}
			l.handled[id] = true
		}
		l.partial = l.partial[i+1:]
	}
	return l.b.Write(p)
}

// isHandled reports whether the bot logged update id as handled.
func (l *lockedBuffer) isHandled(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.handled[id]
}

// waitHandled waits until the bot logs update id as handled: with the
// Poller's inbox, Telegram hears of an update before it is handled, so
// the fake's confirmation says only that it is safe.
func (l *lockedBuffer) waitHandled(ctx context.Context, t *testing.T, id int64) {
	t.Helper()
	for {
		l.mu.Lock()
		done := l.handled[id]
		if l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		if done {
			return
		}
		select {
		case <-written:
		case <-ctx.Done():
			t.Fatalf("update %d not handled: %v\nlogs:\n%s", id, ctx.Err(), l.String())
		}
	}
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until what was written matches re and returns the first
// submatch (or the match). It fails t when ctx ends first: pass one that
// ends when the command that logs returns, or a stopped command is waited
// for until the test's deadline.
func (l *lockedBuffer) waitFor(ctx context.Context, t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	for {
		l.mu.Lock()
		m := re.FindSubmatch(l.b.Bytes())
		if l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		if m != nil {
			return string(m[len(m)-1])
		}
		select {
		case <-written:
		case <-ctx.Done():
			if m := re.FindStringSubmatch(l.String()); m != nil {
				return m[len(m)-1] // written just before the command returned
			}
			t.Fatalf("no log line matches %s: %v\nlogs:\n%s", re, ctx.Err(), l.String())
		}
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// testContext bounds a test's waits for the bot. It ends a while before the
// test binary's -timeout would kill every test with a dump of goroutines,
// so that a test stuck on a loaded machine fails with its own message and
// the bot's logs. Waits tied to it assume no speed: a fixed "20 seconds"
// holds on an idle machine and fails on a busy one.
func testContext(t *testing.T) context.Context {
	t.Helper()
	deadline, ok := t.Deadline()
	if !ok {
		return t.Context() // -timeout 0: wait as long as it takes
	}
	// A tenth of what is left, at least 10s, to stop the bot and report.
	margin := max(time.Until(deadline)/10, 10*time.Second)
	ctx, cancel := context.WithDeadline(t.Context(), deadline.Add(-margin))
	t.Cleanup(cancel)
	return ctx
}

// TestServeEndToEnd runs "ikmbot serve" against the fake Bot API over real
// HTTP long polling, completes surveys at two units, stops the bot as a
// signal would, and checks "ikmbot report" on the same database.
func TestServeEndToEnd(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tctx := testContext(t)
	var logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--api-url", srv.URL(), "--poll-timeout", "1s", "--log-level", "debug"},
			env(map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token}), nil, io.Discard, &logs)
	}()

	wait := func(upd models.Update, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		logs.waitHandled(tctx, t, upd.ID)
	}
	ani := srv.User(5001, "Ani", "id")
	wait(ani.Send("/start DISDUKCAPIL"), nil)
	for _, label := range []string{"Perempuan", "Tidak ingin menjawab", "SMA", "Swasta", "Layanan lain",
		"Sangat sesuai", "Sangat mudah", "Sangat cepat", "Gratis", "Sangat sesuai", "Sangat kompeten",
		"Sangat sopan dan ramah", "Dikelola dengan baik", "Sangat baik", "Lewati »"} {
		wait(ani.Tap(label))
	}
	bob := srv.User(5002, "Bob", "en")
	wait(bob.Send("/start PKM-KRANJI"), nil)
	wait(bob.Tap("Male"))
	wait(bob.Send("41"), nil)
	for _, label := range []string{"Skip »", "Skip »", "Poli Umum",
		"Appropriate", "Less easy", "Fast", "Free", "Appropriate", "Competent",
		"Polite and friendly", "Exists but does not work", "Fair"} {
		wait(bob.Tap(label))
	}
	wait(bob.Send("Please add more seats."), nil)

	if got := srv.Chat(5001); !strings.Contains(got[len(got)-1].Text, "Terima kasih") {
		t.Errorf("Ani's last message = %q, want the thank-you", got[len(got)-1].Text)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v\nlogs:\n%s", err, logs.String())
		}
	case <-tctx.Done():
		t.Fatalf("serve did not stop after its context ended\nlogs:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), telegramtest.Token) {
		t.Error("the bot token appears in the logs")
	}
	for _, c := range srv.Calls() {
		if c.Method == "setMyCommands" {
			goto commandsSet
		}
	}
	t.Error("serve did not register its command menu")
commandsSet:

	var out bytes.Buffer
	if err := run(context.Background(), []string{"report", "--db", db, "--format", "json"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Respondents int      `json:"respondents"`
		Pooled      *float64 `json:"ikm_pooled"`
		Mean        *float64 `json:"ikm_mean_of_units"`
		Units       []struct {
			Code        string   `json:"code"`
			Respondents int      `json:"respondents"`
			IKM         *float64 `json:"ikm"`
		} `json:"units"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out.String())
	}
	// Ani answered 4 everywhere: 100. Bob: 3,2,3,4,3,3,3,2,2 = 25/9 x 25 = 69.44.
	// Mean of units: (100 + 69.444...)/2 = 84.72; pooled: 61/18 x 25 = 84.72.
	want := map[string]float64{"DISDUKCAPIL": 100, "PKM-KRANJI": 69.44}
	if len(rep.Units) != 89 {
		t.Fatalf("report lists %d units, want all 89", len(rep.Units))
	}
	for _, u := range rep.Units {
		w, ok := want[u.Code]
		switch {
		case ok && (u.IKM == nil || *u.IKM != w || u.Respondents != 1):
			t.Errorf("%s: respondents %d, ikm %v; want 1, %v", u.Code, u.Respondents, u.IKM, w)
		case !ok && (u.IKM != nil || u.Respondents != 0):
			t.Errorf("%s: respondents %d, ikm %v; want 0, null", u.Code, u.Respondents, *u.IKM)
		}
	}
	if rep.Respondents != 2 || rep.Pooled == nil || *rep.Pooled != 84.72 || rep.Mean == nil || *rep.Mean != 84.72 {
		t.Errorf("city: respondents %d, pooled %v, mean %v; want 2, 84.72, 84.72", rep.Respondents, rep.Pooled, rep.Mean)
	}
}

func TestServeNeedsToken(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "x.db")}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Errorf("serve without a token: %v, want an error naming TELEGRAM_BOT_TOKEN", err)
	}
}

func TestServeRefusesASecondInstance(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	args := []string{"serve", "--db", db, "--api-url", srv.URL(), "--poll-timeout", "1s"}
	tok := env(map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token})
	go func() { done <- run(ctx, args, tok, nil, io.Discard, io.Discard) }()
	// Wait until the first instance polls, so it surely holds the file.
	polled := make(chan error, 1)
	go func() { _, err := srv.WaitCall(testContext(t), 0, "getUpdates"); polled <- err }()
	select {
	case err := <-polled:
		if err != nil {
			stop()
			t.Fatalf("first instance never polled: %v (it returned %v)", err, <-done)
		}
	case err := <-done:
		t.Fatalf("first instance stopped before it polled: %v", err)
	}
	err := run(context.Background(), args, tok, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "is another ikmbot using this file?") {
		t.Errorf("second instance: %v, want the locked-file message", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("first instance: %v", err)
	}
}

func TestDemoPlaysTheDefaultScript(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, env(nil), strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/start DISDUKCAPIL", "Terima kasih", "IKM Kota Bekasi", "NRR per unsur", "1 survey(s) completed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo transcript lacks %q", want)
		}
	}
}

// TestDemoAdminFilesAndNotices: in the demo, /qr and /admin undang work
// (the demo's bot has a username), and the files and notices an admin's
// line causes are printed under that line, before the next one.
func TestDemoAdminFilesAndNotices(t *testing.T) {
	var out bytes.Buffer
	script := "admin /qr DISDUKCAPIL\nadmin /admin undang DISDUKCAPIL\nadmin /admin tambah 1001 DISDUKCAPIL\nadmin /id\n"
	if err := run(context.Background(), []string{"demo"}, env(nil), strings.NewReader(script), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The transcript split at each script line.
	parts := strings.Split("\n"+out.String(), "\n> ")
	under := func(cmd string) string {
		for _, p := range parts {
			if strings.HasPrefix(p, "user 9001: "+cmd+"\n") {
				return p
			}
		}
		t.Fatalf("no line %q in the transcript:\n%s", cmd, out.String())
		return ""
	}
	for cmd, want := range map[string][]string{
		"/qr DISDUKCAPIL":                {"photo: DISDUKCAPIL.png", "document: DISDUKCAPIL.pdf"},
		"/admin undang DISDUKCAPIL":      {"https://t.me/ikm_demo_bot?start=inv-"},
		"/admin tambah 1001 DISDUKCAPIL": {"sendMessage chat=1001", "setMyCommands scope=chat:1001"},
	} {
		got := under(cmd)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("under %q the demo printed\n%s\nwant %q there", cmd, got, w)
			}
		}
		if strings.Contains(got, "belum diatur") {
			t.Errorf("%q: the demo's bot has no username:\n%s", cmd, got)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, env(nil), nil, io.Discard, &stderr)
	if _, ok := err.(usageError); !ok || !strings.Contains(stderr.String(), "commands:") {
		t.Errorf("unknown command: err %v, usage printed %v", err, strings.Contains(stderr.String(), "commands:"))
	}
}
