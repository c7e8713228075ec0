package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// bekasi loads the embedded config or stops the test.
func bekasi(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestUnitsText(t *testing.T) {
	cfg := bekasi(t)
	var out bytes.Buffer
	if err := runUnits(cfg, noSecret(t), env(nil), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// header, 89 units, blank, summary, placeholder and unsigned footers
	if got, want := len(lines), 1+89+4; got != want {
		t.Fatalf("%d lines, want %d:\n%s", got, want, out.String())
	}
	if got := strings.Fields(lines[0]); !reflect.DeepEqual(got, []string{"CODE", "NAME", "TYPE", "AREA", "LINK"}) {
		t.Errorf("header = %q", lines[0])
	}
	// tabwriter aligns the link column: every row's link starts where the header's LINK does.
	col := strings.Index(lines[0], "LINK")
	for _, l := range lines[1:90] {
		if got := strings.Index(l, "https://"); got != col {
			t.Errorf("link at column %d, want %d: %q", got, col, l)
		}
	}
	if got, want := lines[1], "SETDA"; !strings.HasPrefix(got, want+" ") {
		t.Errorf("first row = %q, want it to start with %s", got, want)
	}
	if !strings.HasSuffix(lines[89], "https://t.me/YOUR_BOT?start=PKM-HARAPANBARU") {
		t.Errorf("last row = %q, want the link of PKM-HARAPANBARU", lines[89])
	}
	if got, want := lines[91], "89 units: 44 perangkat_daerah, 3 rsud, 42 puskesmas"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := lines[92]; !strings.Contains(got, "YOUR_BOT") || !strings.Contains(got, "--bot-username") {
		t.Errorf("footer = %q, want it to explain the placeholder", got)
	}
	if got := lines[93]; !strings.Contains(got, "not signed") {
		t.Errorf("last line = %q, want it to say the links are not signed", got)
	}
}

func TestUnitsTextWithBot(t *testing.T) {
	cfg := bekasi(t)
	var out bytes.Buffer
	if err := runUnits(cfg, append(noSecret(t), "--bot-username", "@BekasiIKMBot"), env(nil), &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.Contains(text, "YOUR_BOT") {
		t.Error("output mentions the placeholder although a bot was given")
	}
	if !strings.Contains(text, "https://t.me/BekasiIKMBot?start=DISDUKCAPIL\n") {
		t.Error("no link for DISDUKCAPIL with the given bot")
	}
	if !strings.Contains(text, "\n89 units: 44 perangkat_daerah, 3 rsud, 42 puskesmas\n") {
		t.Errorf("output lacks the summary:\n%s", text[len(text)-200:])
	}
}

func TestUnitsJSON(t *testing.T) {
	cfg := bekasi(t)
	var out bytes.Buffer
	if err := runUnits(cfg, append(noSecret(t), "--format", "json", "--bot-username", "BekasiIKMBot"), env(nil), &out); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	if len(got) != 89 {
		t.Fatalf("%d units, want 89", len(got))
	}
	for _, u := range got {
		var keys []string
		for k := range u {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"code", "link", "name", "telegram", "type"}
		if _, ok := u["area"]; ok {
			want = []string{"area", "code", "link", "name", "telegram", "type"}
		}
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("keys = %v, want %v", keys, want)
		}
		if u["area"] == "" {
			t.Errorf("%v: empty area is not omitted", u["code"])
		}
	}
	want := map[string]any{
		"code":     "PKM-KRANJI",
		"name":     "Puskesmas Kranji",
		"type":     "puskesmas",
		"area":     "Bekasi Barat",
		"link":     "https://t.me/BekasiIKMBot?start=PKM-KRANJI",
		"telegram": "https://t.me/BekasiIKMBot?start=PKM-KRANJI",
	}
	for _, u := range got {
		if u["code"] == "PKM-KRANJI" && !reflect.DeepEqual(u, want) {
			t.Errorf("PKM-KRANJI = %v, want %v", u, want)
		}
	}
}

func TestUnitsJSONEmpty(t *testing.T) {
	// Scripts expect an array, never null.
	cfg := &config.Config{Catalog: survey.NewCatalog(nil)}
	var out bytes.Buffer
	if err := runUnits(cfg, append(noSecret(t), "-format=json"), env(nil), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "[]\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestUnitsHelp(t *testing.T) {
	var out bytes.Buffer
	if err := runUnits(bekasi(t), []string{"-h"}, env(nil), &out); err != nil {
		t.Fatalf("-h: %v", err)
	}
	if !strings.HasPrefix(out.String(), "usage: ikmbot units") || !strings.Contains(out.String(), "-bot-username") {
		t.Errorf("-h printed:\n%s", out.String())
	}
}

func TestUnitsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--format", "csv"}, `units: --format: unknown format "csv" (want text or json)`},
		{[]string{"--bot-username", "IKMBot!"}, `units: --bot-username: "IKMBot!" is not a Telegram username (5-32 letters, digits or _, starting with a letter)`},
		{[]string{"--bot-username", "BekasiIKM"}, `units: --bot-username: "BekasiIKM" is not a bot username: Telegram bot usernames end in "bot"`},
		{[]string{"--config", "x.yaml"}, `units: flag provided but not defined: -config (see ikmbot units -h)`},
		{[]string{"extra"}, `units: unexpected argument "extra" (see ikmbot units -h)`},
	}
	cfg := bekasi(t)
	for _, tt := range tests {
		var out bytes.Buffer
		err := runUnits(cfg, tt.args, env(nil), &out)
		if err == nil {
			t.Errorf("runUnits(%q) = nil, want an error", tt.args)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("runUnits(%q) error\n got: %s\nwant: %s", tt.args, got, tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("runUnits(%q) wrote %q before failing", tt.args, out.String())
		}
	}
}

func TestCheckBotUsername(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = invalid
	}{
		{"BekasiIKMBot", "BekasiIKMBot"},
		{"@BekasiIKMBot", "BekasiIKMBot"},
		{"ikm_bekasi_bot", "ikm_bekasi_bot"},
		{"abbot", "abbot"}, // 5 characters, the minimum
		{"SKMBOT", "SKMBOT"},
		{"a" + strings.Repeat("x", 28) + "bot", "a" + strings.Repeat("x", 28) + "bot"}, // 32, the maximum
		{"a" + strings.Repeat("x", 29) + "bot", ""},                                    // 33
		{"abot", ""},        // too short
		{"1ikmbot", ""},     // starts with a digit
		{"_ikmbot", ""},     // starts with _
		{"ikm-bot", ""},     // - is not allowed
		{"ikm bot", ""},     // nor space
		{"bekasi_ikm", ""},  // not a bot
		{"BekasiBotX", ""},  // "bot" must be the suffix
		{"@@BekasiBot", ""}, // one @ only
		{"t.me/IkmBot", ""}, // a link, not a name
		{"", ""},
	}
	for _, tt := range tests {
		got, err := checkBotUsername(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("checkBotUsername(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("checkBotUsername(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

// noSecret points units at a database in a fresh directory, where there is
// no secret: the links name only unit codes.
func noSecret(t *testing.T) []string {
	return []string{"--db", filepath.Join(t.TempDir(), "ikmbot.db")}
}

func TestUnitsSignedLinks(t *testing.T) {
	cfg := bekasi(t)
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	secret := "0123456789abcdef-units-test"
	// A database where DISDUKCAPIL's posters were revoked once.
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *store.Tx) error { _, err := tx.RevokePosters("DISDUKCAPIL"); return err }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var out bytes.Buffer
	if err := runUnits(cfg, []string{"--db", db, "--bot-username", "BekasiIKMBot", "--format", "json"}, env(map[string]string{"IKMBOT_SECRET": secret}), &out); err != nil {
		t.Fatal(err)
	}
	var got []unitJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, u := range got {
		link, err := url.Parse(u.Link)
		if err != nil {
			t.Fatal(err)
		}
		p := link.Query().Get("start")
		pl, err := deeplink.VerifyPayload([]byte(secret), p)
		want := 1
		if u.Code == "DISDUKCAPIL" {
			want = 2
		}
		if err != nil || !pl.Signed || pl.Code != u.Code || pl.Version != want {
			t.Errorf("%s: link %s carries %+v, %v; want signed, version %d", u.Code, u.Link, pl, err, want)
		}
	}
	if _, err := os.Stat(db + ".secret"); !errors.Is(err, os.ErrNotExist) {
		t.Error("units created a secret file; it only reads")
	}
}

// TestUnitsPublicURL: with public_url, a unit's link is the public site's
// landing page with the same signed payload, and the JSON keeps the t.me
// link beside it.
func TestUnitsPublicURL(t *testing.T) {
	cfg := bekasi(t)
	cfg.PublicURL = "https://ikm.bekasikota.go.id"
	secret := "0123456789abcdef-units-test"
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	if err := runUnits(cfg, []string{"--db", db, "--bot-username", "BekasiIKMBot", "--format", "json"}, env(map[string]string{"IKMBOT_SECRET": secret}), &out); err != nil {
		t.Fatal(err)
	}
	var got []unitJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, u := range got {
		payload := deeplink.SignPayload([]byte(secret), u.Code, 1)
		if u.Link != "https://ikm.bekasikota.go.id/s/"+payload || u.Telegram != "https://t.me/BekasiIKMBot?start="+payload {
			t.Errorf("%s: link %q, telegram %q", u.Code, u.Link, u.Telegram)
		}
	}
}

func TestPayloadsFitTelegram(t *testing.T) {
	// Telegram accepts start parameters of at most 64 characters of
	// [A-Za-z0-9_-]; the longest configured code, at the highest poster
	// version, must fit.
	signer := linkSigner{secret: []byte("0123456789abcdef"), versions: map[string]int{}}
	for _, u := range bekasi(t).Catalog.Units() {
		signer.versions[u.Code] = store.MaxPosterVersion
		p := signer.payload(u)
		if len(p) > deeplink.MaxPayloadLen || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
			t.Errorf("payload %q of %s is not a valid start parameter", p, u.Code)
		}
		link, err := url.Parse(signer.link("BekasiIKMBot", u))
		if err != nil {
			t.Fatal(err)
		}
		if got := link.Query().Get("start"); got != p {
			t.Errorf("link %s carries start=%q, want %q", link, got, p)
		}
	}
	if got, want := (linkSigner{}).link("BekasiIKMBot", survey.Unit{Code: "DISDUKCAPIL"}), "https://t.me/BekasiIKMBot?start=DISDUKCAPIL"; got != want {
		t.Errorf("unsigned link = %q, want %q", got, want)
	}
}
