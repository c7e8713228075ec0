package export

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// Report is what an export shows: the figures of one period, as package
// survey computed them, and how to name things in print.
type Report struct {
	City string // e.g. "Kota Bekasi"
	// Summary is the period's figures from survey.Summarize; its Units are
	// the units the files cover, in the order they are printed. A unit's
	// export is a Summary of that one unit.
	Summary survey.CitySummary
	// Weighting is the weighting Summary was computed with. It is printed,
	// and the XLSX export checks it against the summary's figures.
	Weighting survey.Weighting
	// TypeNames names unit types; the built-in types have Indonesian names
	// by default and other types show their key.
	TypeNames map[survey.UnitType]string
	// Generated is printed as the time the file was made; the zero time
	// leaves it out, so that the same figures give the same file.
	Generated time.Time
	// Scope names what Summary covers when it is not the whole city (a
	// unit type, one unit, a unit admin's units), e.g. "Puskesmas": the
	// recap then labels its totals with it instead of the city's name, so
	// that a part is never printed as the city's IKM. Empty: the city.
	Scope string
	// FollowUps are the follow-up plans the XLSX lists in SheetFollowUps,
	// as report.FollowUps reads them; plans of units outside Summary are
	// left out, and who recorded a plan (By) is never printed.
	FollowUps []survey.FollowUp
	// Profiles are the respondents' profiles the XLSX and the posters
	// print, as report.Profiles reads them from the store's month
	// aggregates (or ProfilesFrom counts them); the zero value prints none.
	Profiles survey.Profiles
	// RawProfile is how much of each respondent's profile WriteCSV
	// writes; the zero value, none.
	RawProfile RawProfile
	// Indexes are the extra questionnaires (SPKP, SPAK) that units of
	// Summary ask, as report.Indexes reads them for the same period; none
	// for a city of the SKM alone. Each adds columns to the CSV and
	// sheets to the XLSX, which checks them against the responses too.
	Indexes []survey.IndexSummary
}

// scopeName is what the totals of rep belong to: Scope, else the city.
func (rep Report) scopeName() string {
	if rep.Scope != "" {
		return rep.Scope
	}
	return rep.City
}

// Responses yields raw responses to fn until fn returns an error, which it
// returns. (*store.Tx).ForEachResponse has this type; Slice wraps a slice.
// An export reads the responses once, in the order given.
type Responses func(fn func(survey.Response) error) error

// Slice yields the responses of rs in order.
func Slice(rs []survey.Response) Responses {
	return func(fn func(survey.Response) error) error {
		for _, r := range rs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// ErrMismatch is returned when the raw responses do not add up to the
// summary's tallies: the store's aggregates disagree with its responses
// (ikmbot check finds and repairs that), or the summary and the responses
// were not read in the same transaction.
var ErrMismatch = errors.New("export: the responses do not add up to the summary's figures")

// scope finds the unit of the summary a response belongs to.
type scope struct {
	period survey.Period
	index  map[string]int // unit code -> index in Summary.Units
}

func newScope(s survey.CitySummary) scope {
	sc := scope{period: s.Period, index: make(map[string]int, len(s.Units))}
	for i, u := range s.Units {
		sc.index[u.Unit.Code] = i
	}
	return sc
}

// unit returns the index in Summary.Units of r's unit, or -1 when r is
// outside the summary's units or period.
func (sc scope) unit(r survey.Response) int {
	i, ok := sc.index[r.Unit]
	if !ok || !sc.period.Contains(r.Submitted) {
		return -1
	}
	return i
}

// localDay is the calendar day of t in the period's zone, as a UTC
// midnight: spreadsheets store dates without a zone, and a response at
// 00:30 WIB belongs to that day in WIB.
func localDay(t time.Time, p survey.Period) time.Time {
	y, m, d := t.In(p.From.Location()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// TypeName is the printed name of unit type t.
func (rep Report) TypeName(t survey.UnitType) string { return survey.TypeName(t, rep.TypeNames) }

// num formats x with 2 decimals and a decimal comma, as Indonesian
// publications print figures ("81,96"). x should already be rounded by
// package survey (Result.IKM2, survey.Round2).
func num(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 2, 64), ".", ",", 1)
}

// months are the Indonesian month names, for printed periods.
var months = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// longDate prints a day as "1 Januari 2026".
func longDate(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// periodText names a period with its days, e.g. "2026 (1 Januari - 31
// Desember 2026)", since a label such as 2026-Q1 does not say which days.
func periodText(p survey.Period) string {
	return p.Label + " (" + longDate(p.From) + " s.d. " + longDate(p.To) + ")"
}

// weightText says how the elements were weighted.
func weightText(w survey.Weighting) string {
	if w == survey.LegacyWeights {
		return "bobot 0,111 per unsur, seperti lembar kerja peraturan (terbaca sekitar 0,1% lebih rendah)"
	}
	return "bobot 1/k per unsur (k = unsur yang dijawab, biasanya 9), tanpa pembulatan"
}

// mutuBands are the regulation's table, as printed in legends.
var mutuBands = []struct {
	Mutu     survey.Mutu
	Nilai    int
	NI, NIK  string
	NIFrom   string  // the NI lower edge as printed
	MinIKM   float64 // lower edge of the band on the IKM scale
	MinIndex float64 // lower edge on the 1..4 scale
}{
	{survey.MutuA, 4, "3,5324 - 4,00", "88,31 - 100,00", "3,5324", 88.31, 3.5324},
	{survey.MutuB, 3, "3,0644 - 3,532", "76,61 - 88,30", "3,0644", 76.61, 3.0644},
	{survey.MutuC, 2, "2,60 - 3,064", "65,00 - 76,60", "2,60", 65, 2.60},
	{survey.MutuD, 1, "1,00 - 2,5996", "25,00 - 64,99", "1,00", 25, 1},
}
