package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ikmbot/ikmbot/survey"
)

// The extra questionnaires' indexes (IPKP, IPAK) in the reports: only
// units that ask them have any, so an SKM-only report is as it was.

// indexItemJSON is one statement of an extra questionnaire.
type indexItemJSON struct {
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Answers uint64   `json:"answers"`
	Sum     uint64   `json:"sum"`
	Mean    *float64 `json:"mean"`  // on the scale, unrounded; null when nobody answered
	Value   *float64 `json:"value"` // as the index is reported, rounded to 2 decimals
	Mutu    *string  `json:"mutu"`  // with bands: skm
}

// indexJSON is an extra questionnaire's index over one unit, or pooled over
// a city's units that ask it.
type indexJSON struct {
	Key         string          `json:"key"`
	Index       string          `json:"index"`
	Name        string          `json:"name"`
	Scale       int             `json:"scale"`
	Report      string          `json:"report"` // "mean": on the scale; "100": x 100 / scale
	Bands       *string         `json:"bands"`  // "skm", or null
	Respondents int             `json:"respondents"`
	Mean        *float64        `json:"mean"`  // the mean of the item means, on the scale, unrounded
	Value       *float64        `json:"value"` // as reported, rounded to 2 decimals; null without respondents
	Mutu        *string         `json:"mutu"`
	Items       []indexItemJSON `json:"items"`
}

// cityIndexJSON is an index of a city report: pooled over the respondents
// of the units that ask it (the shared keys), and as the mean of those
// units' values.
type cityIndexJSON struct {
	indexJSON
	Aggregation          string   `json:"aggregation"`
	Units                int      `json:"units"` // units that ask it
	UnitsWithRespondents int      `json:"units_with_respondents"`
	ValueMeanOfUnits     *float64 `json:"value_mean_of_units"`
	MutuMeanOfUnits      *string  `json:"mutu_mean_of_units"`
}

// unitIndexJSON is an index of one unit in a city report's unit list.
type unitIndexJSON struct {
	Key         string   `json:"key"`
	Index       string   `json:"index"`
	Respondents int      `json:"respondents"`
	Value       *float64 `json:"value"`
	Mutu        *string  `json:"mutu"`
}

// indexOf builds the JSON of one result.
func indexOf(r survey.IndexResult) indexJSON {
	x := r.Extra
	out := indexJSON{Key: string(x.Key), Index: x.Index, Name: x.Name, Scale: x.Scale, Report: string(x.Report),
		Respondents: r.Respondents, Items: make([]indexItemJSON, 0, len(r.Items))}
	if x.Bands {
		out.Bands = nullable("skm")
	}
	if r.Valid {
		out.Mean, out.Value, out.Mutu = nullable(r.Mean), nullable(r.Value2), mutuOf(r.Mutu)
	}
	for i, it := range r.Items {
		ij := indexItemJSON{Key: it.Key, Name: x.Items[i].Name, Answers: it.Answers, Sum: it.Sum}
		if it.Answers > 0 {
			ij.Mean, ij.Value, ij.Mutu = nullable(it.Mean), nullable(it.Value2), mutuOf(it.Mutu)
		}
		out.Items = append(out.Items, ij)
	}
	return out
}

// unitIndexes is the JSON of one unit's indexes.
func unitIndexes(code string, indexes []survey.IndexSummary) []indexJSON {
	var out []indexJSON
	for _, is := range indexes {
		for _, iu := range is.Units {
			if iu.Unit.Code == code {
				out = append(out, indexOf(iu.Result))
			}
		}
	}
	return out
}

// unitRowIndexes is the short form of one unit's indexes in a city report.
func unitRowIndexes(code string, indexes []survey.IndexSummary) []unitIndexJSON {
	var out []unitIndexJSON
	for _, ij := range unitIndexes(code, indexes) {
		out = append(out, unitIndexJSON{Key: ij.Key, Index: ij.Index, Respondents: ij.Respondents, Value: ij.Value, Mutu: ij.Mutu})
	}
	return out
}

// cityIndexes is the JSON of a city's indexes, both ways.
func cityIndexes(indexes []survey.IndexSummary) []cityIndexJSON {
	var out []cityIndexJSON
	for _, is := range indexes {
		c := cityIndexJSON{indexJSON: indexOf(is.Pooled), Aggregation: "pooled", Units: len(is.Units), UnitsWithRespondents: is.WithData}
		if is.WithData > 0 {
			c.ValueMeanOfUnits, c.MutuMeanOfUnits = nullable(is.MeanValue2), mutuOf(is.MeanMutu)
		}
		out = append(out, c)
	}
	return out
}

// indexText prints an index as it is reported: "5.47 of 6", or "95.00"
// with its grade when graded; "-" without respondents.
func indexText(x survey.Extra, v float64, m survey.Mutu, valid bool) string {
	switch {
	case !valid:
		return "-"
	case x.Report == survey.ReportMean:
		return fmt.Sprintf("%.2f of %d", v, x.Scale)
	case m != "":
		return gradeText(v, m, true)
	}
	return fmt.Sprintf("%.2f", v)
}

// writeCityIndexes writes the city's indexes, both ways, into a report's
// table of figures.
func writeCityIndexes(tw io.Writer, indexes []survey.IndexSummary) {
	for _, is := range indexes {
		x := is.Extra
		fmt.Fprintf(tw, "%s, mean of the units asking it (%d):\t%s\n", x.Index, len(is.Units), indexText(x, is.MeanValue2, is.MeanMutu, is.WithData > 0))
		fmt.Fprintf(tw, "%s, pooled over %d respondents:\t%s\n", x.Index, is.Respondents(), indexText(x, is.Pooled.Value2, is.Pooled.Mutu, is.Pooled.Valid))
	}
}

// writeUnitIndexes writes a unit's indexes and their statements.
func writeUnitIndexes(b *strings.Builder, code string, indexes []survey.IndexSummary) {
	for _, is := range indexes {
		for _, iu := range is.Units {
			if iu.Unit.Code != code {
				continue
			}
			r, x := iu.Result, is.Extra
			fmt.Fprintf(b, "\n%s (%s), scale 1-%d, %d respondents: %s\n", x.Index, x.Name, x.Scale, r.Respondents, indexText(x, r.Value2, r.Mutu, r.Valid))
			if !r.Valid {
				continue
			}
			tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "ANSWERS\tMEAN\tVALUE\t  STATEMENT")
			for i, it := range r.Items {
				if it.Answers == 0 {
					fmt.Fprintf(tw, "0\t-\t-\t  %s\n", x.Items[i].Name)
					continue
				}
				v := fmt.Sprintf("%.2f", it.Value2)
				if it.Mutu != "" {
					v += " " + string(it.Mutu)
				}
				fmt.Fprintf(tw, "%d\t%.2f\t%s\t  %s\n", it.Answers, survey.Round2(it.Mean), v, x.Items[i].Name)
			}
			tw.Flush()
		}
	}
}
