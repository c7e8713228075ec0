package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/bot"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// pollTimeout is the bots' long-poll wait. Under load getUpdates returns at
// once; the wait matters only when the run is over.
const pollTimeout = 10 * time.Second

// loadSecret keys the respondent hashes in every run; a seeded database
// stays usable by a later run.
const loadSecret = "ikmload secret, not for production"

// running is a bot under test, ours or the echo bot, in this process or in
// a child process.
type running interface {
	// stop ends the bot after the updates in flight and reports what it
	// measured of itself.
	stop() (botStats, error)
	// pid names the bot's process in /proc: "self" when in this process.
	pid() string
}

type botStats struct {
	handler *latency      // time spent per update in the handler; nil if unknown
	cpu     time.Duration // CPU time of the bot's own process; 0 when in this process
}

// inProcess is a bot polling the fake from this process, wired as
// "ikmbot serve" wires it: Poller, Dispatcher and a handler per update.
type inProcess struct {
	cancel  context.CancelFunc
	done    chan error
	swept   chan struct{}
	d       *telegram.Dispatcher
	handler *latency
	// flush, if not nil, runs once the last handler returned, before the
	// caller closes the store: the store's FlushAnswered, so that no flush of the inbox runs after the store is
	// closed (and logs its failure into a writer the caller has moved on
	// from).
	flush func()
}

// startInProcess starts polling with handle, timing every call of it, and
// runs sweep (if not nil) beside it as ikmbot serve runs its sweeper.
func startInProcess(ctx context.Context, srv *telegramtest.Server, client *http.Client, workers int, log *slog.Logger, metrics *telegram.Metrics, inbox telegram.Inbox, handle telegram.Handler, sweep func(context.Context)) *inProcess {
	p := &inProcess{done: make(chan error, 1), swept: make(chan struct{}), handler: &latency{}}
	p.d = telegram.NewDispatcher(func(ctx context.Context, u *models.Update, release func()) error {
		start := time.Now()
		err := handle(ctx, u, release)
		p.handler.add(time.Since(start))
		return err
	}).WithWorkers(workers)
	poller := &telegram.Poller{APIURL: srv.URL(), Token: telegramtest.Token, Client: client, Timeout: pollTimeout, Logger: log, Metrics: metrics, Inbox: inbox}
	pctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	go func() { p.done <- poller.Run(pctx, p.d) }()
	go func() {
		defer close(p.swept)
		if sweep != nil {
			sweep(pctx)
		}
	}()
	return p
}

func (p *inProcess) pid() string { return "self" }

func (p *inProcess) stop() (botStats, error) {
	p.cancel()
	err := <-p.done
	p.d.Wait()
	<-p.swept
	if p.flush != nil {
		p.flush()
	}
	return botStats{handler: p.handler}, err
}

func newAPI(srv *telegramtest.Server, client *http.Client, log *slog.Logger) (*tg.Bot, error) {
	return tg.New(telegramtest.Token, tg.WithServerURL(srv.URL()), tg.WithHTTPClient(pollTimeout, telegram.BufferedClient{Client: client}),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }))
}

// pacing is the bot's send rates and per-person cap, as bot.Config has
// them; the zero value is all off.
type pacing struct {
	send, chat, user float64
	userBurst        int
}

// servePacing is ikmbot serve's, with its default flags.
var servePacing = pacing{send: bot.DefaultSendRate, chat: bot.DefaultChatRate, user: bot.DefaultUserRate, userBurst: bot.DefaultUserBurst}

// startOurs runs ikmbot's bot in this process on st. "ikmload run" has
// pacing off: its fake has no flood limits, and waiting for Telegram's is
// not the bot's cost; "ikmload crowd" paces as serve does.
func startOurs(ctx context.Context, srv *telegramtest.Server, client *http.Client, workers int, pace pacing, c *city, st *store.Store, log *slog.Logger) (running, error) {
	api, err := newAPI(srv, client, log)
	if err != nil {
		return nil, err
	}
	metrics := bot.NewMetrics()
	b, err := bot.New(bot.Config{
		City: c.Name, Catalog: c.Catalog, Location: c.Location, RespondentPeriod: c.RespondentPeriod,
		SessionTTL: c.SessionTTL, DefaultLanguage: "id", Weighting: survey.ExactWeights,
		ChatRetention: c.ChatRetention, SuggestionRetention: time.Duration(c.SuggestionDays) * 24 * time.Hour,
		Secret: []byte(loadSecret), Logger: log, Metrics: metrics,
		SendRate: pace.send, ChatRate: pace.chat, UserRate: pace.user, UserBurst: pace.userBurst,
	}, st, api)
	if err != nil {
		return nil, err
	}
	if _, err := api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return nil, err
	}
	if err := b.RegisterCommands(ctx); err != nil {
		return nil, err
	}
	p := startInProcess(ctx, srv, client, workers, log, metrics.Transport(), st, b.Process, func(ctx context.Context) { b.RunSweeper(ctx, time.Minute) })
	p.flush = func() {
		if err := st.FlushAnswered(); err != nil {
			log.Warn("answered updates left in the inbox", "err", err)
		}
	}
	return p, nil
}

// startEcho runs the echo bot in this process.
func startEcho(ctx context.Context, srv *telegramtest.Server, client *http.Client, workers int, log *slog.Logger) (running, error) {
	api, err := newAPI(srv, client, log)
	if err != nil {
		return nil, err
	}
	return startInProcess(ctx, srv, client, workers, log, nil, nil, echoHandler(api, log), nil), nil
}

// child is a bot in its own process: the ikmbot binary, or ikmload's echo
// bot. Its debug log gives the handler time of every update.
type child struct {
	cmd     *exec.Cmd
	handler *latency
	logDone chan struct{}
	exited  chan error
}

// startChild starts a bot process polling srv and waits until it polls.
func startChild(ctx context.Context, srv *telegramtest.Server, ready <-chan struct{}, path string, args []string, stderr io.Writer) (*child, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+telegramtest.Token, "IKMBOT_SECRET="+loadSecret)
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, handler: &latency{}, logDone: make(chan struct{}), exited: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go c.readLog(logs, stderr)
	go func() {
		<-c.logDone // Wait closes the pipe: read it to the end first
		c.exited <- cmd.Wait()
	}()
	select {
	case <-ready:
		return c, nil
	case err := <-c.exited:
		return nil, fmt.Errorf("%s exited before polling: %v", filepath.Base(path), err)
	case <-time.After(30 * time.Second):
		c.kill()
		return nil, fmt.Errorf("%s did not poll the fake within 30s", filepath.Base(path))
	case <-ctx.Done():
		c.kill()
		return nil, ctx.Err()
	}
}

// readLog takes the handler time from each "update handled ... took=D"
// debug line and passes warnings and errors on.
func (c *child) readLog(r io.Reader, stderr io.Writer) {
	defer close(c.logDone)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	shown := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, `msg="update handled"`) {
			if _, v, ok := strings.Cut(line, " took="); ok {
				v, _, _ = strings.Cut(v, " ")
				if d, err := time.ParseDuration(v); err == nil {
					c.handler.add(d)
				}
			}
			continue
		}
		if (strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR")) && shown < 20 {
			shown++
			fmt.Fprintln(stderr, "bot:", line)
		}
	}
}

func (c *child) pid() string { return strconv.Itoa(c.cmd.Process.Pid) }

func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.exited
}

func (c *child) stop() (botStats, error) {
	var err error
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err = <-c.exited:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		err = errors.Join(errors.New("bot did not stop within 30s of SIGTERM"), <-c.exited)
	}
	st := botStats{}
	if c.handler.n.Load() > 0 {
		st.handler = c.handler
	}
	// Not the rusage's maxrss: Linux carries the parent's peak over the
	// fork and exec into it, so it reports ikmload's memory. The child's
	// VmHWM, sampled while it runs, is its own.
	if ru, ok := c.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		st.cpu = rusageCPU(ru)
	}
	return st, err
}

// startBinary runs "ikmbot serve" against the fake on dbPath; paced, with
// serve's own default rates, else with pacing off.
func startBinary(ctx context.Context, srv *telegramtest.Server, ready <-chan struct{}, path, dbPath string, paced bool, extra []string, stderr io.Writer) (running, error) {
	args := []string{"serve", "--db", dbPath, "--api-url", srv.URL(), "--poll-timeout", pollTimeout.String(), "--log-level", "debug"}
	flags, err := serveFlags(path)
	if err != nil {
		return nil, err
	}
	// Pacing and the per-person cap off, as in-process: the fake has no
	// flood limits, and the respondents answer as fast as the bot replies.
	// Ops off: its port would clash between runs.
	for _, f := range []string{"send-rate=0", "chat-rate=0", "user-rate=0", "ops="} {
		name, v, _ := strings.Cut(f, "=")
		if paced && v == "0" {
			continue
		}
		if flags[name] {
			args = append(args, "--"+f)
		}
	}
	c, err := startChild(ctx, srv, ready, path, append(args, extra...), stderr)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// serveFlags lists the flags "ikmbot serve" of this binary accepts, so the
// load tool works with older and newer builds.
func serveFlags(path string) (map[string]bool, error) {
	out, _ := exec.Command(path, "serve", "-h").CombinedOutput()
	flags := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f, ok := strings.CutPrefix(strings.TrimSpace(line), "-"); ok {
			name, _, _ := strings.Cut(f, " ")
			flags[name] = true
		}
	}
	if !flags["api-url"] {
		return nil, fmt.Errorf("%s serve -h lists no --api-url; is it an ikmbot binary?\n%s", path, out)
	}
	return flags, nil
}

// buildIkmbot builds cmd/ikmbot of the module in the working directory.
func buildIkmbot(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return "", errors.New("--mode binary without --binary needs to run inside the ikmbot module (to go build ./cmd/ikmbot)")
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	path := filepath.Join(dir, "ikmbot")
	build := exec.Command("go", "build", "-o", path, "./cmd/ikmbot")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ikmbot: %v\n%s", err, out)
	}
	return path, nil
}

// startEchoChild runs the echo bot as a child process (ikmload echobot),
// for comparison with the ikmbot binary on equal terms.
func startEchoChild(ctx context.Context, srv *telegramtest.Server, ready <-chan struct{}, workers int, stderr io.Writer) (running, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	c, err := startChild(ctx, srv, ready, self, []string{echoCommand, "--api-url", srv.URL(), "--workers", strconv.Itoa(workers)}, stderr)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// startPlainChild runs the plain echo bot as a child process (ikmload
// echobot --plain).
func startPlainChild(ctx context.Context, srv *telegramtest.Server, ready <-chan struct{}, client string, stderr io.Writer) (running, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	c, err := startChild(ctx, srv, ready, self, []string{echoCommand, "--plain", "--plain-client", client, "--api-url", srv.URL()}, stderr)
	if err != nil {
		return nil, err
	}
	return c, nil
}
