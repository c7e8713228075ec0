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

// ProfileCell is one line of a profile table. Value "" is the respondents
// who skipped the question. A suppressed cell shows no count.
type ProfileCell struct {
	Value      string
	Count      int
	Suppressed bool
}

// ProfileRow is one question of a profile table.
type ProfileRow struct {
	Dim   ProfileDim
	Cells []ProfileCell
}

// Breakdown returns the profile table with small cells suppressed, so that a
// reader cannot single out a respondent: every cell of fewer than min
// respondents (but more than none) is suppressed, and when that leaves
// exactly one suppressed cell in a question, the next smallest non-zero
// cell is suppressed too, since the total is known and one hidden cell
// could be found by subtraction. The skipped answers ("" cell) take part
// like any other cell. Cells come in a stable order: the form's choices
// first (gender, education, occupation, age band order), then other values
// (services) by name, then "".
//
// A tally of fewer than min respondents in all returns nil: a table of
// such a group is all suppression.
func (t ProfileTally) Breakdown(min int) []ProfileRow {
	if t.Respondents == 0 || t.Respondents < min {
		return nil
	}
	var rows []ProfileRow
	for _, d := range ProfileDims {
		counts := t.Counts[d]
		var cells []ProfileCell
		answered := 0
		for _, v := range orderedValues(d, counts) {
			cells = append(cells, ProfileCell{Value: v, Count: counts[v]})
			answered += counts[v]
		}
		if skipped := t.Respondents - answered; skipped > 0 {
			cells = append(cells, ProfileCell{Value: "", Count: skipped})
		}
		suppress(cells, min)
		rows = append(rows, ProfileRow{Dim: d, Cells: cells})
	}
	return rows
}

// suppress marks small cells, with the secondary suppression Breakdown
// describes.
func suppress(cells []ProfileCell, min int) {
	hidden := 0
	for i := range cells {
		if cells[i].Count > 0 && cells[i].Count < min {
			cells[i].Suppressed = true
			hidden++
		}
	}
	if hidden != 1 {
		return
	}
	next := -1
	for i, c := range cells {
		if !c.Suppressed && c.Count > 0 && (next < 0 || c.Count < cells[next].Count) {
			next = i
		}
	}
	if next >= 0 {
		cells[next].Suppressed = true
	}
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
