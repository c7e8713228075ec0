package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/poster/postertest"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

const qrTestSecret = "0123456789abcdef-qr-test-secret"

func TestQRAllUnits(t *testing.T) {
	cfg := bekasi(t)
	if raceEnabled {
		// Every eighth unit, the revoked one and the longest code: the
		// same paths, an eighth of the drawing.
		var some []survey.Unit
		for i, u := range cfg.Catalog.Units() {
			if i%8 == 0 || u.Code == "PKM-KRANJI" || u.Code == "PKM-HARAPANBARU" {
				some = append(some, u)
			}
		}
		cfg.Catalog = survey.NewCatalog(some)
	}
	n := cfg.Catalog.Len()
	dir := t.TempDir()
	out := filepath.Join(dir, "poster")
	db := filepath.Join(dir, "ikmbot.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *store.Tx) error { _, err := tx.RevokePosters("PKM-KRANJI"); return err }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var stdout, stderr bytes.Buffer
	err = runQR(cfg, []string{"--bot-username", "@BekasiIKMBot", "--out", out, "--db", db, "--period", "2026"},
		env(map[string]string{"IKMBOT_SECRET": qrTestSecret}), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d units: QR code (PNG) and A4 poster (PDF) in %s, and %s with all %d posters for printing; links to @BekasiIKMBot, period 2026\n", n, out, printShopPDF, n); stdout.String() != want {
		t.Errorf("summary\n got %q\nwant %q", stdout.String(), want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet got %q", stderr.String())
	}
	for _, u := range cfg.Catalog.Units() {
		version := 1
		if u.Code == "PKM-KRANJI" {
			version = 2
		}
		want := "https://t.me/BekasiIKMBot?start=" + deeplink.SignPayload([]byte(qrTestSecret), u.Code, version)
		for _, width := range []int{0, 200} {
			got, err := postertest.DecodeFile(t, filepath.Join(out, u.Code+".png"), width)
			if err != nil || got != want {
				t.Errorf("%s.png (width %d) decodes to %q, %v; want %q", u.Code, width, got, err, want)
			}
		}
		pdf, err := os.ReadFile(filepath.Join(out, u.Code+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		if n := postertest.PDFPages(pdf); n != 1 {
			t.Errorf("%s.pdf has %d pages, want 1", u.Code, n)
		}
	}
	all, err := os.ReadFile(filepath.Join(out, printShopPDF))
	if err != nil {
		t.Fatal(err)
	}
	if got := postertest.PDFPages(all); got != n {
		t.Errorf("%s has %d pages, want %d", printShopPDF, got, n)
	}
	if !bytes.Contains(all, []byte("/MediaBox [ 0 0 595.00 842.00 ]")) {
		t.Errorf("%s is not A4", printShopPDF)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2*n+1 {
		t.Errorf("%d files in the output directory, want %d", len(entries), 2*n+1)
	}
	if _, err := os.Stat(db + ".secret"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a secret file was created although IKMBOT_SECRET was set")
	}

	// The print shop's file, page by page, in the text layer.
	pdftotext := postertest.Tool(t, "pdftotext")
	text, err := exec.Command(pdftotext, filepath.Join(out, printShopPDF), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(string(text), "\f")
	for i, u := range cfg.Catalog.Units() {
		page := strings.Join(strings.Fields(pages[i]), " ")
		for _, want := range []string{u.Name, "https://t.me/BekasiIKMBot?start=" + u.Code + "-v", "Periode survei: 2026", "Bagaimana pelayanan kami hari ini?"} {
			if !strings.Contains(page, want) {
				t.Errorf("page %d (%s) lacks %q", i+1, u.Code, want)
			}
		}
	}
}

// TestQRSecretAsServe checks that qr finds, or makes, the secret where
// serve does, and leaves a missing database missing.
func TestQRSecretAsServe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	out := filepath.Join(dir, "out")
	args := []string{"qr", "--bot-username", "BekasiIKMBot", "--out", out, "--db", db, "--unit", "pkm-kranji", "--period", "2026-S1"}
	var stdout bytes.Buffer
	if err := run(context.Background(), args, env(nil), nil, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(db + ".secret")
	if err != nil {
		t.Fatalf("no secret file beside the database: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Error("qr created the database; it only reads poster versions")
	}
	secret, err := loadSecret("", "", db)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://t.me/BekasiIKMBot?start=" + deeplink.SignPayload(secret, "PKM-KRANJI", 1)
	if got, err := postertest.DecodeFile(t, filepath.Join(out, "PKM-KRANJI.png"), 0); err != nil || got != want {
		t.Errorf("PKM-KRANJI.png decodes to %q, %v; want %q", got, err, want)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("--unit wrote %d files, want 2", len(entries))
	}
	if !strings.HasPrefix(stdout.String(), "1 unit: ") || !strings.Contains(stdout.String(), "period 2026-S1") {
		t.Errorf("summary %q", stdout.String())
	}
	// The same secret a second time, and the same files.
	before, _ := os.ReadFile(filepath.Join(out, "PKM-KRANJI.pdf"))
	if err := run(context.Background(), args, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(out, "PKM-KRANJI.pdf"))
	if !bytes.Equal(before, after) {
		t.Error("a second run drew a different poster")
	}
}

// TestQRPublicURL: with public_url, the QR code and the printed link are
// the public site's landing page, with the same signed payload.
func TestQRPublicURL(t *testing.T) {
	cfg := bekasi(t)
	cfg.PublicURL = "https://ikm.bekasikota.go.id"
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	err := runQR(cfg, []string{"--bot-username", "BekasiIKMBot", "--out", out, "--db", filepath.Join(dir, "ikmbot.db"), "--unit", "PKM-KRANJI"},
		env(map[string]string{"IKMBOT_SECRET": qrTestSecret}), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://ikm.bekasikota.go.id/s/" + deeplink.SignPayload([]byte(qrTestSecret), "PKM-KRANJI", 1)
	for _, width := range []int{0, 200} {
		if got, err := postertest.DecodeFile(t, filepath.Join(out, "PKM-KRANJI.png"), width); err != nil || got != want {
			t.Errorf("PKM-KRANJI.png (width %d) decodes to %q, %v; want %q", width, got, err, want)
		}
	}
	pdftotext := postertest.Tool(t, "pdftotext")
	text, err := exec.Command(pdftotext, filepath.Join(out, "PKM-KRANJI.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(text)), " "), want) {
		t.Errorf("the poster does not print %s:\n%s", want, text)
	}
}

func TestQRErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--out", dir}, "qr: --bot-username and --out are required (see ikmbot qr -h)"},
		{[]string{"--bot-username", "BekasiIKMBot"}, "qr: --bot-username and --out are required (see ikmbot qr -h)"},
		{[]string{"--bot-username", "Bekasi", "--out", dir}, `qr: --bot-username: "Bekasi" is not a bot username: Telegram bot usernames end in "bot"`},
		{[]string{"--bot-username", "BekasiIKMBot", "--out", dir, "--unit", "DISDUKCAPL"}, `qr: --unit: unknown unit code "DISDUKCAPL" (did you mean DISDUKCAPIL?); ikmbot units lists the 89 configured codes`},
		{[]string{"--bot-username", "BekasiIKMBot", "--out", dir, "--period", "kemarin"}, "qr: --period: "},
		{[]string{"--bot-username", "BekasiIKMBot", "--out", dir, "extra"}, `qr: unexpected argument "extra" (see ikmbot qr -h)`},
	}
	for _, tt := range tests {
		err := run(context.Background(), append([]string{"qr", "--db", db}, tt.args...), env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("qr %q: %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat(db + ".secret"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a mistyped command created the secret file")
	}

	// The running bot holds the database: qr says what to do.
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = run(context.Background(), []string{"qr", "--db", db, "--bot-username", "BekasiIKMBot", "--out", filepath.Join(dir, "out")},
		env(map[string]string{"IKMBOT_SECRET": qrTestSecret}), nil, io.Discard, io.Discard)
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "/qr CODE") {
		t.Errorf("qr beside the bot: %v, want the locked-file advice", err)
	}
}

func TestQRHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"qr", "-h"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "usage: ikmbot qr") || !strings.Contains(out.String(), printShopPDF) {
		t.Errorf("-h printed:\n%s", out.String())
	}
}
