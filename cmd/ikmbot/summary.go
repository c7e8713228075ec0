package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/summary"
	"github.com/ikmbot/ikmbot/survey"
)

const summaryUsage = `usage: ikmbot summary --period P --out FILE [--db FILE] [--secret-file F] [--legacy-weights]
       ikmbot summary --print-key [--db FILE] [--secret-file F]

Writes the city's signed summary of a period: every unit's respondents,
the counts of each score per element, IKM, mutu, sample target and
follow-up plans (planned, done, days to complete). No answer of any
respondent is in it. It is what the province's organisation bureau
merges (ikmbot merge) instead of collecting yearly reports by hand.

The file is signed with an Ed25519 key derived from the bot's secret
(IKMBOT_SECRET, or the secret file beside the database): the same key for
the life of the database. --print-key prints its public half with the
city's name, the line to send to whoever merges (and the public site's
open-data page shows it). Run it on a stopped bot's file or a hot backup
(ikmbot backup --out COPY), as ikmbot report.
`

const mergeUsage = `usage: ikmbot merge --keys FILE [--format text|json] SUMMARY...

Merges several cities' signed summaries (ikmbot summary) of the same
period into one report: every city's IKM pooled over its respondents and
as the mean of its units, each unit type over all cities, and the region's
figures both ways, with the follow-up plans done. Each file is checked
against --keys, the published keys, one a line: KEY CITY NAME (as ikmbot
summary --print-key prints it). A file signed by another key, changed
after signing, or naming another city than its key's is refused.
`

// runSummary implements ikmbot summary.
func runSummary(cfg *config.Config, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB, "the bot's database file (a stopped bot's, or a hot backup)")
	periodArg := fs.String("period", "", "2026, 2026-S1, 2026-Q3, 2026-07 or a range (required, unless --print-key)")
	outPath := fs.String("out", "", "the signed summary to write (required, unless --print-key)")
	secretFile := fs.String("secret-file", "", "file holding the bot's secret (default: DB.secret; IKMBOT_SECRET overrides)")
	printKey := fs.Bool("print-key", false, "print the public key of the summaries, with the city's name, and exit")
	legacy := fs.Bool("legacy-weights", false, "weigh each element 0.111 as the regulation's worksheets print it")
	if done, err := parseCommandFlags(fs, summaryUsage, args, stdout); done || err != nil {
		return err
	}
	if !*printKey && (*periodArg == "" || *outPath == "") {
		return errors.New("summary: --period and --out are required (see ikmbot summary -h)")
	}
	secret, err := findSecret(getenv("IKMBOT_SECRET"), *secretFile, *dbPath)
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	if secret == nil {
		return fmt.Errorf("summary: no secret: set IKMBOT_SECRET or give the secret file (%s.secret beside the database, which serve creates)", *dbPath)
	}
	key := summary.KeyFromSecret(secret)
	if *printKey {
		_, err := fmt.Fprintf(stdout, "%s %s\n", summary.EncodeKey(summary.PublicKey(key)), cfg.City)
		return err
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	p, err := survey.ParsePeriod(*periodArg, loc)
	if err != nil {
		return fmt.Errorf("summary: --period: %w", err)
	}
	w := survey.ExactWeights
	if *legacy {
		w = survey.LegacyWeights
	}
	if err := checkDBExists(*dbPath); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	st, err := store.Open(*dbPath, store.Options{Timeout: storeTimeout, Location: loc, ReadOnly: true, Units: cfg.Catalog.Unit})
	if err != nil {
		return fmt.Errorf("summary: %w", friendlyOpenError(*dbPath, err,
			"take a hot backup with \"ikmbot backup --out COPY\" and run the summary on it with --db COPY, or stop the bot first"))
	}
	units := cfg.Catalog.Units()
	var sum survey.CitySummary
	var plans []survey.FollowUpStats
	err = st.View(func(tx *store.Tx) error {
		var err error
		if sum, err = report.Summary(tx, units, p, w); err != nil {
			return err
		}
		plans, err = report.FollowUpStats(tx, units)
		return err
	})
	st.Close()
	if err != nil {
		return fmt.Errorf("summary: read %s: %w", *dbPath, err)
	}
	followUps := make(map[string]summary.FollowUps, len(units))
	for i, u := range units {
		followUps[u.Code] = summary.FollowUps{Planned: plans[i].Planned, Done: plans[i].Done, DoneWithin30Days: plans[i].DoneWithinMonth, MedianDays: plans[i].MedianDays}
	}
	typeName := func(t survey.UnitType) string { return unitTypeName(cfg, t) }
	data, err := summary.Sign(summary.FromCity(cfg.City, sum, typeName, followUps, w, cmdNow()), key)
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	if _, err := writeFileAtomic(*outPath, bytes.NewReader(data).WriteTo); err != nil {
		return fmt.Errorf("summary: --out: %w", err)
	}
	_, err = fmt.Fprintf(stderr, "summary: %d units (%d with respondents, %d respondents), period %s, signed by %s, to %s\n",
		len(units), sum.WithData, sum.Respondents(), p.Label, summary.EncodeKey(summary.PublicKey(key)), *outPath)
	return err
}

// runMerge implements ikmbot merge.
func runMerge(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	keysPath := fs.String("keys", "", "the published keys of the cities, one a line: KEY CITY NAME (required)")
	format := fs.String("format", "text", "text or json")
	// The summary files follow the flags, where flag parsing stops.
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, mergeUsage+"\nflags:\n")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("merge: %w (see ikmbot merge -h)", err)
	}
	files := fs.Args()
	if *keysPath == "" || len(files) == 0 {
		return errors.New("merge: --keys and at least one summary file are required (see ikmbot merge -h)")
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("merge: --format: unknown format %q (want text or json)", *format)
	}
	raw, err := os.ReadFile(*keysPath)
	if err != nil {
		return fmt.Errorf("merge: --keys: %w", err)
	}
	keys, err := summary.ParseKeys(raw)
	if err != nil {
		return fmt.Errorf("merge: --keys %s: %w", *keysPath, err)
	}
	var sums []summary.Summary
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		s, err := summary.Verify(data, keys)
		if err != nil {
			return fmt.Errorf("merge: %s: %w", path, err)
		}
		sums = append(sums, s)
	}
	region, err := summary.Merge(sums)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if *format == "json" {
		return writeMergeJSON(stdout, region)
	}
	return writeMergeText(stdout, region)
}

// ikmText prints a result's IKM and mutu, or a dash.
func ikmText(r survey.Result) string {
	if !r.Valid {
		return "-"
	}
	return fmt.Sprintf("%.2f %s", r.IKM2, r.Mutu)
}

func plansText(f summary.FollowUps) string {
	share, ok := f.Share()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.2f %%), %d within 30 days", f.Done, f.Planned, share, f.DoneWithin30Days)
}

func writeMergeText(w io.Writer, r summary.Region) error {
	var b strings.Builder
	method := methodExact
	if r.Weighting == survey.LegacyWeights {
		method = methodLegacy
	}
	fmt.Fprintf(&b, "IKM of %d cities, period %s (%s)\n\n", len(r.Cities), r.Period, method)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CITY\tRESPONDENTS\tUNITS\tIKM POOLED\tMEAN OF UNITS\tFOLLOW-UP PLANS DONE")
	for _, c := range r.Cities {
		mean := "-"
		if c.WithData > 0 {
			mean = fmt.Sprintf("%.2f %s", c.MeanIKM2, c.MeanMutu)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d/%d\t%s\t%s\t%s\n", c.City, c.Tally.Respondents, c.WithData, c.Units, ikmText(c.Result), mean, plansText(c.FollowUps))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UNIT TYPE\tRESPONDENTS\tUNITS\tIKM POOLED")
	for _, t := range r.Types {
		fmt.Fprintf(tw, "%s\t%d\t%d/%d\t%s\n", t.Name, t.Tally.Respondents, t.WithData, t.Units, ikmText(t.Result))
	}
	tw.Flush()
	mean := "-"
	if r.WithData > 0 {
		mean = fmt.Sprintf("%.2f %s (%s)", r.MeanIKM2, r.MeanMutu, r.MeanMutu.Kinerja())
	}
	fmt.Fprintf(&b, "\nAll cities, pooled over %d respondents: %s\n", r.Tally.Respondents, ikmText(r.Result))
	fmt.Fprintf(&b, "All cities, mean of %d unit IKMs: %s\n", r.WithData, mean)
	fmt.Fprintf(&b, "Follow-up plans done: %s\n", plansText(r.FollowUps))
	_, err := io.WriteString(w, b.String())
	return err
}

// mergeJSON is ikmbot merge --format json.
type mergeJSON struct {
	Period      string          `json:"period"`
	Method      string          `json:"method"`
	Respondents int             `json:"respondents"`
	IKMPooled   *float64        `json:"ikm_pooled"`
	MutuPooled  *string         `json:"mutu_pooled"`
	IKMMean     *float64        `json:"ikm_mean_of_units"`
	MutuMean    *string         `json:"mutu_mean_of_units"`
	Units       int             `json:"units"`
	WithData    int             `json:"units_with_respondents"`
	FollowUps   mergePlansJSON  `json:"followups"`
	Cities      []mergeCityJSON `json:"cities"`
	Types       []mergeTypeJSON `json:"types"`
}

type mergePlansJSON struct {
	Planned          int      `json:"planned"`
	Done             int      `json:"done"`
	Share            *float64 `json:"share_done"`
	DoneWithin30Days int      `json:"done_within_30_days"`
}

type mergeCityJSON struct {
	City        string         `json:"city"`
	Respondents int            `json:"respondents"`
	Units       int            `json:"units"`
	WithData    int            `json:"units_with_respondents"`
	IKMPooled   *float64       `json:"ikm_pooled"`
	MutuPooled  *string        `json:"mutu_pooled"`
	IKMMean     *float64       `json:"ikm_mean_of_units"`
	FollowUps   mergePlansJSON `json:"followups"`
}

type mergeTypeJSON struct {
	Type        string   `json:"type"`
	Name        string   `json:"name"`
	Respondents int      `json:"respondents"`
	Units       int      `json:"units"`
	WithData    int      `json:"units_with_respondents"`
	IKMPooled   *float64 `json:"ikm_pooled"`
}

func mergePlans(f summary.FollowUps) mergePlansJSON {
	p := mergePlansJSON{Planned: f.Planned, Done: f.Done, DoneWithin30Days: f.DoneWithin30Days}
	if share, ok := f.Share(); ok {
		p.Share = &share
	}
	return p
}

func writeMergeJSON(w io.Writer, r summary.Region) error {
	method := methodExact
	if r.Weighting == survey.LegacyWeights {
		method = methodLegacy
	}
	out := mergeJSON{Period: r.Period, Method: method, Respondents: r.Tally.Respondents, IKMPooled: ikmOf(r.Result), MutuPooled: resultMutu(r.Result),
		Units: r.Units, WithData: r.WithData, FollowUps: mergePlans(r.FollowUps)}
	if r.WithData > 0 {
		v, m := r.MeanIKM2, string(r.MeanMutu)
		out.IKMMean, out.MutuMean = &v, &m
	}
	for _, c := range r.Cities {
		cj := mergeCityJSON{City: c.City, Respondents: c.Tally.Respondents, Units: c.Units, WithData: c.WithData,
			IKMPooled: ikmOf(c.Result), MutuPooled: resultMutu(c.Result), FollowUps: mergePlans(c.FollowUps)}
		if c.WithData > 0 {
			v := c.MeanIKM2
			cj.IKMMean = &v
		}
		out.Cities = append(out.Cities, cj)
	}
	for _, t := range r.Types {
		out.Types = append(out.Types, mergeTypeJSON{Type: t.Type, Name: t.Name, Respondents: t.Tally.Respondents, Units: t.Units, WithData: t.WithData, IKMPooled: ikmOf(t.Result)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
