package survey_test

import (
	"fmt"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

func ExampleTally_Result() {
	var t survey.Tally
	t.Add(survey.Scores{4, 4, 3, 4, 3, 3, 4, 2, 3})
	t.Add(survey.Scores{3, 3, 3, 4, 3, 4, 4, 2, 3})
	t.Add(survey.Scores{3, 2, 2, 4, 3, 3, 3, 1, 2})
	t.Add(survey.Scores{4, 3, 3, 4, 4, 3, 4, 0, 3}) // pengaduan skipped

	r := t.Result(survey.ExactWeights)
	for _, e := range r.Elements {
		fmt.Printf("%-11s %d answers  NRR %.3f  %s\n", e.Key, e.Answers, e.NRR, e.Mutu)
	}
	fmt.Printf("IKM %.2f, mutu %s (%s)\n", r.IKM2, r.Mutu, r.Mutu.Kinerja())
	fmt.Printf("legacy 0.111 weights: IKM %.2f\n", t.Result(survey.LegacyWeights).IKM2)
	for _, e := range r.Weakest(2) {
		fmt.Println("follow up:", e.Key)
	}
	// Output:
	// persyaratan 4 answers  NRR 3.500  B
	// prosedur    4 answers  NRR 3.000  C
	// waktu       4 answers  NRR 2.750  C
	// biaya       4 answers  NRR 4.000  A
	// produk      4 answers  NRR 3.250  B
	// kompetensi  4 answers  NRR 3.250  B
	// perilaku    4 answers  NRR 3.750  A
	// pengaduan   3 answers  NRR 1.667  D
	// sarana      4 answers  NRR 2.750  C
	// IKM 77.55, mutu B (Baik)
	// legacy 0.111 weights: IKM 77.47
	// follow up: pengaduan
	// follow up: waktu
}

func ExampleClassify() {
	for _, ikm := range []float64{64.99, 65, 76.604, 76.605, 81.96, 88.31} {
		m := survey.Classify(ikm)
		fmt.Printf("%.3f %s %d %s\n", ikm, m, m.Nilai(), m.Kinerja())
	}
	// Output:
	// 64.990 D 1 Tidak Baik
	// 65.000 C 2 Kurang Baik
	// 76.604 C 2 Kurang Baik
	// 76.605 B 3 Baik
	// 81.960 B 3 Baik
	// 88.310 A 4 Sangat Baik
}

func ExampleRound2() {
	fmt.Println(survey.Round2(81.955), survey.Round2(76.605), survey.Round2(1.005))
	// Output: 81.96 76.61 1.01
}

func ExampleSampleSize() {
	for _, n := range []int{15, 100, 1000, 10000, 1000000} {
		fmt.Printf("%d service users: at least %d respondents\n", n, survey.SampleSize(n))
	}
	// Output:
	// 15 service users: at least 14 respondents
	// 100 service users: at least 80 respondents
	// 1000 service users: at least 278 respondents
	// 10000 service users: at least 370 respondents
	// 1000000 service users: at least 384 respondents
}

func ExampleParsePeriod() {
	wib := time.FixedZone("WIB", 7*60*60)
	p, err := survey.ParsePeriod("2020-Q1", wib)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Kind, p.Label, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	fmt.Println("previous:", p.Previous(), "next:", p.Next())

	_, err = survey.ParsePeriod("2020-Q5", wib)
	fmt.Println(err)
	// Output:
	// quarter 2020-Q1 2020-01-01 2020-03-31
	// previous: 2019-Q4 next: 2020-Q2
	// invalid period "2020-Q5": the quarter must be Q1 to Q4; use 2020, 2020-S1, 2020-Q3, 2020-07 or 2020-01-01..2020-03-31
}

func ExamplePeriod_Buckets() {
	p, _ := survey.ParsePeriod("2020-01-29..2020-03-02", time.UTC)
	months, days := p.Buckets()
	fmt.Println(months)
	fmt.Println(days)
	// Output:
	// [2020-02]
	// [2020-01-29 2020-01-30 2020-01-31 2020-03-01 2020-03-02]
}
