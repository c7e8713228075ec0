package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOpsBackupCheckRestore runs the bot with its ops listener, reads
// health and metrics, takes a hot backup while the bot holds the file,
// checks it, and restores it after the bot stopped.
func TestOpsBackupCheckRestore(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	tctx := testContext(t)
	var logs lockedBuffer
	done := make(chan error, 1)
	running, ended := context.WithCancel(tctx)
	go func() {
		// Port 0, and the port from the log: a port found free beforehand
		// may be taken by the time the bot listens.
		err := run(ctx, []string{"serve", "--db", db, "--api-url", srv.URL(), "--poll-timeout", "1s", "--ops", "127.0.0.1:0", "--log-level", "debug"},
			env(map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token}), nil, io.Discard, &logs)
		ended()
		done <- err
	}()
	ops := logs.waitFor(running, t, regexp.MustCompile(`msg="ops listening" addr=(127\.0\.0\.1:\d+)`))
	u := srv.User(5001, "Ani", "id")
	upd := u.Send("/start PKM-KRANJI")
	logs.waitHandled(tctx, t, upd.ID)

	if code, body := get(t, "http://"+ops+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, body := get(t, "http://"+ops+"/readyz"); code != 200 {
		t.Errorf("/readyz while polling: %d %s", code, body)
	}
	code, metrics := get(t, "http://"+ops+"/metrics")
	for _, want := range []string{`ikmbot_updates_handled_total{kind="command",result="ok"} 1`, "ikmbot_surveys_started_total 1", "ikmbot_update_handle_seconds_bucket", "process_resident_memory_bytes"} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	backup := filepath.Join(dir, "copy.db")
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--db", db, "--out", backup, "--ops", ops}, env(nil), nil, io.Discard, &stderr); err != nil {
		t.Fatalf("hot backup: %v", err)
	}
	if !strings.Contains(stderr.String(), "from the running bot") {
		t.Errorf("backup summary %q, want it to say it came from the running bot", stderr.String())
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "--db", backup}, env(nil), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "consistent") {
		t.Errorf("check of the backup: %v, %q", err, out.String())
	}
	if err := run(context.Background(), []string{"restore", "--from", backup, "--db", db}, env(nil), nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "stop the bot first") {
		t.Errorf("restore while the bot runs: %v, want a refusal", err)
	}

	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if err := run(context.Background(), []string{"restore", "--from", backup, "--db", db}, env(nil), nil, io.Discard, &stderr); err != nil {
		t.Fatalf("restore: %v", err)
	}
	matches, _ := filepath.Glob(db + ".before-restore-*")
	if len(matches) != 1 || !strings.Contains(stderr.String(), "kept as") {
		t.Errorf("restore kept %v aside (%q), want the previous database kept", matches, stderr.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"check", "--db", db}, env(nil), nil, &out, io.Discard); err != nil {
		t.Errorf("check after restore: %v %s", err, out.String())
	}
}

func TestCheckRejectsGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(p, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	if err := run(context.Background(), []string{"check", "--db", p}, env(nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("check accepted a file that is not a database")
	}
	if err := run(context.Background(), []string{"restore", "--from", p, "--db", filepath.Join(t.TempDir(), "x.db")}, env(nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("restore accepted a backup that is not a database")
	}
}
