package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// TestSummaryAndMerge makes two cities' signed summaries of 2026 with
// ikmbot summary, publishes their keys with --print-key, and merges them
// with ikmbot merge: the region's pooled IKM is that of every respondent
// of both cities; a changed file, a file signed by an unpublished key and
// a file of another period are refused.
func TestSummaryAndMerge(t *testing.T) {
	setClock(t, lateIn2026)
	dir := t.TempDir()
	base, err := os.ReadFile(filepath.Join("..", "internal", "config", "bekasi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "depok.yaml")
	if err := os.WriteFile(other, []byte("city: Kota Depok\nunits:\n  - code: DISDUKCAPIL\n    name: Disdukcapil Depok\n    type: perangkat_daerah\n  - code: PKM-SUKMAJAYA\n    name: Puskesmas Sukmajaya\n    type: puskesmas\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bekasi := filepath.Join(dir, "bekasi.yaml")
	if err := os.WriteFile(bekasi, base, 0o644); err != nil {
		t.Fatal(err)
	}
	type city struct {
		config, db, secret string
		units              []string
		score              uint8
		n                  int
	}
	cities := []city{
		{bekasi, filepath.Join(dir, "bekasi.db"), "bekasi-secret-0123456789", []string{"DISDUKCAPIL", "PKM-KRANJI"}, 4, 30},
		{other, filepath.Join(dir, "depok.db"), "depok-secret-0123456789ab", []string{"DISDUKCAPIL", "PKM-SUKMAJAYA"}, 2, 10},
	}
	var want survey.Tally
	var keys bytes.Buffer
	var files []string
	for _, c := range cities {
		st, err := store.Open(c.db, store.Options{Location: jakarta})
		if err != nil {
			t.Fatal(err)
		}
		err = st.Update(func(tx *store.Tx) error {
			for i := range c.n {
				sc := survey.Scores{c.score, c.score, 3, 3, 3, 3, 3, 3, 3}
				r := survey.Response{Unit: c.units[i%2], Submitted: time.Date(2026, 4, 1+i%28, 9, 0, 0, 0, jakarta), Source: survey.SourceTelegram, Scores: sc}
				if err := tx.AddResponse(&r, ""); err != nil {
					return err
				}
				want.Add(sc)
			}
			return nil
		})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		e := env(map[string]string{"IKMBOT_SECRET": c.secret})
		if err := run(context.Background(), []string{"summary", "--config", c.config, "--db", c.db, "--print-key"}, e, nil, &keys, io.Discard); err != nil {
			t.Fatal(err)
		}
		out := c.db + ".summary.json"
		var stderr bytes.Buffer
		if err := run(context.Background(), []string{"summary", "--config", c.config, "--db", c.db, "--period", "2026", "--out", out}, e, nil, io.Discard, &stderr); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "period 2026, signed by") {
			t.Errorf("summary said %q", stderr.String())
		}
		files = append(files, out)
	}
	if !strings.Contains(keys.String(), " Kota Bekasi\n") || !strings.Contains(keys.String(), " Kota Depok\n") {
		t.Fatalf("published keys:\n%s", keys.String())
	}
	keysFile := filepath.Join(dir, "keys.txt")
	if err := os.WriteFile(keysFile, keys.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// No response of anyone is in a summary.
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte(`"who"`)) || bytes.Contains(data, []byte("sugg")) {
			t.Errorf("%s carries responses", f)
		}
	}

	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"merge", "--keys", keysFile, "--format", "json"}, files...), env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var m mergeJSON
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	res := want.Result(survey.ExactWeights)
	if m.Respondents != 40 || m.IKMPooled == nil || *m.IKMPooled != res.IKM2 || len(m.Cities) != 2 || m.Units != 89+2 || m.WithData != 4 {
		t.Errorf("merge: %s\nwant 40 respondents, IKM %.2f", out.String(), res.IKM2)
	}
	out.Reset()
	if err := run(context.Background(), append([]string{"merge", "--keys", keysFile}, files...), env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "IKM of 2 cities, period 2026") || !strings.Contains(out.String(), "All cities, pooled over 40 respondents") {
		t.Errorf("merge text:\n%s", out.String())
	}

	// Refusals, each naming the file.
	data, _ := os.ReadFile(files[1])
	changed := filepath.Join(dir, "changed.json")
	os.WriteFile(changed, bytes.Replace(data, []byte(`"respondents": 5,`), []byte(`"respondents": 50,`), 1), 0o644)
	onlyBekasi := filepath.Join(dir, "bekasi-key.txt")
	os.WriteFile(onlyBekasi, []byte(strings.SplitAfter(keys.String(), "\n")[0]), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"a changed figure", []string{"--keys", keysFile, files[0], changed}, "changed.json: the signature does not match"},
		{"an unpublished key", []string{"--keys", onlyBekasi, files[0], files[1]}, "depok.db.summary.json: signed by a key that is not among the published keys"},
		{"one city twice", []string{"--keys", keysFile, files[0], files[0]}, "Kota Bekasi is given twice"},
		{"no keys", []string{files[0]}, "--keys and at least one summary file are required"},
	} {
		err := run(context.Background(), append([]string{"merge"}, tt.args...), env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	// A summary without a secret cannot be signed.
	err = run(context.Background(), []string{"summary", "--db", filepath.Join(dir, "none.db"), "--period", "2026", "--out", filepath.Join(dir, "x.json")}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no secret") {
		t.Errorf("summary without a secret: %v", err)
	}
}
