package bot

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/tools/txtar"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

var startLink = regexp.MustCompile(`https://t\.me/\w+\?start=([A-Za-z0-9_-]+)`)

// counterKeyLine is a counter key as /loket shows it.
var counterKeyLine = regexp.MustCompile(`<code>([A-Za-z0-9_-]+:[A-Za-z0-9_-]{43})</code>`)

// testUnits is a small city: enough units of one type to need two picker
// pages, and units of each built-in type.
func testUnits() *survey.Catalog {
	units := []survey.Unit{
		{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah,
			Services: []string{"KTP-el", "Kartu Keluarga", "Akta Kelahiran"}, Users: 1000},
		{Code: "DPMPTSP", Name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", Type: survey.PerangkatDaerah,
			Services: []string{"Perizinan Berusaha", "PBG"}},
		{Code: "RSUD-CAM", Name: "RSUD dr. Chasbullah Abdulmadjid", Type: survey.RSUD,
			Services: []string{"Rawat Jalan", "IGD"}},
	}
	for _, n := range []string{"Kranji", "Pejuang", "Kalibaru", "Seroja", "Teluk Pucung", "Marga Mulya", "Perwira", "Harapan Baru", "Bintara", "Kota Baru"} {
		code := "PKM-" + strings.ToUpper(strings.ReplaceAll(n, " ", ""))
		units = append(units, survey.Unit{Code: code, Name: "Puskesmas " + n, Type: survey.Puskesmas,
			Services: []string{"Poli Umum", "Poli Gigi", "KIA dan KB"}})
	}
	return survey.NewCatalog(units)
}

const testAdmin = 9001

// harness runs the real bot against the fake Bot API and a real bbolt file,
// handling each update synchronously so transcripts are deterministic.
type harness struct {
	t      testing.TB
	srv    *telegramtest.Server
	api    *tg.Bot
	dbPath string
	st     *store.Store
	bot    *Bot
	cfg    Config
	now    time.Time
	ids    atomic.Int64
	users  map[string]*telegramtest.User
	last   *models.Update
	out    bytes.Buffer
}

func newHarness(t testing.TB, opts ...func(*Config)) *harness {
	t.Helper()
	jakarta := time.FixedZone("WIB", 7*3600)
	h := &harness{t: t, users: map[string]*telegramtest.User{}, dbPath: filepath.Join(t.TempDir(), "ikmbot.db"),
		now: time.Date(2026, 3, 10, 9, 0, 0, 0, jakarta)}
	h.srv = telegramtest.NewServer(telegramtest.WithReporter(t), telegramtest.WithClock(func() time.Time { return h.now }))
	t.Cleanup(h.srv.Close)
	api, err := tg.New(telegramtest.Token, tg.WithServerURL(h.srv.URL()), tg.WithHTTPClient(5*time.Second, h.srv.Client()), tg.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	h.api = api
	h.cfg = Config{
		City: "Kota Uji", Catalog: testUnits(), Location: jakarta, RespondentPeriod: survey.PeriodYear,
		SessionTTL: 24 * time.Hour, DefaultLanguage: "id", Admins: []int64{testAdmin},
		Secret: []byte("0123456789abcdef-test-secret"),
		Now:    func() time.Time { return h.now },
		NewID:  func() string { return "s" + strconv.FormatInt(h.ids.Add(1), 10) },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&h.cfg)
	}
	h.open()
	t.Cleanup(func() { h.st.Close() })
	return h
}

// open opens the store and builds a new Bot on it, as a restarted process
// would: nothing survives but the database file.
func (h *harness) open() {
	h.t.Helper()
	st, err := store.Open(h.dbPath, store.Options{Timeout: time.Second, Location: h.cfg.Location, Units: h.cfg.Catalog.Unit})
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := New(h.cfg, st, h.api)
	if err != nil {
		h.t.Fatal(err)
	}
	h.st, h.bot = st, b
}

func (h *harness) restart() {
	h.t.Helper()
	if err := h.st.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

func (h *harness) user(alias string) *telegramtest.User {
	u, ok := h.users[alias]
	if !ok {
		h.t.Fatalf("script uses undeclared user %q", alias)
	}
	return u
}

// handle feeds one update to the bot and appends it and the Bot API calls
// it caused to the transcript.
func (h *harness) handle(upd models.Update) {
	before := len(h.srv.Calls())
	fmt.Fprintln(&h.out, telegramtest.FormatUpdate(upd))
	h.last = &upd
	h.bot.Handle(context.Background(), &upd)
	// Notices to admins go out after the update's own replies, as
	// RunNotices sends them in the bot.
	h.bot.DeliverNotices(context.Background())
	h.calls(before)
	h.now = h.now.Add(10 * time.Second)
}

func (h *harness) calls(before int) {
	calls := h.srv.Calls()
	for _, c := range calls[before:] {
		fmt.Fprintln(&h.out, indent(telegramtest.FormatCall(c)))
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// run plays a script. Lines:
//
//	user ALIAS ID LANG        declare a simulated person
//	ALIAS send TEXT           a text message (commands too)
//	ALIAS tap LABEL           press a button on the newest message with buttons
//	ALIAS tap-in #N LABEL     press a button message N has or once had
//	ALIAS callback #N DATA    a press with arbitrary (forged) data on message N
//	ALIAS start-link FROM     open the newest t.me start link FROM was sent
//	ALIAS counter-scan FROM   scan, now, the code of a counter screen
//	                          (5-minute steps) run with the newest
//	                          <code>CODE:KEY</code> that FROM was sent
//	ALIAS sticker|photo|voice|location
//	redeliver                 Telegram sends the last update again
//	restart                   close the store and start a new bot on the file
//	advance DURATION          move the clock
//	sweep                     run the expiry sweep
//	notices                   the notice loop wakes: queue the daily
//	                          digests if due, send queued notices
//	seed UNIT N SCORES [DAY] [PROFILE] [saran:TEXT]
//	                          store N paper responses straight away, e.g.
//	                          seed PKM-KRANJI 12 344334433 2025-06-01 P,35,SMA,Swasta,KTP-el
//	                          (scores in survey.Elements order, 0 = blank;
//	                          profile fields "-" when skipped, "_" for a space;
//	                          saran:TEXT gives each a suggestion, "_" for a space)
//	fail METHOD CODE TIMES    the fake Bot API fails the next calls
//	# ...                     a comment, copied to the transcript
func (h *harness) run(script string) {
	h.t.Helper()
	for n, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			fmt.Fprintln(&h.out, line)
			continue
		}
		if err := h.step(line); err != nil {
			h.t.Fatalf("script line %d %q: %v", n+1, line, err)
		}
	}
}

func (h *harness) step(line string) error {
	f := strings.Fields(line)
	switch f[0] {
	case "user":
		id, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || len(f) != 4 {
			return fmt.Errorf("want: user ALIAS ID LANG")
		}
		h.users[f[1]] = h.srv.User(id, strings.ToUpper(f[1][:1])+f[1][1:], f[3])
		return nil
	case "redeliver":
		if h.last == nil {
			return fmt.Errorf("nothing to redeliver")
		}
		fmt.Fprintln(&h.out, "> (Telegram redelivers the last update)")
		before := len(h.srv.Calls())
		h.bot.Handle(context.Background(), h.last)
		h.calls(before)
		return nil
	case "restart":
		fmt.Fprintln(&h.out, "> (the bot restarts)")
		h.restart()
		return nil
	case "advance":
		d, err := time.ParseDuration(f[1])
		if err != nil {
			return err
		}
		h.now = h.now.Add(d)
		fmt.Fprintf(&h.out, "> (%s pass)\n", f[1])
		return nil
	case "fail":
		// fail METHOD CODE|drop|hang TIMES: the fake Bot API refuses the
		// next calls, or its connection drops after acting, or it hangs.
		if len(f) != 4 {
			return fmt.Errorf("want: fail METHOD CODE|drop|hang TIMES")
		}
		times, err := strconv.Atoi(f[3])
		if err != nil {
			return fmt.Errorf("want: fail METHOD CODE|drop|hang TIMES")
		}
		switch f[2] {
		case "drop":
			h.srv.Fail(f[1], telegramtest.Fault{Network: telegramtest.Drop, Times: times})
			fmt.Fprintf(&h.out, "> (the connection drops after the next %d %s calls take effect)\n", times, f[1])
		case "hang":
			h.srv.Fail(f[1], telegramtest.Fault{Network: telegramtest.Hang, Times: times})
			fmt.Fprintf(&h.out, "> (Telegram never answers the next %d %s calls)\n", times, f[1])
		default:
			code, err := strconv.Atoi(f[2])
			if err != nil {
				return fmt.Errorf("want: fail METHOD CODE|drop|hang TIMES")
			}
			h.srv.Fail(f[1], telegramtest.Fault{Code: code, Description: "Internal Server Error", Times: times})
			fmt.Fprintf(&h.out, "> (Telegram fails the next %d %s calls with %d)\n", times, f[1], code)
		}
		return nil
	case "call-timeout":
		// call-timeout DURATION: how long the bot waits for one Bot API call.
		d, err := time.ParseDuration(f[1])
		if len(f) != 2 || err != nil {
			return fmt.Errorf("want: call-timeout DURATION")
		}
		h.cfg.CallTimeout = d
		h.bot.cfg.CallTimeout = d
		return nil
	case "seed":
		return h.seed(f[1:])
	case "notices":
		fmt.Fprintln(&h.out, "> (the notice loop wakes)")
		before := len(h.srv.Calls())
		n, err := h.bot.queueDigests()
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(&h.out, "> (%d daily digests queued)\n", n)
		}
		h.bot.DeliverNotices(context.Background())
		h.calls(before)
		return nil
	case "sweep":
		fmt.Fprintln(&h.out, "> (expiry sweep)")
		before := len(h.srv.Calls())
		if _, err := h.bot.SweepExpired(context.Background()); err != nil {
			return err
		}
		h.calls(before)
		return nil
	}
	u := h.user(f[0])
	if len(f) < 2 {
		return fmt.Errorf("missing verb")
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(line, f[0])), f[1]))
	var upd models.Update
	var err error
	switch f[1] {
	case "send":
		upd = u.Send(rest)
	case "tap":
		upd, err = u.Tap(rest)
	case "tap-in", "callback":
		id, label, ok := strings.Cut(rest, " ")
		n, perr := strconv.Atoi(strings.TrimPrefix(id, "#"))
		if !ok || perr != nil {
			return fmt.Errorf("want: %s #N ARG", f[1])
		}
		if f[1] == "tap-in" {
			upd, err = u.TapIn(n, label)
		} else {
			upd, err = u.TapStale(n, label)
		}
	case "start-link":
		// ALIAS start-link FROM: open the newest t.me start link that FROM
		// was sent, as forwarding and tapping it would.
		msgs := h.user(rest).Chat()
		var payload string
		for i := len(msgs) - 1; i >= 0 && payload == ""; i-- {
			if m := startLink.FindStringSubmatch(msgs[i].Text); m != nil {
				payload = m[1]
			}
		}
		if payload == "" {
			return fmt.Errorf("%s was sent no start link", rest)
		}
		upd = u.Send("/start " + payload)
	case "counter-scan":
		msgs := h.user(rest).Chat()
		var code string
		var key []byte
		for i := len(msgs) - 1; i >= 0 && key == nil; i-- {
			if m := counterKeyLine.FindStringSubmatch(msgs[i].Text); m != nil {
				if code, key, err = deeplink.ParseCounterKey(m[1]); err != nil {
					return fmt.Errorf("counter key %q: %v", m[1], err)
				}
			}
		}
		if key == nil {
			return fmt.Errorf("%s was sent no counter key", rest)
		}
		upd = u.Send("/start " + deeplink.CounterCodeAt(code, 5*time.Minute, h.now).Payload(key))
	case "sticker":
		upd = u.Sticker()
	case "photo":
		upd = u.Photo()
	case "voice":
		upd = u.Voice()
	case "location":
		upd = u.Location()
	default:
		return fmt.Errorf("unknown verb %q", f[1])
	}
	if err != nil {
		return err
	}
	h.handle(upd)
	return nil
}

// golden runs testdata/NAME.txtar's script and compares the transcript.
func golden(t *testing.T, name string, opts ...func(*Config)) *harness {
	t.Helper()
	path := filepath.Join("testdata", name+".txtar")
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var script string
	for _, f := range ar.Files {
		if f.Name == "script" {
			script = string(f.Data)
		}
	}
	if script == "" {
		t.Fatalf("%s has no script section", path)
	}
	h := newHarness(t, opts...)
	h.run(script)
	got := h.out.String()
	if *update {
		ar.Files = []txtar.File{{Name: "script", Data: []byte(script)}, {Name: "transcript", Data: []byte(got)}}
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return h
	}
	var want string
	for _, f := range ar.Files {
		if f.Name == "transcript" {
			want = string(f.Data)
		}
	}
	if got != want {
		t.Errorf("%s: transcript differs (run go test ./bot -run %s -update and review the diff)\n%s", path, t.Name(), lineDiff(want, got))
	}
	return h
}

// lineDiff shows the first lines where two transcripts part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, a, b)
		}
	}
	return ""
}

// seed stores paper responses directly, as ikmbot import does, so a script
// can start from figures without playing every survey. spkp:SCORES and
// spak:SCORES add answers to the unit's extra questionnaires, on its scale.
func (h *harness) seed(args []string) error {
	const usage = "want: seed UNIT N SCORES [DAY] [PROFILE] [saran:TEXT] [spkp:SCORES] [spak:SCORES]"
	if len(args) < 3 {
		return errors.New(usage)
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || len(args[2]) != survey.NumElements {
		return errors.New(usage)
	}
	r := survey.Response{Unit: args[0], Submitted: h.now, Source: survey.SourcePaper}
	for i, ch := range args[2] {
		r.Scores[i] = uint8(ch - '0')
	}
	unit, _ := h.cfg.Catalog.Unit(args[0])
	var saran string
	for _, a := range args[3:] {
		if text, ok := strings.CutPrefix(a, "saran:"); ok {
			saran = strings.ReplaceAll(text, "_", " ")
			continue
		}
		if key, scores, ok := strings.Cut(a, ":"); ok {
			x, asks := unit.ExtraOf(survey.QuestionnaireKey(key))
			if !asks || len(scores) != len(x.Items) {
				return fmt.Errorf("%s: %s does not ask %s, or not %d items", a, args[0], key, len(scores))
			}
			b := survey.Block{Key: x.Key, Scale: x.Scale, Scores: make([]uint8, len(x.Items))}
			for i, ch := range scores {
				b.Scores[i] = uint8(ch - '0')
			}
			r.Blocks = append(r.Blocks, b)
			continue
		}
		if day, err := time.ParseInLocation("2006-01-02", a, h.cfg.Location); err == nil {
			r.Submitted = day.Add(10 * time.Hour)
			continue
		}
		p := strings.Split(a, ",")
		if len(p) != len(survey.ProfileQuestions) {
			return fmt.Errorf("profile %q: want one value per profile question, - for none", a)
		}
		for i, q := range survey.ProfileQuestions {
			if v := strings.ReplaceAll(p[i], "_", " "); v != "-" {
				q.Set(&r.Profile, v)
			}
		}
	}
	err = h.st.Update(func(tx *store.Tx) error {
		for i := range n {
			r := r
			if saran != "" {
				r.Suggestion = fmt.Sprintf("%s (%d)", saran, i+1)
			}
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		return nil
	})
	fmt.Fprintf(&h.out, "> (%d paper responses for %s)\n", n, args[0])
	return err
}
