package store

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

func names(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

// TestSchemaDoc holds doc.go's drawing of the file and the schema table to
// the same buckets in the same order: a bucket added to one and not the
// other fails here.
func TestSchemaDoc(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	// A top-level bucket starts a line of the drawing: "//<tab>name/".
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^//\t([a-z_]+)/`).FindAllSubmatch(doc, -1) {
		documented = append(documented, string(m[1]))
	}
	if len(documented) < 10 {
		t.Fatalf("doc.go names %d buckets: the drawing was not found (%q)", len(documented), documented)
	}
	if got := names(allBuckets); !slices.Equal(got, documented) {
		t.Errorf("schema table  %q\ndoc.go draws  %q\n(same buckets, same order)", got, documented)
	}
	for _, b := range documented {
		if !slices.Contains(names(allBuckets), b) {
			t.Errorf("doc.go draws %s/, which the schema table lacks", b)
		}
	}
	for _, b := range names(allBuckets) {
		if !slices.Contains(documented, b) {
			t.Errorf("the schema table has %s/, which doc.go does not draw", b)
		}
	}
}

// TestSchemaRows checks what the rest of the store assumes of the table.
func TestSchemaRows(t *testing.T) {
	seen := map[string]bool{}
	for _, b := range schema {
		n := string(b.name)
		if seen[n] {
			t.Errorf("%s/ is in the schema twice", n)
		}
		seen[n] = true
		if b.tally != nil && b.from == source {
			t.Errorf("%s/ holds tallies but is not derived: RebuildAggregates would leave it stale", n)
		}
		if b.responses && b.from != source {
			t.Errorf("%s/ holds response records but is derived: a rebuild would drop them", n)
		}
	}
	web := survey.Response{Source: survey.SourceWeb, Via: survey.ViaCounter}
	if !slices.Equal(names(tallyBucketsOf(survey.Response{})), []string{"agg"}) || !slices.Equal(names(tallyBucketsOf(survey.Response{Via: survey.ViaCounter})), []string{"agg", "agg_verified"}) ||
		!slices.Equal(names(tallyBucketsOf(web)), []string{"agg", "agg_verified", "agg_web"}) {
		t.Errorf("tally buckets: a plain response in %q, a counter one in %q; want agg/, and agg/ with agg_verified/",
			names(tallyBucketsOf(survey.Response{})), names(tallyBucketsOf(survey.Response{Via: survey.ViaCounter})))
	}
	for _, b := range backfilledBuckets {
		if !slices.Contains(names(derivedBuckets), string(b)) {
			t.Errorf("%s/ is backfilled but not among the derived buckets RebuildAggregates rewrites", b)
		}
	}
	if !slices.Contains(names(backfilledBuckets), string(bucketProfiles)) {
		t.Error("prof/ is not backfilled, yet backfillDerived tells an older file by its absence")
	}
}

// topLevel lists the top-level buckets of the file at path.
func topLevel(t *testing.T, path string) []string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error { out = append(out, string(name)); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenCreatesEveryBucket: a new file, and an older one that lacks
// some buckets, have every bucket of the schema once opened for writing;
// a read-only open writes nothing.
func TestOpenCreatesEveryBucket(t *testing.T) {
	want := slices.Sorted(slices.Values(names(allBuckets)))
	path := filepath.Join(t.TempDir(), "ikmbot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx *Tx) error {
		for _, name := range [][]byte{bucketFollowUps, bucketAlerts, bucketSuggestions, bucketCounterKeys} {
			if err := tx.tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	s.Close()
	older := topLevel(t, path)
	if len(older) != len(want)-4 {
		t.Fatalf("the older file has %q", older)
	}

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro.Close()
	if got := topLevel(t, path); !slices.Equal(got, older) {
		t.Errorf("after a read-only open: %q, want %q as before", got, older)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := topLevel(t, path); !slices.Equal(got, want) {
		t.Errorf("after a writable open: %q, want %q", got, want)
	}
}
