package store

import (
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"testing"

	"github.com/ikmbot/ikmbot/survey"
)

// TestRebuildMatchesIncremental checks that the single scan of
// RebuildAggregates writes every derived bucket byte for byte as
// AddResponse and ReplaceResponse left it, across units, two windows,
// verified and other answers, profiles, suggestions, answers to extra
// questionnaires and replacements; and
// that the profile-only rebuild of an old file's backfill does the same for
// prof/ and suggestions/.
func TestRebuildMatchesIncremental(t *testing.T) {
	loc := jakarta(t)
	units := []string{"U1", "U2", "U3"}
	rng := mrand.New(mrand.NewPCG(21, 22))
	rs := randomResponses(rng, 2000, units, loc)
	s := open(t, Options{Location: loc, NoSync: true})
	vias := []survey.Via{"", survey.ViaPoster, survey.ViaOldPoster, survey.ViaPlainLink, survey.ViaCounter}
	sources := []survey.Source{survey.SourceTelegram, survey.SourceWeb, survey.SourcePaper}
	update(t, s, func(tx *Tx) error {
		for i := range rs {
			r := &rs[i]
			r.Profile = randomProfile(rng)
			r.Via = vias[rng.IntN(len(vias))]
			r.Blocks = randomBlocks(rng)
			r.Source = sources[rng.IntN(len(sources))]
			if rng.IntN(3) == 0 {
				r.Suggestion = fmt.Sprintf("saran %d", i)
			}
			window := ""
			if rng.IntN(10) > 0 {
				r.Respondent = fmt.Sprintf("h%d", rng.IntN(500))
				window = fmt.Sprint(r.Submitted.In(loc).Year())
			}
			if err := addOrReplace(tx, r, window); err != nil {
				return err
			}
		}
		return nil
	})
	want := map[string]map[string]string{}
	for _, name := range derivedBuckets {
		want[string(name)] = dump(t, s, name)
		if len(want[string(name)]) == 0 {
			t.Fatalf("%s/ is empty: the test would compare nothing", name)
		}
	}
	check := func(when string, names ...[]byte) {
		t.Helper()
		for _, name := range names {
			if got := dump(t, s, name); !reflect.DeepEqual(got, want[string(name)]) {
				t.Errorf("%s: %s/ differs: %d keys, want %d", when, name, len(got), len(want[string(name)]))
			}
		}
	}

	// Damage every derived bucket, then rebuild.
	update(t, s, func(tx *Tx) error {
		for _, name := range derivedBuckets {
			if err := tx.tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		if err := tx.putRespondent("U1", "2026", "nobody", 1); err != nil {
			return err
		}
		return tx.addDerived(survey.Response{Unit: "U9", Submitted: rs[0].Submitted, Suggestion: "x"}, 123456)
	})
	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	check("after RebuildAggregates", derivedBuckets...)

	update(t, s, func(tx *Tx) error {
		if err := tx.tx.DeleteBucket(bucketProfiles); err != nil {
			return err
		}
		if err := tx.tx.DeleteBucket(bucketSuggestions); err != nil {
			return err
		}
		return tx.backfillDerived()
	})
	check("after the backfill", derivedBuckets...)
}

// TestRebuildKeepsLaterOfTwoAnswers: a file from before the duplicate check
// may hold two answers of one person in one window; the later id is the one
// respondents/ points to, as a scan in id order leaves it.
func TestRebuildKeepsLaterOfTwoAnswers(t *testing.T) {
	s := open(t, Options{Location: jakarta(t), NoSync: true})
	update(t, s, func(tx *Tx) error {
		b, err := tx.writeBucket(bucketResponses)
		if err != nil {
			return err
		}
		for _, id := range []uint64{5, 9, 7} {
			rec := fmt.Sprintf(`{"unit":"U1","at":"2026-01-0%dT00:00:00Z","who":"h","win":"2026","scores":{"waktu":4}}`, id)
			if err := b.Put(u64key(id), []byte(rec)); err != nil {
				return err
			}
		}
		return tx.RebuildAggregates()
	})
	view(t, s, func(tx *Tx) error {
		id, ok, err := tx.PriorResponse("U1", "2026", "h")
		if err != nil || !ok || id != 9 {
			t.Errorf("respondents/U1/2026/h = %d, %v, %v; want 9", id, ok, err)
		}
		return nil
	})
}

// addOrReplace stores r as the bot stores a finished survey: replacing the
// respondent's earlier answer in the window if there is one.
func addOrReplace(tx *Tx, r *survey.Response, window string) error {
	id, ok, err := tx.PriorResponse(r.Unit, window, r.Respondent)
	if err != nil {
		return err
	}
	if ok {
		return tx.ReplaceResponse(id, r, window)
	}
	return tx.AddResponse(r, window)
}
