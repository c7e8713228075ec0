package store

import (
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// testExtras are SPKP on 1-6 and SPAK on 1-4, as a unit's config may ask.
var testExtras = []survey.Extra{
	{Questionnaire: survey.QuestionnaireOf(survey.SPKP), Scale: 6, Report: survey.ReportMean},
	{Questionnaire: survey.QuestionnaireOf(survey.SPAK), Scale: 4, Report: survey.Report100, Bands: true},
}

// randomBlocks answers each of testExtras, or skips it, as people do;
// now and then SPKP comes on 1-4, as before a config changed its scale.
func randomBlocks(rng *mrand.Rand) []survey.Block {
	var out []survey.Block
	for _, x := range testExtras {
		if rng.IntN(4) == 0 {
			continue
		}
		scale := x.Scale
		if x.Key == survey.SPKP && rng.IntN(10) == 0 {
			scale = 4
		}
		b := survey.Block{Key: x.Key, Scale: scale, Scores: make([]uint8, len(x.Items))}
		for i := range b.Scores {
			if rng.IntN(12) > 0 {
				b.Scores[i] = uint8(1 + rng.IntN(scale))
			}
		}
		if b.Answered() > 0 {
			out = append(out, b)
		}
	}
	return out
}

// directItemTally recomputes an extra questionnaire's tally from responses.
func directItemTally(rs []survey.Response, unit string, x survey.Extra, p survey.Period) survey.ItemTally {
	t := survey.NewItemTally(x.Questionnaire)
	for _, r := range rs {
		if b, ok := survey.BlockOf(r.Blocks, x.Key); ok && b.Scale == x.Scale && r.Unit == unit && p.Contains(r.Submitted) {
			t.Add(b.Scores)
		}
	}
	return t
}

func checkItemTallies(t *testing.T, s *Store, rs []survey.Response, units []string, periods []survey.Period) {
	t.Helper()
	view(t, s, func(tx *Tx) error {
		for _, u := range units {
			for _, x := range append(testExtras, survey.Extra{Questionnaire: testExtras[0].Questionnaire, Scale: 4}) {
				for _, p := range periods {
					got, err := tx.ItemTally(u, x, p)
					if err != nil {
						return err
					}
					if want := directItemTally(rs, u, x, p); !got.Equal(want) {
						t.Errorf("%s %s %s: stored %+v, recount %+v", u, x.TallyKey(), p.Label, got, want)
					}
				}
			}
		}
		return nil
	})
}

// TestExtrasAggregatedLive stores responses with answers to extra
// questionnaires through AddResponse and ReplaceResponse, and checks that
// agg_extra/ matches a recount over any period, that VerifyAggregates
// agrees and notices damage, and that RebuildAggregates restores it byte
// for byte.
func TestExtrasAggregatedLive(t *testing.T) {
	loc := jakarta(t)
	units := []string{"U1", "U2"}
	rng := mrand.New(mrand.NewPCG(13, 14))
	rs := randomResponses(rng, 600, units, loc)
	for i := range rs {
		rs[i].Blocks = randomBlocks(rng)
		rs[i].Respondent = fmt.Sprintf("h%d", i%200)
	}
	s := open(t, Options{Location: loc, NoSync: true})
	update(t, s, func(tx *Tx) error {
		for i := range rs {
			if err := addOrReplace(tx, &rs[i], fmt.Sprint(rs[i].Submitted.In(loc).Year())); err != nil {
				return err
			}
		}
		return nil
	})
	var kept []survey.Response
	view(t, s, func(tx *Tx) error {
		return tx.ForEachResponse(func(r survey.Response) error { kept = append(kept, r); return nil })
	})
	if len(kept) >= len(rs) {
		t.Fatalf("%d of %d kept; replacements should have removed some", len(kept), len(rs))
	}
	withBlocks := 0
	for _, r := range kept {
		if len(r.Blocks) > 0 {
			withBlocks++
		}
	}
	if withBlocks < len(kept)/2 {
		t.Fatalf("only %d of %d responses kept their blocks", withBlocks, len(kept))
	}
	periods := testPeriods(t, loc)
	checkItemTallies(t, s, kept, units, periods)
	checkTallies(t, s, kept, units, periods) // the IKM is untouched by them
	verify := func() []string {
		var p []string
		view(t, s, func(tx *Tx) (err error) { p, err = tx.VerifyAggregates(); return err })
		return p
	}
	if p := verify(); len(p) != 0 {
		t.Fatalf("VerifyAggregates: %q", p)
	}
	want := dump(t, s, bucketAggExtra)

	// Damage: a tally rewritten, a unit's tallies gone.
	update(t, s, func(tx *Tx) error {
		root := tx.tx.Bucket(bucketAggExtra)
		r := kept[0]
		b := r.Blocks[0]
		x := survey.Extra{Questionnaire: survey.QuestionnaireOf(b.Key), Scale: b.Scale}
		bogus, _ := encodeItemTally(survey.ItemTally{Respondents: 999, Dist: make([][survey.MaxScale]uint32, len(x.Items))}, b.Scale)
		if err := root.Bucket([]byte(r.Unit)).Bucket([]byte(x.TallyKey())).Put([]byte(survey.MonthKey(r.Submitted.In(loc))), bogus); err != nil {
			return err
		}
		other := "U2"
		if r.Unit == other {
			other = "U1"
		}
		return root.DeleteBucket([]byte(other))
	})
	p := verify()
	if len(p) < 2 || !strings.Contains(strings.Join(p, "\n"), "stored 999 respondents") || !strings.Contains(strings.Join(p, "\n"), "missing") {
		t.Errorf("VerifyAggregates after damage: %q", p)
	}
	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	if got := dump(t, s, bucketAggExtra); !reflect.DeepEqual(got, want) {
		t.Errorf("agg_extra/ after rebuild: %d keys, want %d", len(got), len(want))
	}
	if p := verify(); len(p) != 0 {
		t.Errorf("VerifyAggregates after rebuild: %q", p)
	}
	checkItemTallies(t, s, kept, units, periods)
}

// TestReplaceRefusesDamagedExtraTallies: replacing a response whose extra
// answers are not in agg_extra/ fails rather than leaving a wrong tally.
func TestReplaceRefusesDamagedExtraTallies(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	r := testResponse("U1", at, survey.Scores{4})
	r.Blocks = []survey.Block{{Key: survey.SPAK, Scale: 4, Scores: []uint8{4, 4, 4, 4, 4}}}
	update(t, s, func(tx *Tx) error { return tx.AddResponse(&r, "") })
	update(t, s, func(tx *Tx) error { return tx.tx.Bucket(bucketAggExtra).DeleteBucket([]byte("U1")) })
	err := s.Update(func(tx *Tx) error {
		r2 := testResponse("U1", at, survey.Scores{3})
		return tx.ReplaceResponse(r.ID, &r2, "")
	})
	if err == nil || !strings.Contains(err.Error(), "run RebuildAggregates") {
		t.Errorf("replace over damaged agg_extra/: %v", err)
	}
}

// TestBlocksRefused: a response with answers that cannot be counted is
// never stored, and a record naming an unknown questionnaire, item or scale
// does not decode.
func TestBlocksRefused(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for _, bs := range [][]survey.Block{
		{{Key: "spxx", Scale: 4, Scores: []uint8{4}}},
		{{Key: survey.SPAK, Scale: 5, Scores: []uint8{4, 4, 4, 4, 4}}},
		{{Key: survey.SPAK, Scale: 4, Scores: []uint8{5, 4, 4, 4, 4}}},
		{{Key: survey.SPAK, Scale: 4, Scores: []uint8{4, 4}}},
		{{Key: survey.SPAK, Scale: 4, Scores: []uint8{4, 4, 4, 4, 4}}, {Key: survey.SPAK, Scale: 4, Scores: []uint8{1, 1, 1, 1, 1}}},
	} {
		r := testResponse("U1", at, survey.Scores{4})
		r.Blocks = bs
		if err := s.Update(func(tx *Tx) error { return tx.AddResponse(&r, "") }); err == nil {
			t.Errorf("AddResponse stored blocks %+v", bs)
		}
	}
	for _, rec := range []string{
		`{"unit":"U1","blocks":{"spxx":{"scale":4,"scores":{"calo":4}}}}`,
		`{"unit":"U1","blocks":{"spak":{"scale":4,"scores":{"nope":4}}}}`,
		`{"unit":"U1","blocks":{"spak":{"scale":5,"scores":{"calo":4}}}}`,
		`{"unit":"U1","blocks":{"spak":{"scale":4,"scores":{"calo":6}}}}`,
	} {
		if _, _, err := s.decodeResponse(1, []byte(rec)); err == nil {
			t.Errorf("%s decodes", rec)
		}
	}
}

// TestSessionKeepsBlocks stores a session in the middle of an extra
// questionnaire and loads it back; a config that no longer asks the
// questionnaire, or asks it on another scale, drops its answers and moves
// the session on rather than failing.
func TestSessionKeepsBlocks(t *testing.T) {
	u := survey.Unit{Code: "ZI", Name: "Pengadilan", Type: survey.PerangkatDaerah, Extras: testExtras}
	config := map[string]survey.Unit{"ZI": u}
	s := open(t, Options{Units: func(code string) (survey.Unit, bool) { u, ok := config[code]; return u, ok }})
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	ss, _ := survey.NewSession("7", u, "h", now)
	first := survey.FirstElementStep + survey.NumElements
	for ss.Step < first+10 { // SPKP answered, SPAK at its third item
		st := ss.Current()
		in := survey.Input{Kind: survey.InputChoice, Step: ss.Step, Choice: len(st.Choices(u)) - 1}
		if st.Choices(u) == nil {
			in = survey.Input{Kind: survey.InputSkip, Step: ss.Step}
		}
		ss.Apply(now, in)
	}
	update(t, s, func(tx *Tx) error { return tx.PutChat(Chat{ID: 5, Session: ss}) })
	load := func() *survey.Session {
		var c Chat
		view(t, s, func(tx *Tx) (err error) { c, err = tx.Chat(5); return err })
		return c.Session
	}
	got := load()
	if got.Step != ss.Step || !reflect.DeepEqual(got.Blocks, ss.Blocks) || got.Current().Name != "spak.imbalan" {
		t.Fatalf("loaded at %d (%s), blocks %+v; want %d, %+v", got.Step, got.Current().Name, got.Blocks, ss.Step, ss.Blocks)
	}

	// The city moves SPKP to 1-4 and drops SPAK.
	config["ZI"] = survey.Unit{Code: "ZI", Extras: []survey.Extra{{Questionnaire: testExtras[0].Questionnaire, Scale: 4, Report: survey.ReportMean}}}
	got = load()
	if got.Current().Kind != survey.StepSuggestion || len(got.Blocks) != 0 {
		t.Errorf("after the config changed: at %s, blocks %+v; want the suggestion and no blocks", got.Current().Name, got.Blocks)
	}
}
