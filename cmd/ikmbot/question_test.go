package main

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/export"
	"github.com/ikmbot/ikmbot/survey"
)

// TestEveryQuestion walks every question of the questionnaire (each step
// of a unit that asks the SKM and both extra questionnaires, SPKP on 1-6
// and SPAK on 1-4) through everything that derives from the question
// tables (survey.ProfileQuestions, survey.Elements, survey.Questionnaires):
// a response answering it is written to the CSV export under the
// question's column, imported back from that CSV as a paper form, and
// printed in the XLSX workbook (the profile sheet's title and label, the
// element's column of the unit sheet, the statement's column of the
// index's sheet); the import's usage text names the column. A question
// added to a table without one of these fails here.
// (The stored record is walked by store's TestEveryProfileQuestionIsStored,
// the chat's texts by bot's TestEveryStepRenders.)
func TestEveryQuestion(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	u := survey.Unit{Code: "DISDUKCAPIL", Name: "Disdukcapil", Type: survey.PerangkatDaerah, Services: []string{"KTP-el", "Akta"},
		Extras: []survey.Extra{
			{Questionnaire: survey.QuestionnaireOf(survey.SPKP), Scale: 6, Report: survey.ReportMean},
			{Questionnaire: survey.QuestionnaireOf(survey.SPAK), Scale: 4, Report: survey.Report100, Bands: true},
		}}
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, loc)
	period := survey.PeriodOf(survey.PeriodYear, day)
	steps := survey.StepsFor(u)
	if len(steps) != len(survey.Steps)+13 {
		t.Fatalf("%d steps, want the SKM's and 13 statements", len(steps))
	}
	for i, st := range steps {
		var values []string
		switch st.Kind {
		case survey.StepProfile:
			if values = st.Question.Options(u); values == nil {
				values = []string{"35"}
			}
		case survey.StepElement, survey.StepItem:
			values = st.Choices(u)
		case survey.StepSuggestion:
			values = []string{"Antrean perlu diperpendek"}
		}
		for _, v := range values {
			// Five alike, so that the profile sheet shows their count.
			r := survey.Response{Unit: u.Code, Submitted: day, Source: survey.SourcePaper}
			col := answer(t, &r, st, v)
			if !strings.Contains(importUsage, col) {
				t.Errorf("step %d (%s): the import usage does not name column %q", i, st.Name, col)
			}
			rs := []survey.Response{r, r, r, r, r}
			var tally survey.Tally
			for _, r := range rs {
				tally.Add(r.Scores)
			}
			// The server operator's file, in the layout import reads.
			rep := export.Report{City: "Kota Uji", Summary: survey.Summarize(period, []survey.Unit{u}, []survey.Tally{tally}, survey.ExactWeights), RawProfile: export.ProfileFull}
			profiles, err := export.ProfilesFrom(rep, export.Slice(rs))
			if err != nil {
				t.Fatal(err)
			}
			rep.Profiles = profiles
			for _, x := range u.Extras {
				it := survey.NewItemTally(x.Questionnaire)
				for _, r := range rs {
					if b, ok := survey.BlockOf(r.Blocks, x.Key); ok {
						it.Add(b.Scores)
					}
				}
				rep.Indexes = append(rep.Indexes, survey.SummarizeIndex(x, period, []survey.Unit{u}, []survey.ItemTally{it}))
			}

			var buf bytes.Buffer
			if _, err := export.WriteCSV(&buf, rep, export.Slice(rs[:1])); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), utf8BOM))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			at := slices.Index(recs[0], col)
			if at < 0 || recs[1][at] != v {
				t.Errorf("step %s, answer %q: CSV export header %v, row %v; want %q under %q", st.Name, v, recs[0], recs[1], v, col)
				continue
			}

			// The export's columns that import knows, as a paper form.
			var paper bytes.Buffer
			w := csv.NewWriter(&paper)
			for _, rec := range recs {
				var out []string
				for j, c := range recs[0] {
					if slices.Contains(importColumnsOf(u), c) {
						out = append(out, rec[j])
					}
				}
				w.Write(out)
			}
			w.Flush()
			got, err := parsePaperCSV("paper.csv", paper.Bytes(), u, loc, day, func(int) {})
			if err != nil {
				t.Errorf("step %s, answer %q: the exported CSV does not import: %v", st.Name, v, err)
				continue
			}
			if len(got) != 1 || got[0].Profile != r.Profile || got[0].Scores != r.Scores || got[0].Suggestion != r.Suggestion || !reflect.DeepEqual(got[0].Blocks, r.Blocks) {
				t.Errorf("step %s, answer %q: imported %+v, want %+v", st.Name, v, got, r)
			}

			buf.Reset()
			if err := export.WriteXLSX(&buf, rep, export.Slice(rs)); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			switch st.Kind {
			case survey.StepProfile:
				rows, _ := f.GetRows(export.SheetProfile)
				if !hasRow(rows, st.Question.Title, printed(st.Question, v), "5") {
					t.Errorf("step %s, answer %q: the profile sheet has no row %q, %q, 5: %q", st.Name, v, st.Question.Title, printed(st.Question, v), rows)
				}
			case survey.StepElement:
				rows, _ := f.GetRows(u.Code)
				if len(rows) < 7 || !slices.Contains(rows[5], col) || !slices.Contains(rows[6], v) {
					t.Errorf("step %s, answer %q: the unit sheet's key row %q and first respondent %q", st.Name, v, rows[5], rows[6])
				}
			case survey.StepItem:
				rows, _ := f.GetRows(st.Extra.Index + " " + u.Code)
				key := st.Extra.Items[st.Item].Key
				if len(rows) < 7 || rows[5][2+st.Item] != key || rows[6][2+st.Item] != v {
					t.Errorf("step %s, answer %q: the %s sheet has %q over %q", st.Name, v, st.Extra.Index, rows[5], rows[6])
				}
			case survey.StepSuggestion:
				rows, _ := f.GetRows(export.SheetSuggestions)
				if !hasRow(rows, v) {
					t.Errorf("suggestion %q is not on the suggestions sheet: %q", v, rows)
				}
			}
			f.Close()
		}
	}
}

// answer records v as the answer to st in r, with the other answers a
// valid questionnaire needs, and returns the question's column.
func answer(t *testing.T, r *survey.Response, st survey.Step, v string) string {
	t.Helper()
	r.Scores = survey.Scores{4}
	switch st.Kind {
	case survey.StepProfile:
		st.Question.Set(&r.Profile, v)
		return st.Question.Column
	case survey.StepElement:
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		r.Scores[survey.ElementIndex(st.Element)] = uint8(n)
		return string(st.Element)
	case survey.StepItem:
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		b := survey.Block{Key: st.Extra.Key, Scale: st.Extra.Scale, Scores: make([]uint8, len(st.Extra.Items))}
		b.Scores[st.Item] = uint8(n)
		r.Blocks = []survey.Block{b}
		return st.Extra.ItemColumn(st.Item)
	case survey.StepSuggestion:
		r.Suggestion = v
		return colSaran
	}
	t.Fatalf("step %s of kind %d: this test does not know it", st.Name, st.Kind)
	return ""
}

// printed is how the profile sheet prints answer v of q.
func printed(q *survey.ProfileQuestion, v string) string {
	if l := q.Labels[v]; l != "" {
		return l
	}
	if q.Answer == survey.AnswerAge {
		return survey.AgeBand(35)
	}
	return v
}

// hasRow reports whether a row of rows holds every one of cells.
func hasRow(rows [][]string, cells ...string) bool {
	for _, row := range rows {
		all := true
		for _, c := range cells {
			if !slices.Contains(row, c) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
