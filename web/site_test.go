package web

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/ikmbot/ikmbot/web/webtest"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// testSecret keys every signature in these tests.
var testSecret = []byte("web-test-secret-0123456789")

// testUnits are two units of Kota Bekasi, with their services.
var testUnits = []survey.Unit{
	{Code: "DISDUKCAPIL", Name: "Dinas Kependudukan dan Pencatatan Sipil", Type: survey.PerangkatDaerah, Services: []string{"KTP-el", "Kartu Keluarga", "Akta Kelahiran"}, Users: 120000},
	{Code: "PKM-KRANJI", Name: "Puskesmas Kranji", Type: survey.Puskesmas, Services: []string{"Poli Umum", "Poli Gigi"}, Users: 20000},
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// site is a Server over a real bbolt file, served by httptest.
type site struct {
	t     *testing.T
	srv   *Server
	st    *store.Store
	http  *httptest.Server
	clock *clock
	loc   *time.Location
}

func jakarta(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newSite starts the site; change adjusts the config first.
func newSite(t *testing.T, change func(*Config)) *site {
	t.Helper()
	return newSiteOf(t, testUnits, change)
}

// newSiteOf starts the site of units.
func newSiteOf(t *testing.T, units []survey.Unit, change func(*Config)) *site {
	t.Helper()
	loc := jakarta(t)
	cat := survey.NewCatalog(units)
	st, err := store.Open(filepath.Join(t.TempDir(), "web.db"), store.Options{Location: loc, NoSync: true, Units: cat.Unit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 5, 4, 9, 30, 0, 0, loc)}
	cfg := Config{
		City: "Kota Bekasi", Catalog: cat, Location: loc, RespondentPeriod: survey.PeriodYear,
		SessionTTL: 24 * time.Hour, DefaultLanguage: "id", Secret: testSecret, BotUsername: "BekasiIKMBot",
		Rate: 0, Now: c.Now,
	}
	if change != nil {
		change(&cfg)
	}
	srv, err := New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &site{t: t, srv: srv, st: st, http: hs, clock: c, loc: loc}
}

// browser is one test browser: its own cookie jar, no redirects followed
// unless asked.
type testBrowser struct {
	s      *site
	client *http.Client
	header http.Header // sent with every request
}

func (s *site) browser() *testBrowser {
	jar, _ := cookiejar.New(nil)
	return &testBrowser{s: s, header: http.Header{}, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a page as a test reads it.
type response struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
	url    string
}

func (b *testBrowser) do(method, path string, body io.Reader, ctype string) response {
	b.s.t.Helper()
	req, err := http.NewRequest(method, b.s.http.URL+path, body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if len(data) >= 50_000 {
		b.s.t.Errorf("%s %s: %d bytes, want under 50 kB", method, path, len(data))
	}
	r := response{status: res.StatusCode, header: res.Header, body: string(data), url: path}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if r.doc, err = html.Parse(bytes.NewReader(data)); err != nil {
			b.s.t.Fatal(err)
		}
	}
	return r
}

func (b *testBrowser) get(path string) response { return b.do("GET", path, nil, "") }

func (b *testBrowser) post(path string, form url.Values) response {
	return b.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// follow GETs the Location of a redirect.
func (b *testBrowser) follow(r response) response {
	b.s.t.Helper()
	if r.status != http.StatusSeeOther {
		b.s.t.Fatalf("%s: status %d, want 303; page: %s", r.url, r.status, r.text())
	}
	return b.get(r.header.Get("Location"))
}

// press submits the form holding the button with the given label (or
// value), with text typed into its text field, as a browser would.
func (b *testBrowser) press(r response, label, text string) response {
	b.s.t.Helper()
	form, btn := r.button(label)
	if form == nil {
		b.s.t.Fatalf("%s: no button %q; page: %s", r.url, label, r.text())
	}
	vals := url.Values{}
	walk(form, func(n *html.Node) {
		switch n.Data {
		case "input":
			if attr(n, "type") == "hidden" {
				vals.Set(attr(n, "name"), attr(n, "value"))
			} else if attr(n, "name") != "" {
				vals.Set(attr(n, "name"), text)
			}
		case "textarea":
			vals.Set(attr(n, "name"), text)
		}
	})
	if name := attr(btn, "name"); name != "" {
		vals.Set(name, attr(btn, "value"))
	}
	return b.post(attr(form, "action"), vals)
}

// button finds a submit button by its text or value, and its form.
func (r response) button(label string) (form, btn *html.Node) {
	walk(r.doc, func(n *html.Node) {
		if n.Data == "form" && form == nil {
			walk(n, func(c *html.Node) {
				if c.Data == "button" && btn == nil && (strings.TrimSpace(textOf(c)) == label || attr(c, "value") == label) {
					btn, form = c, n
				}
			})
		}
	})
	return form, btn
}

// link returns the href of the link with this text.
func (r response) link(label string) string {
	href := ""
	walk(r.doc, func(n *html.Node) {
		if n.Data == "a" && href == "" && strings.TrimSpace(textOf(n)) == label {
			href = attr(n, "href")
		}
	})
	return href
}

// text is the page's visible text, spaces collapsed.
func (r response) text() string {
	if r.doc == nil {
		return r.body
	}
	return webtest.Text(r.doc)
}

// h1 is the page's heading.
func (r response) h1() string {
	out := ""
	walk(r.doc, func(n *html.Node) {
		if n.Data == "h1" && out == "" {
			out = webtest.Text(n)
		}
	})
	return out
}

func walk(n *html.Node, fn func(*html.Node)) { webtest.Walk(n, fn) }

func attr(n *html.Node, key string) string { return webtest.Attr(n, key) }

func textOf(n *html.Node) string { return webtest.Text(n) }

// responses returns every stored response, and the incomplete ones.
func (s *site) responses() (complete, incomplete []survey.Response) {
	s.t.Helper()
	err := s.st.View(func(tx *store.Tx) error {
		if err := tx.ForEachResponse(func(r survey.Response) error { complete = append(complete, r); return nil }); err != nil {
			return err
		}
		return tx.ForEachIncomplete(func(r survey.Response) error { incomplete = append(incomplete, r); return nil })
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return complete, incomplete
}
