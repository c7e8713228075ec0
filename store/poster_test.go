package store

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

func TestPosterVersionRevokeAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	version := func(s *Store, unit string) int {
		t.Helper()
		var v int
		view(t, s, func(tx *Tx) error {
			var err error
			v, err = tx.PosterVersion(unit)
			return err
		})
		return v
	}
	if got := version(s, "DISDUKCAPIL"); got != 1 {
		t.Errorf("version of a unit never revoked = %d, want 1", got)
	}
	for want := 2; want <= 3; want++ {
		var got int
		update(t, s, func(tx *Tx) error {
			var err error
			got, err = tx.RevokePosters("DISDUKCAPIL")
			return err
		})
		if got != want {
			t.Errorf("RevokePosters = %d, want %d", got, want)
		}
	}
	if got := version(s, "PKM-BANTARGEBANG"); got != 1 {
		t.Errorf("another unit's version = %d, want 1 (revocation is per unit)", got)
	}
	s.Close()

	ro := openAt(t, path, Options{ReadOnly: true})
	if got := version(ro, "DISDUKCAPIL"); got != 3 {
		t.Errorf("version after reopening = %d, want 3", got)
	}
	if err := ro.Update(func(tx *Tx) error { _, err := tx.RevokePosters("DISDUKCAPIL"); return err }); err == nil {
		t.Error("RevokePosters on a read-only store succeeded")
	}
}

func TestRevokePostersStopsAtTheLimit(t *testing.T) {
	s := open(t, Options{})
	update(t, s, func(tx *Tx) error {
		b, err := tx.writeBucket(bucketPosters)
		if err != nil {
			return err
		}
		return b.Put([]byte("U1"), binary.BigEndian.AppendUint32(nil, MaxPosterVersion))
	})
	err := s.Update(func(tx *Tx) error { _, err := tx.RevokePosters("U1"); return err })
	if !errors.Is(err, ErrPosterVersionExhausted) {
		t.Errorf("revoking at version %d: %v, want ErrPosterVersionExhausted", MaxPosterVersion, err)
	}
}

func TestPosterVersionRefusesDamage(t *testing.T) {
	s := open(t, Options{})
	update(t, s, func(tx *Tx) error { return tx.tx.Bucket(bucketPosters).Put([]byte("U1"), []byte{0, 0, 0, 0}) })
	update(t, s, func(tx *Tx) error { return tx.tx.Bucket(bucketPosters).Put([]byte("U2"), []byte{1}) })
	for _, unit := range []string{"U1", "U2"} {
		err := s.View(func(tx *Tx) error { _, err := tx.PosterVersion(unit); return err })
		if err == nil {
			t.Errorf("PosterVersion(%s) of a damaged value succeeded", unit)
		}
	}
}

func TestFunnelCounts(t *testing.T) {
	s := open(t, Options{})
	events := []struct {
		unit    string
		version int
		stage   FunnelStage
	}{
		{"DISDUKCAPIL", 1, FunnelScan}, {"DISDUKCAPIL", 1, FunnelScan}, {"DISDUKCAPIL", 1, FunnelStart},
		{"DISDUKCAPIL", 1, FunnelComplete}, {"DISDUKCAPIL", 2, FunnelScan}, {"DISDUKCAPIL", 0, FunnelScan},
		{"DISDUKCAPIL", 0, FunnelStart}, {"PKM-BANTARGEBANG", 300, FunnelScan},
	}
	for _, e := range events {
		update(t, s, func(tx *Tx) error { return tx.CountFunnel(e.unit, e.version, e.stage) })
	}
	var got []PosterFunnel
	view(t, s, func(tx *Tx) error {
		var err error
		got, err = tx.Funnel("DISDUKCAPIL")
		return err
	})
	want := []PosterFunnel{
		{0, FunnelCounts{Scans: 1, Started: 1}},
		{1, FunnelCounts{Scans: 2, Started: 1, Completed: 1}},
		{2, FunnelCounts{Scans: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Funnel = %+v, want %+v", got, want)
	}
	view(t, s, func(tx *Tx) error {
		none, err := tx.Funnel("NOBODY")
		if err != nil || none != nil {
			t.Errorf("Funnel of an unscanned unit = %v, %v; want nil, nil", none, err)
		}
		return nil
	})
	for _, bad := range []struct {
		unit    string
		version int
		stage   FunnelStage
	}{{"", 1, FunnelScan}, {"U", -1, FunnelScan}, {"U", MaxPosterVersion + 1, FunnelScan}, {"U", 1, numFunnelStages}} {
		if err := s.Update(func(tx *Tx) error { return tx.CountFunnel(bad.unit, bad.version, bad.stage) }); err == nil {
			t.Errorf("CountFunnel(%q, %d, %d) succeeded", bad.unit, bad.version, bad.stage)
		}
	}
}

// TestFunnelRollsBackWithItsEvent checks that a count is part of the
// event's transaction: when the event fails, the count is not kept.
func TestFunnelRollsBackWithItsEvent(t *testing.T) {
	s := open(t, Options{})
	boom := errors.New("event failed")
	err := s.Update(func(tx *Tx) error {
		if err := tx.CountFunnel("U1", 1, FunnelScan); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the event's error", err)
	}
	view(t, s, func(tx *Tx) error {
		f, err := tx.Funnel("U1")
		if err != nil || len(f) != 0 {
			t.Errorf("funnel after a failed event = %+v, %v; want nothing", f, err)
		}
		return nil
	})
}

// TestOldFileWithoutPosterBuckets opens a file made before posters/ and
// funnel/ existed, read-only (as report does) and for writing.
func TestOldFileWithoutPosterBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx *Tx) error {
		for _, name := range [][]byte{bucketPosters, bucketFunnel} {
			if err := tx.tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	view(t, ro, func(tx *Tx) error {
		v, err := tx.PosterVersion("U1")
		if v != 1 || err != nil {
			t.Errorf("PosterVersion in an old file = %d, %v; want 1", v, err)
		}
		f, err := tx.Funnel("U1")
		if f != nil || err != nil {
			t.Errorf("Funnel in an old file = %v, %v; want nil", f, err)
		}
		return nil
	})
	ro.Close()
	rw := openAt(t, path, Options{})
	update(t, rw, func(tx *Tx) error { return tx.CountFunnel("U1", 1, FunnelScan) })
}

func TestResponseViaRoundTripAndOldRecords(t *testing.T) {
	s := open(t, Options{})
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	r := testResponse("U1", at, survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4})
	r.Via, r.Poster = survey.ViaOldPoster, 2
	update(t, s, func(tx *Tx) error { return tx.AddResponse(&r, "") })
	// A record written before signed deep links has neither key.
	update(t, s, func(tx *Tx) error {
		return tx.tx.Bucket(bucketResponses).Put(u64key(99), []byte(`{"unit":"U1","at":"2026-01-01T00:00:00Z","scores":{"persyaratan":4}}`))
	})
	view(t, s, func(tx *Tx) error {
		got, err := tx.Response(r.ID)
		if err != nil || got.Via != survey.ViaOldPoster || got.Poster != 2 {
			t.Errorf("stored response: via %q, poster %d, %v; want old_poster, 2", got.Via, got.Poster, err)
		}
		old, err := tx.Response(99)
		if err != nil || old.Via != "" || old.Poster != 0 {
			t.Errorf("old record: via %q, poster %d, %v; want zero values", old.Via, old.Poster, err)
		}
		return nil
	})
	raw := dump(t, s, bucketResponses)[string(u64key(r.ID))]
	if want := `"via":"old_poster","pv":2`; !strings.Contains(raw, want) {
		t.Errorf("record %s lacks %s", raw, want)
	}
}

func TestSessionViaSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s, err := Open(path, Options{Units: testUnits.Unit})
	if err != nil {
		t.Fatal(err)
	}
	unit, _ := testUnits.Unit("DISDUKCAPIL")
	ss := sessionAtStep7(t, unit, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	ss.Via, ss.Poster = survey.ViaPoster, 4
	update(t, s, func(tx *Tx) error { return tx.PutChat(Chat{ID: 7, Session: ss}) })
	s.Close()
	s2 := openAt(t, path, Options{Units: testUnits.Unit})
	view(t, s2, func(tx *Tx) error {
		c, err := tx.Chat(7)
		if err != nil || c.Session == nil || c.Session.Via != survey.ViaPoster || c.Session.Poster != 4 {
			t.Errorf("reloaded session = %+v, %v; want via poster, version 4", c.Session, err)
		}
		if p := c.Session.Partial(time.Now()); p.Via != survey.ViaPoster || p.Poster != 4 {
			t.Errorf("Partial = via %q, poster %d; want it to carry the session's", p.Via, p.Poster)
		}
		return nil
	})
}
