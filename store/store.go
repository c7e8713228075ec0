package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ikmbot/ikmbot/survey"
	bolt "go.etcd.io/bbolt"
)

// schemaVersion is written to meta/version. Bump it, with an entry in
// migrations, whenever the meaning of stored bytes changes.
var schemaVersion = 2 // a variable only so tests can exercise migrations

// migrations[v] upgrades a file from schema version v to v+1. Open runs the
// ones a file needs in one transaction, after writing a backup of it.
var migrations = map[int]func(*Tx) error{
	1: migrateExtras,
}

// migrateExtras takes a file to schema 2, where responses may carry
// answers to extra questionnaires (SPKP, SPAK) counted in agg_extra/. A
// version 1 file holds none, so agg_extra/ starts empty and nothing else
// changes; the version goes up so that an ikmbot of schema 1, which would
// drop those answers when it replaces a response and leave their tallies
// wrong, refuses the file instead (see doc.go).
func migrateExtras(tx *Tx) error {
	_, err := tx.writeBucket(bucketAggExtra)
	return err
}

// ErrLocked means another process holds the database file.
var ErrLocked = errors.New("database is locked")

// ErrNotFound means a requested record does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate means the respondent already has a response for the unit in
// that window; the caller should offer ReplaceResponse instead.
var ErrDuplicate = errors.New("respondent already answered in this window")

// keyVersion is meta/version; the buckets are in schema.go.
var keyVersion = []byte("version")

// Options configures Open. The zero value is ready for production use.
type Options struct {
	Timeout  time.Duration  // wait for the file lock; default 1s
	Location *time.Location // calendar for day/month aggregate keys; nil = UTC
	NoSync   bool           // benchmarks only; never in production
	ReadOnly bool           // shared lock, no writes; cannot run beside a writer (see Open)

	// Units resolves a unit code to the configured unit when a stored session
	// is loaded, because records keep only the code. When nil, or when the
	// code is no longer configured, the session gets survey.Unit{Code: code}
	// so that nothing is lost.
	Units func(code string) (survey.Unit, bool)
}

// Store is an open ikmbot database. It is safe for concurrent use.
type Store struct {
	db      *bolt.DB
	path    string
	opts    Options
	commits groupCommit

	inboxUsed atomic.Bool // KeepUpdates or KeptUpdates was called (inbox.go)
	answered  answered    // updates to take out of the inbox (inbox.go)
}

// Open opens or creates the database at path with mode 0600 (it holds
// respondents' answers).
//
// bbolt locks the whole file: a writer takes an exclusive lock, and a
// ReadOnly open takes a shared lock, which still waits for a writer to
// close. So a ReadOnly report command can run beside other readers, not
// beside the bot. On lock timeout the error wraps ErrLocked.
//
// A new file gets meta/version = schemaVersion. A file written by a newer ikmbot, or a
// file that is not an ikmbot database, is refused with an error naming path.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:  opts.Timeout,
		NoSync:   opts.NoSync,
		ReadOnly: opts.ReadOnly,
	})
	switch {
	case err == nil:
	case errors.Is(err, bolt.ErrTimeout):
		// bbolt says only "timeout"; the operator needs to know why.
		return nil, fmt.Errorf("open %s: %w: is another ikmbot using this file?", path, ErrLocked)
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrChecksum), errors.Is(err, bolt.ErrVersionMismatch):
		return nil, fmt.Errorf("open %s: not an ikmbot database (not a bbolt file, or damaged): %w", path, err)
	default:
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, opts: opts}
	if !opts.ReadOnly {
		if err := s.migrate(); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	if opts.ReadOnly {
		err = db.View(s.checkSchema)
	} else {
		err = db.Update(s.initSchema)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// initSchema creates the buckets of a new file and checks the version of an
// existing one. It writes nothing before the checks pass.
func (s *Store) initSchema(tx *bolt.Tx) error {
	if tx.Bucket(bucketMeta) == nil {
		// A bbolt file without meta/ is ours only if it is empty: a crash
		// between bbolt creating the file and this transaction leaves one.
		if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			return fmt.Errorf("not an ikmbot database: it has a %q bucket but no meta/version", name)
		}); err != nil {
			return err
		}
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyVersion, []byte(strconv.Itoa(schemaVersion))); err != nil {
			return err
		}
	} else if err := s.checkSchema(tx); err != nil {
		return err
	}
	// Before the buckets are created: it tells an older file by what it
	// lacks.
	if err := (&Tx{tx: tx, s: s}).backfillDerived(); err != nil {
		return err
	}
	// Creating any missing bucket here lets every writer assume they exist.
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// checkSchema refuses a file whose version this ikmbot does not understand.
func (s *Store) checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return errors.New("not an ikmbot database: no meta/version")
	}
	raw := meta.Get(keyVersion)
	if raw == nil {
		return errors.New("not an ikmbot database: no meta/version")
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return fmt.Errorf("not an ikmbot database: meta/version is %q", raw)
	}
	if v > schemaVersion {
		return fmt.Errorf("schema version %d was made by a newer ikmbot (this one reads version %d)", v, schemaVersion)
	}
	return nil
}

// Close takes the updates answered so far out of the inbox (Answered),
// waits for open transactions and releases the file lock.
// Update calls still waiting for their batch then fail, so stop the callers
// (the bot's handlers) before closing.
func (s *Store) Close() error {
	err := s.FlushAnswered()
	s.answered.mu.Lock()
	s.answered.closed = true
	s.answered.mu.Unlock()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path returns the path the store was opened with, for messages and backups.
func (s *Store) Path() string { return s.path }

// Location returns the calendar of the day and month aggregate keys; take
// "now" in it before building a report period, or near midnight the period
// will be a day off from the stored buckets.
func (s *Store) Location() *time.Location { return s.opts.Location }

// Update runs fn in one write transaction: everything fn does commits
// together or not at all.
//
// Concurrent Update calls are grouped into one bbolt transaction and one
// fsync (group commit, see commit.go), which is what keeps a busy bot from
// waiting on the disk once per message. The price:
//
// FN MAY BE CALLED MORE THAN ONCE, and a call that returned nil may still be
// rolled back and repeated, because a batch is retried without any member
// that fails. So fn must have no effects outside tx (no sending, no
// counters, no channel sends) and must compute everything it writes from tx
// and its own arguments. Do side effects after Update returns nil. Values fn
// leaves behind (such as the ID AddResponse sets) are valid only then.
//
// If fn returns an error, it is run once more on its own and that error is
// returned. Each failing member makes bbolt re-run the rest of its batch, so
// return errors for real failures only: "nothing to do" (an update already
// seen) is a nil return. A panic in fn is re-raised in the caller's
// goroutine.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.commits.update(s.db, func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, s: s})
	})
}

// View runs fn in a read-only transaction, a consistent snapshot that never
// blocks writers.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, s: s})
	})
}

// Tally returns the unit's counts over p; see Tx.Tally.
func (s *Store) Tally(unit string, p survey.Period) (survey.Tally, error) {
	var t survey.Tally
	err := s.View(func(tx *Tx) error {
		var err error
		t, err = tx.Tally(unit, p)
		return err
	})
	return t, err
}

// Tx is one transaction. It is valid only inside the Update or View call
// that provided it, and must not be used from other goroutines.
type Tx struct {
	tx *bolt.Tx
	s  *Store

	// keys remembers the aggregate keys of the last period asked for: a
	// city report asks the same period of every unit (see periodKeys).
	keys *periodKeys
}

// bucket returns a top-level bucket. Open creates them all in write mode, so
// nil means a read-only open of a file that predates the bucket: readers
// treat that as empty.
func (tx *Tx) bucket(name []byte) *bolt.Bucket { return tx.tx.Bucket(name) }

// writeBucket returns a top-level bucket that a write needs.
func (tx *Tx) writeBucket(name []byte) (*bolt.Bucket, error) {
	if !tx.tx.Writable() {
		return nil, fmt.Errorf("write to %s: %w", name, bolt.ErrTxNotWritable)
	}
	return tx.tx.CreateBucketIfNotExists(name)
}

// migrate brings an older file up to schemaVersion: it first writes a
// consistent backup beside it (PATH.pre-vN-TIME), so a failed or wrong
// migration can be undone with ikmbot restore, then runs the migrations and
// the version bump in one transaction.
func (s *Store) migrate() error {
	v := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			v, _ = strconv.Atoi(string(meta.Get(keyVersion)))
		}
		return nil
	})
	if err != nil || v == 0 || v >= schemaVersion {
		return err // a new file, a current one, or one checkSchema refuses
	}
	backup := fmt.Sprintf("%s.pre-v%d-%s", s.path, schemaVersion, time.Now().Format("20060102-150405"))
	f, err := os.OpenFile(backup, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup before migrating: %w", err)
	}
	if _, err := s.Backup(f); err != nil {
		f.Close()
		return fmt.Errorf("backup before migrating: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("backup before migrating: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return s.db.Update(func(btx *bolt.Tx) error {
		tx := &Tx{tx: btx, s: s}
		for from := v; from < schemaVersion; from++ {
			m := migrations[from]
			if m == nil {
				return fmt.Errorf("no migration from schema version %d", from)
			}
			if err := m(tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", from, from+1, err)
			}
		}
		return btx.Bucket(bucketMeta).Put(keyVersion, []byte(strconv.Itoa(schemaVersion)))
	})
}
