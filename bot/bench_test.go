package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/telegram"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// The benchmarks of issue 6; BENCHMARKS.md has the figures and how to run
// them. The seeded databases (100k and 1M responses) are made only when a
// benchmark asks for one, once per test process: plain "go test" never
// pays for them.

// benchCatalog is a city shaped like Kota Bekasi: 44 perangkat daerah,
// 3 RSUD and 42 puskesmas.
func benchCatalog() *survey.Catalog {
	var units []survey.Unit
	add := func(n int, prefix string, t survey.UnitType, name string, services ...string) {
		for i := range n {
			units = append(units, survey.Unit{
				Code: fmt.Sprintf("%s%02d", prefix, i+1), Name: fmt.Sprintf("%s %d", name, i+1),
				Type: t, Services: services, Users: 20000,
			})
		}
	}
	add(44, "PD", survey.PerangkatDaerah, "Dinas Pelayanan Publik", "Informasi Publik", "Pengaduan", "Konsultasi", "Layanan Administrasi")
	add(3, "RSUD", survey.RSUD, "RSUD Tipe D", "Rawat Jalan", "Rawat Inap", "IGD", "Laboratorium", "Farmasi", "Radiologi")
	add(42, "PKM", survey.Puskesmas, "Puskesmas Kelurahan", "Poli Umum", "Poli Gigi", "KIA dan KB", "Imunisasi", "Laboratorium", "Farmasi")
	return survey.NewCatalog(units)
}

var benchLocation = time.FixedZone("WIB", 7*3600)

func benchConfig() Config {
	return Config{
		City: "Kota Uji", Catalog: benchCatalog(), Location: benchLocation, RespondentPeriod: survey.PeriodYear,
		SessionTTL: 24 * time.Hour, DefaultLanguage: "id", Weighting: survey.ExactWeights,
		Secret: []byte("0123456789abcdef-bench-secret"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// seededStores caches the seeded databases of this process by size.
var seededStores struct {
	sync.Mutex
	m map[int]*store.Store
}

// seededStore returns a database holding n completed responses of 2026
// across the 89 units, as the bot stores them (respondent hash, window,
// day and month aggregates). It is seeded with NoSync in batches of 10k,
// then reopened with fsync on, and its file is unlinked at once: the open
// store keeps it alive until the process ends, so nothing is left behind.
func seededStore(b *testing.B, n int) *store.Store {
	b.Helper()
	seededStores.Lock()
	defer seededStores.Unlock()
	if st := seededStores.m[n]; st != nil {
		return st
	}
	dir, err := os.MkdirTemp("", "ikmbot-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "seeded.db")
	opts := store.Options{Location: benchLocation, NoSync: true}
	st, err := store.Open(path, opts)
	if err != nil {
		b.Fatal(err)
	}
	units := benchCatalog().Units()
	rng := mrand.New(mrand.NewPCG(6, uint64(n)))
	// Every response falls in 2026, from New Year's morning to the last
	// afternoon of December.
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, benchLocation)
	step := time.Date(2026, 12, 31, 16, 0, 0, 0, benchLocation).Sub(start) / time.Duration(n)
	began := time.Now()
	const batch = 10_000
	for done := 0; done < n; done += batch {
		rs := make([]survey.Response, min(batch, n-done))
		for i := range rs {
			var sc survey.Scores
			for e := range sc {
				sc[e] = uint8(1 + min(3, rng.IntN(5))) // mostly 3 and 4
			}
			rs[i] = survey.Response{
				Unit: units[rng.IntN(len(units))].Code, Submitted: start.Add(time.Duration(done+i) * step),
				Source: survey.SourceTelegram, Respondent: fmt.Sprintf("%032x", rng.Uint64()),
				Profile: survey.Profile{Gender: "P", Age: 20 + rng.IntN(40), Education: "SMA", Occupation: "Swasta", Service: "Poli Umum"},
				Scores:  sc,
			}
		}
		err := st.Update(func(tx *store.Tx) error {
			for i := range rs {
				if err := tx.AddResponse(&rs[i], "2026"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	opts.NoSync = false
	if st, err = store.Open(path, opts); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d responses in %v", n, time.Since(began).Round(time.Millisecond))
	if seededStores.m == nil {
		seededStores.m = map[int]*store.Store{}
	}
	seededStores.m[n] = st
	return st
}

func year2026(b *testing.B) survey.Period {
	p, err := survey.ParsePeriod("2026", benchLocation)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkCitySummary is the city /ikm: each unit's tallies for the year
// (twelve month reads per unit) and survey.Summarize, as report.Summary
// does; "report" adds rendering the message.
func BenchmarkCitySummary(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("responses=%dk", n/1000), func(b *testing.B) {
			st := seededStore(b, n)
			bt, err := New(benchConfig(), st, nil)
			if err != nil {
				b.Fatal(err)
			}
			units, year := bt.cfg.Catalog.Units(), year2026(b)
			c := &conv{b: bt, t: bt.localizer("id")}
			for _, render := range []bool{false, true} {
				name := "summary"
				if render {
					name = "report"
				}
				b.Run(name, func(b *testing.B) {
					var sum survey.CitySummary
					for b.Loop() {
						err := st.View(func(tx *store.Tx) error {
							var err error
							sum, err = report.Summary(tx, units, year, survey.ExactWeights)
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
						if render && len(c.cityReport(sum)) == 0 {
							b.Fatal("empty report")
						}
					}
					if sum.Respondents() != n {
						b.Fatalf("city has %d respondents, want %d", sum.Respondents(), n)
					}
				})
			}
		})
	}
}

// BenchmarkUnitSummary is /ikm CODE over 1M stored responses: one unit's
// year, summarized and rendered.
func BenchmarkUnitSummary(b *testing.B) {
	st := seededStore(b, 1_000_000)
	bt, err := New(benchConfig(), st, nil)
	if err != nil {
		b.Fatal(err)
	}
	u, year := bt.cfg.Catalog.Units()[16], year2026(b)
	c := &conv{b: bt, t: bt.localizer("id")}
	for b.Loop() {
		var sum survey.CitySummary
		err := st.View(func(tx *store.Tx) error {
			var err error
			sum, err = report.Summary(tx, []survey.Unit{u}, year, survey.ExactWeights)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Units[0].Tally.Respondents == 0 || len(c.unitReport(sum.Units[0], survey.Result{}, year)) == 0 {
			b.Fatal("no figures for the unit")
		}
	}
}

// BenchmarkRebuildAggregates recomputes every aggregate from 1M raw
// responses in one transaction, fsync on. It rewrites the shared seeded
// database with the same aggregates, so the other benchmarks are unaffected;
// after timing, the city's year and a unit's respondent index are read back
// to make sure the rebuild wrote them.
func BenchmarkRebuildAggregates(b *testing.B) {
	const n = 1_000_000
	st := seededStore(b, n)
	for b.Loop() {
		if err := st.Update(func(tx *store.Tx) error { return tx.RebuildAggregates() }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "responses/s")
	err := st.View(func(tx *store.Tx) error {
		var respondents, profiled int
		for _, u := range benchCatalog().Units() {
			t, err := tx.Tally(u.Code, year2026(b))
			if err != nil {
				return err
			}
			p, err := tx.ProfileTally(u.Code, year2026(b))
			if err != nil {
				return err
			}
			respondents += t.Respondents
			profiled += p.Respondents
		}
		if respondents != n || profiled != n {
			b.Errorf("after rebuild: %d respondents in agg/, %d in prof/; want %d", respondents, profiled, n)
		}
		// Ids run from 1 to n: the last response must be in respondents/.
		r, err := tx.Response(n)
		if err != nil {
			return err
		}
		if id, ok, err := tx.PriorResponse(r.Unit, "2026", r.Respondent); err != nil || !ok || id != n {
			b.Errorf("after rebuild: respondents/ gives %d, %v, %v for response %d", id, ok, err, n)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// benchRespondent is one simulated person answering through Handle.
type benchRespondent struct {
	bt   *Bot
	srv  *telegramtest.Server
	ids  *atomic.Int64 // update ids, shared by all respondents
	rng  *mrand.Rand
	user *telegramtest.User
}

func (r *benchRespondent) handle(b *testing.B, upd models.Update) {
	upd.ID = r.ids.Add(1)
	r.bt.Handle(context.Background(), &upd)
}

// begin makes a new person scan a unit's code.
func (r *benchRespondent) begin(b *testing.B, userID int64) {
	r.user = r.srv.User(userID, "Warga", "id")
	units := r.bt.cfg.Catalog.Units()
	r.handle(b, r.user.TextUpdate("/start "+units[r.rng.IntN(len(units))].Code))
}

// next taps an answer (or skip, where answers are optional) on the current
// question and reports whether that was an element answer, and whether the
// survey is over.
func (r *benchRespondent) next(b *testing.B) (answer, done bool) {
	msg, ok := r.srv.LastKeyboardMessage(r.user.ID())
	if !ok {
		b.Fatalf("user %d: no question to answer", r.user.ID())
	}
	var data string
	for _, row := range msg.Keyboard {
		for _, btn := range row {
			d, ok := parseCallback(btn.Data)
			switch {
			case !ok || data != "":
			case d.op == 'k': // skip every optional question
				data = btn.Data
			case d.op == 'a' && survey.Steps[d.step].Kind == survey.StepElement && d.choice == 2+r.rng.IntN(2):
				data, answer = btn.Data, true
			}
		}
	}
	if data == "" {
		for _, row := range msg.Keyboard { // a 1 or 2 was drawn: take the first answer
			for _, btn := range row {
				if d, ok := parseCallback(btn.Data); ok && d.op == 'a' && data == "" {
					data, answer = btn.Data, true
				}
			}
		}
	}
	d, _ := parseCallback(data)
	r.handle(b, r.user.CallbackUpdate(msg.ID, data))
	return answer, d.step == len(survey.Steps)-1
}

func benchHandleSetup(b *testing.B) (*Bot, *telegramtest.Server) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(b))
	b.Cleanup(srv.Close)
	api, err := tg.New(telegramtest.Token, tg.WithServerURL(srv.URL()), tg.WithHTTPClient(5*time.Second, srv.Client()), tg.WithSkipGetMe())
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{Location: benchLocation, Units: benchCatalog().Unit})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	bt, err := New(benchConfig(), st, api)
	if err != nil {
		b.Fatal(err)
	}
	return bt, srv
}

// BenchmarkHandleAnswer handles button presses end to end in this process:
// the update through Handle, its bbolt transaction with fsync on, and the
// replies (answerCallbackQuery, editMessageText) over loopback HTTP to the
// fake Bot API.
//
// "serial" is one person answering element questions, timed alone: it
// includes waiting for bbolt's batch delay, since nobody else's update
// shares the commit. "parallel" is 64 people answering whole surveys at
// once (skipping the optional questions): ns/op is the wall time per
// update, the inverse of throughput.
func BenchmarkHandleAnswer(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		bt, srv := benchHandleSetup(b)
		var ids atomic.Int64
		r := &benchRespondent{bt: bt, srv: srv, ids: &ids, rng: mrand.New(mrand.NewPCG(1, 2))}
		user := int64(100000)
		r.begin(b, user)
		for b.Loop() {
			// Only element answers are timed: the profile questions, the
			// suggestion and starting the next survey are not.
			b.StopTimer()
			for !r.atElement(b) {
				if _, done := r.next(b); done {
					user++
					r.begin(b, user)
				}
			}
			b.StartTimer()
			r.next(b)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		bt, srv := benchHandleSetup(b)
		var ids, users atomic.Int64
		users.Store(200000)
		b.SetParallelism(32) // 64 respondents on 2 CPUs
		b.RunParallel(func(pb *testing.PB) {
			r := &benchRespondent{bt: bt, srv: srv, ids: &ids, rng: mrand.New(mrand.NewPCG(uint64(users.Add(1)), 3))}
			r.begin(b, users.Add(1))
			for pb.Next() {
				if _, done := r.next(b); done {
					r.begin(b, users.Add(1))
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	})
}

// atElement reports whether the current question is one of the nine
// elements.
func (r *benchRespondent) atElement(b *testing.B) bool {
	msg, ok := r.srv.LastKeyboardMessage(r.user.ID())
	if !ok {
		b.Fatalf("user %d: no question to answer", r.user.ID())
	}
	for _, row := range msg.Keyboard {
		for _, btn := range row {
			if d, ok := parseCallback(btn.Data); ok && d.op == 'a' {
				return survey.Steps[d.step].Kind == survey.StepElement
			}
		}
	}
	return false
}

// BenchmarkHandleTx is the bot's own work per update, without the Bot API:
// parsing the update, the survey step and its bbolt transaction, fsync on,
// for 64 people answering whole surveys at once. The replies it decides are
// dropped. Compare with BenchmarkHandleAnswer/parallel, which sends them.
func BenchmarkHandleTx(b *testing.B) {
	bt, _ := benchHandleSetup(b)
	var ids, users atomic.Int64
	users.Store(300000)
	units := bt.cfg.Catalog.Units()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		rng := mrand.New(mrand.NewPCG(uint64(users.Add(1)), 4))
		var user int64
		var out outbox
		run := func(upd *models.Update) {
			upd.ID = ids.Add(1)
			in := telegram.Parse(upd)
			err := bt.store.Update(func(tx *store.Tx) error {
				out = outbox{}
				return bt.handleTx(tx, upd.ID, in, &out)
			})
			if err != nil {
				b.Error(err)
			}
		}
		start := func() {
			user = users.Add(1)
			from := models.User{ID: user, FirstName: "Warga", LanguageCode: "id"}
			run(&models.Update{Message: &models.Message{ID: 1, From: &from, Chat: models.Chat{ID: user, Type: models.ChatTypePrivate},
				Text: "/start " + units[rng.IntN(len(units))].Code}})
		}
		start()
		for pb.Next() {
			data := benchPress(out, rng)
			if data == "" {
				start() // the survey is over
				continue
			}
			run(&models.Update{CallbackQuery: &models.CallbackQuery{
				ID: strconv.FormatInt(ids.Load(), 10), From: models.User{ID: user, FirstName: "Warga", LanguageCode: "id"},
				Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
					Message: &models.Message{ID: 2, Chat: models.Chat{ID: user, Type: models.ChatTypePrivate}}},
				Data: data,
			}})
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// benchPress picks the button to press on the question in out: a 3 or a 4
// on an element, skip on the optional questions; "" when there is none.
func benchPress(out outbox, rng *mrand.Rand) string {
	var skip, answer string
	for _, c := range out.Calls {
		if c.Keyboard == nil {
			continue
		}
		for _, row := range c.Keyboard.InlineKeyboard {
			for _, btn := range row {
				d, ok := parseCallback(btn.CallbackData)
				switch {
				case !ok:
				case d.op == 'k':
					skip = btn.CallbackData
				case d.op == 'a' && d.choice == 2+rng.IntN(2) && answer == "":
					answer = btn.CallbackData
				}
			}
		}
	}
	if skip != "" {
		return skip
	}
	return answer
}
