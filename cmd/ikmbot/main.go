// Command ikmbot runs Indonesia's public-service satisfaction survey (SKM)
// as a Telegram bot and reports the satisfaction index (IKM) live.
//
//	ikmbot demo                      the real bot against a fake Telegram, in the terminal
//	ikmbot serve                     the bot, by long polling (TELEGRAM_BOT_TOKEN)
//	ikmbot units                     every unit with its deep link
//	ikmbot qr --bot-username NAME --out DIR   QR codes and A4 posters
//	ikmbot counter --unit CODE --bot-username NAME   a counter screen's rotating QR code
//	ikmbot import --unit CODE --file paper.csv
//	ikmbot report [--unit CODE] [--period P] [--format json|text|csv|xlsx] [--out FILE]
//	ikmbot poster --out DIR [--unit CODE] [--period P]   publication posters
//
// Every command takes --config FILE; without it the embedded Kota Bekasi
// configuration (89 units) is used.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
)

const usage = `ikmbot runs the public-service satisfaction survey (SKM) as a Telegram bot.

usage: ikmbot COMMAND [--config FILE] [flags]

commands:
  demo     play the survey in this terminal against a fake Telegram (no token, no network)
  serve    run the bot by long polling; needs TELEGRAM_BOT_TOKEN
  units    list every unit with its code, type and deep link
  qr       draw every unit's QR code (PNG) and A4 poster (PDF) for printing
  counter  serve a unit's counter screen: a QR code that changes every few minutes (proof of visit)
  import   add answers from paper questionnaires (CSV)
  report   print the IKM of a unit or the whole city for a period, or write it as CSV or XLSX
  poster   draw every unit's publication poster of its IKM (PNG and A4 PDF), and charts
  summary  write the city's signed summary of a period, for the province
  merge    merge several cities' signed summaries into one report
  backup   write a consistent copy of the database, also while the bot runs
  check    verify a database file and its aggregates
  restore  put a checked backup in place of the database (bot stopped)

Without --config, the embedded Kota Bekasi configuration (89 units) is used.
Run "ikmbot COMMAND -h" for a command's flags.
`

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "ikmbot: stopping; a second signal exits at once")
		cancel()
		<-sigs
		// bbolt's file survives an abrupt exit: pages are copy-on-write and
		// a commit is only visible once its meta page is synced.
		fmt.Fprintln(os.Stderr, "ikmbot: exiting at once")
		os.Exit(130)
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ikmbot:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks a mistake in how ikmbot was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole program, with its environment passed in so that tests
// can run every command in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	configPath, rest, err := takeConfigFlag(rest)
	if err != nil {
		return err
	}
	load := func() (*config.Config, error) { return config.Load(configPath) }
	switch cmd {
	case "serve":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runServe(ctx, cfg, rest, getenv, stderr)
	case "demo":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runDemo(ctx, cfg, rest, stdin, stdout, stderr)
	case "units":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runUnits(cfg, rest, getenv, stdout)
	case "qr":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runQR(cfg, rest, getenv, stdout, stderr)
	case "import":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runImport(cfg, rest, stderr)
	case "counter":
		return runCounter(ctx, load, rest, getenv, stdout, stderr)
	case "poster":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runPoster(cfg, rest, stdout, stderr)
	case "report":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runReport(cfg, rest, stdout, stderr)
	case "summary":
		cfg, err := load()
		if err != nil {
			return err
		}
		return runSummary(cfg, rest, getenv, stdout, stderr)
	case "merge":
		return runMerge(rest, stdout)
	case "backup", "check", "restore":
		cfg, err := load()
		if err != nil {
			return err
		}
		switch cmd {
		case "backup":
			return runBackup(cfg, rest, stderr)
		case "check":
			return runCheck(cfg, rest, stdout)
		}
		return runRestore(cfg, rest, stderr)
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

// takeConfigFlag removes --config FILE (or --config=FILE, -config) from
// args: every command takes it, so it is handled once here.
func takeConfigFlag(args []string) (string, []string, error) {
	var path string
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", nil, usageError{"--config needs a file name"}
			}
			i++
			value = args[i]
		}
		path = value
	}
	return path, rest, nil
}

// parseCommandFlags parses a command's flags: -h prints its usage to stdout
// and reports done; a mistake is an error that points at -h.
func parseCommandFlags(fs *flag.FlagSet, usage string, args []string, stdout io.Writer) (done bool, err error) {
	fs.SetOutput(io.Discard) // errors are returned, not printed twice
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage+"\nflags:\n")
		fs.PrintDefaults()
	}
	name := fs.Name()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return true, nil
		}
		return false, fmt.Errorf("%s: %w (see ikmbot %s -h)", name, err, name)
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("%s: unexpected argument %q (see ikmbot %s -h)", name, fs.Arg(0), name)
	}
	return false, nil
}
