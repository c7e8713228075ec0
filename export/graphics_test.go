package export

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/poster/postertest"
	"github.com/ikmbot/ikmbot/survey"
)

// posters returns the fixture's posters, with profiles counted from rs.
func posters(t *testing.T, rep Report, rs []survey.Response) []Poster {
	t.Helper()
	var err error
	if rep.Profiles, err = ProfilesFrom(rep, Slice(rs)); err != nil {
		t.Fatal(err)
	}
	return Posters(rep)
}

// decodePNG decodes data with image/png and checks its size.
func decodePNG(t *testing.T, name string, data []byte, width, minH, maxH int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b := img.Bounds()
	if b.Dx() != width || b.Dy() < minH || b.Dy() > maxH {
		t.Errorf("%s is %dx%d, want %d wide and %d..%d high", name, b.Dx(), b.Dy(), width, minH, maxH)
	}
	// Telegram refuses photos whose sides add up to more than 10,000 pixels.
	if b.Dx()+b.Dy() > 10000 {
		t.Errorf("%s: %dx%d is too large for a Telegram photo", name, b.Dx(), b.Dy())
	}
	return img
}

func TestCharts(t *testing.T) {
	rep, _ := fixture(survey.ExactWeights)
	p := rep.Summary.Period
	el, err := ElementChart("Dinas Kependudukan dan Pencatatan Sipil", p, rep.Summary.Units[0].Result)
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, "element chart", el, ChartWidth, 1000, 1800)
	// An element nobody answered, and a result with no answers at all.
	empty, err := ElementChart("Unit tanpa jawaban", p, survey.Tally{}.Result(survey.ExactWeights))
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, "empty element chart", empty, ChartWidth, 1000, 1800)

	rank, err := RankingChart("Peringkat IKM unit", p, rep.Summary.Ranked())
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, "ranking chart", rank, ChartWidth, 300, 800)
	// 89 units, as Kota Bekasi, fit one photo (fewer under the race
	// detector, where drawing text is ten times slower).
	n := 89
	if raceEnabled {
		n = 30
	}
	var many []survey.UnitSummary
	for i := range n {
		us := rep.Summary.Units[i%2]
		us.Unit.Code = fmt.Sprintf("UNIT-%02d-%s", i, strings.Repeat("X", i%30))
		many = append(many, us)
	}
	rank, err = RankingChart("Peringkat IKM unit", p, many)
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, "ranking chart of many units", rank, ChartWidth, n*58, n*58+600)
	if _, err := RankingChart("too many", p, make([]survey.UnitSummary, MaxRankingUnits+1)); err != nil {
		t.Errorf("units without respondents count against the limit: %v", err)
	}
	tooMany := slices.Repeat(rep.Summary.Units[:1], MaxRankingUnits+1)
	if _, err := RankingChart("too many", p, tooMany); err == nil {
		t.Errorf("ranking chart of %d units drawn", len(tooMany))
	}

	pts := []TrendPoint{{Label: "2023", IKM: 80.98, Mutu: survey.MutuB, Valid: true}, {Label: "2024"},
		PointOf(p, rep.Summary.Pooled), {Label: "2026-mean", IKM: rep.Summary.MeanIKM2, Mutu: rep.Summary.MeanMutu, Valid: true}}
	trend, err := TrendChart("IKM Kota Bekasi", "gabungan seluruh responden", pts)
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, "trend chart", trend, ChartWidth, 700, 1100)
	if _, err := TrendChart("x", "", nil); err == nil {
		t.Error("trend of no periods drawn")
	}
	// Same inputs, same bytes.
	again, _ := ElementChart("Dinas Kependudukan dan Pencatatan Sipil", p, rep.Summary.Units[0].Result)
	if !bytes.Equal(el, again) {
		t.Error("two element charts of the same result differ")
	}
}

func TestPosterPNG(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	ps := posters(t, rep, rs)
	if len(ps) != 2 || ps[0].Unit.Unit.Code != "DISDUKCAPIL" || ps[1].Unit.Unit.Code != "PKM-JATIBENING" {
		t.Fatalf("posters of %d units, want DISDUKCAPIL and PKM-JATIBENING (not the unit without respondents)", len(ps))
	}
	for _, p := range ps {
		data, err := PosterPNG(p)
		if err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, p.Unit.Unit.Code, data, 1240, 1754, 1755)
		if r := float64(img.Bounds().Dy()) / float64(img.Bounds().Dx()); r < 1.41 || r > 1.42 {
			t.Errorf("%s: aspect %.3f, want A4 (1.414)", p.Unit.Unit.Code, r)
		}
	}
}

// posterText is what the fixture's DISDUKCAPIL poster must print.
var posterText = []string{
	"Dinas Kependudukan dan Pencatatan Sipil", "Periode 2026", "80,11", "Baik",
	"Jumlah responden: 8 orang", "Waktu Penyelesaian", "2,63", "Profil responden",
}

func TestPosterPDF(t *testing.T) {
	rep, rs := fixture(survey.ExactWeights)
	ps := posters(t, rep, rs)
	data, err := PosterPDF(ps)
	if err != nil {
		t.Fatal(err)
	}
	if got := postertest.PDFPages(data); got != 2 {
		t.Errorf("%d pages, want 2", got)
	}
	postertest.CheckA4(t, data)
	again, _ := PosterPDF(ps)
	if !bytes.Equal(data, again) {
		t.Error("two PDFs of the same posters differ")
	}
	if _, err := PosterPDF(nil); err == nil {
		t.Error("PDF of no posters made")
	}
	pdftotext := postertest.Tool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-f", "1", "-l", "1", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range posterText {
		if !strings.Contains(text, want) {
			t.Errorf("page 1 text lacks %q:\n%s", want, text)
		}
	}
}

// TestPosterProfile: the poster prints the profile as the disclosure rule
// publishes it: the counts shown and those not shown, and says why a unit
// whose months were all too small shows none.
func TestPosterProfile(t *testing.T) {
	rep, rs := profileFixture()
	ps := posters(t, rep, rs)
	ops, err := posterLayout(ps[0])
	if err != nil {
		t.Fatal(err)
	}
	// The count follows its label on the same line; DISDUKCAPIL's
	// education shows SMA 6, D4/S1 6 and 6 not shown.
	after := func(label string) []string {
		var out []string
		for i, o := range ops {
			if o.text == label && i+1 < len(ops) {
				out = append(out, ops[i+1].text)
			}
		}
		return out
	}
	for label, want := range map[string][]string{"Laki-laki": {"5"}, "Perempuan": {"13"}, "D4/S1": {"6"}, "SMA": {"6"}, "S3": nil, hiddenLabel: {"6"}} {
		if got := after(label); !slices.Equal(got, want) {
			t.Errorf("poster prints %s %q, want %q", label, got, want)
		}
	}
	if !slices.ContainsFunc(ops, func(o op) bool { return strings.Contains(o.text, "Januari s.d. Februari 2026") }) {
		t.Error("the poster does not say which months its profile counts")
	}
	// PKM-JATIBENING: January's 2 are not shown, February's 5 are.
	small, err := posterLayout(ps[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range small {
		if o.text == "Laki-laki" {
			t.Errorf("the poster of a unit shows January's 2 (%q)", o.text)
		}
	}
	// A date range has no profile, and the poster says so.
	rng, _ := survey.ParsePeriod("2026-01-01..2026-02-28", jakarta)
	rep = reportOf(rng, testUnits, rs, survey.ExactWeights)
	ps = posters(t, rep, rs)
	ops, err = posterLayout(ps[0])
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(ops, func(o op) bool { return o.text == "Perempuan" }) ||
		!slices.ContainsFunc(ops, func(o op) bool { return strings.Contains(o.text, "tidak untuk rentang tanggal") }) {
		t.Error("a date range's poster prints a profile, or does not say why it has none")
	}
}

func TestPooledTrend(t *testing.T) {
	rep, _ := fixture(survey.ExactWeights)
	empty := survey.CitySummary{Period: rep.Summary.Period.Previous()}
	got := PooledTrend([]survey.CitySummary{empty, rep.Summary})
	want := []TrendPoint{
		{Label: empty.Period.Label},
		{Label: rep.Summary.Period.Label, IKM: rep.Summary.Pooled.IKM2, Mutu: rep.Summary.Pooled.Mutu, Valid: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("PooledTrend = %+v, want %+v", got, want)
	}
	if !rep.Summary.Pooled.Valid {
		t.Fatal("the fixture's summary has no respondents")
	}
}
