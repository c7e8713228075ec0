package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/telegram"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// loadOptions are the flags of "ikmload run".
type loadOptions struct {
	users, surveys int
	mode           string // "inprocess" or "binary"
	binary         string
	echo, json     bool
	plain          bool   // also the plain echo bot on go-telegram/bot's own loop
	plainClient    string // its HTTP client: "ours" or "library"
	db             string
	nosync         bool
	seed           uint64
	timeout        time.Duration // the whole run
	wait           time.Duration // one reply
	serveArgs      []string
	cpuprofile     string
	idleConns      int
	workers        int
	think          time.Duration // mean pause of a person before each action
}

// runResult is one bot's figures.
type runResult struct {
	Bot           string          `json:"bot"` // "ikmbot", "echo" or "plain"
	Updates       int64           `json:"updates"`
	Surveys       int64           `json:"surveys"`
	Seconds       float64         `json:"seconds"`
	UpdatesPerSec float64         `json:"updates_per_sec"`
	SurveysPerSec float64         `json:"surveys_per_sec"`
	Handler       *latencySummary `json:"handler_latency,omitempty"` // from the Dispatcher calling the handler to its return: commit and replies
	Reply         *latencySummary `json:"reply_latency,omitempty"`   // from pushing the update to the fake answering the reply call
	CPUSeconds    float64         `json:"cpu_seconds"`
	CPUPerUpdate  float64         `json:"cpu_us_per_update"`
	CPUOf         string          `json:"cpu_of"` // "bot process" or "whole ikmload process"
	Memory        *memory         `json:"memory,omitempty"`
	MemoryOf      string          `json:"memory_of,omitempty"`
	DBBytes       int64           `json:"db_bytes,omitempty"`
	Commits       uint64          `json:"commits,omitempty"` // bbolt write transactions, each with two fsyncs
	Lost          int64           `json:"lost_replies,omitempty"`
}

// loadReport is the output of "ikmload run".
type loadReport struct {
	Mode       string        `json:"mode"`
	Users      int           `json:"users"`
	Surveys    int           `json:"surveys"`
	Units      int           `json:"units"`
	Workers    int           `json:"workers"`
	ThinkMS    float64       `json:"think_ms"`
	Fsync      bool          `json:"fsync"`
	GOMAXPROCS int           `json:"gomaxprocs"`
	CPUs       int           `json:"cpus"`
	DB         string        `json:"db"`
	Ikmbot     runResult     `json:"ikmbot"`
	Echo       *runResult    `json:"echo,omitempty"`
	Ratio      *costRatio    `json:"ratio,omitempty"`
	Plain      *runResult    `json:"plain,omitempty"`       // the echo bot on go-telegram/bot's own polling loop
	PlainRatio *costRatio    `json:"plain_ratio,omitempty"` // ikmbot's cost over the plain echo bot's
	Verify     *verification `json:"verify,omitempty"`
}

// costRatio is ikmbot's cost per update over the echo bot's: wall time per
// update at full load (the inverse ratio of throughputs), and CPU time.
type costRatio struct {
	Wall float64 `json:"wall"`
	CPU  float64 `json:"cpu"`
}

func parseLoadFlags(args []string, stderr io.Writer) (loadOptions, error) {
	var o loadOptions
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.users, "users", 500, "respondents answering at once, each with one action outstanding")
	fs.IntVar(&o.surveys, "surveys", 0, "surveys to complete in all, each by a new respondent (default 10 per --users)")
	fs.StringVar(&o.mode, "mode", "inprocess", "inprocess: the bot runs in this process; binary: the ikmbot binary runs as a child")
	fs.StringVar(&o.binary, "binary", "", "with --mode binary: the ikmbot binary (default: go build ./cmd/ikmbot into a temporary directory)")
	fs.BoolVar(&o.echo, "echo", false, "also run the same load against a bare echo bot on our Poller and Dispatcher, and report the ratio")
	fs.BoolVar(&o.plain, "plain", false, "also run the same load against a bare echo bot on go-telegram/bot's own polling loop with its defaults, and report the ratio")
	fs.StringVar(&o.plainClient, "plain-client", "ours", "the plain echo bot's HTTP client: ours (as ikmbot's) or library (go-telegram/bot's default: 2 idle connections, requests streamed)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.db, "db", "", "database file, kept afterwards; may be a seeded one (default: a temporary file)")
	fs.BoolVar(&o.nosync, "nosync", false, "open the database without fsync (in-process only; not how ikmbot runs)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the respondents' choices")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "stop the run after this long")
	fs.DurationVar(&o.wait, "reply-timeout", time.Minute, "fail when the bot takes longer than this to reply to one action")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this process (the bot too, in-process) to this file")
	fs.IntVar(&o.idleConns, "idle-conns", 100, "in-process: idle connections the bots keep to the fake, as ikmbot serve keeps 100; 0 for Go's default of 2")
	fs.DurationVar(&o.think, "think", 0, "mean time a respondent takes before each action (uniform from half to 1.5 times); 0: answer at once")
	fs.IntVar(&o.workers, "workers", telegram.DefaultWorkers, "updates each bot handles at once, as ikmbot serve --workers")
	serveArg := fs.String("serve-args", "", "with --mode binary: more flags for ikmbot serve, space-separated")
	if err := fs.Parse(args); err != nil {
		return o, usageError{"run: " + err.Error()}
	}
	idleSet := false
	fs.Visit(func(f *flag.Flag) { idleSet = idleSet || f.Name == "idle-conns" })
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("run: unexpected argument %q", fs.Arg(0))}
	case o.plainClient != "ours" && o.plainClient != "library":
		return o, usageError{"run: --plain-client must be ours or library"}
	case o.think < 0:
		return o, usageError{"run: --think must not be negative"}
	case o.workers < 1:
		return o, usageError{"run: --workers must be at least 1"}
	case o.users < 1:
		return o, usageError{"run: --users must be at least 1"}
	case o.surveys < 0:
		return o, usageError{"run: --surveys must not be negative"}
	case o.mode != "inprocess" && o.mode != "binary":
		return o, usageError{"run: --mode must be inprocess or binary"}
	case o.binary != "" && o.mode != "binary":
		return o, usageError{"run: --binary needs --mode binary"}
	case idleSet && o.mode == "binary":
		return o, usageError{"run: --idle-conns works in-process only"}
	case o.nosync && o.mode == "binary":
		return o, usageError{"run: --nosync works in-process only: ikmbot serve always syncs"}
	}
	if o.surveys == 0 {
		o.surveys = 10 * o.users
	}
	o.serveArgs = strings.Fields(*serveArg)
	return o, nil
}

// runLoad is "ikmload run".
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseLoadFlags(args, stderr)
	if err != nil {
		return err
	}
	c, err := loadCity()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tmp, err := os.MkdirTemp("", "ikmload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.db == "" {
		o.db = filepath.Join(tmp, "load.db")
	}
	if o.mode == "binary" && o.binary == "" {
		if o.binary, err = buildIkmbot(tmp); err != nil {
			return err
		}
	}
	rep := loadReport{
		Mode: o.mode, Users: o.users, Surveys: o.surveys, Units: c.Catalog.Len(), Workers: o.workers, ThinkMS: float64(o.think) / float64(time.Millisecond), Fsync: !o.nosync,
		GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: runtime.NumCPU(), DB: o.db,
	}
	l := &loader{o: o, city: c, stderr: stderr, progress: console.NewProgress(stderr)}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	ours, v, err := l.runIkmbot(ctx)
	if err != nil {
		return err
	}
	rep.Ikmbot, rep.Verify = ours, v
	if o.echo {
		echo, err := l.measure(ctx, "echo", func(srv *telegramtest.Server, ready <-chan struct{}) (running, error) {
			if o.mode == "binary" {
				return startEchoChild(ctx, srv, ready, o.workers, stderr)
			}
			return startEcho(ctx, srv, botClient(srv, o.idleConns), o.workers, l.log())
		})
		if err != nil {
			return fmt.Errorf("echo bot: %w", err)
		}
		rep.Echo = &echo
		rep.Ratio = ratioOf(ours, echo)
	}
	if o.plain {
		plain, err := l.measure(ctx, "plain", func(srv *telegramtest.Server, ready <-chan struct{}) (running, error) {
			if o.mode == "binary" {
				return startPlainChild(ctx, srv, ready, o.plainClient, stderr)
			}
			var client tg.HttpClient = telegram.BufferedClient{Client: botClient(srv, o.idleConns)}
			if o.plainClient == "library" {
				client = libraryClient()
			}
			return startPlainEcho(ctx, srv.URL(), telegramtest.Token, client, l.log())
		})
		if err != nil {
			return fmt.Errorf("plain echo bot: %w", err)
		}
		rep.Plain = &plain
		rep.PlainRatio = ratioOf(ours, plain)
	}

	if err := writeReport(stdout, o.json, rep, func() { printReport(stdout, rep) }); err != nil {
		return err
	}
	fmt.Fprintln(stderr, summaryLine(rep))
	if !v.OK {
		return fmt.Errorf("%w: %s", errVerify, strings.Join(v.Problems, "; "))
	}
	return nil
}

// ratioOf is ikmbot's cost per update over an echo bot's, nil when one of
// them measured nothing.
func ratioOf(ours, echo runResult) *costRatio {
	if ours.UpdatesPerSec <= 0 || echo.CPUPerUpdate <= 0 {
		return nil
	}
	return &costRatio{Wall: echo.UpdatesPerSec / ours.UpdatesPerSec, CPU: ours.CPUPerUpdate / echo.CPUPerUpdate}
}

// loader runs the bots of one "ikmload run".
type loader struct {
	o        loadOptions
	city     *city
	stderr   io.Writer
	progress console.Progress
	base     int64 // first respondent's user id
}

// log is the in-process bots' logger: warnings and errors only, as a
// production bot would log under this load.
func (l *loader) log() *slog.Logger {
	return slog.New(slog.NewTextHandler(l.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// runIkmbot measures ikmbot on the database, then verifies what it stored.
func (l *loader) runIkmbot(ctx context.Context) (runResult, *verification, error) {
	opts := store.Options{Timeout: time.Second, Location: l.city.Location, Units: l.city.Catalog.Unit, NoSync: l.o.nosync}
	st, err := store.Open(l.o.db, opts)
	if err != nil {
		return runResult{}, nil, err
	}
	before, err := takeBaseline(st)
	if err != nil {
		st.Close()
		return runResult{}, nil, err
	}
	tx0, err := lastTxid(l.o.db)
	if err != nil {
		st.Close()
		return runResult{}, nil, err
	}
	if l.o.mode == "binary" {
		// The child needs the file lock; reopen after it exits.
		if err := st.Close(); err != nil {
			return runResult{}, nil, err
		}
		st = nil
	}
	l.base = userBase + int64(before.complete+before.incomplete)
	res, err := l.measure(ctx, "ikmbot", func(srv *telegramtest.Server, ready <-chan struct{}) (running, error) {
		if l.o.mode == "binary" {
			return startBinary(ctx, srv, ready, l.o.binary, l.o.db, false, append([]string{"--workers", strconv.Itoa(l.o.workers)}, l.o.serveArgs...), l.stderr)
		}
		return startOurs(ctx, srv, botClient(srv, l.o.idleConns), l.o.workers, pacing{}, l.city, st, l.log())
	})
	if err != nil {
		if st != nil {
			st.Close()
		}
		return res, nil, err
	}
	if st == nil {
		opts.ReadOnly = true
		if st, err = store.Open(l.o.db, opts); err != nil {
			return res, nil, err
		}
	}
	v, err := verify(st, l.city.Catalog.Units(), before, int(res.Surveys), int(res.Surveys))
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if fi, serr := os.Stat(l.o.db); serr == nil {
		res.DBBytes = fi.Size()
	}
	if tx1, terr := lastTxid(l.o.db); terr == nil {
		res.Commits = tx1 - tx0
	}
	return res, &v, err
}

// measure runs the respondents against one bot on a fresh fake.
func (l *loader) measure(ctx context.Context, name string, start func(*telegramtest.Server, <-chan struct{}) (running, error)) (runResult, error) {
	echo := name != "ikmbot" // an echo bot: follow its buttons, not the survey's
	c := newCrowd(l.city.Catalog.Units(), l.base, l.o.users, l.o.surveys, l.o.seed, echo, l.o.wait)
	c.think = l.o.think
	var complaints atomic.Int64
	srv := telegramtest.NewServer(telegramtest.WithCallHook(c.hook), telegramtest.WithReporter(telegramtest.ReporterFunc(func(f string, a ...any) {
		if complaints.Add(1) <= 10 {
			fmt.Fprintf(l.stderr, "fake Telegram: "+f+"\n", a...)
		}
	})))
	defer srv.Close()
	c.srv = srv
	// The bot remembers handled update_ids for 48 hours, so a run on a
	// database used before must not start again at 1: number from the
	// clock, as Telegram never reuses an id. An empty update moves the
	// fake's counter; the bot ignores it, and the fake drops it once the
	// bot asks for messages and button presses only.
	srv.Push(models.Update{ID: time.Now().UnixMicro()})

	b, err := start(srv, c.ready)
	if err != nil {
		return runResult{}, err
	}
	select {
	case <-c.ready:
	case <-ctx.Done():
		b.stop()
		return runResult{}, ctx.Err()
	}

	cpu0, t0 := cpuTime(), time.Now()
	tick := make(chan struct{})
	ticking := make(chan struct{})
	var mem memory
	go func() {
		defer close(ticking)
		l.tick(name, c, srv, t0, tick, func() { mem.sample(b.pid()) })
	}()
	runErr := c.run(ctx)
	elapsed, cpu := time.Since(t0), cpuTime()-cpu0
	close(tick)
	<-ticking
	mem.sample(b.pid())
	stats, stopErr := b.stop()
	if err := errors.Join(runErr, stopErr); err != nil {
		return runResult{}, err
	}

	r := runResult{
		Bot: name, Updates: c.updates.Load(), Surveys: c.done.Load(), Seconds: elapsed.Seconds(),
		Reply: c.reply.summary(), Lost: c.lost.Load(),
		CPUOf: "whole ikmload process (bot, fake and respondents)", Memory: &mem, MemoryOf: "whole ikmload process",
	}
	if stats.handler != nil {
		r.Handler = stats.handler.summary()
	}
	if stats.cpu > 0 {
		cpu, r.CPUOf, r.MemoryOf = stats.cpu, "bot process", "bot process"
	} else if echo {
		// This process's peak includes the ikmbot run before.
		r.Memory, r.MemoryOf = nil, ""
	}
	r.CPUSeconds = cpu.Seconds()
	if r.Updates > 0 {
		r.UpdatesPerSec = float64(r.Updates) / elapsed.Seconds()
		r.SurveysPerSec = float64(r.Surveys) / elapsed.Seconds()
		r.CPUPerUpdate = float64(cpu.Microseconds()) / float64(r.Updates)
	}
	return r, nil
}

// tick drops the fake's call log every second (the respondents read replies
// through the hook, and the log would grow by the million), samples the
// bot's memory, and shows progress when stderr is a terminal.
func (l *loader) tick(name string, c *crowd, srv *telegramtest.Server, t0 time.Time, stop <-chan struct{}, sample func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			l.progress.Clear()
			return
		case <-t.C:
			srv.Reset()
			sample()
			s := time.Since(t0).Seconds()
			l.progress.Show("%s: %d/%d surveys, %d updates, %.0f updates/s",
				name, c.done.Load(), c.surveys, c.updates.Load(), float64(c.updates.Load())/s)
		}
	}
}

func printReport(w io.Writer, r loadReport) {
	sync := "fsync on"
	if !r.Fsync {
		sync = "fsync OFF (--nosync)"
	}
	think := "answering at once"
	if r.ThinkMS > 0 {
		think = fmt.Sprintf("thinking %.0f ms before each action", r.ThinkMS)
	}
	fmt.Fprintf(w, "ikmload: %s, %d respondents at once, %s, %d surveys over %d units, %d updates handled at once, %s, GOMAXPROCS %d (%d CPUs)\n",
		r.Mode, r.Users, think, r.Surveys, r.Units, r.Workers, sync, r.GOMAXPROCS, r.CPUs)
	printResult(w, r.Ikmbot)
	if r.Echo != nil {
		printResult(w, *r.Echo)
	}
	if r.Plain != nil {
		printResult(w, *r.Plain)
	}
	if r.Ratio != nil {
		fmt.Fprintf(w, "%-8s ikmbot costs %.2fx the echo bot per update in wall time (%.0f vs %.0f updates/s), %.2fx in CPU\n",
			"ratio", r.Ratio.Wall, r.Ikmbot.UpdatesPerSec, r.Echo.UpdatesPerSec, r.Ratio.CPU)
	}
	if r.PlainRatio != nil {
		fmt.Fprintf(w, "%-8s ikmbot costs %.2fx the plain echo bot (go-telegram/bot's own loop) per update in wall time (%.0f vs %.0f updates/s), %.2fx in CPU\n",
			"ratio", r.PlainRatio.Wall, r.Ikmbot.UpdatesPerSec, r.Plain.UpdatesPerSec, r.PlainRatio.CPU)
	}
	if v := r.Verify; v != nil {
		if v.OK {
			fmt.Fprintf(w, "%-8s ok: %d surveys stored once each (%d responses in the file); %d unit aggregates (by year and month) equal a recount of the responses\n",
				"verify", v.Added, v.Responses, v.Tallies)
		} else {
			fmt.Fprintf(w, "%-8s FAILED:\n", "verify")
			for _, p := range v.Problems {
				fmt.Fprintf(w, "         %s\n", p)
			}
		}
	}
}

func printResult(w io.Writer, r runResult) {
	fmt.Fprintf(w, "%-8s %d updates in %.1fs: %.0f updates/s, %.1f surveys/s\n", r.Bot, r.Updates, r.Seconds, r.UpdatesPerSec, r.SurveysPerSec)
	lat := func(name string, s *latencySummary, what string) {
		if s != nil {
			fmt.Fprintf(w, "         %-16s p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (%s)\n", name, s.P50, s.P95, s.P99, s.Max, what)
		}
	}
	lat("handler latency", r.Handler, "handler called to returned: commit and replies sent")
	lat("reply latency", r.Reply, "update pushed to reply answered at the fake, queueing included")
	fmt.Fprintf(w, "         CPU %.0f µs/update (%s)", r.CPUPerUpdate, r.CPUOf)
	if m := r.Memory; m != nil {
		fmt.Fprintf(w, "\n         peak RSS %.1f MB (%s): anonymous %.1f MB (heap, stacks), file-backed %.1f MB (program code, database pages bbolt's mmap touched)",
			mb(m.Peak), r.MemoryOf, mb(m.Anon), mb(m.File))
	}
	if r.DBBytes > 0 {
		fmt.Fprintf(w, "; database %.1f MB", mb(r.DBBytes))
	}
	if r.Commits > 0 {
		fmt.Fprintf(w, "; %d commits, %.1f updates each", r.Commits, float64(r.Updates)/float64(r.Commits))
	}
	fmt.Fprintln(w)
	if r.Lost > 0 {
		fmt.Fprintf(w, "         %d replies did not fit a respondent's inbox\n", r.Lost)
	}
}

// summaryLine is the one line printed on stderr when a run is done.
func summaryLine(r loadReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ikmload: %s: %.0f updates/s, %.1f surveys/s", r.Mode, r.Ikmbot.UpdatesPerSec, r.Ikmbot.SurveysPerSec)
	if h := r.Ikmbot.Handler; h != nil {
		fmt.Fprintf(&b, ", handler p99 %.1f ms", h.P99)
	}
	if r.Ratio != nil {
		fmt.Fprintf(&b, ", %.2fx the echo bot", r.Ratio.Wall)
	}
	if r.PlainRatio != nil {
		fmt.Fprintf(&b, ", %.2fx the plain echo bot", r.PlainRatio.Wall)
	}
	if r.Verify != nil {
		if r.Verify.OK {
			b.WriteString(", verify ok")
		} else {
			b.WriteString(", VERIFY FAILED")
		}
	}
	return b.String()
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// writeReport writes a run's report to stdout: indented JSON when asJSON,
// else as text drawn by text.
func writeReport(stdout io.Writer, asJSON bool, rep any, text func()) error {
	if !asJSON {
		text()
		return nil
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
