package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// TestServeSurvivesKill9 builds the real binary, runs "ikmbot serve" as a
// child process against the fake Bot API over loopback HTTP, lets 40
// simulated respondents at four units take the survey at once, and kills
// the process with SIGKILL five times at seeded moments, restarting it on
// the same database each time. Updates pushed while it is down wait in the
// fake, as they wait at Telegram. Every respondent must get through without
// starting over or getting stuck, and the database must hold each survey
// exactly once, with the answers the bot acknowledged and aggregates that
// equal a recomputation from the raw responses.
func TestServeSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly; skipped with -short")
	}
	const (
		seed  = 20240605
		users = 40
		kills = 5
	)
	bin := buildIkmbot(t)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cut := &killReporter{t: t}
	srv := telegramtest.NewServer(telegramtest.WithReporter(cut))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "ikmbot.db")
	const secret = "crash-test-secret-0123456789"

	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()

	// No Bot API call fails in this test, so an update the bot logged as
	// handled already shows its reply: a respondent who still sees no reply
	// then is stuck (newSimCrowd's settle).
	var logs lockedBuffer
	crowd := newSimCrowd(t, srv, cfg, seed, users, []string{"DISDUKCAPIL", "PKM-KRANJI", "RSUD-CAM", "DPMPTSP"}, logs.isHandled)

	p := &botProcess{
		bin:  bin,
		args: append([]string{"serve", "--db", db, "--api-url", srv.URL()}, simServeFlags...),
		env:  append(withoutEnv(os.Environ(), "TELEGRAM_BOT_TOKEN", "IKMBOT_SECRET"), "TELEGRAM_BOT_TOKEN="+telegramtest.Token, "IKMBOT_SECRET="+secret),
		logs: &logs,
	}
	defer p.stop()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\n\nlast bot logs:\n%s", append(args, tail(logs.String(), 6000))...)
	}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	crowd.botUp()
	began := time.Now()

	crowdDone := make(chan error, 1)
	var playing sync.WaitGroup
	playing.Go(func() { crowdDone <- crowd.run(ctx) })
	defer func() {
		cancel()
		playing.Wait()
	}()

	// Kill at seeded points of the run, measured in answers acknowledged
	// rather than in wall time, so that every kill lands while respondents
	// are busy however fast or slow the machine is. Each respondent makes
	// at least 16 acknowledged steps (/start and 15 questions).
	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))
	minAcks := users * (1 + len(survey.Steps))
	var at []int64
	for range kills {
		at = append(at, int64(float64(minAcks)*(0.05+0.8*rng.Float64())))
	}
	slices.Sort(at)
	killed := 0
	var crowdErr error
	finished := false
supervise:
	for _, n := range at {
		for crowd.acks.Load() < n {
			select {
			case crowdErr = <-crowdDone:
				finished = true
				break supervise
			case <-p.exited:
				fail("ikmbot exited on its own: %v", p.err)
			case <-time.After(2 * time.Millisecond):
			}
		}
		time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
		if err := p.kill(); err != nil {
			fail("kill -9: %v", err)
		}
		killed++
		logs.Write(fmt.Appendf(nil, "--- test: SIGKILL %d after %d answers ---\n", killed, crowd.acks.Load()))
		// Down for a moment: respondents keep tapping, and their updates
		// wait in the fake until the bot is back.
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		if err := p.start(); err != nil {
			t.Fatal(err)
		}
		crowd.botUp()
	}
	if !finished {
		select {
		case crowdErr = <-crowdDone:
		case <-p.exited:
			fail("ikmbot exited on its own: %v", p.err)
		}
	}
	if crowdErr != nil {
		fail("%v", crowdErr)
	}
	if killed != kills {
		t.Errorf("the bot was killed %d times, want %d: the respondents finished first", killed, kills)
	}

	// A clean stop: SIGTERM, then the file must be closed and consistent.
	if err := p.terminate(ctx); err != nil {
		fail("SIGTERM: %v", err)
	}
	if strings.Contains(logs.String(), telegramtest.Token) {
		t.Error("the bot token appears in the logs")
	}
	checkStored(t, db, cfg, secret, crowd.users)
	// A question sent just before a kill, whose message id the bot had not
	// yet recorded, is sent again after the restart; the first copy keeps
	// its buttons (pressing one only shows "already recorded").
	for _, l := range liveKeyboards(srv, crowd.users) {
		crowd.knownBug("leftover live keyboard after a kill: %s", l)
	}
	crowd.reportKnownBugs()
	// Updates a kill left in the inbox, handed over at the next start.
	kept, starts := 0, 0
	for _, m := range regexp.MustCompile(`msg="handling updates kept from before" updates=(\d+)`).FindAllStringSubmatch(logs.String(), -1) {
		n, _ := strconv.Atoi(m[1])
		kept += n
		starts++
	}
	t.Logf("%d respondents, %d answers acknowledged, %d kills, %d Bot API calls, %d requests cut short by a kill, %d updates taken from the inbox at %d starts; played in %v, slowest reply %v",
		users, crowd.acks.Load(), killed, srv.LastSeq(), cut.cut.Load(), kept, starts, time.Since(began).Round(time.Millisecond), crowd.slowest())
}

// killReporter passes the fake's complaints on to t, except one that a
// kill -9 causes: the bot streams request bodies, so a request in flight
// when it dies arrives truncated.
type killReporter struct {
	t   *testing.T
	cut atomic.Int64
}

func (r *killReporter) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, "cannot parse request") && strings.Contains(msg, "unexpected EOF") {
		r.cut.Add(1)
		return
	}
	r.t.Errorf("%s", msg)
}

// knownBugsFail makes the bugs these tests once found (a leftover live
// keyboard after a kill; all fixed) fail the tests. IKMBOT_KNOWN_BUGS=log
// only logs them, for investigating a regression while the rest of what the
// tests prove keeps guarding.
var knownBugsFail = os.Getenv("IKMBOT_KNOWN_BUGS") != "log"

func knownBug(t testing.TB, format string, args ...any) {
	t.Helper()
	if knownBugsFail {
		t.Errorf("known bug: "+format, args...)
		return
	}
	t.Logf("KNOWN BUG (logged because IKMBOT_KNOWN_BUGS=log): "+format, args...)
}

// simServeFlags are the serve flags for simulated respondents: no ops
// listener, short long polls, no pacing or per-person cap, which
// respondents who answer fifteen questions in two seconds would trip, and
// a debug line for every update handled (lockedBuffer.isHandled).
var simServeFlags = []string{"--poll-timeout", "1s", "--ops", "", "--send-rate", "0", "--chat-rate", "0", "--user-rate", "0", "--log-level", "debug"}

// buildIkmbot builds the command into a temporary directory, without -race
// even when the tests run with it: the child is the thing under test, and
// killing it does not need the detector.
func buildIkmbot(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "ikmbot")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	began := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(began).Round(time.Millisecond))
	return bin
}

// botProcess is one "ikmbot serve" child, started again after each kill.
type botProcess struct {
	bin  string
	args []string
	env  []string
	logs *lockedBuffer

	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
	err    error         // cmd.Wait's result, set before exited closes
	runs   int
}

func (p *botProcess) start() error {
	p.runs++
	p.logs.Write(fmt.Appendf(nil, "--- test: start %d ---\n", p.runs))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start ikmbot: %w", err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func(exited chan struct{}) {
		p.err = cmd.Wait()
		close(exited)
	}(p.exited)
	return nil
}

// kill sends SIGKILL and waits until the process is gone, so that the
// kernel has released its lock on the database before the next start.
func (p *botProcess) kill() error {
	select {
	case <-p.exited:
		return fmt.Errorf("ikmbot had already exited: %v", p.err)
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil {
		return err
	}
	<-p.exited
	return nil
}

// terminate stops the process as an operator would and wants exit status 0
// before ctx ends.
func (p *botProcess) terminate(ctx context.Context) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.exited:
		return p.err
	case <-ctx.Done():
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("ikmbot did not stop after SIGTERM: %w", ctx.Err())
	}
}

// stop kills a process still running when the test ends early.
func (p *botProcess) stop() {
	if p.cmd == nil {
		return
	}
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func withoutEnv(environ []string, names ...string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(names, name)
	})
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// simView is what a simulated respondent sees: whether the thank-you is
// there, and the question on the newest message with live buttons.
type simView struct {
	done  bool
	sid   string // session id in the question's buttons; "" when no question shows
	step  int    // step of those buttons; -1 when no question shows
	msgID int
	kb    [][]telegramtest.Button

	resume telegramtest.Button // "continue the survey" on the newest keyboard, if there
}

func (v simView) String() string {
	switch {
	case v.done:
		return "the thank-you"
	case v.sid == "":
		return "no question"
	}
	return fmt.Sprintf("session %s step %d (%s) on #%d", v.sid, v.step, survey.Steps[v.step].Name, v.msgID)
}

// thanksMarkers start the thank-you message in each language.
var thanksMarkers = []string{"Terima kasih! 🙏", "Thank you! 🙏"}

// readView reads the chat from one snapshot, as LastKeyboardMessage would
// see it: the newest message that has an inline keyboard.
func readView(srv *telegramtest.Server, chatID int64) simView {
	v := simView{step: -1}
	msgs := srv.Chat(chatID)
	for _, m := range msgs {
		for _, mark := range thanksMarkers {
			if m.FromBot && strings.HasPrefix(m.Text, mark) {
				v.done = true
			}
		}
	}
	for _, m := range slices.Backward(msgs) {
		if len(m.Keyboard) == 0 {
			continue
		}
		v.msgID, v.kb = m.ID, m.Keyboard
		for _, row := range m.Keyboard {
			for _, b := range row {
				if _, sid, step, ok := parseStepButton(b.Data); ok {
					v.sid, v.step = sid, step
				}
				if strings.HasPrefix(b.Data, "c:") {
					v.resume = b
				}
			}
		}
		break
	}
	return v
}

// parseStepButton reads the session and step from a question's button
// ("a:<sid>:<step>:<choice>", "k:<sid>:<step>", "b:<sid>:<step>").
func parseStepButton(data string) (op, sid string, step int, ok bool) {
	parts := strings.Split(data, ":")
	if len(parts) < 3 || (parts[0] != "a" && parts[0] != "k" && parts[0] != "b") {
		return "", "", 0, false
	}
	step, err := strconv.Atoi(parts[2])
	if err != nil || step < 0 || step >= len(survey.Steps) {
		return "", "", 0, false
	}
	return parts[0], parts[1], step, true
}

// simAction is one thing a respondent does, and what they expect to see
// after it: the question at step want, or the thank-you when want is
// len(survey.Steps).
type simAction struct {
	desc  string
	text  string // typed text; "" for a tap
	msgID int    // tapped message
	label string // tapped button
	want  int
	apply func(*simUser) // the answer's effect, once the bot acknowledged it
}

// simUser is a simulated respondent and what they know: the answers the
// bot acknowledged, i.e. answers after which the next question appeared.
type simUser struct {
	id    int64
	lang  string
	unit  survey.Unit
	user  *telegramtest.User
	rng   *rand.Rand // decisions only: the same seed plays the same script
	pause *rand.Rand // think time, apart so that timing cannot change the script
	backs int        // "back" taps left

	sid        string
	step       int
	profile    survey.Profile
	scores     survey.Scores
	suggestion string
	done       bool
	nudges     int      // things done again, or /start, because a reply never came
	log        []string // what they did and saw
}

func (u *simUser) logf(format string, args ...any) {
	u.log = append(u.log, fmt.Sprintf(format, args...))
}

// simSuggestions are typed at the last step.
var simSuggestions = []string{
	"Antrean terlalu lama, mohon ditambah loket.",
	"Petugas ramah dan cepat.",
	"Ruang tunggu panas, mohon AC diperbaiki.",
	"Parkir sempit & tidak teratur <3",
}

// decide picks the next action for the question in v.
func (u *simUser) decide(v simView) (simAction, error) {
	st := survey.Steps[v.step]
	var answers []telegramtest.Button
	var skip, back *telegramtest.Button
	for _, row := range v.kb {
		for _, b := range row {
			op, _, _, ok := parseStepButton(b.Data)
			switch {
			case !ok:
			case op == "a":
				answers = append(answers, b)
			case op == "k":
				skip = &b
			case op == "b":
				back = &b
			}
		}
	}
	choices := st.Choices(u.unit)
	if len(answers) != len(choices) {
		return simAction{}, fmt.Errorf("step %d (%s) shows %d answer buttons, want %d", v.step, st.Name, len(answers), len(choices))
	}
	tap := func(b telegramtest.Button, want int, apply func(*simUser)) simAction {
		return simAction{desc: fmt.Sprintf("tap %q on #%d", b.Text, v.msgID), msgID: v.msgID, label: b.Text, want: want, apply: apply}
	}
	next := v.step + 1
	if back != nil && u.backs > 0 && u.rng.Float64() < 0.06 {
		u.backs--
		return tap(*back, v.step-1, nil), nil
	}
	if (skip != nil) != st.Skippable() {
		return simAction{}, fmt.Errorf("step %d (%s): skip button shown %v, skippable %v", v.step, st.Name, skip != nil, st.Skippable())
	}
	switch {
	case st.Kind == survey.StepProfile && st.Question.Answer == survey.AnswerAge:
		if u.rng.Float64() < 0.6 {
			age := survey.MinAge + 8 + u.rng.IntN(60)
			return simAction{desc: fmt.Sprintf("send %d", age), text: strconv.Itoa(age), want: next,
				apply: func(u *simUser) { u.profile.Age = age }}, nil
		}
		return tap(*skip, next, func(u *simUser) { u.profile.Age = 0 }), nil
	case st.Kind == survey.StepSuggestion:
		if u.rng.Float64() < 0.4 {
			s := simSuggestions[u.rng.IntN(len(simSuggestions))]
			return simAction{desc: fmt.Sprintf("send %q", s), text: s, want: next,
				apply: func(u *simUser) { u.suggestion = s }}, nil
		}
		return tap(*skip, next, func(u *simUser) { u.suggestion = "" }), nil
	}
	if skip != nil && u.rng.Float64() < 0.1 {
		return tap(*skip, next, func(u *simUser) { u.profile.Choose(st, "") }), nil
	}
	b := answers[u.rng.IntN(len(answers))]
	parts := strings.Split(b.Data, ":")
	choice, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil || choice < 0 || choice >= len(choices) {
		return simAction{}, fmt.Errorf("button %q carries %q, not a choice of step %d", b.Text, b.Data, v.step)
	}
	if st.Kind == survey.StepElement {
		i := survey.ElementIndex(st.Element)
		return tap(b, next, func(u *simUser) { u.scores[i] = uint8(choice + 1) }), nil
	}
	value := choices[choice]
	return tap(b, next, func(u *simUser) { u.profile.Choose(st, value) }), nil
}

// perform pushes the action's update and returns its update_id.
func (u *simUser) perform(a simAction) (int64, error) {
	if a.text != "" {
		return u.user.Send(a.text).ID, nil
	}
	upd, err := u.user.TapIn(a.msgID, a.label)
	return upd.ID, err
}

// simCrowd runs simulated respondents concurrently, each with one action
// outstanding at a time, as people do.
type simCrowd struct {
	t     *testing.T
	srv   *telegramtest.Server
	users []*simUser

	// settle is how long a respondent waits, once the bot has handled
	// their update, for its reply to show. If nudge is set they then do it
	// again, as a person would; else they are stuck. It is no bet on the
	// machine's speed: the bot logs an update handled only after its
	// replies were answered, so the first look after that is final.
	settle time.Duration
	// handled reports whether the bot logged an update as handled (the
	// fake's confirmation comes earlier: the bot keeps a batch in its
	// inbox and confirms it before handling it).
	handled func(updateID int64) bool
	nudge   bool
	// stuckAfter bounds the wait for a reply to an update the bot has not
	// yet handled, counted from the action or from the bot's last start,
	// whichever is later. It catches a hang, not slowness: on two cores at
	// a load of 17 the slowest reply took 8s (the test logs its slowest).
	stuckAfter time.Duration

	acks     atomic.Int64 // actions acknowledged, over all respondents
	up       atomic.Int64 // unix nanoseconds of the bot's last start
	slowestN atomic.Int64 // nanoseconds, the longest any action waited for its reply

	mu   sync.Mutex
	bugs []string // known bugs met, reported by the test's goroutine
}

func (c *simCrowd) knownBug(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bugs = append(c.bugs, fmt.Sprintf(format, args...))
}

func (c *simCrowd) reportKnownBugs() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.bugs {
		knownBug(c.t, "%s", b)
	}
}

func newSimCrowd(t *testing.T, srv *telegramtest.Server, cfg *config.Config, seed uint64, n int, codes []string, handled func(int64) bool) *simCrowd {
	c := &simCrowd{t: t, srv: srv, settle: 3 * time.Second, stuckAfter: 2 * time.Minute, handled: handled}
	for i := range n {
		unit, ok := cfg.Catalog.Unit(codes[i%len(codes)])
		if !ok {
			t.Fatalf("unit %s is not in the embedded configuration", codes[i%len(codes)])
		}
		lang := "id"
		if i%5 == 4 {
			lang = "en"
		}
		id := int64(880001 + i)
		c.users = append(c.users, &simUser{
			id: id, lang: lang, unit: unit, step: -1, backs: 2,
			user:  srv.User(id, fmt.Sprintf("Warga%d", i), lang),
			rng:   rand.New(rand.NewPCG(seed, uint64(id))),
			pause: rand.New(rand.NewPCG(seed^0x7061757365, uint64(id))),
		})
	}
	return c
}

func (c *simCrowd) botUp() { c.up.Store(time.Now().UnixNano()) }

// slowest is the longest an acknowledged action waited for its reply.
func (c *simCrowd) slowest() time.Duration {
	return time.Duration(c.slowestN.Load()).Round(time.Millisecond)
}

// waited records how long an acknowledged action waited for its reply.
func (c *simCrowd) waited(d time.Duration) {
	for {
		old := c.slowestN.Load()
		if int64(d) <= old || c.slowestN.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// run plays every respondent's survey; the first failure stops the others.
// When ctx ends first (the test's deadline), the error tells what a
// respondent was still waiting for.
func (c *simCrowd) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i, u := range c.users {
		wg.Go(func() {
			// Arrive over the first second, not all in the same instant.
			select {
			case <-time.After(time.Duration(i) * 25 * time.Millisecond):
			case <-ctx.Done():
				return
			}
			if err := c.play(ctx, u); err != nil {
				once.Do(func() { first = err })
				cancel(err)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

func (c *simCrowd) play(ctx context.Context, u *simUser) error {
	a := simAction{desc: "send /start " + u.unit.Code, text: "/start " + u.unit.Code, want: 0}
	for {
		time.Sleep(time.Duration(u.pause.IntN(30)) * time.Millisecond)
		v, err := c.act(ctx, u, a)
		if err != nil {
			if ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
				return nil // another respondent failed first
			}
			return fmt.Errorf("respondent %d (%s, %s): %w\n\n%s", u.id, u.unit.Code, u.lang, err, c.describe(u))
		}
		if u.done {
			return nil
		}
		if a, err = u.decide(v); err != nil {
			return fmt.Errorf("respondent %d: %w\n\n%s", u.id, err, c.describe(u))
		}
	}
}

// act does a and waits until the chat shows what a leads to; then the
// answer counts as acknowledged, and act returns what the chat shows.
func (c *simCrowd) act(ctx context.Context, u *simUser, a simAction) (simView, error) {
	upd, err := u.perform(a)
	if err != nil {
		return simView{}, err
	}
	u.logf("%s (update %d), want %s", a.desc, upd, wantString(a.want))
	start, since := time.Now(), u.step
	var handled time.Time // when the bot logged the update handled
	nudged, resumed, continued := false, false, false
	last := simView{step: -2}
	for {
		seq := c.srv.LastSeq()
		v := readView(c.srv, u.id)
		if v.String() != last.String() {
			u.logf("  sees %v", v)
			last = v
		}
		final := a.want == len(survey.Steps)
		switch {
		case v.done == final && (final || v.step == a.want && (v.sid == u.sid || u.sid == "")):
			if u.sid == "" {
				u.sid = v.sid
			}
			u.acknowledged(a, v.done)
			c.acks.Add(1)
			c.waited(time.Since(start))
			return v, nil
		case v.done:
			return simView{}, fmt.Errorf("the thank-you appeared at step %d", since)
		case v.sid != "" && u.sid != "" && v.sid != u.sid:
			return simView{}, fmt.Errorf("the survey started over: session %s replaced %s", v.sid, u.sid)
		case v.sid != "" && v.step > max(since, a.want):
			return simView{}, fmt.Errorf("the survey jumped to step %d after %s at step %d", v.step, a.desc, since)
		}
		now := time.Now()
		if handled.IsZero() && c.handled(upd) {
			handled = now
		}
		if !handled.IsZero() && now.Sub(handled) > c.settle {
			// The bot handled the update (and made its calls) a while ago,
			// yet the chat does not show what it leads to.
			story := fmt.Sprintf("the bot handled update %d (%s) and the chat shows %v, not %s",
				upd, a.desc, v, wantString(a.want))
			switch {
			case final:
				// A redelivered last answer re-sends the thank-you (the chat
				// remembers the finished survey), so this is a bug now.
				return simView{}, fmt.Errorf("thank-you lost: %s\n%s", story, c.describe(u))
			case !c.nudge:
				return simView{}, fmt.Errorf("stuck: %s", story)
			case !nudged:
				// A reply that failed on every retry is dropped by design,
				// and "the person's next action shows the current question
				// again": do it again, as a person would.
				nudged = true
				u.nudges++
				if upd, err = u.perform(a); err != nil {
					return simView{}, err
				}
				u.logf("no reply; again: %s (update %d)", a.desc, upd)
			case !resumed:
				// Doing it again did not help: the press got a toast and
				// the question stayed. Scan the poster again.
				// A press on a question that is behind brings it up to
				// date (and one on a finished survey's last question shows
				// the thank-you), so a toast alone is a bug now.
				return simView{}, fmt.Errorf("stuck behind a toast: %s\n%s", story, c.describe(u))
			default:
				return simView{}, fmt.Errorf("stuck: %s", story)
			}
			handled = time.Time{}
		}
		if resumed && !continued && v.resume.Data != "" {
			continued = true
			if upd, err = u.perform(simAction{msgID: v.msgID, label: v.resume.Text}); err != nil {
				return simView{}, err
			}
			u.logf("tap %q on #%d (update %d)", v.resume.Text, v.msgID, upd)
			handled = time.Time{}
		}
		from := start
		if up := time.Unix(0, c.up.Load()); up.After(from) {
			from = up
		}
		if now.Sub(from) > c.stuckAfter {
			return simView{}, fmt.Errorf("stuck: no reply to %s for %v while the bot ran; the chat shows %v, want %s; update %d confirmed: %v, handled: %v",
				a.desc, now.Sub(from).Round(time.Millisecond), v, wantString(a.want), upd, c.srv.Confirmed(upd), c.handled(upd))
		}
		wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		c.srv.WaitCall(wctx, seq, "")
		cancel()
		if ctx.Err() != nil {
			return simView{}, fmt.Errorf("%w while waiting for the reply to %s (update %d, confirmed: %v, handled: %v); the chat shows %v, want %s",
				context.Cause(ctx), a.desc, upd, c.srv.Confirmed(upd), c.handled(upd), v, wantString(a.want))
		}
	}
}

// acknowledged records the effect of a, which the bot has acknowledged.
func (u *simUser) acknowledged(a simAction, done bool) {
	if a.apply != nil {
		a.apply(u)
	}
	u.step, u.done = a.want, done
}

func wantString(step int) string {
	if step >= len(survey.Steps) {
		return "the thank-you"
	}
	return fmt.Sprintf("step %d (%s)", step, survey.Steps[step].Name)
}

// describe is a respondent's story for a failure message: what they did,
// what their chat shows, and the bot's calls for them.
func (c *simCrowd) describe(u *simUser) string {
	var b strings.Builder
	b.WriteString("what the respondent did and saw:\n")
	log := u.log
	if len(log) > 40 {
		b.WriteString("  ...\n")
		log = log[len(log)-40:]
	}
	for _, l := range log {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("their chat now:\n")
	for _, m := range c.srv.Chat(u.id) {
		who := "user"
		if m.FromBot {
			who = "bot "
		}
		first, _, _ := strings.Cut(m.Text, "\n")
		fmt.Fprintf(&b, "  #%d %s %q", m.ID, who, first)
		for _, row := range m.Keyboard {
			for _, btn := range row {
				fmt.Fprintf(&b, " [%s|%s]", btn.Text, btn.Data)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("Bot API calls for them (last 30):\n")
	chat, query := strconv.FormatInt(u.id, 10), strconv.FormatInt(u.id, 10)
	var lines []string
	for _, call := range c.srv.Calls() {
		if call.Params["chat_id"] != chat && !strings.HasPrefix(call.Params["callback_query_id"], query) {
			continue
		}
		first, _, _ := strings.Cut(call.Params["text"], "\n")
		l := fmt.Sprintf("  %d %s #%s %q", call.Seq, call.Method, call.Params["message_id"], first)
		if call.ErrorCode != 0 {
			l += fmt.Sprintf(" -> %d %s", call.ErrorCode, call.Description)
		} else if call.MessageID != 0 {
			l += fmt.Sprintf(" -> #%d", call.MessageID)
		}
		lines = append(lines, l)
	}
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}

// liveKeyboards lists the messages that still have buttons once every
// survey is over; the bot means to keep only the current question's live.
func liveKeyboards(srv *telegramtest.Server, users []*simUser) []string {
	var out []string
	for _, u := range users {
		for _, m := range srv.Chat(u.id) {
			if len(m.Keyboard) > 0 {
				first, _, _ := strings.Cut(m.Text, "\n")
				out = append(out, fmt.Sprintf("respondent %d: message #%d %q", u.id, m.ID, first))
			}
		}
	}
	return out
}

// respondentHash is the bot's keyed hash of a Telegram user id, the only
// link between a stored response and a person.
func respondentHash(secret string, userID int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("telegram:" + strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// checkStored opens the database read-only and checks that it holds every
// respondent's survey exactly once, with the answers the bot acknowledged,
// nothing else, and aggregates that match the raw responses.
func checkStored(t *testing.T, db string, cfg *config.Config, secret string, users []*simUser) {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true, Location: cfg.Location, Units: cfg.Catalog.Unit})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	byHash := map[string]*simUser{}
	for _, u := range users {
		byHash[respondentHash(secret, u.id)] = u
	}
	err = st.View(func(tx *store.Tx) error {
		complete, incomplete, err := tx.CountResponses()
		if err != nil {
			return err
		}
		if complete != len(users) || incomplete != 0 {
			t.Errorf("stored %d complete and %d incomplete responses, want %d and 0", complete, incomplete, len(users))
		}
		seen := map[string]uint64{}
		err = tx.ForEachResponse(func(r survey.Response) error {
			key := r.Unit + "/" + r.Respondent
			if prev, dup := seen[key]; dup {
				t.Errorf("responses %d and %d: the same respondent twice at %s", prev, r.ID, r.Unit)
			}
			seen[key] = r.ID
			u := byHash[r.Respondent]
			if u == nil {
				t.Errorf("response %d at %s: respondent %s is none of the simulated users", r.ID, r.Unit, r.Respondent)
				return nil
			}
			if r.Unit != u.unit.Code || r.Source != survey.SourceTelegram {
				t.Errorf("response %d of respondent %d: unit %s, source %s; want %s, telegram", r.ID, u.id, r.Unit, r.Source, u.unit.Code)
			}
			if r.Scores != u.scores || r.Profile != u.profile || r.Suggestion != u.suggestion {
				t.Errorf("response %d of respondent %d:\n stored       scores %v profile %+v suggestion %q\n acknowledged scores %v profile %+v suggestion %q",
					r.ID, u.id, r.Scores, r.Profile, r.Suggestion, u.scores, u.profile, u.suggestion)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, u := range users {
			if _, ok := seen[u.unit.Code+"/"+respondentHash(secret, u.id)]; !ok {
				t.Errorf("respondent %d finished with the thank-you, but no response of theirs is stored", u.id)
			}
		}
		problems, err := tx.VerifyAggregates()
		if err != nil {
			return err
		}
		for _, p := range problems {
			t.Errorf("aggregates differ from the responses: %s", p)
		}
		// A chat id is personal data: after the survey it is kept only to
		// show a lost thank-you again, until chat_retention removes it.
		return tx.ForEachChat(func(c store.Chat) error {
			if c.Session != nil || c.Finished == "" {
				t.Errorf("chat %d is still stored after its survey ended (session open %v, finished %q)", c.ID, c.Session != nil, c.Finished)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
