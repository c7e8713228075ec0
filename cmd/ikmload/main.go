// Command ikmload measures ikmbot's speed: it runs the real bot against the
// fake Bot API on loopback with many simulated respondents, and it seeds
// databases for benchmarks and for trying the admin views.
//
//	ikmload run  [--users 500] [--surveys N] [--mode inprocess|binary] [--echo] [--plain] [--json] ...
//	ikmload crowd [--people 60] [--round-trip 150ms] [--limits] [--mode inprocess|binary] [--runs 3] ...
//	ikmload seed --db FILE --responses N [--from 2025-01-01] [--to 2026-12-31] [--nosync]
//
// Nothing leaves the machine: the fake listens on 127.0.0.1 and the bot is
// pointed at it. See BENCHMARKS.md for the figures and how they were made.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `ikmload measures ikmbot's speed against a fake Telegram on loopback.

usage:
  ikmload run  [--users 500] [--surveys N] [--mode inprocess|binary] [--binary PATH]
               [--echo] [--plain] [--json] [--db FILE] [--nosync]
  ikmload crowd [--people 60] [--arrive 20s] [--read 1s-2s] [--round-trip 150ms] [--limits=true]
               [--mode inprocess|binary] [--serve-args "..."] [--runs N] [--json]
  ikmload seed --db FILE --responses N [--from 2025-01-01] [--to 2026-12-31] [--nosync]

Run "ikmload COMMAND -h" for every flag.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ikmload:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks a mistake in how ikmload was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole program, with its outputs passed in for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "run":
		return runLoad(ctx, rest, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, stdout, stderr)
	case "crowd":
		return runCrowd(ctx, rest, stdout, stderr)
	case echoCommand:
		return runEchoBot(ctx, rest, stderr)
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}
