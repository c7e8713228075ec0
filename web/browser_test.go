package web

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

var writeScreens = flag.Bool("reference", false, "rewrite the reference screenshots in testdata/screens from Chromium")

// Phone is the screen the browser tests use: a cheap Android phone.
const (
	phoneWidth  = 360
	phoneHeight = 640
	phoneScale  = 2
	phoneUA     = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
)

// findChromium returns a Chromium or Chrome binary, or skips the test:
// CI installs Debian's chromium (.ci/run); elsewhere these tests are
// skipped, cleanly, like the poster read-back tests without poppler.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IKMBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH (apt-get install chromium, or set IKMBOT_CHROMIUM); browser tests skipped")
	return ""
}

// newChromium starts a headless Chromium for the test and returns a
// context to open browsers (tabs with their own cookies) from. The flags
// keep it off the network: without them Chromium reaches for Google's
// services at start, which a closed network answers slowly or never.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	// A fresh profile each run; removed after Chromium has exited (a
	// t.TempDir can be removed while Chromium still writes to it).
	profile, err := os.MkdirTemp("", "ikmbot-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(phoneWidth, phoneHeight),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Run(root); err != nil {
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	return root
}

// phone is one person's browser: a tab with the phone's screen and
// JavaScript on or off. Phones are used one after the other, and each
// starts with the browser's cookies cleared, so each is a new browser to
// the site. (A browser context of its own per phone would be neater, but
// headless Chromium refuses to open a tab in one: "no browser is open".)
type phone struct {
	t   *testing.T
	ctx context.Context
	s   *site
}

func (s *site) phone(t *testing.T, root context.Context, javascript bool) *phone {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root)
	t.Cleanup(cancel)
	err := chromedp.Run(ctx,
		network.ClearBrowserCookies(),
		chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateScale(phoneScale), chromedp.EmulateMobile),
		chromedp.ActionFunc(func(ctx context.Context) error {
			// An Indonesian Android phone: Bahasa Indonesia first.
			err := emulation.SetUserAgentOverride(phoneUA).WithAcceptLanguage("id-ID,id;q=0.9,en;q=0.5").Do(ctx)
			if err != nil {
				return err
			}
			return emulation.SetScriptExecutionDisabled(!javascript).Do(ctx)
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return &phone{t: t, ctx: ctx, s: s}
}

// open loads a page of the site.
func (p *phone) open(path string) {
	p.t.Helper()
	if err := chromedp.Run(p.ctx, chromedp.Navigate(p.s.http.URL+path)); err != nil {
		p.t.Fatalf("open %s: %v", path, err)
	}
}

// page returns the page now shown, parsed, for checks that need no script.
func (p *phone) page() response {
	p.t.Helper()
	var outer, loc string
	// Right after a tap the old document may go away under the query:
	// read again until a whole document comes back.
	for try := 0; ; try++ {
		err := chromedp.Run(p.ctx, chromedp.OuterHTML("html", &outer, chromedp.ByQuery), chromedp.Location(&loc))
		if err == nil {
			break
		}
		if try == 50 {
			p.t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	doc, err := html.Parse(strings.NewReader(outer))
	if err != nil {
		p.t.Fatal(err)
	}
	return response{status: 0, body: outer, doc: doc, url: loc}
}

// tap presses the button or link with this label and waits for the next
// page to show want.
func (p *phone) tap(label, want string) {
	p.t.Helper()
	p.act("tap "+label, want, chromedp.MouseClickNode(p.find(label)))
}

// typeAndTap types text into the page's text field, then presses label.
func (p *phone) typeAndTap(text, label, want string) {
	p.t.Helper()
	p.act("type and tap "+label, want,
		chromedp.SendKeys(`[name="text"]`, text, chromedp.ByQuery),
		chromedp.MouseClickNode(p.find(label)))
}

// find returns the button or link whose text is label, read from the DOM
// tree (so it works with scripts off).
func (p *phone) find(label string) *cdp.Node {
	p.t.Helper()
	var nodes []*cdp.Node
	if err := chromedp.Run(p.ctx, chromedp.Nodes(`button, a`, &nodes, chromedp.ByQueryAll)); err != nil {
		p.t.Fatal(err)
	}
	for _, n := range nodes {
		if strings.Join(strings.Fields(nodeText(n)), " ") == label {
			return n
		}
	}
	p.t.Fatalf("no button or link %q on %s", label, p.page().text())
	return nil
}

// nodeText is the text inside a DOM node.
func nodeText(n *cdp.Node) string {
	if n.NodeType == cdp.NodeTypeText {
		return n.NodeValue
	}
	var b strings.Builder
	for _, c := range n.Children {
		b.WriteString(nodeText(c))
	}
	return b.String()
}

// act runs actions, then waits until the page's text holds want.
func (p *phone) act(what, want string, actions ...chromedp.Action) {
	p.t.Helper()
	if err := chromedp.Run(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := p.page()
		if strings.Contains(got.text(), want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: the page never showed %q; it shows: %s", what, want, got.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkFits checks, from the layout alone (no script), that nothing on the
// page is wider than the phone and that every button is big enough to tap.
func (p *phone) checkFits(where string) {
	p.t.Helper()
	var nodes []*cdp.Node
	if err := chromedp.Run(p.ctx, chromedp.Nodes(`//button | //a[contains(@class,"btn")] | //main`, &nodes, chromedp.BySearch)); err != nil {
		p.t.Fatal(err)
	}
	for _, n := range nodes {
		var box *dom.BoxModel
		if err := chromedp.Run(p.ctx, chromedp.Dimensions(n.FullXPath(), &box, chromedp.BySearch)); err != nil || box == nil {
			continue // not rendered
		}
		w, h := box.Width, box.Height
		if w > phoneWidth {
			p.t.Errorf("%s: %s is %d px wide on a %d px screen", where, n.NodeName, w, phoneWidth)
		}
		if n.NodeName != "MAIN" && h < 44 {
			p.t.Errorf("%s: %s %q is %d px high, want at least 44 to tap", where, n.NodeName, n.AttributeValue("value"), h)
		}
	}
}

// screenshot takes the screen as a PNG; with -reference it is written to
// testdata/screens/name.png for a person to look at.
func (p *phone) screenshot(name string) {
	p.t.Helper()
	var buf []byte
	if err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot(&buf)); err != nil {
		p.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		p.t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != phoneWidth*phoneScale || b.Dy() != phoneHeight*phoneScale {
		p.t.Errorf("screenshot %s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), phoneWidth*phoneScale, phoneHeight*phoneScale)
	}
	if *writeScreens {
		path := filepath.Join("testdata", "screens", name+".png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			p.t.Fatal(err)
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// TestBrowserSurvey answers a whole survey in Chromium on a 360x640 phone
// screen, with JavaScript on and with it off, by tapping as a person would:
// both are stored, once each; the same browser is then refused a second
// try; a revoked poster's page says so and still works.
func TestBrowserSurvey(t *testing.T) {
	root := newChromium(t)
	s := newSite(t, nil)
	for _, javascript := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript %v", javascript), func(t *testing.T) {
			p := s.phone(t, root, javascript)
			p.open(posterPath("DISDUKCAPIL", 1))
			p.checkFits("landing")
			if javascript {
				p.screenshot("landing")
			}
			p.tap("Isi survei di sini", "Apa jenis kelamin Anda?")
			p.checkFits("gender")
			p.tap("Perempuan", "Berapa usia Anda?")
			p.typeAndTap("35", "Lanjut »", "Apa pendidikan terakhir Anda?")
			p.tap("D4/S1", "Apa pekerjaan utama Anda?")
			p.tap("Lewati »", "Layanan apa yang Anda terima hari ini?")
			p.tap("Akta Kelahiran", "Persyaratan")
			p.checkFits("element")
			if javascript {
				p.screenshot("question")
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
				p.tap(a.label, a.next)
			}
			p.checkFits("suggestion")
			p.typeAndTap("Ruang tunggu kurang kursi", "Kirim saran »", "Terima kasih!")
			p.checkFits("thanks")
			if javascript {
				p.screenshot("thanks")
			}
			if got := p.page().text(); !strings.Contains(got, "Jawaban Anda untuk Dinas Kependudukan dan Pencatatan Sipil sudah tersimpan") {
				t.Errorf("thank-you: %s", got)
			}
			// A second try from the same browser is refused.
			p.open(posterPath("DISDUKCAPIL", 1))
			if got := p.page().text(); !strings.Contains(got, "Anda sudah mengisi survei") || strings.Contains(got, "Isi survei di sini") {
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
	p := s.phone(t, root, false)
	p.open(posterPath("DISDUKCAPIL", 1))
	if got := p.page().text(); !strings.Contains(got, "Poster yang Anda pindai sudah diganti dengan poster baru") {
		t.Errorf("revoked poster: %s", got)
	}
	p.tap("Isi survei di sini", "Apa jenis kelamin Anda?")
}

// TestReferenceScreens keeps the committed reference screenshots (written
// with -reference, then looked at by a person) in step with the phone.
func TestReferenceScreens(t *testing.T) {
	for _, name := range []string{"landing", "question", "thanks"} {
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
		if b := img.Bounds(); b.Dx() != phoneWidth*phoneScale || b.Dy() != phoneHeight*phoneScale {
			t.Errorf("%s is %dx%d, not the %dx%d phone at scale %d", path, b.Dx(), b.Dy(), phoneWidth, phoneHeight, phoneScale)
		}
	}
}
