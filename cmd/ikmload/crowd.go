package main

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// crowd is the simulated respondents of one run. Each of users slots runs
// surveys one after another, each survey as a new person (a new Telegram
// user), and has exactly one action outstanding at a time: it waits for the
// bot's reply before its next tap, as a person does.
type crowd struct {
	units   []survey.Unit
	weights []float64
	users   int
	surveys int
	seed    uint64
	echo    bool          // talking to the echo bot: follow its buttons, not the survey's
	wait    time.Duration // the longest a respondent waits for one reply
	think   time.Duration // mean pause before each action after a reply; 0: none

	srv   *telegramtest.Server
	inbox []chan observed // per slot: the bot's replies in that slot's chat

	base      int64         // user id of the first survey's respondent
	ready     chan struct{} // closed at the bot's first call: it is up
	readyOnce sync.Once

	updates atomic.Int64 // actions answered by the bot
	done    atomic.Int64 // surveys completed
	lost    atomic.Int64 // replies dropped because an inbox was full
	reply   latency      // push of an update to the reply seen at the fake
}

// observed is a reply call the fake answered, and when.
type observed struct {
	call telegramtest.Call
	at   time.Time
}

// userBase keeps simulated user ids apart from anything a test might use.
// A run on a database that already has responses starts further on, so
// that no respondent of an earlier run is met again (and refused as a
// repeat).
const userBase = 7_000_000_000

// inboxSize bounds the replies a slot holds; one update makes at most a few.
const inboxSize = 64

func newCrowd(units []survey.Unit, base int64, users, surveys int, seed uint64, echo bool, wait time.Duration) *crowd {
	c := &crowd{
		base: base, units: units, weights: unitWeights(units), users: users, surveys: surveys, seed: seed, echo: echo, wait: wait,
		inbox: make([]chan observed, users), ready: make(chan struct{}),
	}
	for i := range c.inbox {
		c.inbox[i] = make(chan observed, inboxSize)
	}
	return c
}

// hook is the fake's call hook: it routes every reply to the slot whose chat
// it went to. It runs on the fake's request goroutine before the response is
// flushed to the bot, so it must never block.
func (c *crowd) hook(call telegramtest.Call) {
	at := time.Now()
	// A long poll is seen only when it returns, so the bot's first call of
	// any kind (getMe) says it is up; updates pushed before it polls wait
	// in the fake's queue.
	c.readyOnce.Do(func() { close(c.ready) })
	switch call.Method {
	case "sendMessage", "editMessageText":
	default:
		return
	}
	if call.ErrorCode != 0 {
		return
	}
	id, err := strconv.ParseInt(call.Params["chat_id"], 10, 64)
	if err != nil || id < c.base || id >= c.base+int64(c.surveys) {
		return
	}
	select {
	case c.inbox[(id-c.base)%int64(c.users)] <- observed{call, at}:
	default:
		c.lost.Add(1)
	}
}

// run plays every survey and returns when all are done, ctx ends, or one
// respondent fails (which stops the others).
func (c *crowd) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for slot := range c.users {
		wg.Go(func() {
			if err := c.respond(ctx, slot); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func (c *crowd) respond(ctx context.Context, slot int) error {
	rng := mrand.New(mrand.NewPCG(c.seed, uint64(slot)))
	for n := slot; n < c.surveys; n += c.users {
		if err := c.survey(ctx, rng, slot, n); err != nil {
			if ctx.Err() != nil {
				return nil // another respondent failed first, or the run was stopped
			}
			return fmt.Errorf("respondent %d, survey %d: %w", slot, n, err)
		}
		c.done.Add(1)
	}
	return nil
}

// survey is one person scanning a unit's QR code and answering to the end.
func (c *crowd) survey(ctx context.Context, rng *mrand.Rand, slot, n int) error {
	id := c.base + int64(n)
	lang := "id"
	switch r := rng.IntN(20); {
	case r < 2:
		lang = "en"
	case r < 3:
		lang = "" // Telegram sends no language_code: the city's default applies
	}
	u := c.srv.User(id, "Warga", lang)
	unit := c.units[weighted(rng, c.weights)]
	steps := plan(rng, unit)
	inbox := c.inbox[slot]

	if err := c.pause(ctx, rng); err != nil {
		return err
	}
	_, err := c.act(ctx, inbox, func() error { u.Send("/start " + unit.Code); return nil }, wantSend(false))
	if err != nil {
		return fmt.Errorf("/start %s: %w", unit.Code, err)
	}
	step := 0 // the echo bot has no questionnaire: count steps here
	for actions := 0; ; actions++ {
		if actions > 3*len(steps) {
			return fmt.Errorf("survey does not end after %d actions", actions)
		}
		msg, ok := c.srv.LastKeyboardMessage(id)
		if !ok {
			return fmt.Errorf("step %d: no question with buttons in the chat", step)
		}
		if !c.echo {
			if step, err = surveyStep(msg.Keyboard); err != nil {
				return err
			}
			if step >= len(steps) {
				return fmt.Errorf("step %d of %d", step, len(steps))
			}
		}
		a, last := steps[step], step == len(steps)-1
		if err := c.pause(ctx, rng); err != nil {
			return err
		}
		if a.text != "" {
			_, err = c.act(ctx, inbox, func() error { u.Send(a.text); return nil }, wantSend(last))
		} else {
			label, lerr := c.label(msg.Keyboard, step, a.choice)
			if lerr != nil {
				return lerr
			}
			_, err = c.act(ctx, inbox, func() error { _, err := u.TapIn(msg.ID, label); return err }, wantEdit(msg.ID))
		}
		if err != nil {
			return fmt.Errorf("step %d (%s): %w", step, survey.Steps[step].Name, err)
		}
		if last {
			return nil
		}
		step++
	}
}

// act pushes one update and waits for the reply that want recognises.
// pause is a person reading the question before answering: a random
// time between half and one and a half times the mean think time.
func (c *crowd) pause(ctx context.Context, rng *mrand.Rand) error {
	if c.think <= 0 {
		return nil
	}
	d := c.think/2 + time.Duration(rng.Int64N(int64(c.think)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *crowd) act(ctx context.Context, inbox chan observed, push func() error, want func(telegramtest.Call) bool) (telegramtest.Call, error) {
	start := time.Now()
	if err := push(); err != nil {
		return telegramtest.Call{}, err
	}
	timer := time.NewTimer(c.wait)
	defer timer.Stop()
	for {
		select {
		case o := <-inbox:
			if want(o.call) {
				c.reply.add(o.at.Sub(start))
				c.updates.Add(1)
				return o.call, nil
			}
		case <-timer.C:
			return telegramtest.Call{}, fmt.Errorf("no reply within %v", c.wait)
		case <-ctx.Done():
			return telegramtest.Call{}, ctx.Err()
		}
	}
}

// wantEdit recognises the reply to a tap: the question edited in place.
func wantEdit(msgID int) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool { return c.Method == "editMessageText" && c.MessageID == msgID }
}

// wantSend recognises the reply to typed text: the next question as a new
// message with buttons (after /start, a welcome without buttons comes first),
// or, after the last answer, the thanks.
func wantSend(final bool) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool {
		return c.Method == "sendMessage" && (final || c.Params["reply_markup"] != "")
	}
}

// surveyStep reads which question a keyboard belongs to from its buttons'
// callback data: "a:<session>:<step>:<choice>", "k:<session>:<step>" (skip)
// or "b:<session>:<step>" (back), as bot/callback.go documents.
func surveyStep(kb [][]telegramtest.Button) (int, error) {
	for _, row := range kb {
		for _, b := range row {
			f := strings.Split(b.Data, ":")
			if len(f) >= 3 && (f[0] == "a" || f[0] == "k" || f[0] == "b") {
				return strconv.Atoi(f[2])
			}
		}
	}
	return 0, fmt.Errorf("no survey question among buttons %v", kb)
}

// label finds the button to tap for choice (or skip) at step.
func (c *crowd) label(kb [][]telegramtest.Button, step, choice int) (string, error) {
	var flat []telegramtest.Button
	for _, row := range kb {
		flat = append(flat, row...)
	}
	if c.echo {
		// The echo bot's buttons mean nothing; tap one by position.
		if choice < 0 || len(flat) < 2 {
			return flat[len(flat)-1].Text, nil
		}
		return flat[choice%(len(flat)-1)].Text, nil
	}
	want := "k:"
	if choice >= 0 {
		want = "a:"
	}
	for _, b := range flat {
		f := strings.Split(b.Data, ":")
		if len(f) < 3 || f[0]+":" != want || f[2] != strconv.Itoa(step) {
			continue
		}
		if choice < 0 || (len(f) == 4 && f[3] == strconv.Itoa(choice)) {
			return b.Text, nil
		}
	}
	return "", fmt.Errorf("step %d: no button for choice %d among %v", step, choice, kb)
}
