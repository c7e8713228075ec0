package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/poster/postertest"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

var counterSecret = []byte("0123456789abcdef-counter-test")

// testClock is a clock that a test moves while a server reads it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var pageQR = regexp.MustCompile(`<img src="([^"]+)"`)

// getCounter fetches the page and the PNG, and checks that both carry the
// same link, which the page also spells out.
func getCounter(t *testing.T, srv *httptest.Server) (link string, page string) {
	t.Helper()
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("GET %s: %s, Cache-Control %q", path, resp.Status, resp.Header.Get("Cache-Control"))
		}
		return resp, body
	}
	resp, body := get("/")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("page Content-Type %q", ct)
	}
	m := pageQR.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no embedded QR code in the page:\n%s", body)
	}
	// The attribute is HTML-escaped ("+" is &#43;), as a browser reads it.
	src, ok := strings.CutPrefix(html.UnescapeString(string(m[1])), "data:image/png;base64,")
	if !ok {
		t.Fatalf("the QR code is not an embedded PNG: %.40s...", m[1])
	}
	data, err := base64.StdEncoding.DecodeString(src)
	if err != nil {
		t.Fatal(err)
	}
	if link, err = postertest.DecodePNG(t, data, 0); err != nil {
		t.Fatalf("the page's QR code does not decode: %v", err)
	}
	if !strings.Contains(string(body), link) {
		t.Errorf("the page does not spell out the link %s", link)
	}
	resp, pngData := get("/qr.png")
	if resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("/qr.png Content-Type %q", resp.Header.Get("Content-Type"))
	}
	if got, err := postertest.DecodePNG(t, pngData, 0); err != nil || got != link {
		t.Errorf("/qr.png decodes to %q, %v; the page to %s", got, err, link)
	}
	return link, string(body)
}

// TestCounterPage serves the counter screen with a clock the test moves:
// the QR code decodes to the current step's link, which the bot accepts as
// verified, and to a new link once the step has passed.
func TestCounterPage(t *testing.T) {
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	u, err := unitByCode(cfg, "DISDUKCAPIL")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 3, 10, 9, 2, 0, 0, jakarta)}
	page, err := newCounterPage(cfg, u, "BekasiIKMBot", deeplink.CounterKey(counterSecret, u.Code, 1), 5*time.Minute, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(page.handler())
	defer srv.Close()

	first, body := getCounter(t, srv)
	want := deeplink.DeepLink("BekasiIKMBot", deeplink.CounterCodeAt(u.Code, 5*time.Minute, clock.Now()).Payload(deeplink.CounterKey(counterSecret, u.Code, 1)))
	if first != want {
		t.Fatalf("at 09:02 the QR code is %s, want %s", first, want)
	}
	for _, s := range []string{u.Name, `http-equiv="refresh" content="181"`, "berikutnya pukul 09:05", "09:02:00 WIB"} {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	payload := strings.TrimPrefix(first, "https://t.me/BekasiIKMBot?start=")
	if _, err := deeplink.VerifyCounter(payload, clock.Now(), firstCounterKeys); err != nil {
		t.Errorf("the bot refuses the code on the screen: %v", err)
	}

	clock.Add(2 * time.Minute) // 09:04: same step, same code
	if again, _ := getCounter(t, srv); again != first {
		t.Errorf("within the step the code changed: %s, then %s", first, again)
	}
	clock.Add(time.Minute) // 09:05: the next step
	second, _ := getCounter(t, srv)
	if second == first {
		t.Fatalf("after the step the code is still %s", first)
	}
	if _, err := deeplink.VerifyCounter(strings.TrimPrefix(second, "https://t.me/BekasiIKMBot?start="), clock.Now(), firstCounterKeys); err != nil {
		t.Errorf("the bot refuses the new code: %v", err)
	}
	if _, err := deeplink.VerifyCounter(payload, clock.Now(), firstCounterKeys); err != nil {
		t.Errorf("the code of the step before is refused at 09:05 (grace): %v", err)
	}
	clock.Add(5 * time.Minute)
	if _, err := deeplink.VerifyCounter(payload, clock.Now(), firstCounterKeys); !errors.Is(err, deeplink.ErrCounterStale) {
		t.Errorf("the 09:00 code at 09:10: %v, want stale", err)
	}

	resp, err := srv.Client().Get(srv.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /other: %s, want 404", resp.Status)
	}
}

// TestCounterKeyFromTheServer prints a unit's counter key where the secret
// is, and runs the counter from that key alone.
func TestCounterKeyFromTheServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	if err := os.WriteFile(db+".secret", append(counterSecret, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"counter", "--unit", "disdukcapil", "--print-key", "--db", db}, env(nil), nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(out.String())
	if !strings.HasPrefix(line, "DISDUKCAPIL:") || strings.Contains(line, string(counterSecret)) {
		t.Fatalf("--print-key printed %q", line)
	}
	u := survey.Unit{Code: "DISDUKCAPIL"}
	key, err := parseCounterKey(line, u)
	if err != nil || !bytes.Equal(key, deeplink.CounterKey(counterSecret, "DISDUKCAPIL", 1)) {
		t.Fatalf("printed key %q reads as %x, %v; want the unit's counter key", line, key, err)
	}

	// On the counter PC: no secret, no database, only the key.
	pc := t.TempDir()
	keyFile := filepath.Join(pc, "DISDUKCAPIL.counter-key")
	if err := os.WriteFile(keyFile, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	noDB := filepath.Join(pc, "ikmbot.db")
	for _, tt := range []struct {
		keyFile string
		env     map[string]string
	}{{keyFile, nil}, {"", map[string]string{counterKeyEnv: line}}} {
		got, err := loadCounterKey(u, tt.keyFile, env(tt.env), "", noDB)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("key from file %q, env %v: %x, %v", tt.keyFile, tt.env, got, err)
		}
	}
	if _, err := loadCounterKey(u, "", env(nil), "", noDB); err == nil || !strings.Contains(err.Error(), "--print-key") {
		t.Errorf("without a key or secret: %v; want advice to print the key on the server", err)
	}
	if _, err := os.Stat(noDB + ".secret"); !errors.Is(err, os.ErrNotExist) {
		t.Error("the counter created a secret file: its codes would never verify")
	}
	if _, err := parseCounterKey(line, survey.Unit{Code: "PKM-KRANJI"}); err == nil || !strings.Contains(err.Error(), "DISDUKCAPIL") {
		t.Errorf("another unit's key: %v; want refused", err)
	}
	if _, err := parseCounterKey(line[:len(line)-3], u); err == nil {
		t.Error("a damaged key was accepted")
	}

	// The whole command, served on a free loopback port until cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs lockedBuffer
	done := make(chan error, 1)
	running, ended := context.WithCancel(testContext(t))
	go func() {
		err := run(ctx, []string{"counter", "--unit", "DISDUKCAPIL", "--bot-username", "BekasiIKMBot", "--listen", "127.0.0.1:0", "--key-file", keyFile, "--db", noDB}, env(nil), nil, io.Discard, &logs)
		ended()
		done <- err
	}()
	url := logs.waitFor(running, t, regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/)`))
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "?start=DISDUKCAPIL-c5-") {
		t.Errorf("GET %s: %s\n%s", url, resp.Status, body)
	}
	if strings.Contains(logs.String(), "reachable from other machines") {
		t.Error("a loopback listener was warned about")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("counter after cancel: %v", err)
	}
}

func TestCounterErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--bot-username", "BekasiIKMBot"}, "--unit is required"},
		{[]string{"--unit", "DISDUKCAPLI", "--bot-username", "BekasiIKMBot"}, "did you mean DISDUKCAPIL?"},
		{[]string{"--unit", "DISDUKCAPIL"}, "--bot-username is required"},
		{[]string{"--unit", "DISDUKCAPIL", "--bot-username", "Bekasi"}, "not a bot username"},
		{[]string{"--unit", "DISDUKCAPIL", "--bot-username", "BekasiIKMBot", "--step", "90s"}, "whole minutes from 1m0s to 15m0s"},
		{[]string{"--unit", "DISDUKCAPIL", "--bot-username", "BekasiIKMBot", "--step", "20m"}, "whole minutes"},
		{[]string{"--unit", "DISDUKCAPIL", "--print-key", "--db", filepath.Join(t.TempDir(), "none.db")}, "run it on the server"},
		{[]string{"--unit", "DISDUKCAPIL", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		err := run(context.Background(), append([]string{"counter"}, tt.args...), env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("counter %v: %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"counter", "-h"}, env(nil), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "--print-key") {
		t.Errorf("counter -h: %v\n%s", err, out.String())
	}
}

// TestReportVerified checks the verified figures in the JSON report, unit
// and city, and in the unit's text report.
func TestReportVerified(t *testing.T) {
	setClock(t, lateIn2026)
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	st, err := store.Open(db, store.Options{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	all := func(v uint8) (s survey.Scores) {
		for i := range s {
			s[i] = v
		}
		return s
	}
	err = st.Update(func(tx *store.Tx) error {
		at := time.Date(2026, 3, 10, 9, 0, 0, 0, jakarta)
		for _, r := range []survey.Response{
			{Unit: "DISDUKCAPIL", Submitted: at, Source: survey.SourceTelegram, Scores: all(4), Via: survey.ViaCounter},
			{Unit: "DISDUKCAPIL", Submitted: at, Source: survey.SourceTelegram, Scores: all(2), Via: survey.ViaPoster, Poster: 1},
		} {
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	report := func(args ...string) []byte {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"report", "--db", db}, args...), env(nil), nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	var unit struct {
		IKM      float64      `json:"ikm"`
		Verified verifiedJSON `json:"verified"`
	}
	if err := json.Unmarshal(report("--unit", "DISDUKCAPIL", "--format", "json"), &unit); err != nil {
		t.Fatal(err)
	}
	if unit.IKM != 75 || unit.Verified.Respondents != 1 || unit.Verified.IKM == nil || *unit.Verified.IKM != 100 || *unit.Verified.Mutu != "A" {
		t.Errorf("unit report: ikm %v, verified %+v; want 75 and 1 respondent, 100, A", unit.IKM, unit.Verified)
	}
	var city struct {
		Units []struct {
			Code     string       `json:"code"`
			Verified verifiedJSON `json:"verified"`
		} `json:"units"`
	}
	out := report("--format", "json")
	if err := json.Unmarshal(out, &city); err != nil {
		t.Fatal(err)
	}
	for _, u := range city.Units {
		switch v := u.Verified; {
		case u.Code == "DISDUKCAPIL" && (v.Respondents != 1 || v.IKM == nil || *v.IKM != 100):
			t.Errorf("city report, DISDUKCAPIL verified %+v", v)
		case u.Code != "DISDUKCAPIL" && (v.Respondents != 0 || v.IKM != nil || v.Mutu != nil):
			t.Errorf("city report, %s verified %+v; want none", u.Code, v)
		}
	}
	if !bytes.Contains(out, []byte(`"verified": {
        "respondents": 0,
        "ikm": null,
        "mutu": null
      }`)) {
		t.Error(`units without verified answers should say so with nulls`)
	}
	if text := report("--unit", "DISDUKCAPIL"); !bytes.Contains(text, []byte("Verified at the counter:  100.00  A (1 of the respondents scanned the counter screen's code)")) {
		t.Errorf("text report lacks the verified line:\n%s", text)
	}
}

// firstCounterKeys gives generation 1's counter keys of counterSecret, those
// of units whose key was never rotated.
func firstCounterKeys(code string) ([]byte, error) {
	return deeplink.CounterKey(counterSecret, code, 1), nil
}

// TestCounterPrintKeyAfterRotation: once /loket ganti has rotated a unit's
// key, --print-key prints the new generation's key, and beside the running
// bot it says to ask the chat instead.
func TestCounterPrintKeyAfterRotation(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	if err := os.WriteFile(db+".secret", append(counterSecret, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// What /loket ganti DISDUKCAPIL does to the database, twice.
	for range 2 {
		if err := st.Update(func(tx *store.Tx) error { _, err := tx.RotateCounterKey("DISDUKCAPIL"); return err }); err != nil {
			t.Fatal(err)
		}
	}
	printKey := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"counter", "--unit", "DISDUKCAPIL", "--print-key", "--db", db}, env(nil), nil, &out, io.Discard)
		return strings.TrimSpace(out.String()), err
	}

	// The bot still holds the file: the command says where to get the key.
	line, err := printKey()
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "/loket kunci DISDUKCAPIL") || line != "" {
		t.Errorf("--print-key beside the bot: printed %q, %v; want the locked-file advice naming /loket kunci DISDUKCAPIL", line, err)
	}
	u := survey.Unit{Code: "DISDUKCAPIL"}
	if _, err := loadCounterKey(u, "", env(nil), "", db); !errors.Is(err, store.ErrLocked) {
		t.Errorf("the counter deriving its key beside the bot: %v, want the locked-file advice", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	line, err = printKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := parseCounterKey(line, u)
	if err != nil {
		t.Fatalf("--print-key printed %q: %v", line, err)
	}
	if want := deeplink.CounterKey(counterSecret, "DISDUKCAPIL", 3); !bytes.Equal(key, want) {
		t.Fatalf("--print-key after two rotations printed %q, want generation 3's key %s", line, deeplink.FormatCounterKey("DISDUKCAPIL", want))
	}
	// A screen run with it verifies with the bot's current key, and the
	// first key's codes do not.
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	current := func(code string) ([]byte, error) { return deeplink.CounterKey(counterSecret, code, 3), nil }
	if _, err := deeplink.VerifyCounter(deeplink.CounterCodeAt("DISDUKCAPIL", 5*time.Minute, now).Payload(key), now, current); err != nil {
		t.Errorf("a code of the printed key: %v", err)
	}
	old := deeplink.CounterCodeAt("DISDUKCAPIL", 5*time.Minute, now).Payload(deeplink.CounterKey(counterSecret, "DISDUKCAPIL", 1))
	if _, err := deeplink.VerifyCounter(old, now, current); !errors.Is(err, deeplink.ErrPayloadForged) {
		t.Errorf("a code of the first key after rotation: %v, want forged", err)
	}
	// On the server without --key-file, the counter derives the same key.
	if got, err := loadCounterKey(u, "", env(nil), "", db); err != nil || !bytes.Equal(got, key) {
		t.Errorf("key derived on the server: %x, %v; want generation 3's", got, err)
	}
}

// TestReportFollowUpsAndWeb checks the follow-up plans (share done, days
// to complete) and the web part in the JSON and text reports of a unit.
func TestReportFollowUpsAndWeb(t *testing.T) {
	setClock(t, lateIn2026)
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	st, err := store.Open(db, store.Options{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, jakarta)
	err = st.Update(func(tx *store.Tx) error {
		r := survey.Response{Unit: "DISDUKCAPIL", Submitted: created, Source: survey.SourceWeb, Scores: survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3}}
		if err := tx.AddResponse(&r, ""); err != nil {
			return err
		}
		for _, action := range []string{"Tambah loket", "Papan informasi"} {
			seq, err := tx.AddFollowUp(survey.FollowUp{Unit: "DISDUKCAPIL", Element: survey.Waktu, Action: action, Status: survey.FollowUpOpen, By: 1, Created: created})
			if err != nil {
				return err
			}
			if action == "Tambah loket" {
				if _, err := tx.SetFollowUpStatus("DISDUKCAPIL", seq, survey.FollowUpDone, 9001, created.AddDate(0, 0, 12)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"report", "--db", db, "--unit", "DISDUKCAPIL", "--format", "json"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var unit struct {
		Web       verifiedJSON  `json:"web"`
		FollowUps followUpsJSON `json:"followups"`
	}
	if err := json.Unmarshal(out.Bytes(), &unit); err != nil {
		t.Fatal(err)
	}
	f := unit.FollowUps
	if unit.Web.Respondents != 1 || unit.Web.IKM == nil || *unit.Web.IKM != 75 ||
		f.Planned != 2 || f.Done != 1 || f.Share == nil || *f.Share != 50 || f.DoneWithin30Days != 1 || f.MedianDays == nil || *f.MedianDays != 12 {
		t.Errorf("unit report: %s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"report", "--db", db, "--unit", "DISDUKCAPIL"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Answered on the web:  75.00  C (1 of the respondents used the public site's form)",
		"Follow-up plans:      1 of 2 done (50.00 %), 1 within 30 days, median 12 days to complete"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCounterPagePublicURL: with public_url, the counter screen's QR code
// opens the public site's landing page with the same signed code.
func TestCounterPagePublicURL(t *testing.T) {
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicURL = "https://ikm.bekasikota.go.id"
	u, err := unitByCode(cfg, "PKM-KRANJI")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 3, 10, 9, 2, 0, 0, jakarta)}
	key := deeplink.CounterKey(counterSecret, u.Code, 1)
	page, err := newCounterPage(cfg, u, "BekasiIKMBot", key, 5*time.Minute, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(page.handler())
	defer srv.Close()
	got, _ := getCounter(t, srv)
	if want := "https://ikm.bekasikota.go.id/s/" + deeplink.CounterCodeAt(u.Code, 5*time.Minute, clock.Now()).Payload(key); got != want {
		t.Errorf("the QR code is %s, want %s", got, want)
	}
}
