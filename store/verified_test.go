package store

import (
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// TestVerifiedAggregates follows verified answers (a fresh counter code)
// through add, replace and rebuild: they count in agg/ and agg_verified/,
// other answers in agg/ only, and a recount always agrees.
func TestVerifiedAggregates(t *testing.T) {
	loc := jakarta(t)
	s := open(t, Options{Location: loc})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, loc)
	year := survey.PeriodOf(survey.PeriodYear, at)
	all := func(v uint8) (sc survey.Scores) {
		for i := range sc {
			sc[i] = v
		}
		return sc
	}
	counts := func(want, wantVerified int) {
		t.Helper()
		view(t, s, func(tx *Tx) error {
			total, err := tx.Tally("DISDUKCAPIL", year)
			if err != nil {
				return err
			}
			verified, err := tx.VerifiedTally("DISDUKCAPIL", year)
			if err != nil {
				return err
			}
			if total.Respondents != want || verified.Respondents != wantVerified {
				t.Errorf("respondents %d, verified %d; want %d, %d", total.Respondents, verified.Respondents, want, wantVerified)
			}
			if problems, err := tx.VerifyAggregates(); err != nil || len(problems) != 0 {
				t.Errorf("aggregates against a recount: %v, %v", problems, err)
			}
			return nil
		})
	}

	var counter, poster survey.Response
	update(t, s, func(tx *Tx) error {
		counter = survey.Response{Unit: "DISDUKCAPIL", Submitted: at, Source: survey.SourceTelegram, Respondent: "a", Scores: all(4), Via: survey.ViaCounter}
		poster = survey.Response{Unit: "DISDUKCAPIL", Submitted: at, Source: survey.SourceTelegram, Respondent: "b", Scores: all(2), Via: survey.ViaPoster, Poster: 1}
		if err := tx.AddResponse(&counter, "2026"); err != nil {
			return err
		}
		return tx.AddResponse(&poster, "2026")
	})
	counts(2, 1)
	view(t, s, func(tx *Tx) error {
		v, err := tx.VerifiedTally("DISDUKCAPIL", year)
		if got := v.Result(survey.ExactWeights).IKM2; err != nil || got != 100 {
			t.Errorf("verified IKM = %v, %v; want 100 (the counter answer alone)", got, err)
		}
		return err
	})

	// The verified answer replaced by one through the poster, and the
	// poster answer by one through the counter.
	update(t, s, func(tx *Tx) error {
		again := survey.Response{Unit: "DISDUKCAPIL", Submitted: at.Add(time.Hour), Source: survey.SourceTelegram, Respondent: "a", Scores: all(3), Via: survey.ViaPoster, Poster: 1}
		if err := tx.ReplaceResponse(counter.ID, &again, "2026"); err != nil {
			return err
		}
		again = survey.Response{Unit: "DISDUKCAPIL", Submitted: at.Add(time.Hour), Source: survey.SourceTelegram, Respondent: "b", Scores: all(1), Via: survey.ViaCounter}
		return tx.ReplaceResponse(poster.ID, &again, "2026")
	})
	counts(2, 1)

	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	counts(2, 1)
	view(t, s, func(tx *Tx) error {
		v, err := tx.VerifiedTally("DISDUKCAPIL", year)
		if got := v.Result(survey.ExactWeights).IKM2; err != nil || got != 25 {
			t.Errorf("verified IKM after replace and rebuild = %v, %v; want 25", got, err)
		}
		return err
	})
}
