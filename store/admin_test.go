package store

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

func TestGrantsRevokeAndAdminsOf(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		for _, g := range []Grant{{User: 7, Unit: "B"}, {User: 7, Unit: "A"}, {User: 5, Unit: "A"}} {
			g.By, g.At, g.Via = 1, at, "command"
			if added, err := tx.GrantUnit(g); err != nil || !added {
				t.Errorf("GrantUnit(%+v) = %v, %v; want added", g, added, err)
			}
		}
		if added, err := tx.GrantUnit(Grant{User: 7, Unit: "A", By: 2, At: at}); err != nil || added {
			t.Errorf("second grant = %v, %v; want not added", added, err)
		}
		if _, err := tx.GrantUnit(Grant{User: 0, Unit: "A"}); err == nil {
			t.Error("a grant to user 0 was accepted")
		}
		return nil
	})
	view(t, s, func(tx *Tx) error {
		if got, _ := tx.UnitsOf(7); !reflect.DeepEqual(got, []string{"A", "B"}) {
			t.Errorf("UnitsOf(7) = %v", got)
		}
		if got, _ := tx.AdminsOf("A"); !reflect.DeepEqual(got, []int64{5, 7}) {
			t.Errorf("AdminsOf(A) = %v", got)
		}
		gs, err := tx.Grants()
		if err != nil || len(gs) != 3 || gs[0].User != 5 || gs[0].By != 1 || !gs[0].At.Equal(at) || gs[0].Via != "command" {
			t.Errorf("Grants() = %+v, %v", gs, err)
		}
		return nil
	})
	update(t, s, func(tx *Tx) error {
		for _, unit := range []string{"A", "B"} {
			if ok, err := tx.RevokeUnit(7, unit); !ok || err != nil {
				t.Errorf("RevokeUnit(7, %s) = %v, %v", unit, ok, err)
			}
		}
		if ok, err := tx.RevokeUnit(7, "A"); ok || err != nil {
			t.Errorf("revoking twice = %v, %v; want false, nil", ok, err)
		}
		return nil
	})
	view(t, s, func(tx *Tx) error {
		if got, _ := tx.UnitsOf(7); got != nil {
			t.Errorf("UnitsOf(7) after revoking all = %v", got)
		}
		if tx.bucket(bucketRoles).Bucket(i64key(7)) != nil {
			t.Error("a user with no unit left is still stored")
		}
		return nil
	})
}

func TestInviteUsedOnceAndPruned(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		if err := tx.PutInvite(Invite{ID: "x1", Unit: "A", By: 1, Created: at, Expires: at.Add(72 * time.Hour)}); err != nil {
			return err
		}
		if err := tx.PutInvite(Invite{ID: "x1", Unit: "B"}); err == nil {
			t.Error("a second invite with the same id was stored")
		}
		return tx.UseInvite("x1", 42, at.Add(time.Hour))
	})
	update(t, s, func(tx *Tx) error {
		if err := tx.UseInvite("x1", 43, at); !errors.Is(err, ErrInviteUsed) {
			t.Errorf("second use: %v, want ErrInviteUsed", err)
		}
		if _, err := tx.Invite("nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown invite: %v, want ErrNotFound", err)
		}
		inv, err := tx.Invite("x1")
		if err != nil || inv.UsedBy != 42 || inv.Unit != "A" || !inv.Expires.Equal(at.Add(72*time.Hour)) {
			t.Errorf("Invite(x1) = %+v, %v", inv, err)
		}
		if n, err := tx.PruneInvites(at.Add(71 * time.Hour)); n != 0 || err != nil {
			t.Errorf("pruned %d, %v before expiry", n, err)
		}
		if n, err := tx.PruneInvites(at.Add(73 * time.Hour)); n != 1 || err != nil {
			t.Errorf("pruned %d, %v after expiry; want 1", n, err)
		}
		return nil
	})
}

func TestAuditNewestFirstInPages(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		for i := range 7 {
			if _, err := tx.AddAudit(AuditEntry{At: at.Add(time.Duration(i) * time.Minute), By: 1, Action: AuditGrant, Unit: "A", User: int64(100 + i)}); err != nil {
				return err
			}
		}
		_, err := tx.AddAudit(AuditEntry{})
		if err == nil {
			t.Error("an entry without action was stored")
		}
		return nil
	})
	view(t, s, func(tx *Tx) error {
		var users []int64
		before := uint64(0)
		for page := 0; ; page++ {
			es, more, err := tx.Audit(before, 3)
			if err != nil {
				return err
			}
			for _, e := range es {
				users = append(users, e.User)
				before = e.Seq
			}
			if !more {
				break
			}
		}
		if want := []int64{106, 105, 104, 103, 102, 101, 100}; !reflect.DeepEqual(users, want) {
			t.Errorf("audit pages give users %v, want %v", users, want)
		}
		return nil
	})
}

func randomProfile(rng *mrand.Rand) survey.Profile {
	pick := func(vs []string) string {
		if i := rng.IntN(len(vs) + 1); i < len(vs) {
			return vs[i]
		}
		return ""
	}
	p := survey.Profile{Gender: pick(survey.Genders), Education: pick(survey.Educations), Occupation: pick(survey.Occupations), Service: pick([]string{"KTP", "Akta", survey.ServiceOther})}
	if rng.IntN(3) > 0 {
		p.Age = 15 + rng.IntN(60)
	}
	return p
}

// TestProfileAggregatesFollowResponses checks prof/ and suggestions/
// against a recount through adds, replacements, a rebuild after damage,
// and the backfill of a file that predates them.
func TestProfileAggregatesFollowResponses(t *testing.T) {
	loc := jakarta(t)
	units := []string{"U1", "U2"}
	rng := mrand.New(mrand.NewPCG(3, 4))
	rs := randomResponses(rng, 600, units, loc)
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s := openAt(t, path, Options{Location: loc, NoSync: true})
	update(t, s, func(tx *Tx) error {
		for i := range rs {
			rs[i].Profile = randomProfile(rng)
			rs[i].Respondent = fmt.Sprintf("h%d", i%250)
			if rng.IntN(3) == 0 {
				rs[i].Suggestion = fmt.Sprintf("saran %d", i)
			}
			window := fmt.Sprint(rs[i].Submitted.In(loc).Year())
			if err := addOrReplace(tx, &rs[i], window); err != nil {
				return err
			}
		}
		return nil
	})
	var kept []survey.Response
	view(t, s, func(tx *Tx) error {
		return tx.ForEachResponse(func(r survey.Response) error { kept = append(kept, r); return nil })
	})
	check := func(when string) {
		t.Helper()
		view(t, s, func(tx *Tx) error {
			problems, err := tx.VerifyProfiles()
			if err != nil || len(problems) > 0 {
				t.Errorf("%s: VerifyProfiles = %v, %v", when, problems, err)
			}
			for _, u := range units {
				p := survey.PeriodOf(survey.PeriodYear, time.Date(2026, 5, 1, 0, 0, 0, 0, loc))
				got, err := tx.ProfileTally(u, p)
				if err != nil {
					return err
				}
				var want survey.ProfileTally
				var sugg []uint64
				for _, r := range kept {
					if r.Unit == u && p.Contains(r.Submitted) {
						want.Add(r.Profile)
					}
					if r.Unit == u && r.Suggestion != "" {
						sugg = append([]uint64{r.ID}, sugg...)
					}
				}
				if !got.Equal(want) {
					t.Errorf("%s: %s profile tally = %+v, want %+v", when, u, got, want)
				}
				var ids []uint64
				for before := uint64(0); ; {
					page, more, err := tx.Suggestions(u, before, 7)
					if err != nil {
						return err
					}
					for _, r := range page {
						ids = append(ids, r.ID)
						before = r.ID
					}
					if !more {
						break
					}
				}
				if !reflect.DeepEqual(ids, sugg) {
					t.Errorf("%s: %s suggestions %d ids, want %d newest first", when, u, len(ids), len(sugg))
				}
			}
			return nil
		})
	}
	check("after adds and replacements")
	want := dump(t, s, bucketProfiles)

	update(t, s, func(tx *Tx) error {
		if err := tx.tx.DeleteBucket(bucketSuggestions); err != nil {
			return err
		}
		bogus, _ := encodeProfileTally(survey.ProfileTally{Respondents: 999})
		return tx.tx.Bucket(bucketProfiles).Bucket([]byte("U1")).Put([]byte("2026-01"), bogus)
	})
	view(t, s, func(tx *Tx) error {
		if problems, _ := tx.VerifyProfiles(); len(problems) == 0 {
			t.Error("VerifyProfiles found no problem in a damaged prof/")
		}
		return nil
	})
	update(t, s, func(tx *Tx) error { return tx.RebuildAggregates() })
	check("after RebuildAggregates")
	if got := dump(t, s, bucketProfiles); !reflect.DeepEqual(got, want) {
		t.Errorf("prof/ after rebuild differs: %d keys, want %d", len(got), len(want))
	}

	// A file from before prof/ existed gets it on the first writable open.
	update(t, s, func(tx *Tx) error {
		if err := tx.tx.DeleteBucket(bucketSuggestions); err != nil {
			return err
		}
		return tx.tx.DeleteBucket(bucketProfiles)
	})
	s.Close()
	s = openAt(t, path, Options{Location: loc, NoSync: true})
	check("after the backfill on open")
}

func TestProfileTallyRoundTrip(t *testing.T) {
	var p survey.ProfileTally
	p.Add(survey.Profile{Gender: "P", Age: 35, Service: "KTP-el"})
	p.Add(survey.Profile{})
	v, err := encodeProfileTally(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"n":2,"c":{"age":{"30-39":1},"gender":{"P":1},"service":{"KTP-el":1}}}`; string(v) != want {
		t.Errorf("encoded %s, want %s", v, want)
	}
	got, err := decodeProfileTally(v)
	if err != nil || !got.Equal(p) {
		t.Errorf("decoded %+v, %v; want %+v", got, err, p)
	}
	if _, err := decodeProfileTally([]byte(`{"n":1,"c":{"gender":{"P":-1}}}`)); err == nil {
		t.Error("a negative count decoded")
	}
}

func TestNoticesQueueAndBandState(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		if _, err := tx.AddNotice(Notice{Chat: 5, Kind: NoticeBand, Unit: "A", Period: "2026", From: survey.MutuB, To: survey.MutuC, IKM: 76.6, At: at}); err != nil {
			return err
		}
		_, err := tx.AddNotice(Notice{Chat: 6, Kind: NoticeLowScore, Unit: "A", Response: 9, At: at})
		if err != nil {
			return err
		}
		return tx.PutBand("A", BandState{Period: "2026", Mutu: survey.MutuC, Seen: "BC"})
	})
	var ns []Notice
	view(t, s, func(tx *Tx) error {
		var err error
		ns, err = tx.Notices(10)
		if b, _ := tx.Band("A"); b != (BandState{Period: "2026", Mutu: survey.MutuC, Seen: "BC"}) {
			t.Errorf("Band(A) = %+v", b)
		}
		if b, _ := tx.Band("B"); b != (BandState{}) {
			t.Errorf("Band(B) = %+v, want zero", b)
		}
		return err
	})
	if len(ns) != 2 || ns[0].Chat != 5 || ns[0].IKM != 76.6 || ns[0].To != survey.MutuC || ns[1].Response != 9 {
		t.Fatalf("Notices = %+v", ns)
	}
	update(t, s, func(tx *Tx) error { return tx.DeleteNotice(ns[0].Seq) })
	view(t, s, func(tx *Tx) error {
		rest, err := tx.Notices(10)
		if len(rest) != 1 || rest[0].Seq != ns[1].Seq {
			t.Errorf("after delete: %+v, %v", rest, err)
		}
		return nil
	})
}

func TestFollowUps(t *testing.T) {
	s := open(t, Options{Location: jakarta(t)})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, jakarta(t))
	due := time.Date(2026, 6, 30, 0, 0, 0, 0, jakarta(t))
	var seq uint64
	update(t, s, func(tx *Tx) error {
		var err error
		seq, err = tx.AddFollowUp(survey.FollowUp{Unit: "A", Element: survey.Waktu, Action: "Tambah loket", Owner: "Kasi Pelayanan", Due: due, Status: survey.FollowUpOpen, By: 7, Created: at})
		if err != nil {
			return err
		}
		if _, err := tx.AddFollowUp(survey.FollowUp{Unit: "A", Element: "nope", Action: "x", Status: survey.FollowUpOpen}); err == nil {
			t.Error("a plan for an unknown element was stored")
		}
		_, err = tx.SetFollowUpStatus("A", seq, survey.FollowUpDone, 8, at.Add(time.Hour))
		return err
	})
	view(t, s, func(tx *Tx) error {
		fs, err := tx.FollowUps("A")
		if err != nil || len(fs) != 1 {
			t.Fatalf("FollowUps = %+v, %v", fs, err)
		}
		f := fs[0]
		if f.Seq != seq || f.Element != survey.Waktu || f.Owner != "Kasi Pelayanan" || !f.Due.Equal(due) || f.Status != survey.FollowUpDone || f.By != 7 || f.UpdatedBy != 8 || !f.Updated.Equal(at.Add(time.Hour)) {
			t.Errorf("FollowUp = %+v", f)
		}
		if _, err := tx.FollowUpOf("A", 99); !errors.Is(err, ErrNotFound) {
			t.Errorf("FollowUpOf(99) = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func TestSuggestionsSkipBlanked(t *testing.T) {
	s := open(t, Options{})
	old := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		for i, at := range []time.Time{old, old, old.AddDate(0, 2, 0)} {
			r := testResponse("U1", at, survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3})
			r.Suggestion = fmt.Sprint("s", i)
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		_, err := tx.PurgeSuggestions(old.AddDate(0, 1, 0))
		return err
	})
	view(t, s, func(tx *Tx) error {
		page, more, err := tx.Suggestions("U1", 0, 1)
		if err != nil || len(page) != 1 || page[0].Suggestion != "s2" || more {
			t.Errorf("Suggestions = %+v, more %v, %v; want s2 alone, no older page (the rest are blanked)", page, more, err)
		}
		return nil
	})
}

// TestAdminLang: a language picked with /bahasa is kept against what the
// Telegram app reports; the app's is kept until then; a unit admin's goes
// with their last unit.
func TestAdminLang(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		lang   string
		chosen bool
		want   string
	}{
		{"en", false, "en"}, {"id", false, "id"}, {"en", true, "en"}, {"id", false, "en"}, {"id", true, "id"},
	} {
		update(t, s, func(tx *Tx) error { return tx.SetAdminLang(7, step.lang, step.chosen) })
		view(t, s, func(tx *Tx) error {
			if got, _, err := tx.AdminLang(7); err != nil || got != step.want {
				t.Errorf("after SetAdminLang(%q, %v): %q, %v; want %q", step.lang, step.chosen, got, err, step.want)
			}
			return nil
		})
	}
	update(t, s, func(tx *Tx) error {
		if _, err := tx.GrantUnit(Grant{User: 7, Unit: "A", By: 1, At: at}); err != nil {
			return err
		}
		_, err := tx.RevokeUnit(7, "A")
		return err
	})
	view(t, s, func(tx *Tx) error {
		if got, _, err := tx.AdminLang(7); err != nil || got != "" {
			t.Errorf("after the last unit went: %q, %v; want none", got, err)
		}
		return nil
	})
}
