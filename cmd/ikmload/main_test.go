package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

func runJSON(t *testing.T, args ...string) (loadReport, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errs bytes.Buffer
	if err := run(ctx, args, &out, &errs); err != nil {
		t.Fatalf("ikmload %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errs.String())
	}
	var rep loadReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	return rep, errs.String()
}

// TestRun is a small run of the real bot and the echo bot: every survey is
// completed and stored once, and the aggregates match the responses.
func TestRun(t *testing.T) {
	const surveys = 40
	rep, stderr := runJSON(t, "run", "--users", "20", "--surveys", "40", "--echo", "--json", "--db", filepath.Join(t.TempDir(), "load.db"))
	perSurvey := int64(len(survey.Steps) + 1) // /start, then one action per question
	for _, r := range []runResult{rep.Ikmbot, *rep.Echo} {
		if r.Surveys != surveys || r.Updates != surveys*perSurvey {
			t.Errorf("%s: %d surveys in %d updates, want %d in %d", r.Bot, r.Surveys, r.Updates, surveys, surveys*perSurvey)
		}
		if r.Handler == nil || r.Reply == nil || r.Handler.Count != r.Updates || r.Reply.Count != r.Updates {
			t.Errorf("%s: latencies missing or miscounted: handler %+v, reply %+v", r.Bot, r.Handler, r.Reply)
		}
	}
	if v := rep.Verify; v == nil || !v.OK || v.Added != surveys || v.Responses != surveys {
		t.Errorf("verification: %+v", rep.Verify)
	}
	if rep.Ratio == nil || rep.Ratio.Wall <= 0 {
		t.Errorf("no ratio: %+v", rep.Ratio)
	}
	if rep.Ikmbot.Commits == 0 || rep.Ikmbot.DBBytes == 0 {
		t.Errorf("commits %d, database %d bytes", rep.Ikmbot.Commits, rep.Ikmbot.DBBytes)
	}
	if !strings.Contains(stderr, "verify ok") {
		t.Errorf("no summary line on stderr:\n%s", stderr)
	}
}

// TestRunThinkingAndWorkers runs people who pause before each action, with
// two updates handled at once: every survey still completes, the pauses
// take time, and the report says how it ran.
func TestRunThinkingAndWorkers(t *testing.T) {
	start := time.Now()
	rep, _ := runJSON(t, "run", "--users", "4", "--surveys", "4", "--think", "20ms", "--workers", "2", "--json")
	// One survey per person: 16 actions, each after a pause of at least 10 ms.
	if took := time.Since(start); took < 16*10*time.Millisecond {
		t.Errorf("run took %v: the pauses were not made", took)
	}
	if rep.ThinkMS != 20 || rep.Workers != 2 {
		t.Errorf("report: think %v ms, workers %d; want 20 and 2", rep.ThinkMS, rep.Workers)
	}
	if v := rep.Verify; v == nil || !v.OK || rep.Ikmbot.Surveys != 4 {
		t.Errorf("surveys %d, verification %+v", rep.Ikmbot.Surveys, rep.Verify)
	}
}

// TestRunPlain runs the plain echo bot, on go-telegram/bot's own polling
// loop, beside ikmbot: it answers every action, and the ratio is reported.
func TestRunPlain(t *testing.T) {
	for _, client := range []string{"ours", "library"} {
		rep, stderr := runJSON(t, "run", "--users", "10", "--surveys", "20", "--plain", "--plain-client", client, "--json")
		perSurvey := int64(len(survey.Steps) + 1)
		if p := rep.Plain; p == nil || p.Surveys != 20 || p.Updates != 20*perSurvey || p.Reply == nil {
			t.Errorf("%s client: plain echo bot: %+v", client, rep.Plain)
		}
		if rep.PlainRatio == nil || rep.PlainRatio.Wall <= 0 || !strings.Contains(stderr, "the plain echo bot") {
			t.Errorf("%s client: no ratio to the plain echo bot: %+v\n%s", client, rep.PlainRatio, stderr)
		}
	}
}

// TestCrowd runs a small crowd against the fake with Telegram's limits and
// a round trip: people arrive, double-tap half the time, and are all
// thanked; the report counts what they did and what the fake refused, and
// the database holds each survey once. (The bot's pacing under the limits
// is cmd/ikmbot's TestServeAtTelegramsFloodLimits; here the chat pace is
// off to keep the test short, and the fake's chat limit with it.)
func TestCrowd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errs bytes.Buffer
	args := []string{"crowd", "--people", "6", "--arrive", "500ms", "--read", "20ms-60ms", "--double", "0.5", "--retap", "3s",
		"--round-trip", "20ms", "--limit-burst", "5", "--chat-burst", "100", "--serve-args", "--chat-rate 0", "--runs", "2", "--json"}
	if err := run(ctx, args, &out, &errs); err != nil {
		t.Fatalf("ikmload %s: %v\n%s", strings.Join(args, " "), err, errs.String())
	}
	var rep crowdReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Runs) != 2 || rep.Median == nil || rep.Median.Thanked != 6 {
		t.Fatalf("runs %d, median %+v; want 2 runs, all 6 thanked", len(rep.Runs), rep.Median)
	}
	for i, r := range rep.Runs {
		if r.Thanked != 6 || r.GaveUp != 0 || r.Stuck != 0 || len(r.Problems) > 0 {
			t.Errorf("run %d: thanked %d, gave up %d, stuck %d, problems %q", i, r.Thanked, r.GaveUp, r.Stuck, r.Problems)
		}
		if r.Doubles == 0 || r.Updates < r.Actions+r.Doubles {
			t.Errorf("run %d: %d updates, %d actions answered, %d double taps; want double taps counted", i, r.Updates, r.Actions, r.Doubles)
		}
		if r.Reply == nil || r.Reply.Count != r.Actions || r.Reply.P50 < 20 {
			t.Errorf("run %d: reply latency %+v for %d actions; want one each, no shorter than the round trip", i, r.Reply, r.Actions)
		}
		if c := r.Calls["editMessageText"]; c == nil || c.Calls == 0 || r.Limited == 0 {
			t.Errorf("run %d: calls %v, %d sends and edits", i, r.Calls, r.Limited)
		}
		if v := r.Verify; v == nil || !v.OK || v.Added != 6 {
			t.Errorf("run %d: verification %+v", i, r.Verify)
		}
	}
	if !strings.Contains(errs.String(), "thanked 6") {
		t.Errorf("no summary line on stderr:\n%s", errs.String())
	}
}

// TestSeedThenRun seeds a database, then runs on it: the run checks only
// what it added, and the aggregates still match all the responses.
func TestSeedThenRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "seeded.db")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"seed", "--db", db, "--responses", "3000", "--from", "2025-11-01", "--to", "2026-02-28", "--nosync"}, &out, &errs)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, errs.String())
	}
	if !strings.HasPrefix(out.String(), "seeded 3000 responses") {
		t.Errorf("seed summary: %q", out.String())
	}
	rep, _ := runJSON(t, "run", "--users", "10", "--surveys", "10", "--json", "--db", db)
	if v := rep.Verify; v == nil || !v.OK || v.Added != 10 || v.Responses != 3010 {
		t.Errorf("verification: %+v", rep.Verify)
	}
}

func TestLatencyQuantiles(t *testing.T) {
	var h latency
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.quantile(c.q)
		if d := got - c.want; d < -c.want/25 || d > c.want/25 {
			t.Errorf("quantile(%v) = %v, want %v within 4%%", c.q, got, c.want)
		}
	}
	for _, v := range []uint64{0, 1, 31, 32, 33, 63, 64, 1000, 1 << 40, 1<<63 + 12345} {
		i := bucketOf(v)
		if lo, next := bucketMid(i), bucketMid(i+1); v+v/32+1 < lo || (i+1 < len(h.counts) && next <= v) {
			t.Errorf("value %d: bucket %d, middle %d, next bucket's middle %d", v, i, lo, next)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"run", "--users", "0"},
		{"run", "--mode", "docker"},
		{"run", "--nosync", "--mode", "binary"},
		{"run", "--plain-client", "mine"},
		{"crowd", "--read", "2s-1s"},
		{"crowd", "--people", "0"},
		{"crowd", "--serve-args", "--workers 3"},
		{"seed"},
		{"seed", "--db", "x.db", "--from", "2026-02-01", "--to", "2026-01-01"},
	} {
		var out, errs bytes.Buffer
		err := run(context.Background(), args, &out, &errs)
		if _, ok := err.(usageError); !ok {
			t.Errorf("ikmload %q: got %v, want a usage error", args, err)
		}
	}
}

// TestCrowdWithWebLoad runs a small crowd from a seeded database while the
// public site, served from the bot's store, gets page requests: the crowd
// is thanked and verified (only what it added), and the pages answered.
func TestCrowdWithWebLoad(t *testing.T) {
	db := filepath.Join(t.TempDir(), "seeded.db")
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--db", db, "--responses", "2000", "--from", "2026-01-01", "--to", "2026-06-30", "--nosync"}, &out, &errs); err != nil {
		t.Fatalf("seed: %v\n%s", err, errs.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out.Reset()
	errs.Reset()
	args := []string{"crowd", "--people", "6", "--arrive", "1s", "--read", "10ms-20ms", "--round-trip", "5ms", "--web-rate", "40", "--from-db", db, "--json"}
	if err := run(ctx, args, &out, &errs); err != nil {
		t.Fatalf("crowd: %v\n%s", err, errs.String())
	}
	var rep crowdReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	r := rep.Runs[0]
	if r.Thanked != 6 || r.Verify == nil || !r.Verify.OK || r.Verify.Added != 6 {
		t.Errorf("crowd: thanked %d, verification %+v", r.Thanked, r.Verify)
	}
	if w := r.Web; w == nil || w.Requests < 10 || w.Errors != 0 || w.City == nil || w.Latency == nil {
		t.Errorf("web load: %+v", r.Web)
	}
}
