package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestMigrationBacksUpFirst pretends the schema moved one version on and
// checks that opening a file of the current version backs it up, then
// migrates it.
func TestMigrationBacksUpFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	base := schemaVersion
	defer func() { schemaVersion = base; delete(migrations, base); delete(migrations, base+1) }()
	schemaVersion = base + 1
	migrations[base] = func(tx *Tx) error {
		_, err := tx.tx.CreateBucketIfNotExists([]byte("added_by_next"))
		return err
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("open with a migration: %v", err)
	}
	err = st.db.View(func(tx *bolt.Tx) error {
		if got, want := string(tx.Bucket(bucketMeta).Get(keyVersion)), strconv.Itoa(base+1); got != want {
			t.Errorf("version after migrating = %q, want %s", got, want)
		}
		if tx.Bucket([]byte("added_by_next")) == nil {
			t.Error("the migration did not run")
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	backups, _ := filepath.Glob(fmt.Sprintf("%s.pre-v%d-*", path, base+1))
	if len(backups) != 1 {
		t.Fatalf("backups before migrating: %v, want one", backups)
	}
	schemaVersion = base // the backup is a file of the old version, as it was
	old, err := Open(backups[0], Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open as the old version: %v", err)
	}
	old.Close()

	// A migration that fails leaves the file as it was.
	schemaVersion = base + 2
	migrations[base+1] = func(*Tx) error { return errBoom }
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("a failing migration: %v, want its error", err)
	}
	schemaVersion = base + 1
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("after a failed migration the file no longer opens: %v", err)
	}
	st.Close()
}

// TestSchema1Migrates takes a file back to schema 1 as ikmbot wrote it
// (no agg_extra/, version "1") and opens it: it is backed up, agg_extra/
// is created and the version is 2. cmd/ikmbot's TestSchema1FileMigrates
// does the same with a file an ikmbot of schema 1 made, and compares the
// figures reported before and after.
func TestSchema1Migrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketAggExtra); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, []byte("1"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.db.View(func(tx *bolt.Tx) error {
		if got := string(tx.Bucket(bucketMeta).Get(keyVersion)); got != "2" {
			t.Errorf("version %q, want 2", got)
		}
		if tx.Bucket(bucketAggExtra) == nil {
			t.Error("no agg_extra/ after migrating")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if backups, _ := filepath.Glob(path + ".pre-v2-*"); len(backups) != 1 {
		t.Errorf("backups %v, want one", backups)
	}
}

var errBoom = errors.New("boom")
