package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ikmbot/ikmbot/cmd/internal/config"
	"github.com/ikmbot/ikmbot/cmd/internal/console"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// importUsage is printed for ikmbot import -h.
const importUsage = `usage: ikmbot import [--db FILE] --unit CODE --file paper.csv

Adds the answers of paper questionnaires to the database, all or nothing:
one bad row and nothing from the file is stored. The first line names the
columns, in any order, separated by commas or semicolons:

  tanggal        date of the visit, YYYY-MM-DD (not in the future)
  jenis_kelamin  L or P, or blank
  usia           age in whole years, 10-120, or blank
  pendidikan     SD, SMP, SMA, D1-D3, D4/S1, S2, S3, or blank
  pekerjaan      PNS, TNI, POLRI, Swasta, Wirausaha, Lainnya, or blank
  layanan        one of the unit's services, lainnya, or blank
  persyaratan prosedur waktu biaya produk kompetensi perilaku pengaduan sarana
                 scores 1-4; blank = not answered; at least one per row
  saran          suggestion text, at most 1000 characters, or blank

A unit that asks the SPKP or the SPAK (questionnaires in the config) may
add their columns, all of a questionnaire's or none; each is optional:

  spkp_skala     the scale of the form, as the config sets it (4 or 6), or blank
  spkp_informasi spkp_persyaratan spkp_prosedur spkp_waktu spkp_biaya
  spkp_sarana spkp_respons spkp_konsultasi
                 scores 1 to the scale; blank = not answered; all blank =
                 the part was skipped
  spak_skala, spak_diskriminasi spak_kecurangan spak_imbalan spak_pungli
  spak_calo      likewise

Save the spreadsheet as CSV in UTF-8. The bot must be stopped meanwhile: it
holds the database file while it runs. Importing a file twice counts its
answers twice.
`

// Import columns, as printed on the paper form's data-entry sheet; the
// profile questions' columns come from survey.ProfileQuestions.
const (
	colTanggal = "tanggal"
	colSaran   = "saran"
)

// importColumns is every column an import file must have, in the order the
// usage text and error messages list them.
var importColumns = func() []string {
	cols := []string{colTanggal}
	for _, q := range survey.ProfileQuestions {
		cols = append(cols, q.Column)
	}
	for _, e := range survey.Elements {
		cols = append(cols, string(e))
	}
	return append(cols, colSaran)
}()

// Limits of an import.
const (
	maxImportErrors = 20   // enough to see a pattern, few enough to read
	importProgress  = 1000 // rows between progress updates on a terminal
	minImportYear   = 2000 // earlier years are typos (0226, 1926) in an SKM file
	paperHour       = 12   // paper has a date but no time; noon keeps it mid-day in any zone shift
)

// utf8BOM is what Excel puts before "CSV UTF-8" files.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// importErrors collects row errors up to a cap, counting the rest.
type importErrors struct {
	file  string
	errs  []error
	extra int
}

// add records a problem at line in field.
func (ie *importErrors) add(line int, field, format string, args ...any) {
	if len(ie.errs) == maxImportErrors {
		ie.extra++
		return
	}
	ie.errs = append(ie.errs, &config.FileError{File: ie.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err joins the collected errors, or returns nil when there are none.
func (ie *importErrors) err() error {
	if len(ie.errs) == 0 {
		return nil
	}
	errs := ie.errs
	if ie.extra > 0 {
		errs = append(errs[:len(errs):len(errs)], fmt.Errorf("%s: and %d more errors", ie.file, ie.extra))
	}
	errs = append(errs, fmt.Errorf("%s: nothing was imported; fix the file and run the import again", ie.file))
	return errors.Join(errs...)
}

// runImport implements ikmbot import: it stores the answers of paper
// questionnaires for one unit, all in one transaction or none at all.
func runImport(cfg *config.Config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, not printed twice
	dbPath := fs.String("db", defaultDB, "the bot's database file (created if missing)")
	unitCode := fs.String("unit", "", "the unit the questionnaires belong to, by code (see ikmbot units)")
	file := fs.String("file", "", "CSV file of the questionnaires")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fs.Usage()
			return nil
		}
		return fmt.Errorf("import: %w (see ikmbot import -h)", err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("import: unexpected argument %q (see ikmbot import -h)", fs.Arg(0))
	case *unitCode == "":
		return errors.New("import: --unit is required: the code of the unit whose questionnaires these are (see ikmbot units)")
	case *file == "":
		return errors.New("import: --file is required: the CSV of the questionnaires (see ikmbot import -h)")
	}
	unit, err := unitByCode(cfg, *unitCode)
	if err != nil {
		return fmt.Errorf("import: --unit: %w", err)
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}

	// Validate the whole file before opening the database, so that a bad file
	// leaves no trace, not even a new empty database.
	line := console.NewProgress(stderr)
	progress := func(n int) { line.Show("checking %s: %d rows", *file, n) }
	responses, err := parsePaperCSV(*file, data, unit, loc, cmdNow().In(loc), progress)
	line.Clear()
	if err != nil {
		return err
	}

	_, statErr := os.Stat(*dbPath)
	created := errors.Is(statErr, os.ErrNotExist)
	st, err := store.Open(*dbPath, store.Options{Timeout: storeTimeout, Location: loc, Units: cfg.Catalog.Unit})
	if err != nil {
		return fmt.Errorf("import: %w", friendlyOpenError(*dbPath, err, "stop the bot, run the import, then start the bot again"))
	}
	err = st.Update(func(tx *store.Tx) error {
		// Update may run this more than once: work on copies, keep no state.
		for _, r := range responses {
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import: %s: nothing was imported: %w", *dbPath, err)
	}
	if created {
		fmt.Fprintf(stderr, "created the new database %s\n", *dbPath)
	}
	first, last := responses[0].Submitted, responses[0].Submitted
	for _, r := range responses[1:] {
		if r.Submitted.Before(first) {
			first = r.Submitted
		}
		if r.Submitted.After(last) {
			last = r.Submitted
		}
	}
	noun := "responses"
	if len(responses) == 1 {
		noun = "response"
	}
	fmt.Fprintf(stderr, "imported %d %s for %s (%s) from %s, %s..%s\n", len(responses), noun, unit.Code, unit.Name, *file,
		first.Format(time.DateOnly), last.Format(time.DateOnly))
	return nil
}

// sniffSeparator picks the field separator from the header line:
// spreadsheets in an Indonesian locale export with semicolons, because the
// comma is their decimal mark.
func sniffSeparator(data []byte) rune {
	header, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		return ';'
	}
	return ','
}

// parsePaperCSV validates an import file and returns its responses for unit,
// or every problem found (up to maxImportErrors). today is the current time
// in loc. progress is called with the number of rows read so far.
func parsePaperCSV(name string, data []byte, unit survey.Unit, loc *time.Location, today time.Time, progress func(int)) ([]survey.Response, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	ie := &importErrors{file: name}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidUTF8At(data)], []byte("\n"))
		ie.add(line, "", "not UTF-8 text: save the spreadsheet as \"CSV UTF-8\"")
		return nil, ie.err()
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffSeparator(data)
	cr.FieldsPerRecord = -1 // a short row is reported with its line, below
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		ie.add(0, "", "the file is empty; the first line must name the columns: %s", strings.Join(importColumns, ","))
		return nil, ie.err()
	}
	if err != nil {
		return nil, csvError(ie, err)
	}
	cols, ok := importHeader(ie, header, unit)
	if !ok {
		return nil, ie.err()
	}

	rp := rowParser{ie: ie, unit: unit, loc: loc, today: today}
	var out []survey.Response
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A broken quote desynchronizes the rest of the file: stop here.
			csvError(ie, err)
			break
		}
		rows++
		if rows%importProgress == 0 {
			progress(rows)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue // spreadsheets export empty rows as ",,,,"
		}
		if len(rec) != len(cols) {
			ie.add(line, "", "%d fields, want %d (one per column of the header)", len(rec), len(cols))
			continue
		}
		fields := make(map[string]string, len(cols))
		for i, c := range cols {
			fields[c] = strings.TrimSpace(rec[i])
		}
		if r, ok := rp.parse(line, fields); ok {
			out = append(out, r)
		}
	}
	if rows >= importProgress {
		progress(rows)
	}
	if err := ie.err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		ie.add(0, "", "no questionnaires in the file, only a header")
		return nil, ie.err()
	}
	return out, nil
}

// invalidUTF8At returns the offset of the first invalid UTF-8 byte in data.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// csvError records a CSV syntax error (such as an unclosed quote) at its
// line and returns the collected errors.
func csvError(ie *importErrors, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		ie.add(pe.StartLine, "", "CSV syntax: %v", pe.Err)
	} else {
		ie.add(0, "", "%v", err)
	}
	return ie.err()
}

// importHeader maps the header's columns to their names, reporting unknown,
// duplicate and missing columns together so that one run shows them all.
// The columns of an extra questionnaire the unit asks (survey.Questionnaire
// Columns) are optional, all of them or none; those of one it does not ask
// are refused with the reason.
func importHeader(ie *importErrors, header []string, unit survey.Unit) ([]string, bool) {
	known := importColumnsOf(unit)
	cols := make([]string, len(header))
	seen := map[string]bool{}
	ok := true
	for i, h := range header {
		c := strings.ToLower(strings.TrimSpace(h))
		cols[i] = c
		switch q := extraOfColumn(c); {
		case c == "":
			ie.add(1, "", "column %d has no name (want %s)", i+1, strings.Join(importColumns, ","))
			ok = false
		case q != nil && !slices.Contains(known, c):
			ie.add(1, "", "column %q: %s does not ask the %s; add %s to its questionnaires in the config, or leave the column out", strings.TrimSpace(h), unit.Code, strings.ToUpper(string(q.Key)), q.Key)
			ok = false
		case !slices.Contains(known, c):
			ie.add(1, "", "unknown column %q (%s)", strings.TrimSpace(h), config.Suggest(c, known))
			ok = false
		case seen[c]:
			ie.add(1, "", "column %q appears twice", c)
			ok = false
		}
		seen[c] = true
	}
	var missing []string
	for _, c := range importColumns {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		ie.add(1, "", "missing column(s) %s: every column is required, even if left blank", strings.Join(missing, ", "))
		ok = false
	}
	for _, x := range unit.Extras {
		var have, lack []string
		for _, c := range x.Columns() {
			if seen[c] {
				have = append(have, c)
			} else {
				lack = append(lack, c)
			}
		}
		if len(have) > 0 && len(lack) > 0 {
			ie.add(1, "", "missing column(s) %s: the %s columns come all together, or not at all", strings.Join(lack, ", "), strings.ToUpper(string(x.Key)))
			ok = false
		}
	}
	return cols, ok
}

// importColumnsOf is every column an import file for unit may have: the
// required ones, then those of the extra questionnaires it asks.
func importColumnsOf(unit survey.Unit) []string {
	known := slices.Clone(importColumns)
	for _, x := range unit.Extras {
		known = append(known, x.Columns()...)
	}
	return known
}

// extraOfColumn returns the questionnaire whose column c is, or nil.
func extraOfColumn(c string) *survey.Questionnaire {
	for _, q := range survey.Questionnaires {
		if slices.Contains(q.Columns(), c) {
			return q
		}
	}
	return nil
}

// blankRecord reports whether every field of a record is empty or spaces.
func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// rowParser turns one row into a Response, reporting every bad field.
type rowParser struct {
	ie    *importErrors
	unit  survey.Unit
	loc   *time.Location
	today time.Time
}

// parse validates the row at line; ok is false when any field was bad.
func (p *rowParser) parse(line int, f map[string]string) (survey.Response, bool) {
	before := len(p.ie.errs) + p.ie.extra
	bad := func(field, format string, args ...any) { p.ie.add(line, field, format, args...) }
	r := survey.Response{Unit: p.unit.Code, Source: survey.SourcePaper}

	switch s := f[colTanggal]; {
	case s == "":
		bad(colTanggal, "missing: every questionnaire needs its date, YYYY-MM-DD")
	default:
		d, err := time.ParseInLocation(time.DateOnly, s, p.loc)
		switch {
		case err != nil:
			bad(colTanggal, "%q is not a date in the form YYYY-MM-DD (e.g. 2026-01-03); format the spreadsheet column as yyyy-mm-dd", s)
		case d.Year() < minImportYear:
			bad(colTanggal, "%q is before %d: check the year", s, minImportYear)
		case d.Format(time.DateOnly) > p.today.Format(time.DateOnly):
			bad(colTanggal, "%q is in the future (today is %s)", s, p.today.Format(time.DateOnly))
		default:
			r.Submitted = time.Date(d.Year(), d.Month(), d.Day(), paperHour, 0, 0, 0, p.loc)
		}
	}

	for _, q := range survey.ProfileQuestions {
		s := f[q.Column]
		if s == "" {
			continue // profile answers are optional
		}
		if v, ok := q.Parse(p.unit, s); ok {
			q.Set(&r.Profile, v)
			continue
		}
		switch q.Answer {
		case survey.AnswerAge:
			bad(q.Column, "%q is not an age between %d and %d", s, survey.MinAge, survey.MaxAge)
		case survey.AnswerService:
			bad(q.Column, "%q is not a service of %s (want %s, or blank)", s, p.unit.Code, strings.Join(append(append([]string(nil), p.unit.Services...), survey.ServiceOtherWord), ", "))
		case survey.AnswerChoice:
			if len(q.Choices) == 2 {
				bad(q.Column, "%q is not %s or %s (or blank)", s, q.Choices[0], q.Choices[1])
			} else {
				bad(q.Column, "%q is not one of %s (or blank)", s, strings.Join(q.Choices, ", "))
			}
		}
	}

	answered, badScores := 0, 0
	for i, key := range survey.Elements {
		s := f[string(key)]
		if s == "" {
			continue // not answered: stays out of this element's denominator
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < survey.MinScore || v > survey.MaxScore {
			bad(string(key), "%q is not a score from %d to %d (or blank for no answer)", s, survey.MinScore, survey.MaxScore)
			badScores++
			continue
		}
		r.Scores[i] = uint8(v)
		answered++
	}
	if answered == 0 && badScores == 0 {
		bad(string(survey.Persyaratan)+".."+string(survey.Sarana), "every element is blank: a questionnaire needs at least one score")
	}

	for _, x := range p.unit.Extras {
		if b, ok := p.block(line, x, f); ok {
			r.Blocks = append(r.Blocks, b)
		}
	}

	r.Suggestion = f[colSaran]
	if n := utf8.RuneCountInString(r.Suggestion); n > survey.MaxSuggestionRunes {
		bad(colSaran, "%d characters, at most %d", n, survey.MaxSuggestionRunes)
	}
	return r, len(p.ie.errs)+p.ie.extra == before
}

// block reads the row's answers to extra questionnaire x, reporting bad
// fields; ok is false when the row has none (the columns are absent, or
// every item is blank: the part was skipped).
func (p *rowParser) block(line int, x survey.Extra, f map[string]string) (survey.Block, bool) {
	b := survey.Block{Key: x.Key, Scale: x.Scale, Scores: make([]uint8, len(x.Items))}
	for i := range x.Items {
		col := x.ItemColumn(i)
		s := f[col]
		if s == "" {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > x.Scale {
			p.ie.add(line, col, "%q is not a score from 1 to %d (or blank for no answer)", s, x.Scale)
			continue
		}
		b.Scores[i] = uint8(v)
	}
	if s := f[x.ScaleColumn()]; s != "" && s != strconv.Itoa(x.Scale) {
		// Answers on another scale would be counted as if on this one.
		p.ie.add(line, x.ScaleColumn(), "%q: %s asks the %s on a scale of 1 to %d; give %d, or leave it blank", s, p.unit.Code, strings.ToUpper(string(x.Key)), x.Scale, x.Scale)
	}
	return b, b.Answered() > 0
}
