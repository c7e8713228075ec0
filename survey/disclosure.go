package survey

import (
	"slices"
	"time"
)

// The disclosure rule for respondent profiles: who answered must stay
// hidden however a reader slices the tables, across units and the city,
// across periods, and over time. Small-cell suppression of each table on
// its own does not hold: the city's row less the other units' rows, or a
// quarter less two of its months, or two date ranges a day apart, give
// back a hidden cell. So profiles are published from fixed building
// blocks, and every larger table is a sum of what the blocks show:
//
//  1. A block is one unit's one calendar month, and only a month that has
//     ended: the month in progress grows by the day, and its profile
//     today less yesterday's would be today's respondents.
//  2. A block of fewer than MinProfileCell respondents shows no answer:
//     its respondents are counted as not shown under every question.
//  3. In a block, a count of 1 to MinProfileCell-1 is not shown; and
//     since the block's respondents are known, the counts not shown under
//     a question must be at least two and add up to MinProfileCell or
//     more, or the smallest shown count is hidden too, until they do.
//  4. A table of several units or several months (a quarter, a semester,
//     a year, a unit type, the city) shows, for each answer, the sum of
//     the counts its blocks show, and one "not shown" count per question,
//     the sum of theirs. Any difference of two published tables is then a
//     sum of counts blocks show: nothing hidden comes back.
//  5. Profiles are published for years, semesters, quarters and months
//     only (ProfileMonths): a date range has no profile.
//
// What remains: a block changes when answers for an ended month are
// imported or replaced later, and the change is then what was added.

// MinProfileCell is the smallest profile count that may be shown, the k of
// the rule above.
const MinProfileCell = 5

// ProfileMonths returns the months of p whose profiles may be published at
// now: the calendar months of a year, semester, quarter or month that have
// ended by now, oldest first. ok is false for a date range, which has no
// profile; months is empty while p's first month is still running.
func ProfileMonths(p Period, now time.Time) (months []Period, ok bool) {
	if monthsIn(p.Kind) == 0 {
		return nil, false
	}
	loc := p.From.Location()
	thisMonth := PeriodOf(PeriodMonth, now.In(loc))
	for m := PeriodOf(PeriodMonth, p.From); !m.From.After(p.To) && m.From.Before(thisMonth.From); m = m.Next() {
		months = append(months, m)
	}
	return months, true
}

// Profiles are the profiles of a set of units over a period as the rule
// publishes them. The zero value publishes none.
type Profiles struct {
	// Available is false for a date range, which has no profile.
	Available bool
	// Months are the months counted, oldest first: those of the period
	// that had ended.
	Months []Period
	// Units are the tables of the units, in their order; All is the
	// table of all of them together.
	Units []ProfileTable
	All   ProfileTable
}

// PublishProfiles applies the rule to blocks, where blocks[i][m] is how
// unit i answered the profile questions in months[m], with min as its k;
// ok is false for a date range (ProfileMonths).
func PublishProfiles(months []Period, ok bool, blocks [][]ProfileTally, min int) Profiles {
	pr := Profiles{Available: ok, Months: months, Units: make([]ProfileTable, len(blocks))}
	var all []ProfileTally
	for i, b := range blocks {
		pr.Units[i] = PublishProfile(b, min)
		all = append(all, b...)
	}
	pr.All = PublishProfile(all, min)
	return pr
}

// ProfileTable is a profile as the rule publishes it.
type ProfileTable struct {
	// Respondents counts everyone in the blocks, shown or not.
	Respondents int
	// Rows are the profile questions in ProfileDims order; nil when the
	// blocks show no count at all.
	Rows []ProfileRow
}

// ProfileRow is one question of a profile table.
type ProfileRow struct {
	Dim ProfileDim
	// Cells are the answers shown, with their counts, in a stable order:
	// the form's choices first, then other values (services) by name, then
	// the respondents who skipped the question (Value "").
	Cells []ProfileCell
	// Hidden is how many respondents' answers to the question are not
	// shown: Respondents less the cells' counts.
	Hidden int
}

// ProfileCell is one answer of a profile table and its count. Value "" is
// the respondents who skipped the question.
type ProfileCell struct {
	Value string
	Count int
}

// PublishProfile is the table of blocks (each one unit's one ended month,
// see ProfileMonths) under the disclosure rule, with min as its k.
func PublishProfile(blocks []ProfileTally, min int) ProfileTable {
	var t ProfileTable
	shown := map[ProfileDim]map[string]int{}
	hidden := map[ProfileDim]int{}
	for _, b := range blocks {
		t.Respondents += b.Respondents
		for _, d := range ProfileDims {
			cells, h := publishBlock(b, d, min)
			hidden[d] += h
			for _, c := range cells {
				if shown[d] == nil {
					shown[d] = map[string]int{}
				}
				shown[d][c.Value] += c.Count
			}
		}
	}
	if len(shown) == 0 {
		return t
	}
	for _, d := range ProfileDims {
		row := ProfileRow{Dim: d, Hidden: hidden[d]}
		for _, v := range orderedValues(d, shown[d]) {
			if v != "" {
				row.Cells = append(row.Cells, ProfileCell{v, shown[d][v]})
			}
		}
		if n := shown[d][""]; n > 0 {
			row.Cells = append(row.Cells, ProfileCell{"", n})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// publishBlock applies rules 2 and 3 to one question of one block: the
// cells it shows, and how many respondents it does not show.
func publishBlock(b ProfileTally, d ProfileDim, min int) (shown []ProfileCell, hidden int) {
	if b.Respondents < min {
		return nil, b.Respondents
	}
	counts := b.Counts[d]
	var cells []ProfileCell
	answered := 0
	for _, v := range orderedValues(d, counts) {
		cells = append(cells, ProfileCell{v, counts[v]})
		answered += counts[v]
	}
	if skipped := b.Respondents - answered; skipped > 0 {
		cells = append(cells, ProfileCell{"", skipped})
	}
	hide := make([]bool, len(cells))
	n := 0
	for i, c := range cells {
		if c.Count < min {
			hide[i] = true
			n++
			hidden += c.Count
		}
	}
	for n > 0 && (n < 2 || hidden < min) {
		next := -1
		for i, c := range cells {
			if !hide[i] && (next < 0 || c.Count < cells[next].Count) {
				next = i
			}
		}
		if next < 0 {
			break // all hidden: they add up to the block, at least min
		}
		hide[next] = true
		n++
		hidden += cells[next].Count
	}
	for i, c := range cells {
		if !hide[i] {
			shown = append(shown, c)
		}
	}
	return shown, hidden
}

// Cell returns the count shown for value under question d, 0 when it is
// not shown.
func (t ProfileTable) Cell(d ProfileDim, value string) int {
	for _, r := range t.Rows {
		if r.Dim != d {
			continue
		}
		if i := slices.IndexFunc(r.Cells, func(c ProfileCell) bool { return c.Value == value }); i >= 0 {
			return r.Cells[i].Count
		}
	}
	return 0
}
