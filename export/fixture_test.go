package export

import (
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// The fixture, worked by hand (the same figures as cmd/ikmbot's report
// tests).
//
// DISDUKCAPIL, 8 questionnaires in 2026 (pengaduan left blank once):
//
//	element      sum/answers  NRR
//	persyaratan  26/8         3.25
//	prosedur     25/8         3.125
//	waktu        21/8         2.625   <- weakest
//	biaya        31/8         3.875
//	produk       26/8         3.25
//	kompetensi   27/8         3.375
//	perilaku     28/8         3.5
//	pengaduan    19/7         2.714285...
//	sarana       25/8         3.125
//
// sum of NRRs = 209/8 + 19/7 = 1615/56; index = 1615/504 = 3.2043...;
// IKM = 25 x 1615/504 = 80.1091... -> 80.11, mutu B, Baik.
// Legacy weights: 1615/56 x 0.111 x 25 = 80.0290... -> 80.03.
//
// PKM-JATIBENING, 2 questionnaires in May 2026: all 2s and all 3s, so every
// NRR is 2.5 and the IKM 62.50, mutu D. RSUD-X has nobody.
//
// City over 2026:
//
//	mean of unit IKMs = (80.1091... + 62.5) / 2 = 71.3045... -> 71.30, mutu C
//	pooled: sums 31,30,26,36,31,32,33,24,30 over 10 answers (pengaduan 9),
//	        IKM = 25 x 827/270 = 76.5740... -> 76.57, mutu C
var (
	wantDisdukSums    = [9]uint64{26, 25, 21, 31, 26, 27, 28, 19, 25}
	wantDisdukAnswers = [9]uint64{8, 8, 8, 8, 8, 8, 8, 7, 8}
	wantDisdukNRR     = [9]float64{3.25, 3.125, 2.625, 3.875, 3.25, 3.375, 3.5, 19.0 / 7, 3.125}
)

var jakarta = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	return loc
}()

var testUnits = []survey.Unit{
	{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah,
		Services: []string{"KTP-el", "Kartu Keluarga", "Akta Kelahiran"}, Users: 120000},
	{Code: "PKM-JATIBENING", Name: "Puskesmas Jatibening", Type: survey.Puskesmas, Services: []string{"Poli Umum", "Poli Gigi"}},
	{Code: "RSUD-X", Name: "RSUD Tanpa Responden", Type: survey.RSUD, Users: 5000},
}

// disdukScores are the 8 DISDUKCAPIL questionnaires, elements in
// survey.Elements order; 0 = not answered.
var disdukScores = []survey.Scores{
	{3, 3, 2, 4, 3, 3, 4, 3, 3},
	{3, 3, 3, 4, 3, 4, 3, 2, 3},
	{3, 3, 2, 4, 3, 3, 4, 3, 3},
	{4, 3, 3, 4, 4, 4, 4, 3, 3},
	{3, 3, 2, 4, 3, 3, 3, 2, 3},
	{3, 3, 3, 4, 3, 3, 3, 3, 3},
	{4, 4, 3, 4, 4, 4, 4, 0, 4},
	{3, 3, 3, 3, 3, 3, 3, 3, 3},
}

var disdukProfiles = []survey.Profile{
	{Gender: "L", Age: 25, Education: "D4/S1", Occupation: "PNS", Service: "KTP-el"},
	{Gender: "L", Age: 34, Education: "D4/S1", Occupation: "Swasta", Service: "KTP-el"},
	{Gender: "P", Age: 41, Education: "SMA", Occupation: "Wirausaha", Service: "Kartu Keluarga"},
	{Gender: "L", Age: 29, Education: "D4/S1", Occupation: "Swasta", Service: "KTP-el"},
	{Gender: "P", Age: 52, Education: "D4/S1", Occupation: "Swasta", Service: "Akta Kelahiran"},
	{Gender: "L", Age: 0, Education: "", Occupation: "", Service: "KTP-el"},
	{Gender: "P", Age: 67, Education: "D4/S1", Occupation: "Lainnya", Service: "other"},
	{Gender: "L", Age: 23, Education: "D4/S1", Occupation: "Swasta", Service: "KTP-el"},
}

// secretHash stands in for a respondent hash; it must appear in no file.
const secretHash = "HASH-8f14e45fceea167a5a36dedd4bea2543"

// fixture returns the raw responses of the fixture (in id order, with one
// response before the period and one of an unconfigured unit, which every
// export must skip) and the report of 2026 computed the way the store's
// aggregates and survey.Summarize do.
func fixture(w survey.Weighting) (Report, []survey.Response) {
	var rs []survey.Response
	id := uint64(0)
	add := func(r survey.Response) {
		id++
		r.ID = id
		r.Respondent = secretHash
		if r.Source == "" {
			r.Source = survey.SourceTelegram
		}
		rs = append(rs, r)
	}
	// 23:30 WIB on New Year's Eve is 2025 in Jakarta, though 2026 nowhere.
	add(survey.Response{Unit: "DISDUKCAPIL", Submitted: time.Date(2025, 12, 31, 23, 30, 0, 0, jakarta), Scores: survey.Scores{1, 1, 1, 1, 1, 1, 1, 1, 1}})
	suggestions := map[int]string{
		2: "Antrean terlalu lama,\nmohon tambah loket.",
		4: "=HYPERLINK(\"http://example.invalid\",\"klik\")",
		6: "-  pelayanan ramah",
	}
	for i, sc := range disdukScores {
		// 00:30 WIB on 1 January is still 31 December in UTC.
		at := time.Date(2026, time.Month(1+i), 1, 0, 30, 0, 0, jakarta)
		add(survey.Response{Unit: "DISDUKCAPIL", Submitted: at, Profile: disdukProfiles[i], Scores: sc,
			Suggestion: suggestions[i], Via: survey.ViaPoster, Poster: 1})
		if i == 3 {
			add(survey.Response{Unit: "PKM-JATIBENING", Submitted: time.Date(2026, 5, 2, 9, 0, 0, 0, jakarta), Source: survey.SourcePaper,
				Profile: survey.Profile{Gender: "P", Age: 30, Service: "Poli Umum"}, Scores: survey.Scores{2, 2, 2, 2, 2, 2, 2, 2, 2}})
			add(survey.Response{Unit: "NOT-CONFIGURED", Submitted: at, Scores: survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4}})
		}
	}
	add(survey.Response{Unit: "PKM-JATIBENING", Submitted: time.Date(2026, 5, 20, 9, 0, 0, 0, jakarta), Source: survey.SourcePaper,
		Profile: survey.Profile{Gender: "L", Age: 45, Service: "Poli Gigi"}, Scores: survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3},
		Suggestion: "Ruang tunggu panas"})
	p, err := survey.ParsePeriod("2026", jakarta)
	if err != nil {
		panic(err)
	}
	return reportOf(p, testUnits, rs, w), rs
}

// reportOf tallies rs per unit as the store's aggregates would and
// summarizes them.
func reportOf(p survey.Period, units []survey.Unit, rs []survey.Response, w survey.Weighting) Report {
	tallies := make([]survey.Tally, len(units))
	for _, r := range rs {
		for i, u := range units {
			if r.Unit == u.Code && p.Contains(r.Submitted) {
				tallies[i].Add(r.Scores)
			}
		}
	}
	return Report{City: "Kota Bekasi", Summary: survey.Summarize(p, units, tallies, w), Weighting: w}
}
