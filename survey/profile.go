package survey

import (
	"maps"
	"slices"
)

// ProfileDim names one question of the respondent profile, for the profile
// table of a report.
type ProfileDim string

// The profile questions of the regulation's sample form. Age is counted by
// band (AgeBand), not by year.
const (
	DimGender     ProfileDim = "gender"
	DimAge        ProfileDim = "age"
	DimEducation  ProfileDim = "education"
	DimOccupation ProfileDim = "occupation"
	DimService    ProfileDim = "service"
)

// ProfileDims lists the profile questions in the order reports show them,
// which is the order of ProfileQuestions.
var ProfileDims = func() []ProfileDim {
	out := make([]ProfileDim, len(ProfileQuestions))
	for i, q := range ProfileQuestions {
		out[i] = q.Dim
	}
	return out
}()

// AgeBands lists AgeBand's bands in order.
var AgeBands = []string{"<20", "20-29", "30-39", "40-49", "50-59", "60+"}

// ProfileTally counts completed responses by profile answer, per question:
// Counts[DimGender]["P"] is how many respondents said P. A skipped answer
// is counted nowhere, so Respondents minus a question's counts is how many
// skipped it. Like Tally it can be stored, merged and corrected in place.
type ProfileTally struct {
	Respondents int
	Counts      map[ProfileDim]map[string]int
}

// Add counts one respondent's profile.
func (t *ProfileTally) Add(p Profile) {
	t.Respondents++
	for _, q := range ProfileQuestions {
		if v := q.Counted(p); v != "" {
			t.add(q.Dim, v, 1)
		}
	}
}

// Remove undoes Add, for a respondent who replaces an earlier answer.
// Counts stop at zero, and a value whose count reaches zero is dropped, so
// that a tally after a replace equals one counted from scratch.
func (t *ProfileTally) Remove(p Profile) {
	if t.Respondents > 0 {
		t.Respondents--
	}
	for _, q := range ProfileQuestions {
		if v := q.Counted(p); v != "" && t.Counts[q.Dim][v] > 0 {
			t.add(q.Dim, v, -1)
		}
	}
}

// Merge adds o's counts.
func (t *ProfileTally) Merge(o ProfileTally) {
	t.Respondents += o.Respondents
	for d, m := range o.Counts {
		for v, n := range m {
			t.add(d, v, n)
		}
	}
}

func (t *ProfileTally) add(d ProfileDim, v string, n int) {
	if t.Counts == nil {
		t.Counts = map[ProfileDim]map[string]int{}
	}
	m := t.Counts[d]
	if m == nil {
		m = map[string]int{}
		t.Counts[d] = m
	}
	m[v] += n
	if m[v] <= 0 {
		delete(m, v)
		if len(m) == 0 {
			delete(t.Counts, d)
		}
	}
}

// Empty reports whether nothing is counted.
func (t ProfileTally) Empty() bool { return t.Respondents == 0 && len(t.Counts) == 0 }

// Equal reports whether two tallies count the same.
func (t ProfileTally) Equal(o ProfileTally) bool {
	if t.Respondents != o.Respondents || len(t.Counts) != len(o.Counts) {
		return false
	}
	for d, m := range t.Counts {
		if !maps.Equal(m, o.Counts[d]) {
			return false
		}
	}
	return true
}

// orderedValues lists the values counted for d: known choices in form
// order, then the rest by name.
func orderedValues(d ProfileDim, counts map[string]int) []string {
	var known []string
	if q := ProfileQuestionOf(d); q != nil {
		switch q.Answer {
		case AnswerChoice:
			known = q.Choices
		case AnswerAge:
			known = AgeBands
		}
	}
	var out []string
	for _, v := range known {
		if counts[v] > 0 {
			out = append(out, v)
		}
	}
	var rest []string
	for v, n := range counts {
		if n > 0 && !slices.Contains(known, v) {
			rest = append(rest, v)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}
