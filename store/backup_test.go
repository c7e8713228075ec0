package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

func TestBackupWhileInUseAndCheck(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(filepath.Join(dir, "live.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	err = st.Update(func(tx *Tx) error {
		for i := 0; i < 10; i++ {
			r := survey.Response{Unit: "U1", Submitted: at, Source: survey.SourcePaper, Scores: survey.Scores{4, 4, 3, 3, 4, 4, 3, 3, 4}}
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := st.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(copyPath, Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer cp.Close()
	tally, err := cp.Tally("U1", survey.PeriodOf(survey.PeriodYear, at))
	if err != nil || tally.Respondents != 10 {
		t.Fatalf("backup tally = %d respondents, %v; want 10", tally.Respondents, err)
	}
	problems, err := cp.Check()
	if err != nil || len(problems) != 0 {
		t.Errorf("Check on a good file: %v, %v", problems, err)
	}
	err = cp.View(func(tx *Tx) error {
		p, err := tx.VerifyAggregates()
		if len(p) != 0 {
			t.Errorf("VerifyAggregates on a good file: %v", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Damage one aggregate behind the store's back: the check names it.
	err = cp.db.Update(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketAgg).Bucket([]byte("U1")).Delete([]byte("2026-05"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = cp.View(func(tx *Tx) error {
		p, err := tx.VerifyAggregates()
		if len(p) != 1 || p[0] != "agg/U1/2026-05: missing, responses give 10 respondents" {
			t.Errorf("VerifyAggregates after damage = %q", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckDecodesEveryRecord damages one record in each bucket of
// responses, and expects Check to name that bucket.
func TestCheckDecodesEveryRecord(t *testing.T) {
	for _, name := range responseBuckets {
		t.Run(string(name), func(t *testing.T) {
			s := open(t, Options{})
			at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
			update(t, s, func(tx *Tx) error {
				r := survey.Response{Unit: "U1", Submitted: at, Source: survey.SourcePaper, Scores: survey.Scores{4, 4, 3, 3, 4, 4, 3, 3, 4}}
				if err := tx.AddResponse(&r, ""); err != nil {
					return err
				}
				return tx.AddIncomplete(r)
			})
			if problems, err := s.Check(); err != nil || len(problems) != 0 {
				t.Fatalf("Check on a good file: %q, %v", problems, err)
			}
			update(t, s, func(tx *Tx) error {
				return tx.tx.Bucket(name).Put(u64key(1), []byte(`{"unit":"U1","at":"2026-05-01T10:00:00Z","scores":{"keamanan":4}}`))
			})
			problems, err := s.Check()
			if err != nil || len(problems) != 1 || !strings.HasPrefix(problems[0], string(name)+"/: ") {
				t.Errorf("Check with a bad record in %s/ = %q, %v; want one problem naming %s/", name, problems, err, name)
			}
		})
	}
	if len(responseBuckets) != 2 {
		t.Errorf("buckets of responses = %q, want responses/ and incomplete/", responseBuckets)
	}
}
