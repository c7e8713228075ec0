package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/store"
)

// runBackup implements ikmbot backup: a consistent copy of the database,
// taken directly when no bot holds the file, else from the running bot
// over its loopback ops listener (only the lock holder can read it safely).
func runBackup(cfg *config.Config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "the bot's database file")
	out := fs.String("out", "", "the backup file to write (required)")
	ops := fs.String("ops", defaultOpsAddr, "ops address of the running bot, used when it holds the file")
	if err := fs.Parse(args); err != nil {
		return usageError{"backup: " + err.Error()}
	}
	if *out == "" {
		return usageError{"backup: --out FILE is required"}
	}
	if err := checkDBExists(*dbPath); err != nil {
		return err
	}
	st, err := store.Open(*dbPath, store.Options{Timeout: 300 * time.Millisecond, ReadOnly: true, Location: cfg.Location})
	var n int64
	var from string
	switch {
	case err == nil:
		n, err = writeFileAtomic(*out, func(w io.Writer) (int64, error) { return st.Backup(w) })
		st.Close()
		from = *dbPath
	case errors.Is(err, store.ErrLocked):
		n, err = writeFileAtomic(*out, func(w io.Writer) (int64, error) { return fetchBackup(*ops, w) })
		from = "the running bot at " + *ops
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	problems, err := checkFile(*out, cfg)
	if err != nil {
		return fmt.Errorf("backup written to %s but it does not open: %w", *out, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("backup written to %s but it fails its check: %s", *out, strings.Join(problems, "; "))
	}
	fmt.Fprintf(stderr, "backup: %s written to %s from %s, checked\n", console.ByteSize(n), *out, from)
	return nil
}

// fetchBackup streams a hot backup from the running bot's ops listener.
func fetchBackup(ops string, w io.Writer) (int64, error) {
	resp, err := http.Get("http://" + ops + "/backup")
	if err != nil {
		return 0, fmt.Errorf("the database is locked by a running bot, and its ops listener at %s does not answer (start serve with --ops): %w", ops, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("the running bot refused the backup: %s %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return io.Copy(w, resp.Body)
}

// writeFileAtomic writes a file through a temporary one, fsyncs it and
// renames it into place, so a crash leaves either no file or a whole one.
// It is created 0600: it holds respondents' answers.
func writeFileAtomic(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return 0, err
	}
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return n, err
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync() // make the rename itself durable
		dir.Close()
	}
	return n, nil
}

// checkFile opens a database read-only and runs every check on it.
func checkFile(path string, cfg *config.Config) ([]string, error) {
	st, err := store.Open(path, store.Options{Timeout: 300 * time.Millisecond, ReadOnly: true, Location: cfg.Location})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	problems, err := st.Check()
	if err != nil {
		return nil, err
	}
	err = st.View(func(tx *store.Tx) error {
		p, err := tx.VerifyAggregates()
		problems = append(problems, p...)
		if err != nil {
			return err
		}
		p, err = tx.VerifyProfiles()
		problems = append(problems, p...)
		return err
	})
	return problems, err
}

// runCheck implements ikmbot check: the file's structure, every record,
// and the aggregates against a recount of the raw responses.
func runCheck(cfg *config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dbPath := fs.String("db", defaultDB, "the database file to check (a backup, or the bot's own while it is stopped)")
	if err := fs.Parse(args); err != nil {
		return usageError{"check: " + err.Error()}
	}
	if err := checkDBExists(*dbPath); err != nil {
		return err
	}
	problems, err := checkFile(*dbPath, cfg)
	if err != nil {
		return fmt.Errorf("check: %w", friendlyOpenError(*dbPath, err, "check a hot backup instead: ikmbot backup --out COPY, then ikmbot check --db COPY"))
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check: %s has %d problem(s); if only aggregates differ, they can be rebuilt from the responses", *dbPath, len(problems))
	}
	fmt.Fprintf(stdout, "check: %s is consistent\n", *dbPath)
	return nil
}

// runRestore implements ikmbot restore: it checks a backup, keeps the
// current database aside, and puts the backup in its place.
func runRestore(cfg *config.Config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "the bot's database file to replace (the bot must be stopped)")
	from := fs.String("from", "", "the backup file to restore (required)")
	if err := fs.Parse(args); err != nil {
		return usageError{"restore: " + err.Error()}
	}
	if *from == "" {
		return usageError{"restore: --from BACKUP is required"}
	}
	problems, err := checkFile(*from, cfg)
	if err != nil {
		return fmt.Errorf("restore: the backup %s does not open: %w", *from, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("restore: the backup %s fails its check: %s", *from, strings.Join(problems, "; "))
	}
	kept := ""
	if _, err := os.Stat(*dbPath); err == nil {
		// Taking the lock proves no bot is running on the file.
		st, err := store.Open(*dbPath, store.Options{Timeout: 300 * time.Millisecond})
		if err != nil {
			return fmt.Errorf("restore: %w", friendlyOpenError(*dbPath, err, "stop the bot first"))
		}
		st.Close()
		kept = fmt.Sprintf("%s.before-restore-%s", *dbPath, time.Now().Format("20060102-150405"))
		if err := os.Rename(*dbPath, kept); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	src, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	n, err := writeFileAtomic(*dbPath, func(w io.Writer) (int64, error) { return io.Copy(w, src) })
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stderr, "restore: %s restored to %s (%s)", *from, *dbPath, console.ByteSize(n))
	if kept != "" {
		fmt.Fprintf(stderr, "; the previous database is kept as %s", kept)
	}
	fmt.Fprintln(stderr)
	return nil
}
