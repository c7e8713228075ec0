package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ikmbot/ikmbot/store"
)

func TestReportPosters(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *store.Tx) error {
		for _, e := range []struct {
			version int
			stage   store.FunnelStage
		}{{0, store.FunnelScan}, {1, store.FunnelScan}, {1, store.FunnelScan}, {1, store.FunnelStart}, {1, store.FunnelComplete}, {2, store.FunnelScan}} {
			if err := tx.CountFunnel("PKM-KRANJI", e.version, e.stage); err != nil {
				return err
			}
		}
		_, err := tx.RevokePosters("PKM-KRANJI")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	want := []posterJSON{
		{Version: 2, Current: true, Scans: 1},
		{Version: 1, Scans: 2, Started: 1, Completed: 1},
		{Version: 0, Scans: 1},
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"report", "--db", db, "--unit", "PKM-KRANJI", "--format", "json"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var unit struct {
		PosterVersion int          `json:"poster_version"`
		Posters       []posterJSON `json:"posters"`
	}
	if err := json.Unmarshal(out.Bytes(), &unit); err != nil {
		t.Fatal(err)
	}
	if unit.PosterVersion != 2 || !reflect.DeepEqual(unit.Posters, want) {
		t.Errorf("unit report: poster_version %d, posters %+v; want 2, %+v", unit.PosterVersion, unit.Posters, want)
	}

	out.Reset()
	if err := run(context.Background(), []string{"report", "--db", db, "--format", "json"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var city struct {
		Units []struct {
			Code          string       `json:"code"`
			PosterVersion int          `json:"poster_version"`
			Posters       []posterJSON `json:"posters"`
		} `json:"units"`
	}
	if err := json.Unmarshal(out.Bytes(), &city); err != nil {
		t.Fatal(err)
	}
	for _, u := range city.Units {
		switch {
		case u.Code == "PKM-KRANJI" && (u.PosterVersion != 2 || !reflect.DeepEqual(u.Posters, want)):
			t.Errorf("city report, PKM-KRANJI: %d, %+v; want 2, %+v", u.PosterVersion, u.Posters, want)
		case u.Code != "PKM-KRANJI" && (u.PosterVersion != 1 || u.Posters == nil || len(u.Posters) != 0):
			t.Errorf("city report, %s: %d, %#v; want 1 and an empty list", u.Code, u.PosterVersion, u.Posters)
		}
	}
	if !bytes.Contains(out.Bytes(), []byte(`"posters": []`)) {
		t.Error(`units without scans should have "posters": [], not null`)
	}
}
