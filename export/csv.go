package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/ikmbot/ikmbot/survey"
)

// RawProfile says how much of each respondent's profile the raw rows of
// WriteCSV carry. A row carries the day and every score, so any profile
// answer beside them can point at a person: the unit's own staff, who
// served them that day, most of all.
type RawProfile int

const (
	// ProfileNone leaves the profile out, as for a unit's admins: they
	// get what /saran shows, the day, the scores and the suggestion.
	ProfileNone RawProfile = iota
	// ProfileBanded gives gender, education, occupation and service, and
	// the age by band (survey.AgeBand) instead of in years: a city admin's
	// file in the chat.
	ProfileBanded
	// ProfileFull gives every answer as stored, as ikmbot import reads
	// it: ikmbot report on the server, by whoever can read the database.
	ProfileFull
)

// CSVHeader is the first line of WriteCSV for rows with profile p: the
// row number, then the names ikmbot import uses for the same fields
// (tanggal, the profile questions' columns unless p is ProfileNone, the
// nine element keys, then for each extra questionnaire of indexes its scale
// and items as survey.Extra.Columns names them, saran), with unit, sumber
// (source) and via. Rows are numbered 1, 2, 3... in each file: stored
// response ids are one city-wide sequence, whose jumps would tell a
// unit's admin how many answers other units received.
func CSVHeader(p RawProfile, indexes []survey.IndexSummary) []string {
	h := []string{"no", "tanggal", "unit", "sumber", "via"}
	if p != ProfileNone {
		for _, q := range survey.ProfileQuestions {
			h = append(h, q.Column)
		}
	}
	for _, k := range survey.Elements {
		h = append(h, string(k))
	}
	for _, is := range indexes {
		h = append(h, is.Extra.Columns()...)
	}
	return append(h, "saran")
}

// WriteCSV writes the raw responses of rep's period and units, one row a
// response in the order rs yields them, under CSVHeader(rep.RawProfile).
// Dates are days in the period's zone (YYYY-MM-DD); a skipped answer is an
// empty field; the scores are keyed by element key in the header, never by
// position. The respondent hash is never written.
//
// The file starts with a UTF-8 byte order mark, which Excel needs to read
// UTF-8, and free text that a spreadsheet would run as a formula (starting
// with = + - @, a tab or a carriage return) is prefixed with an apostrophe,
// as OWASP advises against CSV injection: a suggestion is typed by anyone.
// It returns the number of responses written.
func WriteCSV(w io.Writer, rep Report, rs Responses) (int, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	header := CSVHeader(rep.RawProfile, rep.Indexes)
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	sc := newScope(rep.Summary)
	n := 0
	row := make([]string, len(header))
	err := rs(func(r survey.Response) error {
		if sc.unit(r) < 0 {
			return nil
		}
		n++
		row = row[:0]
		row = append(row,
			strconv.Itoa(n),
			localDay(r.Submitted, sc.period).Format("2006-01-02"),
			r.Unit, string(r.Source), string(r.Via))
		if rep.RawProfile != ProfileNone {
			for _, q := range survey.ProfileQuestions {
				v := q.Value(r.Profile)
				if q.Dim == survey.DimAge && rep.RawProfile == ProfileBanded && r.Profile.Age > 0 {
					v = survey.AgeBand(r.Profile.Age)
				}
				// Services are named in the city's config; defuse every
				// answer alike, which leaves the fixed choices as they are.
				row = append(row, defuse(v))
			}
		}
		for _, v := range r.Scores {
			if v == 0 {
				row = append(row, "")
				continue
			}
			row = append(row, strconv.Itoa(int(v)))
		}
		for _, is := range rep.Indexes {
			b, ok := survey.BlockOf(r.Blocks, is.Extra.Key)
			if !ok {
				for range 1 + len(is.Extra.Items) {
					row = append(row, "")
				}
				continue
			}
			row = append(row, strconv.Itoa(b.Scale))
			for _, v := range b.Scores {
				if v == 0 {
					row = append(row, "")
					continue
				}
				row = append(row, strconv.Itoa(int(v)))
			}
		}
		row = append(row, defuse(r.Suggestion))
		return cw.Write(row)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// defuse keeps a spreadsheet from reading free text as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
