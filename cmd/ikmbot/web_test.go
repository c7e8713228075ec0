package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// TestServeWeb runs "ikmbot serve --web" with public_url in the config:
// one person answers in the chat and one in a browser, from the same
// process and database; both are counted, the web answer stored as such.
func TestServeWeb(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	base, err := os.ReadFile(filepath.Join("..", "internal", "config", "bekasi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "kota.yaml")
	if err := os.WriteFile(cfgPath, append(base, "\npublic_url: https://ikm.bekasikota.go.id\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	const secret = "0123456789abcdef-serve-web-test"
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tctx := testContext(t)
	var logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfgPath, "--db", db, "--api-url", srv.URL(), "--poll-timeout", "1s", "--web", "127.0.0.1:0", "--ops", "", "--log-level", "debug"},
			env(map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token, "IKMBOT_SECRET": secret}), nil, io.Discard, &logs)
	}()
	addr := logs.waitFor(tctx, t, regexp.MustCompile(`web listening" addr=(\S+)`))
	site := "http://" + addr

	// In the browser, from the poster's link.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page := func(res *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s\nlogs:\n%s", res.Request.URL, res.StatusCode, b, logs.String())
		}
		return string(b)
	}
	field := func(html, name string) string {
		t.Helper()
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("no field %s in\n%s", name, html)
		}
		return m[1]
	}
	landing := "/s/" + deeplink.SignPayload([]byte(secret), "DISDUKCAPIL", 1)
	p := page(client.Get(site + landing))
	if !strings.Contains(p, "Dinas Kependudukan dan Pencatatan Sipil") || !strings.Contains(p, "https://t.me/"+telegramtest.DefaultUsername+"?start=") {
		t.Fatalf("landing page:\n%s", p)
	}
	p = page(client.PostForm(site+landing, url.Values{"t": {field(p, "t")}, "lang": {"id"}}))
	answers := []string{"c1", "skip", "skip", "skip", "skip", "c3", "c3", "c3", "c3", "c3", "c3", "c3", "c3", "c3", "skip"}
	for _, a := range answers {
		p = page(client.PostForm(site+"/f/DISDUKCAPIL", url.Values{"n": {field(p, "n")}, "t": {field(p, "t")}, "a": {a}}))
	}
	if !strings.Contains(p, "sudah tersimpan") {
		t.Fatalf("after the last answer:\n%s", p)
	}

	// In the chat.
	ani := srv.User(5001, "Ani", "id")
	wait := func(id int64, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		logs.waitHandled(tctx, t, id)
	}
	wait(ani.Send("/start DISDUKCAPIL").ID, nil)
	for _, label := range []string{"Lewati »", "Tidak ingin menjawab", "Lewati »", "Lewati »", "Lewati »",
		"Sesuai", "Mudah", "Cepat", "Murah", "Sesuai", "Kompeten", "Sopan dan ramah", "Berfungsi kurang maksimal", "Baik", "Lewati »"} {
		upd, err := ani.Tap(label)
		wait(upd.ID, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\nlogs:\n%s", err, logs.String())
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"report", "--config", cfgPath, "--db", db, "--unit", "DISDUKCAPIL", "--format", "json"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The web answer scored 4, the chat's 3 everywhere: (4 + 3) / 2 x 25.
	// The web part is shown apart, as the verified part is.
	var rep struct {
		Respondents int      `json:"respondents"`
		IKM         *float64 `json:"ikm"`
		Web         struct {
			Respondents int      `json:"respondents"`
			IKM         *float64 `json:"ikm"`
		} `json:"web"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Respondents != 2 || rep.IKM == nil || *rep.IKM != 87.5 || rep.Web.Respondents != 1 || rep.Web.IKM == nil || *rep.Web.IKM != 100 {
		t.Errorf("report: %s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"report", "--config", cfgPath, "--db", db, "--unit", "DISDUKCAPIL", "--format", "csv"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]bool{}
	for _, r := range rows[1:] {
		sources[r[3]] = true
	}
	if len(rows) != 3 || !sources["web"] || !sources["telegram"] {
		t.Errorf("CSV sources %v in %d rows, want one web and one telegram response", sources, len(rows)-1)
	}
}
