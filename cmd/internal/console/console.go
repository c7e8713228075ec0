// Package console is what ikmbot's and ikmload's commands show a person at
// a terminal: whether a stream is one, a progress line that only a
// terminal sees, and file sizes for summary lines.
package console

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether v, a command's standard input, output or
// error, is a terminal: a person watching rather than a file, a pipe or a
// test's buffer.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Progress rewrites one line of a terminal while long work runs. On
// anything else it writes nothing: in a log file or a pipe every update
// would be noise. The zero Progress is off.
type Progress struct {
	w io.Writer // nil: off
}

// NewProgress returns the progress line of w, on only when w is a terminal.
func NewProgress(w io.Writer) Progress {
	if !IsTerminal(w) {
		return Progress{}
	}
	return Progress{w: w}
}

// On reports whether the line is shown, for work that would only be done
// to fill it.
func (p Progress) On() bool { return p.w != nil }

// Show replaces the line with the formatted text.
func (p Progress) Show(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, "\r\033[K"+format, args...)
	}
}

// Clear removes the line, before the summary is printed.
func (p Progress) Clear() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// ByteSize writes a file size for a person: bytes below 1 KiB, then KiB,
// MiB or GiB (powers of 1024, as the IEC names say) with one decimal.
func ByteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
