package web

import (
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web/webtest"
)

var writeScreens = flag.Bool("reference", false, "rewrite the reference screenshots in testdata/screens from Chromium")

// screenshot takes the phone's screen; with -reference it is written to
// testdata/screens/name.png for a person to look at.
func screenshot(t *testing.T, p *webtest.Phone, name string) {
	t.Helper()
	buf := p.Screenshot()
	if !*writeScreens {
		return
	}
	path := filepath.Join("testdata", "screens", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserSurvey answers a whole survey in Chromium on a 360x640 phone
// screen, with JavaScript on and with it off, by tapping as a person would:
// both are stored, once each; the same browser is then refused a second
// try; a revoked poster's page says so and still works.
func TestBrowserSurvey(t *testing.T) {
	root := webtest.Chromium(t)
	s := newSite(t, nil)
	for _, javascript := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript %v", javascript), func(t *testing.T) {
			p := webtest.NewPhone(t, root, s.http.URL, javascript)
			p.Open(posterPath("DISDUKCAPIL", 1))
			p.CheckFits("landing")
			if javascript {
				screenshot(t, p, "landing")
			}
			p.Tap("Isi survei di sini", "Apa jenis kelamin Anda?")
			p.CheckFits("gender")
			p.Tap("Perempuan", "Berapa usia Anda?")
			p.TypeAndTap("35", "Lanjut »", "Apa pendidikan terakhir Anda?")
			p.Tap("D4/S1", "Apa pekerjaan utama Anda?")
			p.Tap("Lewati »", "Layanan apa yang Anda terima hari ini?")
			p.Tap("Akta Kelahiran", "Persyaratan")
			p.CheckFits("element")
			if javascript {
				screenshot(t, p, "question")
			}
			answers := []struct{ label, next string }{
				{"Sangat sesuai", "Sistem, Mekanisme, dan Prosedur"},
				{"Mudah", "Waktu Penyelesaian"},
				{"Cepat", "Biaya/Tarif"},
				{"Gratis", "Produk Spesifikasi Jenis Pelayanan"},
				{"Sesuai", "Kompetensi Pelaksana"},
				{"Sangat kompeten", "Perilaku Pelaksana"},
				{"Sangat sopan dan ramah", "Penanganan Pengaduan, Saran dan Masukan"},
				{"Berfungsi kurang maksimal", "Sarana dan Prasarana"},
				{"Baik", "Ada saran atau masukan"},
			}
			for _, a := range answers {
				p.Tap(a.label, a.next)
			}
			p.CheckFits("suggestion")
			p.TypeAndTap("Ruang tunggu kurang kursi", "Kirim saran »", "Terima kasih!")
			p.CheckFits("thanks")
			if javascript {
				screenshot(t, p, "thanks")
			}
			if got := p.Text(); !strings.Contains(got, "Jawaban Anda untuk Dinas Kependudukan dan Pencatatan Sipil sudah tersimpan") {
				t.Errorf("thank-you: %s", got)
			}
			// A second try from the same browser is refused.
			p.Open(posterPath("DISDUKCAPIL", 1))
			if got := p.Text(); !strings.Contains(got, "Anda sudah mengisi survei") || strings.Contains(got, "Isi survei di sini") {
				t.Errorf("second try: %s", got)
			}
		})
	}
	complete, incomplete := s.responses()
	if len(complete) != 2 || len(incomplete) != 0 {
		t.Fatalf("%d responses, %d incomplete; want 2, 0", len(complete), len(incomplete))
	}
	want := survey.Scores{4, 3, 3, 4, 3, 4, 4, 3, 3}
	for _, r := range complete {
		if r.Source != survey.SourceWeb || r.Scores != want || r.Profile.Education != "D4/S1" || r.Profile.Age != 35 ||
			r.Profile.Service != "Akta Kelahiran" || r.Suggestion != "Ruang tunggu kurang kursi" {
			t.Errorf("stored %+v", r)
		}
	}
	if complete[0].Respondent == complete[1].Respondent {
		t.Error("two browsers stored as the same respondent")
	}

	// A revoked poster's page, in a third browser.
	if err := s.st.Update(func(tx *store.Tx) error { _, err := tx.RevokePosters("DISDUKCAPIL"); return err }); err != nil {
		t.Fatal(err)
	}
	p := webtest.NewPhone(t, root, s.http.URL, false)
	p.Open(posterPath("DISDUKCAPIL", 1))
	if got := p.Text(); !strings.Contains(got, "Poster yang Anda pindai sudah diganti dengan poster baru") {
		t.Errorf("revoked poster: %s", got)
	}
	p.Tap("Isi survei di sini", "Apa jenis kelamin Anda?")
}

// TestBrowserPublished opens the city page, a unit page, the method, the
// kiosk view and the open data page on the phone, with JavaScript off:
// every page fits the 360 px screen and its tap targets are big enough.
func TestBrowserPublished(t *testing.T) {
	root := webtest.Chromium(t)
	s := newSite(t, nil)
	s.seed(120)
	p := webtest.NewPhone(t, root, s.http.URL, false)
	p.Open("/")
	p.CheckFits("city page")
	screenshot(t, p, "city")
	p.Tap("Dinas Kependudukan dan Pencatatan Sipil", "Nilai per unsur")
	p.CheckFits("unit page")
	for _, path := range []string{"/metode", "/kiosk", "/data"} {
		p.Open(path)
		p.CheckFits(path)
	}
}

// TestReferenceScreens keeps the committed reference screenshots (written
// with -reference, then looked at by a person) in step with the phone.
func TestReferenceScreens(t *testing.T) {
	for _, name := range []string{"landing", "question", "thanks", "city"} {
		path := filepath.Join("testdata", "screens", name+".png")
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("%s missing: go test ./web -run Browser -reference", path)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b := img.Bounds(); b.Dx() != webtest.Width*webtest.Scale || b.Dy() != webtest.Height*webtest.Scale {
			t.Errorf("%s is %dx%d, not the %dx%d phone at scale %d", path, b.Dx(), b.Dy(), webtest.Width, webtest.Height, webtest.Scale)
		}
	}
}
