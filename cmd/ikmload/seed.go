package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// seedBatch is how many responses go into one write transaction: large
// enough that commits are rare, small enough to keep a transaction's dirty
// pages in tens of megabytes.
const seedBatch = 10_000

// runSeed is "ikmload seed": it fills a database with realistic responses.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "database file to fill (created if missing; responses are added to what it holds)")
	n := fs.Int("responses", 100_000, "completed responses to add")
	fromS := fs.String("from", "2025-01-01", "first day of the responses, in the city's time zone")
	toS := fs.String("to", "2026-12-31", "last day of the responses")
	nosync := fs.Bool("nosync", false, "no fsync per transaction: faster, and a crash may damage the file")
	seed := fs.Uint64("seed", 1, "seed of the generated answers")
	if err := fs.Parse(args); err != nil {
		return usageError{"seed: " + err.Error()}
	}
	c, err := loadCity()
	if err != nil {
		return err
	}
	from, err1 := time.ParseInLocation(time.DateOnly, *fromS, c.Location)
	to, err2 := time.ParseInLocation(time.DateOnly, *toS, c.Location)
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("seed: unexpected argument %q", fs.Arg(0))}
	case *dbPath == "":
		return usageError{"seed: --db is required"}
	case *n < 1:
		return usageError{"seed: --responses must be at least 1"}
	case err1 != nil || err2 != nil:
		return usageError{"seed: --from and --to are dates such as 2026-01-31"}
	case to.Before(from):
		return usageError{"seed: --to is before --from"}
	}
	st, err := store.Open(*dbPath, store.Options{Timeout: time.Second, Location: c.Location, Units: c.Catalog.Unit, NoSync: *nosync})
	if err != nil {
		return err
	}
	defer st.Close()

	g := newSeeder(c, *seed, from, to.AddDate(0, 0, 1), *n)
	progress := console.NewProgress(stderr)
	start := time.Now()
	for done := 0; done < *n; {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := g.next(min(seedBatch, *n-done))
		err := st.Update(func(tx *store.Tx) error {
			for i := range batch {
				r := batch[i].r
				if err := tx.AddResponse(&r, batch[i].window); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		done += len(batch)
		progress.Show("seed: %d/%d responses, %.0f/s", done, *n, float64(done)/time.Since(start).Seconds())
	}
	progress.Clear()
	took := time.Since(start)
	var size int64
	if fi, err := os.Stat(*dbPath); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "seeded %d responses over %d units from %s to %s into %s in %.1fs (%.0f/s); the file is %s\n",
		*n, c.Catalog.Len(), *fromS, *toS, *dbPath, took.Seconds(), float64(*n)/took.Seconds(), console.ByteSize(size))
	return nil
}

// seeder makes responses spread evenly over [from, to), in time order as a
// running bot would store them, with the answers the load's respondents give.
type seeder struct {
	c       *city
	rng     *mrand.Rand
	weights []float64
	from    time.Time
	step    time.Duration
	i, n    int
}

type seeded struct {
	r      survey.Response
	window string
}

func newSeeder(c *city, seed uint64, from, to time.Time, n int) *seeder {
	return &seeder{
		c: c, rng: mrand.New(mrand.NewPCG(seed, 0x5eed)), weights: unitWeights(c.Catalog.Units()),
		from: from, step: to.Sub(from) / time.Duration(n), n: n,
	}
}

func (g *seeder) next(k int) []seeded {
	out := make([]seeded, k)
	units := g.c.Catalog.Units()
	for j := range out {
		day := g.from.Add(time.Duration(g.i) * g.step)
		g.i++
		// Service hours, 08:00 to 15:00 on the response's day.
		at := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, g.c.Location).Add(time.Duration(g.rng.Int64N(int64(7 * time.Hour))))
		u := units[weighted(g.rng, g.weights)]
		r := survey.Response{Unit: u.Code, Submitted: at, Source: survey.SourceTelegram}
		for i, a := range plan(g.rng, u) {
			st := survey.Steps[i]
			var v string
			if a.choice >= 0 {
				if ch := st.Choices(u); a.choice < len(ch) {
					v = ch[a.choice]
				}
			}
			r.Profile.Choose(st, v)
			switch {
			case st.Kind == survey.StepProfile && st.Question.Answer == survey.AnswerAge:
				if a.text != "" {
					r.Profile.Age = age(g.rng)
				}
			case st.Kind == survey.StepElement:
				r.Scores[survey.ElementIndex(st.Element)] = uint8(a.choice + 1)
			case st.Kind == survey.StepSuggestion:
				r.Suggestion = a.text
			}
		}
		var window string
		if g.rng.IntN(10) == 0 {
			r.Source = survey.SourcePaper // paper forms carry no respondent
		} else {
			r.Respondent = randomRespondent()
			window = survey.PeriodOf(g.c.RespondentPeriod, at).Label
		}
		out[j] = seeded{r, window}
	}
	return out
}

// randomRespondent looks like the bot's keyed hash of a Telegram user id:
// 16 bytes in hex, a different person every time.
func randomRespondent() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
