package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// TestWebSessionRoundTrip stores a browser's open survey, reads it back
// after a reopen of the file, and keeps two browsers and two units apart.
func TestWebSessionRoundTrip(t *testing.T) {
	loc := jakarta(t)
	path := filepath.Join(t.TempDir(), "w.db")
	units := func(code string) (survey.Unit, bool) {
		return survey.Unit{Code: code, Name: "Unit " + code, Services: []string{"KTP"}}, true
	}
	s := openAt(t, path, Options{Location: loc, Units: units})
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, loc)
	u, _ := units("DISDUKCAPIL")
	sess, _ := survey.NewSession("s1", u, "b1", at)
	sess.Via, sess.Poster = survey.ViaPoster, 2
	sess.Apply(at, survey.Input{Kind: survey.InputChoice, Step: 0, Choice: 1})
	update(t, s, func(tx *Tx) error {
		if err := tx.PutWebSession(WebSession{Session: sess, Lang: "en", Seq: 1}); err != nil {
			return err
		}
		other, _ := survey.NewSession("s2", u, "b2", at)
		return tx.PutWebSession(WebSession{Session: other})
	})
	s.Close()
	s = openAt(t, path, Options{Location: loc, Units: units})
	view(t, s, func(tx *Tx) error {
		got, ok, err := tx.WebSession("b1", "disdukcapil")
		if err != nil || !ok {
			t.Fatalf("WebSession(b1) = %v, %v", ok, err)
		}
		if got.Lang != "en" || got.Seq != 1 || got.Session.ID != "s1" || got.Session.Step != 1 ||
			got.Session.Profile.Gender != "P" || got.Session.Via != survey.ViaPoster || got.Session.Poster != 2 ||
			got.Session.Unit.Name != "Unit DISDUKCAPIL" {
			t.Errorf("WebSession(b1) = %+v, session %+v", got, got.Session)
		}
		if _, ok, _ := tx.WebSession("b1", "OTHER"); ok {
			t.Error("b1 has a session of OTHER; want none")
		}
		if n := tx.CountWebSessions(); n != 2 {
			t.Errorf("CountWebSessions = %d, want 2", n)
		}
		return nil
	})
	update(t, s, func(tx *Tx) error { return tx.DeleteWebSession("b1", "DISDUKCAPIL") })
	view(t, s, func(tx *Tx) error {
		n := 0
		err := tx.ForEachWebSession(func(ws WebSession) error {
			n++
			if ws.Session.Respondent != "b2" {
				t.Errorf("left session of %q, want b2", ws.Session.Respondent)
			}
			return nil
		})
		if err != nil || n != 1 {
			t.Errorf("ForEachWebSession: %d sessions, %v; want 1", n, err)
		}
		return nil
	})
	if err := s.Update(func(tx *Tx) error { return tx.DeleteWebSession("", "X") }); err == nil {
		t.Error("DeleteWebSession with no browser: want an error")
	}
}

// TestAddCompleted applies the one-response-per-window rule: a first
// answer is added, a repeat is kept as incomplete or, when allowed,
// replaces the earlier one; web answers count in agg/ and agg_web/, and a
// recount agrees throughout.
func TestAddCompleted(t *testing.T) {
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
	add := func(r survey.Response, allow bool, want Outcome) {
		t.Helper()
		update(t, s, func(tx *Tx) error {
			got, err := tx.AddCompleted(&r, "2026", allow)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("AddCompleted(%s, allow %v) = %v, want %v", r.Respondent, allow, got, want)
			}
			return nil
		})
	}
	counts := func(wantAll, wantWeb, wantIncomplete int, wantIKM float64) {
		t.Helper()
		view(t, s, func(tx *Tx) error {
			total, err := tx.Tally("U1", year)
			if err != nil {
				return err
			}
			web, err := tx.WebTally("U1", year)
			if err != nil {
				return err
			}
			_, inc, _ := tx.CountResponses()
			if total.Respondents != wantAll || web.Respondents != wantWeb || inc != wantIncomplete {
				t.Errorf("respondents %d, web %d, incomplete %d; want %d, %d, %d", total.Respondents, web.Respondents, inc, wantAll, wantWeb, wantIncomplete)
			}
			if got := web.Result(survey.ExactWeights).IKM2; wantWeb > 0 && got != wantIKM {
				t.Errorf("web IKM %v, want %v", got, wantIKM)
			}
			if problems, err := tx.VerifyAggregates(); err != nil || len(problems) != 0 {
				t.Errorf("aggregates against a recount: %v, %v", problems, err)
			}
			return nil
		})
	}
	web := survey.Response{Unit: "U1", Submitted: at, Source: survey.SourceWeb, Respondent: "w1", Scores: all(4), Via: survey.ViaPoster, Poster: 1}
	chat := survey.Response{Unit: "U1", Submitted: at, Source: survey.SourceTelegram, Respondent: "t1", Scores: all(2)}
	add(web, false, Added)
	add(chat, false, Added)
	counts(2, 1, 0, 100)
	again := web
	again.Scores = all(3)
	add(again, false, KeptIncomplete)
	counts(2, 1, 1, 100)
	add(again, true, Replaced)
	counts(2, 1, 1, 75)
	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	counts(2, 1, 1, 75)
	err := s.Update(func(tx *Tx) error {
		bad := web
		bad.Respondent = "w9"
		bad.Scores[0] = 7
		_, err := tx.AddCompleted(&bad, "2026", false)
		return err
	})
	if err == nil || errors.Is(err, ErrDuplicate) {
		t.Errorf("AddCompleted with a score of 7: %v, want an invalid-scores error", err)
	}
	counts(2, 1, 1, 75)
}
