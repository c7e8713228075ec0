// Package webtest drives the public site in a real browser for tests:
// Debian's Chromium, headless, through chromedp, on the screen of a cheap
// Android phone, with JavaScript on or off. Tests that use it are skipped
// where no Chromium is installed (.ci/run installs it), as the poster
// read-back tests are without poppler.
package webtest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
)

// The phone the tests use: 360x640 CSS pixels at a device scale of 2, an
// Indonesian Android browser.
const (
	Width  = 360
	Height = 640
	Scale  = 2
	UA     = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
)

// FindChromium returns a Chromium or Chrome binary, or skips the test.
// IKMBOT_CHROMIUM names one explicitly.
func FindChromium(t testing.TB) string {
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

// Chromium starts a headless Chromium for the test, stopped when it ends,
// and returns the context to open phones from. The flags keep it off the
// network: without them Chromium reaches for Google's services at start,
// which a closed network answers slowly or never. Each run has a fresh
// profile.
func Chromium(t testing.TB) context.Context {
	t.Helper()
	path := FindChromium(t)
	// Removed after Chromium has exited: a t.TempDir can be removed while
	// Chromium still writes to it.
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
		chromedp.WindowSize(Width, Height),
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

// Phone is one person's browser: a tab with the phone's screen and
// JavaScript on or off, on the site at Base. Phones are used one after
// the other, and each starts with the browser's cookies cleared, so each
// is a new browser to the site. (A browser context of its own per phone
// would be neater, but headless Chromium refuses to open a tab in one:
// "no browser is open".)
type Phone struct {
	T    testing.TB
	Ctx  context.Context
	Base string
}

// NewPhone opens a phone on the site at base (http://host:port).
func NewPhone(t testing.TB, root context.Context, base string, javascript bool) *Phone {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root)
	t.Cleanup(cancel)
	err := chromedp.Run(ctx,
		network.ClearBrowserCookies(),
		chromedp.EmulateViewport(Width, Height, chromedp.EmulateScale(Scale), chromedp.EmulateMobile),
		chromedp.ActionFunc(func(ctx context.Context) error {
			// Bahasa Indonesia first, as an Indonesian phone asks.
			if err := emulation.SetUserAgentOverride(UA).WithAcceptLanguage("id-ID,id;q=0.9,en;q=0.5").Do(ctx); err != nil {
				return err
			}
			return emulation.SetScriptExecutionDisabled(!javascript).Do(ctx)
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return &Phone{T: t, Ctx: ctx, Base: base}
}

// Open loads a page of the site.
func (p *Phone) Open(path string) {
	p.T.Helper()
	if err := chromedp.Run(p.Ctx, chromedp.Navigate(p.Base+path)); err != nil {
		p.T.Fatalf("open %s: %v", path, err)
	}
}

// HTML returns the document now shown, read from the DOM (so it works
// with scripts off), and its address.
func (p *Phone) HTML() (doc *html.Node, raw, location string) {
	p.T.Helper()
	// Right after a tap the old document may go away under the query:
	// read again until a whole document comes back.
	for try := 0; ; try++ {
		err := chromedp.Run(p.Ctx, chromedp.OuterHTML("html", &raw, chromedp.ByQuery), chromedp.Location(&location))
		if err == nil {
			break
		}
		if try == 50 {
			p.T.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	doc, err := html.Parse(strings.NewReader(raw))
	if err != nil {
		p.T.Fatal(err)
	}
	return doc, raw, location
}

// Text is the visible text of the page now shown, spaces collapsed.
func (p *Phone) Text() string {
	doc, _, _ := p.HTML()
	return Text(doc)
}

// Tap presses the button or link with this label and waits for the next
// page to show want.
func (p *Phone) Tap(label, want string) {
	p.T.Helper()
	p.act("tap "+label, want, chromedp.MouseClickNode(p.find(label)))
}

// TypeAndTap types text into the page's text field, then presses label.
func (p *Phone) TypeAndTap(text, label, want string) {
	p.T.Helper()
	p.act("type and tap "+label, want,
		chromedp.SendKeys(`[name="text"]`, text, chromedp.ByQuery),
		chromedp.MouseClickNode(p.find(label)))
}

// find returns the button or link whose text is label, read from the DOM.
func (p *Phone) find(label string) *cdp.Node {
	p.T.Helper()
	var nodes []*cdp.Node
	if err := chromedp.Run(p.Ctx, chromedp.Nodes(`button, a`, &nodes, chromedp.ByQueryAll)); err != nil {
		p.T.Fatal(err)
	}
	for _, n := range nodes {
		if strings.Join(strings.Fields(nodeText(n)), " ") == label {
			return n
		}
	}
	p.T.Fatalf("no button or link %q on %s", label, p.Text())
	return nil
}

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
func (p *Phone) act(what, want string, actions ...chromedp.Action) {
	p.T.Helper()
	if err := chromedp.Run(p.Ctx, actions...); err != nil {
		p.T.Fatalf("%s: %v", what, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := p.Text()
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			p.T.Fatalf("%s: the page never showed %q; it shows: %s", what, want, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CheckFits checks, from the layout alone (no script), that nothing on
// the page is wider than the phone and that every button is big enough
// to tap (44 px, the common guideline).
func (p *Phone) CheckFits(where string) {
	p.T.Helper()
	var nodes []*cdp.Node
	if err := chromedp.Run(p.Ctx, chromedp.Nodes(`//button | //a[contains(@class,"btn")] | //main`, &nodes, chromedp.BySearch)); err != nil {
		p.T.Fatal(err)
	}
	for _, n := range nodes {
		var box *dom.BoxModel
		if err := chromedp.Run(p.Ctx, chromedp.Dimensions(n.FullXPath(), &box, chromedp.BySearch)); err != nil || box == nil {
			continue // not rendered
		}
		if box.Width > Width {
			p.T.Errorf("%s: %s is %d px wide on a %d px screen", where, n.NodeName, box.Width, Width)
		}
		if n.NodeName != "MAIN" && box.Height < 44 {
			p.T.Errorf("%s: %s %q is %d px high, want at least 44 to tap", where, n.NodeName, n.AttributeValue("value"), box.Height)
		}
	}
}

// Screenshot takes the screen as a PNG, checked to be the phone's size.
func (p *Phone) Screenshot() []byte {
	p.T.Helper()
	var buf []byte
	if err := chromedp.Run(p.Ctx, chromedp.CaptureScreenshot(&buf)); err != nil {
		p.T.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		p.T.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != Width*Scale || b.Dy() != Height*Scale {
		p.T.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), Width*Scale, Height*Scale)
	}
	return buf
}

// Text is a document's visible text, spaces collapsed: inline elements run
// into the text around them, the rest end a word.
func Text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.Data == "style" || n.Data == "title" || n.Data == "meter") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if n.Type == html.ElementNode && !inline[n.Data] {
			b.WriteByte(' ')
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

var inline = map[string]bool{"b": true, "i": true, "strong": true, "em": true, "span": true, "a": true, "small": true, "code": true, "abbr": true, "data": true}

// Walk calls fn for every element under n, n included.
func Walk(n *html.Node, fn func(*html.Node)) {
	if n == nil {
		return
	}
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		Walk(c, fn)
	}
}

// Attr returns an attribute of n, or "".
func Attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// DataValue returns the value of the first <data class=class> inside the
// first element whose attribute attrName is key (the whole document when
// attrName is ""): pages carry their figures machine-readable that way.
func DataValue(doc *html.Node, attrName, key, class string) string {
	out := ""
	Walk(doc, func(n *html.Node) {
		if out != "" || (attrName != "" && Attr(n, attrName) != key) {
			return
		}
		Walk(n, func(c *html.Node) {
			if out == "" && c.Data == "data" && strings.Contains(" "+Attr(c, "class")+" ", " "+class+" ") {
				out = Attr(c, "value")
			}
		})
	})
	return out
}
