package export

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// yearOfACity is 100,000 responses over 89 units (44 agencies, 3
// hospitals, 42 health centres, as Kota Bekasi) in 2026, one in twenty
// with a suggestion.
func yearOfACity(b *testing.B) (Report, []survey.Response) {
	b.Helper()
	var units []survey.Unit
	for i := range 89 {
		typ, code := survey.PerangkatDaerah, fmt.Sprintf("OPD-%02d", i)
		switch {
		case i >= 47:
			typ, code = survey.Puskesmas, fmt.Sprintf("PKM-%02d", i)
		case i >= 44:
			typ, code = survey.RSUD, fmt.Sprintf("RSUD-%02d", i)
		}
		units = append(units, survey.Unit{Code: code, Name: "Unit Pelayanan " + code, Type: typ,
			Services: []string{"Layanan A", "Layanan B"}, Users: 20000 + 1000*i})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	from := time.Date(2026, 1, 1, 8, 0, 0, 0, jakarta)
	rs := make([]survey.Response, 100_000)
	for i := range rs {
		r := survey.Response{
			ID: uint64(i + 1), Unit: units[rng.IntN(len(units))].Code, Source: survey.SourceTelegram,
			Submitted:  from.Add(time.Duration(rng.Int64N(int64(364 * 24 * time.Hour)))),
			Respondent: "hash",
			Profile: survey.Profile{Gender: survey.Genders[rng.IntN(2)], Age: 18 + rng.IntN(60),
				Education: survey.Educations[rng.IntN(7)], Occupation: survey.Occupations[rng.IntN(6)], Service: "Layanan A"},
		}
		for e := range r.Scores {
			r.Scores[e] = uint8(2 + rng.IntN(3))
		}
		if i%20 == 0 {
			r.Suggestion = "Pelayanan sudah baik, mohon ruang tunggu diperluas."
		}
		rs[i] = r
	}
	p, _ := survey.ParsePeriod("2026", jakarta)
	return reportOf(p, units, rs, survey.ExactWeights), rs
}

func BenchmarkXLSXExportYear(b *testing.B) {
	rep, rs := yearOfACity(b)
	var size countingWriter
	b.ReportAllocs()
	for b.Loop() {
		size = 0
		if err := WriteXLSX(&size, rep, Slice(rs)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB/file")
}

func BenchmarkCSVExportYear(b *testing.B) {
	rep, rs := yearOfACity(b)
	for b.Loop() {
		if _, err := WriteCSV(io.Discard, rep, Slice(rs)); err != nil {
			b.Fatal(err)
		}
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
