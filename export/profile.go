package export

import (
	"strconv"

	"github.com/ikmbot/ikmbot/survey"
)

// MinCell is the smallest number of respondents a profile count may show,
// passed to survey.ProfileTally.Breakdown: smaller counts are suppressed
// (with the secondary suppression Breakdown does) so that nobody can be
// singled out by their answers, e.g. "the one S3 graduate who used this
// unit in March"; a scope of fewer respondents shows no profile at all.
const MinCell = 5

// dimTitle is a profile question's printed name.
func dimTitle(d survey.ProfileDim) string {
	if q := survey.ProfileQuestionOf(d); q != nil {
		return q.Title
	}
	return string(d)
}

// valueLabel is how a stored profile answer is printed.
func valueLabel(d survey.ProfileDim, v string) string {
	if v == "" {
		return "Tidak diisi"
	}
	if q := survey.ProfileQuestionOf(d); q != nil && q.Labels[v] != "" {
		return q.Labels[v]
	}
	return v
}

// cellText prints a cell's count, or the suppression mark.
func cellText(c survey.ProfileCell) string {
	if c.Suppressed {
		return suppressedMark
	}
	return strconv.Itoa(c.Count)
}

// suppressedMark stands in for a withheld count, explained by suppressionNote.
const suppressedMark = "*"

// suppressionNote explains the mark wherever profile counts are printed.
var suppressionNote = "* tidak ditampilkan: kurang dari " + strconv.Itoa(MinCell) +
	" responden, atau disembunyikan agar tidak dapat dihitung dari jumlah; agar tidak ada responden yang dapat dikenali." +
	" Profil unit dengan kurang dari " + strconv.Itoa(MinCell) + " responden tidak ditampilkan sama sekali."

// tooFewForProfile replaces the profile of a scope with fewer than MinCell
// respondents.
var tooFewForProfile = "Profil tidak ditampilkan: kurang dari " + strconv.Itoa(MinCell) + " responden."

// Profiles counts the profile answers of the responses in s's period, per
// unit of s (in the same order), as the store's profile aggregates do.
func Profiles(s survey.CitySummary, rs Responses) ([]survey.ProfileTally, error) {
	sc := newScope(s)
	out := make([]survey.ProfileTally, len(s.Units))
	err := rs(func(r survey.Response) error {
		if i := sc.unit(r); i >= 0 {
			out[i].Add(r.Profile)
		}
		return nil
	})
	return out, err
}
