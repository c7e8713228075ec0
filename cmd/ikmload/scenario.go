package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// "ikmload crowd" is a crowd at Telegram's real limits: people scan a
// poster over some seconds, read each question before they tap, tap twice
// now and then, and tap again when nothing happens for a while, against a
// fake that answers each call after a network round trip and refuses sends
// and edits beyond Telegram's flood limits with 429. The bot runs with
// ikmbot serve's default flags. It reports who was thanked, how long people
// waited for each reply, and how many calls Telegram refused.

// crowdOptions are the flags of "ikmload crowd".
type crowdOptions struct {
	people           int
	arrive           time.Duration // people arrive evenly at random over this
	readMin, readMax time.Duration // reading a question before acting
	double           float64       // chance that a tap is a double tap
	retap            time.Duration // tap again after this long without an answer
	patience         time.Duration // leave after this long without an answer
	roundTrip        time.Duration
	limits           bool
	flood            telegramtest.FloodLimits
	mode             string
	binary           string
	serveArgs        []string
	workers          int
	deadline         time.Duration
	seed             uint64
	runs             int
	json             bool
	webRate          float64 // page requests a second to the public site; 0: none
	fromDB           string  // start each run from a copy of this database
}

func parseCrowdFlags(args []string, stderr io.Writer) (crowdOptions, error) {
	var o crowdOptions
	fs := flag.NewFlagSet("crowd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.people, "people", 60, "people who answer, each one survey")
	fs.DurationVar(&o.arrive, "arrive", 20*time.Second, "people arrive at random over this long (scanning a poster)")
	read := fs.String("read", "1s-2s", "how long a person reads a question before answering: MIN-MAX, uniform")
	fs.Float64Var(&o.double, "double", 0.05, "chance that a person taps a button twice")
	fs.DurationVar(&o.retap, "retap", 5*time.Second, "a person taps again after this long without an answer")
	fs.DurationVar(&o.patience, "patience", time.Minute, "a person leaves after this long without an answer")
	fs.DurationVar(&o.roundTrip, "round-trip", 150*time.Millisecond, "network round trip of every Bot API call (150ms: Telegram from Indonesia)")
	fs.BoolVar(&o.limits, "limits", true, "the fake enforces Telegram's flood limits (429 with retry_after)")
	o.flood = telegramtest.TelegramLimits
	fs.IntVar(&o.flood.Burst, "limit-burst", o.flood.Burst, "with --limits: sends and edits the fake takes at once across chats")
	fs.IntVar(&o.flood.ChatBurst, "chat-burst", o.flood.ChatBurst, "with --limits: sends and edits the fake takes at once in one chat")
	fs.StringVar(&o.mode, "mode", "inprocess", "inprocess: the bot runs in this process, with serve's default rates; binary: ikmbot serve with its default flags")
	fs.StringVar(&o.binary, "binary", "", "with --mode binary: the ikmbot binary (default: go build ./cmd/ikmbot into a temporary directory)")
	fs.IntVar(&o.workers, "workers", telegram.DefaultWorkers, "updates handled at once, as ikmbot serve --workers")
	fs.DurationVar(&o.deadline, "deadline", 10*time.Minute, "stop a run after this long")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the people's choices and timing (run i uses seed+i)")
	fs.IntVar(&o.runs, "runs", 1, "runs, each on a fresh database and fake; the report gives each and the medians")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.Float64Var(&o.webRate, "web-rate", 0, "in-process: also serve the public site from the bot's store and request this many pages a second from it (webload.go)")
	fs.StringVar(&o.fromDB, "from-db", "", "start each run from a copy of this database, e.g. one ikmload seed made (in-process)")
	serveArg := fs.String("serve-args", "", "more flags for the bot, space-separated: for ikmbot serve with --mode binary; in-process --send-rate, --chat-rate, --user-rate and --user-burst")
	if err := fs.Parse(args); err != nil {
		return o, usageError{"crowd: " + err.Error()}
	}
	lo, hi, ok := strings.Cut(*read, "-")
	var err1, err2 error
	o.readMin, err1 = time.ParseDuration(lo)
	o.readMax, err2 = time.ParseDuration(hi)
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("crowd: unexpected argument %q", fs.Arg(0))}
	case !ok || err1 != nil || err2 != nil || o.readMin < 0 || o.readMax < o.readMin:
		return o, usageError{fmt.Sprintf("crowd: --read %q: want MIN-MAX, such as 1s-2s", *read)}
	case o.people < 1:
		return o, usageError{"crowd: --people must be at least 1"}
	case o.double < 0 || o.double > 1:
		return o, usageError{"crowd: --double must be between 0 and 1"}
	case o.retap <= 0 || o.patience <= 0 || o.arrive < 0 || o.roundTrip < 0:
		return o, usageError{"crowd: --retap and --patience must be positive, --arrive and --round-trip not negative"}
	case o.mode != "inprocess" && o.mode != "binary":
		return o, usageError{"crowd: --mode must be inprocess or binary"}
	case o.binary != "" && o.mode != "binary":
		return o, usageError{"crowd: --binary needs --mode binary"}
	case o.runs < 1:
		return o, usageError{"crowd: --runs must be at least 1"}
	case o.workers < 1:
		return o, usageError{"crowd: --workers must be at least 1"}
	case (o.webRate > 0 || o.fromDB != "") && o.mode != "inprocess":
		return o, usageError{"crowd: --web-rate and --from-db need --mode inprocess"}
	case o.webRate < 0:
		return o, usageError{"crowd: --web-rate must not be negative"}
	}
	o.serveArgs = strings.Fields(*serveArg)
	return o, nil
}

// inProcessPacing reads the rate flags of --serve-args for the bot in this
// process, starting from serve's defaults.
func inProcessPacing(args []string) (pacing, error) {
	p := servePacing
	fs := flag.NewFlagSet("serve-args", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Float64Var(&p.send, "send-rate", p.send, "")
	fs.Float64Var(&p.chat, "chat-rate", p.chat, "")
	fs.Float64Var(&p.user, "user-rate", p.user, "")
	fs.IntVar(&p.userBurst, "user-burst", p.userBurst, "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return p, usageError{fmt.Sprintf("crowd: in-process, --serve-args takes only --send-rate, --chat-rate, --user-rate and --user-burst: %q", strings.Join(args, " "))}
	}
	return p, nil
}

// crowdResult is one run of the crowd.
type crowdResult struct {
	People  int                     `json:"people"`
	Thanked int                     `json:"thanked"` // reached the thank-you
	GaveUp  int                     `json:"gave_up"` // left after --patience without an answer
	Stuck   int                     `json:"stuck"`   // something else went wrong (see problems)
	Seconds float64                 `json:"seconds"` // from the first arrival to the last person done
	LastAt  float64                 `json:"last_at"` // when the last thank-you came, from the first arrival
	Updates int64                   `json:"updates"` // updates people sent, double taps and retaps included
	Doubles int64                   `json:"doubles"` // second taps of a double tap
	Retaps  int64                   `json:"retaps"`  // taps again after --retap without an answer
	Actions int64                   `json:"actions"` // actions answered (their replies are the latency's samples)
	Reply   *latencySummary         `json:"reply_latency,omitempty"`
	Calls   map[string]*methodCount `json:"calls"`
	Refused int                     `json:"refused_429"` // calls the fake's flood limits refused
	// Limited is sends and edits the fake took (those the flood limits count); PeakLimited the most in any second.
	Limited     int           `json:"limited_calls"`
	PeakLimited int           `json:"peak_limited_per_sec"`
	CPUSeconds  float64       `json:"cpu_seconds"`
	CPUOf       string        `json:"cpu_of"`
	Verify      *verification `json:"verify,omitempty"`
	Web         *webLoad      `json:"web,omitempty"`
	Problems    []string      `json:"problems,omitempty"`
}

// methodCount is one Bot API method's calls in a run.
type methodCount struct {
	Calls   int `json:"calls"`
	Refused int `json:"refused_429"`
	Failed  int `json:"other_errors"` // "message is not modified", "query is too old", ...
}

// crowdReport is the output of "ikmload crowd".
type crowdReport struct {
	Mode      string        `json:"mode"`
	People    int           `json:"people"`
	ArriveS   float64       `json:"arrive_s"`
	Read      string        `json:"read"`
	Double    float64       `json:"double"`
	RetapS    float64       `json:"retap_s"`
	RoundTrip float64       `json:"round_trip_ms"`
	Limits    string        `json:"limits"`
	ServeArgs []string      `json:"serve_args,omitempty"`
	Runs      []crowdResult `json:"runs"`
	Median    *crowdMedian  `json:"median,omitempty"`
}

// crowdMedian is the median of each figure over the runs.
type crowdMedian struct {
	Thanked float64 `json:"thanked"`
	LastAt  float64 `json:"last_at"`
	P50     float64 `json:"reply_p50_ms"`
	P99     float64 `json:"reply_p99_ms"`
	Refused float64 `json:"refused_429"`
}

// runCrowd is "ikmload crowd".
func runCrowd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseCrowdFlags(args, stderr)
	if err != nil {
		return err
	}
	pace := servePacing
	if o.mode == "inprocess" {
		if pace, err = inProcessPacing(o.serveArgs); err != nil {
			return err
		}
	}
	c, err := loadCity()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ikmload-crowd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.mode == "binary" && o.binary == "" {
		if o.binary, err = buildIkmbot(tmp); err != nil {
			return err
		}
	}
	limits := "off"
	if o.limits {
		limits = fmt.Sprintf("%g/s overall (burst %d), %g/s a chat (burst %d)", o.flood.PerSecond, o.flood.Burst, o.flood.ChatPerSecond, o.flood.ChatBurst)
	}
	rep := crowdReport{
		Mode: o.mode, People: o.people, ArriveS: o.arrive.Seconds(), Read: o.readMin.String() + "-" + o.readMax.String(),
		Double: o.double, RetapS: o.retap.Seconds(), RoundTrip: ms(o.roundTrip), Limits: limits, ServeArgs: o.serveArgs,
	}
	for i := range o.runs {
		r, err := crowdRun(ctx, o, i, pace, c, filepath.Join(tmp, fmt.Sprintf("crowd-%d.db", i)), stderr)
		if err != nil {
			return err
		}
		rep.Runs = append(rep.Runs, r)
		if !o.json && o.runs > 1 {
			fmt.Fprintf(stderr, "run %d: %s\n", i+1, crowdLine(r))
		}
	}
	rep.Median = medianOf(rep.Runs)
	if err := writeReport(stdout, o.json, rep, func() { printCrowd(stdout, rep) }); err != nil {
		return err
	}
	m := rep.Median
	fmt.Fprintf(stderr, "ikmload crowd: %d people, %s: thanked %.0f, last at %.1fs, reply p50 %.2fs p99 %.2fs, %.0f refused with 429 (median of %d)\n",
		o.people, o.mode, m.Thanked, m.LastAt, m.P50/1000, m.P99/1000, m.Refused, len(rep.Runs))
	for _, r := range rep.Runs {
		if r.Verify != nil && !r.Verify.OK {
			return fmt.Errorf("%w: %s", errVerify, strings.Join(r.Verify.Problems, "; "))
		}
	}
	return nil
}

// crowdRun is one run: a fresh database, a fresh fake, the bot, the people.
func crowdRun(ctx context.Context, o crowdOptions, run int, pace pacing, c *city, dbPath string, stderr io.Writer) (crowdResult, error) {
	ctx, cancel := context.WithTimeout(ctx, o.deadline)
	defer cancel()
	sc := &scenario{o: o, units: c.Catalog.Units(), weights: unitWeights(c.Catalog.Units()), seed: o.seed + uint64(run),
		inbox: make([]chan observed, o.people), calls: map[string]*methodCount{}, ready: make(chan struct{})}
	for i := range sc.inbox {
		sc.inbox[i] = make(chan observed, inboxSize)
	}
	opts := []telegramtest.Option{telegramtest.WithCallHook(sc.hook), telegramtest.WithRoundTrip(o.roundTrip),
		telegramtest.WithReporter(telegramtest.ReporterFunc(func(f string, a ...any) { fmt.Fprintf(stderr, "fake Telegram: "+f+"\n", a...) }))}
	if o.limits {
		opts = append(opts, telegramtest.WithFloodLimits(o.flood))
	}
	srv := telegramtest.NewServer(opts...)
	defer srv.Close()
	sc.srv = srv
	// As in "ikmload run": update ids from the clock, so a database the bot
	// has seen before does not take them for redeliveries.
	srv.Push(models.Update{ID: time.Now().UnixMicro()})

	stOpts := store.Options{Timeout: time.Second, Location: c.Location, Units: c.Catalog.Unit}
	var b running
	var st *store.Store
	var before baseline
	var err error
	if o.mode == "binary" {
		b, err = startBinary(ctx, srv, sc.ready, o.binary, dbPath, true, append([]string{"--workers", strconv.Itoa(o.workers)}, o.serveArgs...), stderr)
	} else {
		if o.fromDB != "" {
			if err := copyFile(dbPath, o.fromDB); err != nil {
				return crowdResult{}, fmt.Errorf("crowd: --from-db: %w", err)
			}
		}
		if st, err = store.Open(dbPath, stOpts); err != nil {
			return crowdResult{}, err
		}
		defer st.Close()
		// A run from a seeded copy checks only what it added.
		if before, err = takeBaseline(st); err != nil {
			return crowdResult{}, err
		}
		log := (&loader{stderr: stderr}).log()
		b, err = startOurs(ctx, srv, botClient(srv, 100), o.workers, pace, c, st, log)
	}
	if err != nil {
		return crowdResult{}, err
	}
	select {
	case <-sc.ready:
	case <-ctx.Done():
		b.stop()
		return crowdResult{}, ctx.Err()
	}
	// Log of calls: people read replies through the hook; drop it often.
	stopReset := make(chan struct{})
	resetDone := make(chan struct{})
	progress := console.NewProgress(stderr)
	go func() {
		defer close(resetDone)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopReset:
				return
			case <-t.C:
				srv.Reset()
				progress.Show("crowd: %d of %d people thanked, %d gave up, %d refused with 429",
					sc.thanked.Load(), o.people, sc.gaveUp.Load(), srv.FloodRefused())
			}
		}
	}()
	var stopWeb func() *webLoad
	if o.webRate > 0 {
		if stopWeb, err = startWebLoad(ctx, c, st, o.webRate, o.seed+uint64(run)); err != nil {
			b.stop()
			return crowdResult{}, err
		}
	}
	cpu0 := cpuTime()
	sc.start = time.Now()
	sc.run(ctx)
	elapsed := time.Since(sc.start)
	var webResult *webLoad
	if stopWeb != nil {
		webResult = stopWeb()
	}
	close(stopReset)
	<-resetDone
	progress.Clear()
	stats, stopErr := b.stop()
	if stopErr != nil {
		return crowdResult{}, stopErr
	}
	r := sc.result(elapsed)
	r.Web = webResult
	r.Refused = srv.FloodRefused()
	r.CPUSeconds, r.CPUOf = (cpuTime() - cpu0).Seconds(), "whole ikmload process (bot, fake and people)"
	if stats.cpu > 0 {
		r.CPUSeconds, r.CPUOf = stats.cpu.Seconds(), "bot process"
	}
	if st == nil {
		if st, err = store.Open(dbPath, store.Options{Timeout: time.Second, Location: c.Location, Units: c.Catalog.Unit, ReadOnly: true}); err != nil {
			return r, err
		}
		defer st.Close()
	}
	v, err := verify(st, c.Catalog.Units(), before, r.Thanked, r.Thanked+r.GaveUp+r.Stuck)
	if err != nil {
		return r, err
	}
	// People who left mid-survey leave it open in the database; that is
	// not a fault.
	r.Verify = &v
	return r, nil
}

// scenario is the people of one crowd run.
type scenario struct {
	o       crowdOptions
	units   []survey.Unit
	weights []float64
	seed    uint64
	srv     *telegramtest.Server
	inbox   []chan observed // per person: replies in their chat
	start   time.Time

	ready     chan struct{} // closed at the bot's first call
	readyOnce sync.Once

	thanked, gaveUp, stuck   atomic.Int64
	updates, doubles, retaps atomic.Int64
	actions                  atomic.Int64
	lastThanks               atomic.Int64 // ns since start
	reply                    latency
	lost                     atomic.Int64

	mu       sync.Mutex
	calls    map[string]*methodCount
	perSec   []int // sends and edits the fake took, by second since start
	problems []string
}

// hook sees every call the fake answers: it counts them, and passes each
// successful send or edit to the person whose chat it went to.
func (sc *scenario) hook(call telegramtest.Call) {
	sc.readyOnce.Do(func() { close(sc.ready) })
	sc.mu.Lock()
	m := sc.calls[call.Method]
	if m == nil {
		m = &methodCount{}
		sc.calls[call.Method] = m
	}
	m.Calls++
	switch {
	case call.ErrorCode == 429:
		m.Refused++
	case call.ErrorCode != 0:
		m.Failed++
	}
	limited := call.ErrorCode != 429 && (call.Method == "sendMessage" || call.Method == "editMessageText" || call.Method == "editMessageReplyMarkup" ||
		call.Method == "sendDocument" || call.Method == "sendPhoto")
	if limited && !sc.start.IsZero() {
		if sec := int(call.At.Sub(sc.start) / time.Second); sec >= 0 {
			for len(sc.perSec) <= sec {
				sc.perSec = append(sc.perSec, 0)
			}
			sc.perSec[sec]++
		}
	}
	sc.mu.Unlock()
	if call.ErrorCode != 0 || (call.Method != "sendMessage" && call.Method != "editMessageText") {
		return
	}
	id, err := strconv.ParseInt(call.Params["chat_id"], 10, 64)
	if err != nil || id < userBase || id >= userBase+int64(sc.o.people) {
		return
	}
	select {
	case sc.inbox[id-userBase] <- observed{call, call.At}:
	default:
		sc.lost.Add(1)
	}
}

func (sc *scenario) problem(format string, args ...any) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.problems) < maxProblems {
		sc.problems = append(sc.problems, fmt.Sprintf(format, args...))
	}
}

// run plays every person and returns when all are thanked, have left, or
// ctx ends.
func (sc *scenario) run(ctx context.Context) {
	var wg sync.WaitGroup
	for n := range sc.o.people {
		wg.Go(func() {
			err := sc.person(ctx, n)
			switch {
			case err == nil:
				sc.thanked.Add(1)
				sc.lastThanks.Store(int64(time.Since(sc.start)))
			case errors.Is(err, errGaveUp):
				sc.gaveUp.Add(1)
			default:
				sc.stuck.Add(1)
				if ctx.Err() == nil {
					sc.problem("person %d: %v", n, err)
				}
			}
		})
	}
	wg.Wait()
}

// errGaveUp is a person leaving after --patience without an answer.
var errGaveUp = errors.New("gave up")

// person is one person scanning a poster and answering to the thank-you.
func (sc *scenario) person(ctx context.Context, n int) error {
	rng := mrand.New(mrand.NewPCG(sc.seed, uint64(n)))
	id := userBase + int64(n)
	lang := "id"
	if rng.IntN(10) == 0 {
		lang = "en"
	}
	u := sc.srv.User(id, "Warga", lang)
	unit := sc.units[weighted(rng, sc.weights)]
	steps := plan(rng, unit)
	inbox := sc.inbox[n]

	if err := wait(ctx, time.Duration(rng.Int64N(int64(sc.o.arrive)+1))); err != nil {
		return err
	}
	push := func() { u.Send("/start " + unit.Code); sc.updates.Add(1) }
	if err := sc.act(ctx, rng, inbox, push, nil, false, wantSend(false)); err != nil {
		return fmt.Errorf("/start %s: %w", unit.Code, err)
	}
	for actions := 0; ; actions++ {
		if actions > 3*len(steps) {
			return fmt.Errorf("survey does not end after %d actions", actions)
		}
		msg, ok := sc.srv.LastKeyboardMessage(id)
		if !ok {
			return fmt.Errorf("no question with buttons in the chat")
		}
		step, err := surveyStep(msg.Keyboard)
		if err != nil {
			return err
		}
		if step >= len(steps) {
			return fmt.Errorf("step %d of %d", step, len(steps))
		}
		a, last := steps[step], step == len(steps)-1
		read := sc.o.readMin + time.Duration(rng.Int64N(int64(sc.o.readMax-sc.o.readMin)+1))
		if err := wait(ctx, read); err != nil {
			return err
		}
		if a.text != "" {
			push := func() { u.Send(a.text); sc.updates.Add(1) }
			err = sc.act(ctx, rng, inbox, push, nil, false, wantSend(last))
		} else {
			b, berr := surveyButton(msg.Keyboard, step, a.choice)
			if berr != nil {
				return berr
			}
			// The button as the person saw it: a tap again after the
			// screen changed would still carry this one's data.
			tap := func() { u.Callback(msg.ID, b.Data); sc.updates.Add(1) }
			err = sc.act(ctx, rng, inbox, tap, tap, rng.Float64() < sc.o.double, wantEdit(msg.ID))
		}
		if err != nil {
			if errors.Is(err, errGaveUp) {
				return err
			}
			return fmt.Errorf("step %d (%s): %w", step, survey.Steps[step].Name, err)
		}
		if last {
			return nil
		}
	}
}

// act pushes one action and waits for its reply: tapping again (retap)
// after --retap without one, and a second time shortly after the first
// when double. It records the wait from the first push to the reply.
func (sc *scenario) act(ctx context.Context, rng *mrand.Rand, inbox chan observed, push, retap func(), double bool, want func(telegramtest.Call) bool) error {
	start := time.Now()
	push()
	var doubleC <-chan time.Time
	if double {
		// A double tap: the second 80-300 ms after the first.
		t := time.NewTimer(80*time.Millisecond + time.Duration(rng.Int64N(int64(220*time.Millisecond))))
		defer t.Stop()
		doubleC = t.C
	}
	var retapC <-chan time.Time
	var retapT *time.Timer
	if retap != nil {
		retapT = time.NewTimer(sc.o.retap)
		defer retapT.Stop()
		retapC = retapT.C
	}
	patience := time.NewTimer(sc.o.patience)
	defer patience.Stop()
	for {
		select {
		case o := <-inbox:
			if o.at.Before(start) || !want(o.call) {
				continue
			}
			sc.reply.add(o.at.Sub(start))
			sc.actions.Add(1)
			return nil
		case <-doubleC:
			doubleC = nil
			push()
			sc.doubles.Add(1)
		case <-retapC:
			retap()
			sc.retaps.Add(1)
			retapT.Reset(sc.o.retap)
		case <-patience.C:
			return errGaveUp
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// wait sleeps d, or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// surveyButton finds the button for choice (or skip) at step.
func surveyButton(kb [][]telegramtest.Button, step, choice int) (telegramtest.Button, error) {
	want := "k:"
	if choice >= 0 {
		want = "a:"
	}
	for _, row := range kb {
		for _, b := range row {
			f := strings.Split(b.Data, ":")
			if len(f) < 3 || f[0]+":" != want || f[2] != strconv.Itoa(step) {
				continue
			}
			if choice < 0 || (len(f) == 4 && f[3] == strconv.Itoa(choice)) {
				return b, nil
			}
		}
	}
	return telegramtest.Button{}, fmt.Errorf("step %d: no button for choice %d among %v", step, choice, kb)
}

func (sc *scenario) result(elapsed time.Duration) crowdResult {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	r := crowdResult{
		People: sc.o.people, Thanked: int(sc.thanked.Load()), GaveUp: int(sc.gaveUp.Load()), Stuck: int(sc.stuck.Load()),
		Seconds: elapsed.Seconds(), LastAt: time.Duration(sc.lastThanks.Load()).Seconds(),
		Updates: sc.updates.Load(), Doubles: sc.doubles.Load(), Retaps: sc.retaps.Load(), Actions: sc.actions.Load(),
		Reply: sc.reply.summary(), Calls: map[string]*methodCount{}, Problems: slices.Clone(sc.problems),
	}
	for k, v := range sc.calls {
		c := *v
		r.Calls[k] = &c
	}
	for _, n := range sc.perSec {
		r.Limited += n
		r.PeakLimited = max(r.PeakLimited, n)
	}
	if n := sc.lost.Load(); n > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d replies did not fit a person's inbox", n))
	}
	return r
}

func medianOf(runs []crowdResult) *crowdMedian {
	med := func(f func(crowdResult) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	p := func(q func(*latencySummary) float64) func(crowdResult) float64 {
		return func(r crowdResult) float64 {
			if r.Reply == nil {
				return 0
			}
			return q(r.Reply)
		}
	}
	return &crowdMedian{
		Thanked: med(func(r crowdResult) float64 { return float64(r.Thanked) }),
		LastAt:  med(func(r crowdResult) float64 { return r.LastAt }),
		P50:     med(p(func(s *latencySummary) float64 { return s.P50 })),
		P99:     med(p(func(s *latencySummary) float64 { return s.P99 })),
		Refused: med(func(r crowdResult) float64 { return float64(r.Refused) }),
	}
}

// crowdLine is a run in one line.
func crowdLine(r crowdResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "thanked %d of %d (last at %.1fs)", r.Thanked, r.People, r.LastAt)
	if r.GaveUp > 0 {
		fmt.Fprintf(&b, ", %d gave up", r.GaveUp)
	}
	if r.Stuck > 0 {
		fmt.Fprintf(&b, ", %d stuck", r.Stuck)
	}
	if s := r.Reply; s != nil {
		fmt.Fprintf(&b, "; reply p50 %.2fs p95 %.2fs p99 %.2fs max %.2fs", s.P50/1000, s.P95/1000, s.P99/1000, s.Max/1000)
	}
	fmt.Fprintf(&b, "; %d refused with 429", r.Refused)
	return b.String()
}

func printCrowd(w io.Writer, rep crowdReport) {
	fmt.Fprintf(w, "ikmload crowd: %s, %d people arriving over %gs, reading %s a question, %.0f%% double taps, tapping again after %gs without an answer;\n",
		rep.Mode, rep.People, rep.ArriveS, rep.Read, 100*rep.Double, rep.RetapS)
	fmt.Fprintf(w, "  fake Telegram: %.0f ms round trip, flood limits %s", rep.RoundTrip, rep.Limits)
	if len(rep.ServeArgs) > 0 {
		fmt.Fprintf(w, "; bot flags %s", strings.Join(rep.ServeArgs, " "))
	}
	fmt.Fprintln(w)
	for i, r := range rep.Runs {
		fmt.Fprintf(w, "run %d   %s\n", i+1, crowdLine(r))
		fmt.Fprintf(w, "        %d updates (%d double taps, %d taps again), %d replies waited for; sends and edits %d, at most %d in a second; CPU %.1fs (%s)\n",
			r.Updates, r.Doubles, r.Retaps, r.Actions, r.Limited, r.PeakLimited, r.CPUSeconds, r.CPUOf)
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range r.Calls {
				if !yield(k) {
					return
				}
			}
		})
		var parts []string
		for _, k := range names {
			c := r.Calls[k]
			part := fmt.Sprintf("%s %d", k, c.Calls)
			if c.Refused > 0 || c.Failed > 0 {
				part += fmt.Sprintf(" (%d refused, %d failed)", c.Refused, c.Failed)
			}
			parts = append(parts, part)
		}
		fmt.Fprintf(w, "        calls: %s\n", strings.Join(parts, ", "))
		if r.Web != nil {
			fmt.Fprintf(w, "        %s\n", webLine(r.Web))
		}
		if v := r.Verify; v != nil {
			if v.OK {
				fmt.Fprintf(w, "        verify ok: %d responses stored, none twice; aggregates equal a recount\n", v.Added)
			} else {
				fmt.Fprintf(w, "        verify FAILED: %s\n", strings.Join(v.Problems, "; "))
			}
		}
		for _, p := range r.Problems {
			fmt.Fprintf(w, "        problem: %s\n", p)
		}
	}
	if m := rep.Median; m != nil && len(rep.Runs) > 1 {
		fmt.Fprintf(w, "median  thanked %.0f of %d, last at %.1fs; reply p50 %.2fs p99 %.2fs; %.0f refused with 429\n",
			m.Thanked, rep.People, m.LastAt, m.P50/1000, m.P99/1000, m.Refused)
	}
}
