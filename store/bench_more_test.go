package store

import (
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// BenchmarkDecodeResponse is the cost per record of every scan of
// responses/: RebuildAggregates, exports, verification.
func BenchmarkDecodeResponse(b *testing.B) {
	r := survey.Response{
		Unit: "PKM-KALIABANGTGH", Submitted: time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC), Source: survey.SourceTelegram,
		Respondent: fmt.Sprintf("%032x", 12345), Scores: survey.Scores{4, 3, 3, 4, 3, 3, 4, 2, 3},
		Profile: survey.Profile{Gender: "P", Age: 34, Education: "D4/S1", Occupation: "Swasta", Service: "Poli Umum"},
	}
	data, err := encodeResponse(r, "2026")
	if err != nil {
		b.Fatal(err)
	}
	s := &Store{opts: Options{Location: time.UTC}}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := s.decodeResponse(1, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeResponseExtras is BenchmarkDecodeResponse for a unit that
// also asks the SPKP and SPAK, both answered: what the extra answers add
// to every scan.
func BenchmarkDecodeResponseExtras(b *testing.B) {
	r := survey.Response{
		Unit: "PA-BEKASI", Submitted: time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC), Source: survey.SourceTelegram,
		Respondent: fmt.Sprintf("%032x", 12345), Scores: survey.Scores{4, 3, 3, 4, 3, 3, 4, 2, 3},
		Profile: survey.Profile{Gender: "P", Age: 34, Education: "D4/S1", Occupation: "Swasta", Service: "Gugatan"},
		Blocks: []survey.Block{
			{Key: survey.SPKP, Scale: 6, Scores: []uint8{6, 5, 6, 5, 4, 6, 5, 6}},
			{Key: survey.SPAK, Scale: 4, Scores: []uint8{4, 4, 3, 4, 4}},
		},
	}
	data, err := encodeResponse(r, "2026")
	if err != nil {
		b.Fatal(err)
	}
	s := &Store{opts: Options{Location: time.UTC}}
	if _, _, ok := s.decodeResponseFast(1, data, nil); !ok {
		b.Fatalf("the fast decoder leaves %s to encoding/json", data)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := s.decodeResponse(1, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuildAggregates is RebuildAggregates over 100k responses
// shaped like the bot's (respondent hash, window, profile), fsync on: the
// store's part of bot's BenchmarkRebuildAggregates over 1M, small enough
// to profile.
func BenchmarkRebuildAggregates(b *testing.B) {
	loc := jakarta(b)
	dir := b.TempDir()
	path := filepath.Join(dir, "rebuild.db")
	s := openAt(b, path, Options{Location: loc, NoSync: true})
	units := make([]string, 89)
	for i := range units {
		units[i] = fmt.Sprintf("UNIT%02d", i)
	}
	rng := mrand.New(mrand.NewPCG(13, 14))
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, loc)
	const total, perTx = 100_000, 10_000
	step := 364 * 24 * time.Hour / total
	for done := 0; done < total; done += perTx {
		update(b, s, func(tx *Tx) error {
			for i := range perTx {
				var sc survey.Scores
				for e := range sc {
					sc[e] = uint8(1 + min(3, rng.IntN(5)))
				}
				r := survey.Response{
					Unit: units[rng.IntN(len(units))], Submitted: start.Add(time.Duration(done+i) * step),
					Source: survey.SourceTelegram, Respondent: fmt.Sprintf("%032x", rng.Uint64()),
					Profile: survey.Profile{Gender: "P", Age: 20 + rng.IntN(40), Education: "SMA", Occupation: "Swasta", Service: "Poli Umum"},
					Scores:  sc,
				}
				if err := tx.AddResponse(&r, "2026"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	s = openAt(b, path, Options{Location: loc})
	for b.Loop() {
		update(b, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "responses/s")
}

// BenchmarkProfileTallyCodec is what storing one response costs in prof/
// per period (AddResponse does it for the day and the month): decode the
// stored tally, count one more profile, encode it again. "json" is
// encoding/json, as before the hand-written codec; "hand" is what
// changeProfile uses. The tally is a month of 300 respondents.
func BenchmarkProfileTallyCodec(b *testing.B) {
	rng := mrand.New(mrand.NewPCG(19, 20))
	var month survey.ProfileTally
	for range 300 {
		month.Add(randomProfile(rng))
	}
	p := randomProfile(rng)
	for _, c := range []struct {
		name   string
		encode func(survey.ProfileTally) ([]byte, error)
		decode func([]byte) (survey.ProfileTally, error)
	}{
		{"json", encodeProfileTallyJSON, decodeProfileTallyJSON},
		{"hand", encodeProfileTally, decodeProfileTally},
	} {
		b.Run(c.name, func(b *testing.B) {
			data, err := c.encode(month)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				t, err := c.decode(data)
				if err != nil {
					b.Fatal(err)
				}
				t.Add(p)
				if _, err := c.encode(t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
