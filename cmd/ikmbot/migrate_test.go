package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/store"
)

// TestSchema1FileMigrates opens a database that an ikmbot of schema 1 made
// (testdata/v1, SKM answers only), which migrates it to schema 2 after a
// backup, and checks that every report says what that ikmbot printed (the
// text and the CSV byte for byte; the JSON key for key, since reports have
// gained keys since), that ikmbot check finds the file consistent, and
// that rebuilding the aggregates changes no figure either.
func TestSchema1FileMigrates(t *testing.T) {
	db := filepath.Join(t.TempDir(), "skm.db")
	gz, err := os.Open(filepath.Join("testdata", "v1", "skm.db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	gz.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(db, store.Options{Location: jakarta})
	if err != nil {
		t.Fatalf("the schema 1 file does not open: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if backups, _ := filepath.Glob(db + ".pre-v2-*"); len(backups) != 1 {
		t.Errorf("backups before migrating: %v, want one", backups)
	}

	reports := func(when string) {
		t.Helper()
		for _, c := range []struct {
			golden string
			args   []string
		}{
			{"skm.report.json", []string{"report", "--db", db, "--period", "2025", "--format", "json"}},
			{"skm.report.txt", []string{"report", "--db", db, "--period", "2025"}},
			{"skm.unit.json", []string{"report", "--db", db, "--period", "2025-Q2", "--unit", "DISDUKCAPIL", "--format", "json"}},
			{"skm.responses.csv", []string{"report", "--db", db, "--period", "2025", "--format", "csv"}},
		} {
			want, err := os.ReadFile(filepath.Join("testdata", "v1", c.golden))
			if err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if err := run(context.Background(), c.args, func(string) string { return "" }, nil, &out, &errb); err != nil {
				t.Fatalf("%s: %v: %s", when, err, errb.String())
			}
			if strings.HasSuffix(c.golden, ".json") {
				// Reports gain keys as ikmbot grows (the web part, the
				// follow-up plans): every key the schema 1 ikmbot printed
				// must say the same, new keys may be added.
				if diff := jsonSubset(t, want, out.Bytes()); diff != "" {
					t.Errorf("%s, %s says other than the schema 1 ikmbot: %s", when, c.golden, diff)
				}
				continue
			}
			if strings.HasSuffix(c.golden, ".csv") {
				// The first column was the stored response id; files now
				// number their rows instead (ids would tell a unit's admin
				// other units' volume). Every other field must be the same.
				want, got := dropFirstColumn(t, want), dropFirstColumn(t, out.Bytes())
				if !bytes.Equal(got, want) {
					t.Errorf("%s, %s differs from what the schema 1 ikmbot printed:\n%s", when, c.golden, firstDiff(string(want), string(got)))
				}
				continue
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("%s, %s differs from what the schema 1 ikmbot printed:\n%s", when, c.golden, firstDiff(string(want), out.String()))
			}
		}
	}
	reports("after migrating")

	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"check", "--db", db}, func(string) string { return "" }, nil, &out, &errb); err != nil {
		t.Errorf("check after migrating: %v\n%s%s", err, out.String(), errb.String())
	}

	st, err = store.Open(db, store.Options{Location: jakarta})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(tx *store.Tx) error { return tx.RebuildAggregates() }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	reports("after RebuildAggregates")
}

// dropFirstColumn returns a CSV file without its first column.
func dropFirstColumn(t *testing.T, data []byte) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range recs {
		w.Write(r[1:])
	}
	w.Flush()
	return b.Bytes()
}

// jsonSubset reports where got does not hold every value of want: the
// same objects with at least want's keys, the same arrays, the same
// numbers and strings. "" when it does.
func jsonSubset(t *testing.T, want, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, w, g any) string
	walk = func(path string, w, g any) string {
		switch wv := w.(type) {
		case map[string]any:
			gv, ok := g.(map[string]any)
			if !ok {
				return path + ": not an object"
			}
			for _, k := range slices.Sorted(maps.Keys(wv)) {
				if _, ok := gv[k]; !ok {
					return path + "." + k + ": missing"
				}
				if d := walk(path+"."+k, wv[k], gv[k]); d != "" {
					return d
				}
			}
			return ""
		case []any:
			gv, ok := g.([]any)
			if !ok || len(gv) != len(wv) {
				return path + ": not an array of " + strconv.Itoa(len(wv))
			}
			for i := range wv {
				if d := walk(path+"["+strconv.Itoa(i)+"]", wv[i], gv[i]); d != "" {
					return d
				}
			}
			return ""
		}
		if w != g {
			return fmt.Sprintf("%s: %v, was %v", path, g, w)
		}
		return ""
	}
	return walk("", w, g)
}

// firstDiff shows the first line where two texts part.
func firstDiff(want, got string) string {
	w, g := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := range max(len(w), len(g)) {
		var a, b []byte
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if !bytes.Equal(a, b) {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + string(a) + "\ngot:  " + string(b)
		}
	}
	return ""
}
