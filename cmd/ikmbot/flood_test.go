package main

import (
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// TestServeAtTelegramsFloodLimits runs "ikmbot serve" with its default
// pacing against a fake that refuses, as Telegram does, sends and edits
// beyond about 30 a second overall and one a second in a chat, and takes a
// network round trip for every call. Thirty respondents answer at once, as
// fast as the replies come (faster than anyone reads), so that both limits
// bind. Every survey must complete and be stored once, and Telegram must
// refuse next to nothing: a 429 makes the whole sender wait and slow down,
// and no refused call is retried on its own. How fast this goes is for
// the load tool (ikmload crowd), not for this test.
func TestServeAtTelegramsFloodLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("a crowd held to Telegram's pace takes about twenty seconds; skipped with -short")
	}
	const (
		seed   = 30
		users  = 30
		secret = "flood-test-secret-0123456789"
	)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.NewServer(telegramtest.WithReporter(t),
		telegramtest.WithFloodLimits(telegramtest.TelegramLimits), telegramtest.WithRoundTrip(20*time.Millisecond))
	defer srv.Close()
	// Serve's defaults but for the test's plumbing: pacing and the
	// per-person cap as a city runs them.
	bot := startSimServe(t, srv, secret, "--poll-timeout", "1s", "--ops", "", "--log-level", "debug")
	crowd := newSimCrowd(t, srv, cfg, seed, users, []string{"DISDUKCAPIL", "PKM-KRANJI", "RSUD-CAM", "DPMPTSP"}, bot.logs.isHandled)
	crowd.botUp()
	tctx := testContext(t)
	began := time.Now()
	if err := crowd.run(tctx); err != nil {
		t.Fatalf("%v\n\nlast bot logs:\n%s", err, tail(bot.logs.String(), 6000))
	}
	took := time.Since(began)
	bot.stop(tctx)
	checkStored(t, bot.db, cfg, secret, crowd.users)
	crowd.reportKnownBugs()

	limited := 0
	for _, c := range srv.Calls() {
		switch c.Method {
		case "sendMessage", "editMessageText", "editMessageReplyMarkup":
			if c.ErrorCode != 429 {
				limited++
			}
		}
	}
	// A storm is hundreds: every refused call retried at once by each of
	// thirty chats, each retry refused again. On a quiet machine this run
	// gets 0 to 2; a loaded one (the race detector, other jobs) slows the
	// sender's clock against the fake's and has seen 11. The issue's
	// target of at most 10 is measured by ikmload crowd (BENCHMARKS.md);
	// this bound only tells a storm from a few.
	if refused := srv.FloodRefused(); refused > 30 {
		t.Errorf("Telegram refused %d calls with 429 (of %d sends and edits it took), want at most 30", refused, limited)
	}
	t.Logf("%d respondents, %d answers acknowledged, %d sends and edits, %d refused with 429; played in %v, slowest reply %v",
		users, crowd.acks.Load(), limited, srv.FloodRefused(), took.Round(time.Millisecond), crowd.slowest())
}
