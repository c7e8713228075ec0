package survey

import (
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func extra(t testing.TB, key QuestionnaireKey, scale int, report Conversion, bands bool) Extra {
	t.Helper()
	x := Extra{Questionnaire: QuestionnaireOf(key), Scale: scale, Report: report, Bands: bands}
	if err := x.Check(); err != nil {
		t.Fatal(err)
	}
	return x
}

func itemTally(q *Questionnaire, blocks ...[]uint8) ItemTally {
	t := NewItemTally(q)
	for _, b := range blocks {
		t.Add(b)
	}
	return t
}

// TestIndexWorkedExamples are the worked examples of README's section on
// SPKP and SPAK, on both scales and with both conversions, worked by hand:
// the index is the mean of the item means (each over the answers given),
// reported as it is or x 100 / scale, rounded half up once.
func TestIndexWorkedExamples(t *testing.T) {
	// SPAK on 1-4; the fourth respondent left "pungli" blank.
	// Item means: 15/4 = 3.75, 15/4 = 3.75, 11/4 = 2.75, 12/3 = 4, 15/4 = 3.75;
	// their mean 18/5 = 3.6; x 100/4 = 90 (A on the SKM bands); "imbalan"
	// 2.75 x 25 = 68.75 (C).
	spak := [][]uint8{{4, 4, 3, 4, 4}, {3, 4, 3, 4, 4}, {4, 3, 2, 4, 3}, {4, 4, 3, 0, 4}}
	// SPKP on 1-6: item sums 17 16 15 14 18 16 16 15 = 127 over 3 answers
	// each; the mean of the means is 127/24 = 5.2916..., x 100/6 =
	// 12700/144 = 88.194... (B on the SKM bands: below 88.31); "waktu"
	// 14/3 = 4.67, x 100/6 = 77.78 (B).
	spkp := [][]uint8{{6, 5, 6, 5, 6, 6, 5, 6}, {5, 5, 4, 5, 6, 5, 5, 5}, {6, 6, 5, 4, 6, 5, 6, 4}}
	for _, tt := range []struct {
		name      string
		x         Extra
		blocks    [][]uint8
		mean      float64
		value2    float64
		mutu      Mutu
		item      int // an item to check
		itemMean  float64
		itemValue float64
		itemMutu  Mutu
	}{
		{"SPAK 1-4, mean", extra(t, SPAK, 4, ReportMean, false), spak, 3.6, 3.6, "", 2, 2.75, 2.75, ""},
		{"SPAK 1-4, x100 with bands", extra(t, SPAK, 4, Report100, true), spak, 3.6, 90, MutuA, 2, 2.75, 68.75, MutuC},
		{"SPAK 1-4, x100 without bands", extra(t, SPAK, 4, Report100, false), spak, 3.6, 90, "", 3, 4, 100, ""},
		{"SPKP 1-6, mean", extra(t, SPKP, 6, ReportMean, false), spkp, 127.0 / 24, 5.29, "", 4, 6, 6, ""},
		{"SPKP 1-6, x100 with bands", extra(t, SPKP, 6, Report100, true), spkp, 127.0 / 24, 88.19, MutuB, 3, 14.0 / 3, 14.0 / 3 * 100 / 6, MutuB},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := itemTally(tt.x.Questionnaire, tt.blocks...).Result(tt.x)
			if !r.Valid || r.Respondents != len(tt.blocks) {
				t.Fatalf("valid %v, respondents %d; want true, %d", r.Valid, r.Respondents, len(tt.blocks))
			}
			if r.Mean != tt.mean || r.Value2 != tt.value2 || r.Mutu != tt.mutu {
				t.Errorf("mean %v, value %v (rounded %v), mutu %q; want %v, %v, %q", r.Mean, r.Value, r.Value2, r.Mutu, tt.mean, tt.value2, tt.mutu)
			}
			it := r.Items[tt.item]
			if it.Mean != tt.itemMean || it.Value != tt.itemValue || it.Mutu != tt.itemMutu {
				t.Errorf("item %s: mean %v, value %v, mutu %q; want %v, %v, %q", it.Key, it.Mean, it.Value, it.Mutu, tt.itemMean, tt.itemValue, tt.itemMutu)
			}
		})
	}
}

// TestIndexOnFourIsTheIKMFormula: on a 1-4 scale converted to 100, an
// index is computed exactly as the IKM of the same answers would be (the
// mean of the NRRs x 25, rounded and graded the same way), whatever the
// answers, blanks included.
func TestIndexOnFourIsTheIKMFormula(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(4, 25))
	x := extra(t, SPAK, 4, Report100, true)
	for range 2000 {
		it := NewItemTally(x.Questionnaire)
		var skm Tally
		for range 1 + rng.IntN(40) {
			b := make([]uint8, len(x.Items))
			var s Scores
			for i := range b {
				if rng.IntN(6) > 0 {
					b[i] = uint8(1 + rng.IntN(4))
					s[i] = b[i]
				}
			}
			it.Add(b)
			skm.Add(s)
		}
		got, want := it.Result(x), skm.Result(ExactWeights)
		if got.Valid != want.Valid || got.Value2 != want.IKM2 || got.Value != want.IKM || got.Mutu != want.Mutu {
			t.Fatalf("index %v (%v, %s), IKM of the same answers %v (%v, %s)", got.Value, got.Value2, got.Mutu, want.IKM, want.IKM2, want.Mutu)
		}
		for i := range x.Items {
			if got.Items[i].Mean != want.Elements[i].NRR || got.Items[i].Mutu != want.Elements[i].Mutu {
				t.Fatalf("item %d: mean %v mutu %s, NRR %v mutu %s", i, got.Items[i].Mean, got.Items[i].Mutu, want.Elements[i].NRR, want.Elements[i].Mutu)
			}
		}
	}
}

func TestItemTallyAddRemoveMerge(t *testing.T) {
	q := QuestionnaireOf(SPAK)
	a, b := NewItemTally(q), NewItemTally(q)
	a.Add([]uint8{4, 4, 3, 0, 6})
	a.Add([]uint8{1, 2, 3, 4, 5})
	b.Add([]uint8{1, 2, 3, 4, 5})
	a.Merge(b)
	if a.Respondents != 3 || a.Dist[4][4] != 2 || a.Answers(3) != 2 || a.Sum(0) != 6 {
		t.Errorf("after adds and merge: %+v", a)
	}
	if !a.Contains([]uint8{4, 4, 3, 0, 6}) || a.Contains([]uint8{6, 6, 6, 6, 6}) {
		t.Error("Contains is wrong")
	}
	a.Remove([]uint8{4, 4, 3, 0, 6})
	a.Remove([]uint8{1, 2, 3, 4, 5})
	a.Remove([]uint8{1, 2, 3, 4, 5})
	a.Remove([]uint8{1, 2, 3, 4, 5}) // never below zero
	if !a.Empty() || !a.Equal(ItemTally{}) {
		t.Errorf("after removing everything: %+v, want empty", a)
	}
	if r := a.Result(extra(t, SPAK, 6, ReportMean, false)); r.Valid || r.Value2 != 0 {
		t.Errorf("result of nothing: %+v", r)
	}
}

func TestExtraCheck(t *testing.T) {
	for _, x := range []Extra{
		{Questionnaire: QuestionnaireOf(SPKP), Scale: 5, Report: ReportMean},
		{Questionnaire: QuestionnaireOf(SPKP), Scale: 4, Report: "percent"},
		{Questionnaire: QuestionnaireOf(SPKP), Scale: 4, Report: ReportMean, Bands: true},
		{Scale: 4, Report: ReportMean},
	} {
		if x.Check() == nil {
			t.Errorf("%+v passes the check", x)
		}
	}
}

// unitWithExtras asks both questionnaires: SPKP on 1-6, SPAK on 1-4.
func unitWithExtras(t testing.TB) Unit {
	u := testUnit()
	u.Extras = []Extra{extra(t, SPKP, 6, ReportMean, false), extra(t, SPAK, 4, Report100, true)}
	return u
}

func TestStepsForAUnitWithExtras(t *testing.T) {
	u := unitWithExtras(t)
	steps := StepsFor(u)
	if got, want := len(steps), len(Steps)+8+5; got != want {
		t.Fatalf("%d steps, want %d", got, want)
	}
	if !reflect.DeepEqual(StepsFor(testUnit()), Steps) {
		t.Error("a unit without extras does not get Steps")
	}
	first := FirstElementStep + NumElements
	for i, want := range []struct {
		name   string
		scale  int
		block  int
		item   int
		offset int
	}{{"spkp.informasi", 6, 0, 0, 0}, {"spkp.konsultasi", 6, 0, 7, 7}, {"spak.diskriminasi", 4, 1, 0, 8}, {"spak.calo", 4, 1, 4, 12}} {
		st := steps[first+want.offset]
		if st.Kind != StepItem || st.Name != want.name || len(st.Choices(u)) != want.scale || st.Block != want.block || st.Item != want.item || !st.Skippable() {
			t.Errorf("case %d: step %+v", i, st)
		}
	}
	if last := steps[len(steps)-1]; last.Kind != StepSuggestion {
		t.Errorf("last step %+v, want the suggestion", last)
	}
}

// TestSessionAnswersExtras walks whole sessions of a unit asking both
// questionnaires: answered, one skipped from its third item (its earlier
// answers go with it), back into a skipped one (to its start), and a
// score outside the scale.
func TestSessionAnswersExtras(t *testing.T) {
	u := unitWithExtras(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	first := FirstElementStep + NumElements
	walk := func(t *testing.T, s *Session, script func(s *Session) Input) *Response {
		t.Helper()
		for range 200 {
			for _, ev := range s.Apply(now, script(s)) {
				if c, ok := ev.(Completed); ok {
					return &c.Response
				}
			}
		}
		t.Fatal("never completed")
		return nil
	}
	answer := func(s *Session) Input {
		st := s.Current()
		switch {
		case st.Choices(u) == nil:
			return Input{Kind: InputSkip, Step: s.Step}
		case st.Kind == StepItem:
			return Input{Kind: InputChoice, Step: s.Step, Choice: (st.Item + st.Block) % st.Extra.Scale}
		}
		return Input{Kind: InputChoice, Step: s.Step, Choice: min(2, len(st.Choices(u))-1)}
	}

	t.Run("both answered", func(t *testing.T) {
		s, _ := NewSession("1", u, "h", now)
		r := walk(t, s, answer)
		want := []Block{{SPKP, 6, []uint8{1, 2, 3, 4, 5, 6, 1, 2}}, {SPAK, 4, []uint8{2, 3, 4, 1, 2}}}
		if !reflect.DeepEqual(r.Blocks, want) {
			t.Errorf("blocks %+v, want %+v", r.Blocks, want)
		}
		if r.Scores.Answered() != NumElements {
			t.Errorf("scores %v", r.Scores)
		}
	})

	t.Run("SPKP skipped at its third item", func(t *testing.T) {
		s, _ := NewSession("1", u, "h", now)
		r := walk(t, s, func(s *Session) Input {
			if st := s.Current(); st.Kind == StepItem && st.Block == 0 && st.Item == 2 {
				return Input{Kind: InputSkip, Step: s.Step}
			}
			return answer(s)
		})
		want := []Block{{SPAK, 4, []uint8{2, 3, 4, 1, 2}}}
		if !reflect.DeepEqual(r.Blocks, want) {
			t.Errorf("blocks %+v, want only SPAK's: %+v", r.Blocks, want)
		}
	})

	t.Run("both skipped, then back", func(t *testing.T) {
		s, _ := NewSession("1", u, "h", now)
		for i := 0; s.Step < first; i++ {
			if i > 100 {
				t.Fatalf("stuck at step %d", s.Step)
			}
			s.Apply(now, answer(s))
		}
		evs := s.Apply(now, Input{Kind: InputSkip, Step: s.Step})
		if want := first + 8; s.Step != want || !reflect.DeepEqual(evs, []Event{AnswerAccepted{first}, QuestionAsked{Step: want}}) {
			t.Fatalf("skip SPKP: at step %d, events %+v; want SPAK's first item, %d", s.Step, evs, want)
		}
		s.Apply(now, Input{Kind: InputSkip, Step: s.Step})
		if s.Current().Kind != StepSuggestion {
			t.Fatalf("skip SPAK: at %s, want the suggestion", s.Current().Name)
		}
		s.Apply(now, Input{Kind: InputBack, Step: s.Step})
		if s.Step != first+8 {
			t.Errorf("back from the suggestion: at %s, want spak's first item", s.Current().Name)
		}
		s.Apply(now, Input{Kind: InputBack, Step: s.Step})
		if s.Step != first {
			t.Errorf("back from SPAK: at %s, want spkp's first item", s.Current().Name)
		}
		s.Apply(now, Input{Kind: InputBack, Step: s.Step})
		if s.Current().Kind != StepElement {
			t.Errorf("back from SPKP: at %s, want the last element", s.Current().Name)
		}
		if s.Answered() && len(s.answeredBlocks()) != 0 {
			t.Errorf("skipped blocks left answers: %+v", s.Blocks)
		}
	})

	t.Run("a score outside the scale", func(t *testing.T) {
		s, _ := NewSession("1", u, "h", now)
		s.Step = first + 8 // SPAK, on 1-4
		evs := s.Apply(now, Input{Kind: InputChoice, Step: s.Step, Choice: 4})
		if rej, ok := evs[0].(AnswerRejected); !ok || rej.Reason != RejectBadChoice || s.Step != first+8 {
			t.Errorf("choice 5 on 1-4: %+v", evs)
		}
	})
}

// ExampleItemTally_Result computes an IPAK on a 1-4 scale, reported out
// of 100 and graded on the SKM's bands, from three respondents.
func ExampleItemTally_Result() {
	x := Extra{Questionnaire: QuestionnaireOf(SPAK), Scale: 4, Report: Report100, Bands: true}
	t := NewItemTally(x.Questionnaire)
	t.Add([]uint8{4, 4, 4, 4, 4})
	t.Add([]uint8{4, 3, 4, 4, 4})
	t.Add([]uint8{3, 3, 4, 4, 0}) // "calo" left blank
	r := t.Result(x)
	fmt.Printf("%s %.2f (mean %.4f of 4), mutu %s, %d respondents\n", x.Index, r.Value2, r.Mean, r.Mutu, r.Respondents)
	for _, it := range r.Items {
		fmt.Printf("  %-12s %d answers, mean %.4f, %.2f\n", it.Key, it.Answers, it.Mean, it.Value2)
	}
	// Output:
	// IPAK 95.00 (mean 3.8000 of 4), mutu A, 3 respondents
	//   diskriminasi 3 answers, mean 3.6667, 91.67
	//   kecurangan   3 answers, mean 3.3333, 83.33
	//   imbalan      3 answers, mean 4.0000, 100.00
	//   pungli       3 answers, mean 4.0000, 100.00
	//   calo         2 answers, mean 4.0000, 100.00
}
