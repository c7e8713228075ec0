package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestMigrationBacksUpFirst pretends the schema moved to version 2 and
// checks that opening a version 1 file backs it up, then migrates it.
func TestMigrationBacksUpFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	defer func(v int) { schemaVersion = v; delete(migrations, 1) }(schemaVersion)
	schemaVersion = 2
	migrations[1] = func(tx *Tx) error {
		_, err := tx.tx.CreateBucketIfNotExists([]byte("added_by_v2"))
		return err
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("open with a migration: %v", err)
	}
	err = st.db.View(func(tx *bolt.Tx) error {
		if got := string(tx.Bucket(bucketMeta).Get(keyVersion)); got != "2" {
			t.Errorf("version after migrating = %q, want 2", got)
		}
		if tx.Bucket([]byte("added_by_v2")) == nil {
			t.Error("the migration did not run")
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	backups, _ := filepath.Glob(path + ".pre-v2-*")
	if len(backups) != 1 {
		t.Fatalf("backups before migrating: %v, want one", backups)
	}
	schemaVersion = 1 // the backup is a version 1 file, as it was
	old, err := Open(backups[0], Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open as the old version: %v", err)
	}
	old.Close()

	// A migration that fails leaves the file as it was.
	schemaVersion = 3
	migrations[2] = func(*Tx) error { return errBoom }
	defer delete(migrations, 2)
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("a failing migration: %v, want its error", err)
	}
	schemaVersion = 2
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("after a failed migration the file no longer opens: %v", err)
	}
	st.Close()
}

var errBoom = errors.New("boom")
