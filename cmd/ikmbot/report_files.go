package main

import (
	"bytes"
	"io"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/export"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// isFileFormat reports whether a report format is a file for a
// spreadsheet (export) rather than text for a terminal or a script.
func isFileFormat(format string) bool { return format == "csv" || format == "xlsx" }

// exportReport is the Report export draws files from.
func exportReport(cfg *config.Config, sum survey.CitySummary, indexes []survey.IndexSummary, w survey.Weighting) export.Report {
	return export.Report{City: cfg.City, Summary: sum, Indexes: indexes, Weighting: w, TypeNames: cfg.TypeNames, Generated: cmdNow().In(sum.Period.From.Location())}
}

// renderReportFile draws the CSV or XLSX of sum from the raw responses, in
// the read transaction the tallies came from, so that the responses add up
// to the figures. It returns the file and the number of responses in it.
func renderReportFile(tx *store.Tx, cfg *config.Config, format string, sum survey.CitySummary, indexes []survey.IndexSummary, w survey.Weighting, stderr io.Writer) ([]byte, int, error) {
	rep := exportReport(cfg, sum, indexes, w)
	// The server's operator, who can read the database file itself, gets
	// every answer as stored, in the layout ikmbot import reads.
	rep.RawProfile = export.ProfileFull
	prog := newCountProgress(stderr, "responses read")
	n := 0
	responses := func(fn func(survey.Response) error) error {
		return tx.ForEachResponse(func(r survey.Response) error {
			n++
			prog.show(n)
			return fn(r)
		})
	}
	var buf bytes.Buffer
	var err error
	written := sum.Respondents()
	if format == "csv" {
		written, err = export.WriteCSV(&buf, rep, responses)
	} else if rep.FollowUps, err = report.FollowUps(tx, summaryUnits(sum)); err == nil {
		if rep.Profiles, err = report.Profiles(tx, summaryUnits(sum), sum.Period, rep.Generated); err == nil {
			err = export.WriteXLSX(&buf, rep, responses)
		}
	}
	prog.done()
	if err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), written, nil
}

// summaryUnits lists the units of a summary.
func summaryUnits(s survey.CitySummary) []survey.Unit {
	out := make([]survey.Unit, len(s.Units))
	for i, u := range s.Units {
		out[i] = u.Unit
	}
	return out
}

// countProgress shows "responses read 12000" on one line of a terminal
// while a long run works, and nothing when stderr is a file or a pipe.
type countProgress struct {
	line  console.Progress
	label string
}

func newCountProgress(stderr io.Writer, label string) countProgress {
	return countProgress{line: console.NewProgress(stderr), label: label}
}

func (p countProgress) show(n int) {
	if n%5000 == 0 {
		p.line.Show("%s %d", p.label, n)
	}
}

func (p countProgress) done() { p.line.Clear() }
