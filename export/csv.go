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

// profileColumns are the profile's columns, by the names ikmbot import uses.
var profileColumns = []string{"jenis_kelamin", "usia", "pendidikan", "pekerjaan", "layanan"}

// CSVHeader is the first line of WriteCSV for rows with profile p: the
// row number, then the names ikmbot import uses for the same fields
// (tanggal, the profile unless p is ProfileNone, the nine element keys,
// saran), with unit, sumber (source) and via. Rows are numbered 1, 2,
// 3... in each file: stored response ids are one city-wide sequence,
// whose jumps would tell a unit's admin how many answers other units
// received.
func CSVHeader(p RawProfile) []string {
	h := []string{"no", "tanggal", "unit", "sumber", "via"}
	if p != ProfileNone {
		h = append(h, profileColumns...)
	}
	for _, k := range survey.Elements {
		h = append(h, string(k))
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
	header := CSVHeader(rep.RawProfile)
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
		switch rep.RawProfile {
		case ProfileFull, ProfileBanded:
			age := ""
			switch {
			case r.Profile.Age > 0 && rep.RawProfile == ProfileFull:
				age = strconv.Itoa(r.Profile.Age)
			case r.Profile.Age > 0:
				age = survey.AgeBand(r.Profile.Age)
			}
			row = append(row, r.Profile.Gender, age, r.Profile.Education, r.Profile.Occupation, defuse(r.Profile.Service))
		}
		for _, v := range r.Scores {
			if v == 0 {
				row = append(row, "")
				continue
			}
			row = append(row, strconv.Itoa(int(v)))
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
