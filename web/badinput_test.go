package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// nothingStored fails when any response, incomplete answer, open web
// survey or funnel count exists.
func (s *site) nothingStored() {
	s.t.Helper()
	err := s.st.View(func(tx *store.Tx) error {
		c, i, _ := tx.CountResponses()
		if c != 0 || i != 0 || tx.CountWebSessions() != 0 {
			s.t.Errorf("%d responses, %d incomplete, %d open web surveys; want none", c, i, tx.CountWebSessions())
		}
		for _, u := range testUnits {
			if f, _ := tx.Funnel(u.Code); len(f) != 0 {
				s.t.Errorf("funnel of %s: %+v, want none", u.Code, f)
			}
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// TestForgedPayloads changes, drops or adds every character of a signed
// payload: none opens a survey, each gets a clear page, and nothing is
// counted or stored.
func TestForgedPayloads(t *testing.T) {
	s := newSite(t, func(c *Config) { c.SignedLinksOnly = true })
	good := deeplink.SignPayload(testSecret, "PKM-KRANJI", 1)
	var variants []string
	for i := range good {
		for _, c := range []byte{'A', 'z', '0', '-', '_'} {
			if good[i] != c {
				variants = append(variants, good[:i]+string(c)+good[i+1:])
			}
		}
		variants = append(variants, good[:i]+good[i+1:], good[:i]+"x"+good[i:])
	}
	variants = append(variants, good+"x", "PKM-KRANJI", "NOSUCHUNIT", strings.Repeat("A", 70), "%00", "a%2Fb")
	titles := map[string]bool{"Tautan tidak sah": true, "Unit tidak dikenal": true, "Kode QR lama": true, "Halaman tidak ditemukan": true}
	b := s.browser()
	for _, v := range variants {
		res := b.get("/s/" + v)
		if res.status < 400 || !titles[res.h1()] {
			t.Errorf("/s/%s: %d %q, want a refusal page", v, res.status, res.h1())
		}
		if f, _ := res.button("Isi survei di sini"); f != nil {
			t.Errorf("/s/%s offers the survey", v)
		}
	}
	// A start posted to a forged link with a token made for it is refused too.
	forged := good[:len(good)-1] + "Q"
	if forged == good {
		forged = good[:len(good)-1] + "R"
	}
	res := b.post("/s/"+forged, url.Values{"t": {s.srv.startToken(mustBrowser(t, s, b), forged)}})
	if res.status != http.StatusBadRequest || res.h1() != "Tautan tidak sah" {
		t.Errorf("start at a forged link: %d %q", res.status, res.h1())
	}
	s.nothingStored()
	if res := b.get("/s/" + good); res.status != http.StatusOK {
		t.Errorf("the genuine link: %d", res.status)
	}
}

// TestTokensAndBodies: a form post without its token, with another
// browser's, from another site, in another encoding or over the size cap
// changes nothing and says why; a replayed post from an earlier page
// shows the current question with a note.
func TestTokensAndBodies(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	landing := b.get(posterPath("DISDUKCAPIL", 1))
	startForm, _ := landing.button("Isi survei di sini")
	start := url.Values{}
	walkHidden(startForm, start)

	for _, tt := range []struct {
		name   string
		form   url.Values
		status int
		h1     string
	}{
		{"no token", url.Values{"lang": {"id"}}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"another browser's token", url.Values{"t": {s.srv.startToken(browser{id: "AAAAAAAAAAAAAAAAAAAAAA"}, deeplink.SignPayload(testSecret, "DISDUKCAPIL", 1))}}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"another link's token", url.Values{"t": {s.srv.startToken(mustBrowser(t, s, b), deeplink.SignPayload(testSecret, "PKM-KRANJI", 1))}}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
	} {
		res := b.post(posterPath("DISDUKCAPIL", 1), tt.form)
		if res.status != tt.status || res.h1() != tt.h1 {
			t.Errorf("start with %s: %d %q, want %d %q", tt.name, res.status, res.h1(), tt.status, tt.h1)
		}
	}
	if res := s.browser().post(posterPath("DISDUKCAPIL", 1), start); res.status != http.StatusBadRequest || res.h1() != "Cookie diperlukan" {
		t.Errorf("start without the cookie: %d %q", res.status, res.h1())
	}
	s.nothingStoredBut(1) // the landing's scan

	q1 := b.follow(b.post(posterPath("DISDUKCAPIL", 1), start))
	q2 := b.follow(b.press(q1, "Perempuan", ""))
	form, _ := q2.button("Lanjut »")
	fields := url.Values{}
	walkHidden(form, fields)
	withAnswer := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = append([]string(nil), vs...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	huge := strings.Repeat("x", maxBody+1)
	cases := []struct {
		name   string
		do     func() response
		status int
		h1     string
	}{
		{"no token", func() response {
			v := withAnswer(fields, "a", "next", "text", "40")
			v.Del("t")
			return b.post("/f/DISDUKCAPIL", v)
		}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"a wrong token", func() response {
			return b.post("/f/DISDUKCAPIL", withAnswer(fields, "a", "next", "text", "40", "t", "AAAAAAAAAAAAAAAA"))
		}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"a token for another step count", func() response {
			return b.post("/f/DISDUKCAPIL", withAnswer(fields, "a", "next", "text", "40", "n", "7"))
		}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"no cookie", func() response {
			return s.browser().post("/f/DISDUKCAPIL", withAnswer(fields, "a", "next", "text", "40"))
		}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"a body over the cap", func() response {
			return b.post("/f/DISDUKCAPIL", withAnswer(fields, "a", "next", "text", huge))
		}, http.StatusRequestEntityTooLarge, "Isian terlalu besar"},
		{"multipart", func() response {
			return b.do("POST", "/f/DISDUKCAPIL", strings.NewReader("--x\r\n"), "multipart/form-data; boundary=x")
		}, http.StatusUnsupportedMediaType, "Permintaan tidak dapat dibaca"},
		{"a post from another site", func() response {
			b.header.Set("Sec-Fetch-Site", "cross-site")
			defer b.header.Del("Sec-Fetch-Site")
			return b.post("/f/DISDUKCAPIL", withAnswer(fields, "a", "next", "text", "40"))
		}, http.StatusForbidden, "Formulir tidak dapat diverifikasi"},
		{"PUT", func() response { return b.do("PUT", "/f/DISDUKCAPIL", nil, "") }, http.StatusMethodNotAllowed, "Permintaan tidak diizinkan"},
		{"an unknown page", func() response { return b.get("/wp-login.php") }, http.StatusNotFound, "Halaman tidak ditemukan"},
	}
	for _, tt := range cases {
		res := tt.do()
		if res.status != tt.status || res.h1() != tt.h1 {
			t.Errorf("%s: %d %q, want %d %q", tt.name, res.status, res.h1(), tt.status, tt.h1)
		}
	}
	// Nothing moved: the form is still at the age, after one answer.
	err := s.st.View(func(tx *store.Tx) error {
		ws, ok, err := tx.WebSession(s.srv.respondent(mustBrowser(t, s, b)), "DISDUKCAPIL")
		if err != nil || !ok || ws.Session.Step != 1 || ws.Seq != 1 || ws.Session.Profile != (survey.Profile{Gender: "P"}) {
			t.Errorf("session after refused posts: %+v, %v, %v", ws, ok, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Replaying the first page's post (the gender) changes nothing and
	// shows the current question with a note.
	res := b.press(q1, "Laki-laki", "")
	if res.status != http.StatusSeeOther {
		t.Fatalf("replayed post: %d %s", res.status, res.text())
	}
	page := b.follow(res)
	if !strings.Contains(page.text(), "Halaman yang Anda kirim sudah tidak berlaku") || !strings.Contains(page.text(), "Berapa usia Anda?") {
		t.Errorf("after a replay: %s", page.text())
	}
	// The genuine post goes through.
	if p := b.follow(b.post("/f/DISDUKCAPIL", withAnswer(fields, "a", "next", "text", "40"))); !strings.Contains(p.text(), "pendidikan terakhir") {
		t.Errorf("the genuine post: %s", p.text())
	}
	err = s.st.View(func(tx *store.Tx) error {
		ws, _, err := tx.WebSession(s.srv.respondent(mustBrowser(t, s, b)), "DISDUKCAPIL")
		if err == nil && ws.Session.Profile != (survey.Profile{Gender: "P", Age: 40}) {
			t.Errorf("profile %+v, want P, 40", ws.Session.Profile)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplayedLastAnswer: the post that completed the survey, sent again,
// stores nothing more.
func TestReplayedLastAnswer(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	p := b.follow(b.press(b.get(posterPath("DISDUKCAPIL", 1)), "Isi survei di sini", ""))
	for range survey.FirstElementStep {
		p = b.follow(b.press(p, "skip", ""))
	}
	for range survey.NumElements {
		p = b.follow(b.press(p, "c3", ""))
	}
	last := p
	b.follow(b.press(last, "Kirim saran »", "Bagus"))
	for range 3 {
		res := b.press(last, "Kirim saran »", "Bagus")
		if res.status != http.StatusSeeOther || !strings.Contains(b.follow(res).text(), "Terima kasih!") {
			t.Errorf("replayed last answer: %d", res.status)
		}
	}
	if complete, incomplete := s.responses(); len(complete) != 1 || len(incomplete) != 0 {
		t.Errorf("%d responses, %d incomplete; want 1, 0", len(complete), len(incomplete))
	}
}

// TestQuickRequests sends 1,000 requests at once from one client: beyond
// the burst they are refused with the localized page, another client is
// not held up, and nothing is stored or counted for the refused ones.
func TestQuickRequests(t *testing.T) {
	s := newSite(t, func(c *Config) { c.Rate, c.Burst = DefaultRate, DefaultBurst })
	b := s.browser()
	b.header.Set("X-Forwarded-For", "203.0.113.7") // through the trusted proxy on loopback
	statuses := map[int]int{}
	for range 1000 {
		res := b.get("/s/NOSUCHUNIT")
		statuses[res.status]++
		if res.status == http.StatusTooManyRequests && res.h1() != "Terlalu banyak permintaan" {
			t.Fatalf("429 page: %q", res.h1())
		}
	}
	if statuses[http.StatusTooManyRequests] < 800 || statuses[http.StatusNotFound] < DefaultBurst {
		t.Errorf("statuses %v: want the burst answered and most of the rest refused", statuses)
	}
	other := s.browser()
	other.header.Set("X-Forwarded-For", "198.51.100.9")
	if res := other.get(posterPath("PKM-KRANJI", 1)); res.status != http.StatusOK {
		t.Errorf("another client: %d", res.status)
	}
	// A client that is not a trusted proxy cannot pick its own address.
	if key := s.srv.clientKey(&http.Request{RemoteAddr: "192.0.2.1:1234", Header: http.Header{"X-Forwarded-For": {"198.51.100.9"}}}); key.String() != "192.0.2.1/32" {
		t.Errorf("client key %v, want 192.0.2.1/32", key)
	}
	if key := s.srv.clientKey(&http.Request{RemoteAddr: "[2001:db8:1:2:3:4:5:6]:1234"}); key.String() != "2001:db8:1:2::/64" {
		t.Errorf("client key %v, want the /64", key)
	}
	s.nothingStoredBut(1)
}

// nothingStoredBut checks that only n poster scans were counted, and
// nothing else stored.
func (s *site) nothingStoredBut(scans int) {
	s.t.Helper()
	err := s.st.View(func(tx *store.Tx) error {
		c, i, _ := tx.CountResponses()
		n := 0
		for _, u := range testUnits {
			f, _ := tx.Funnel(u.Code)
			for _, v := range f {
				n += v.Scans
			}
		}
		if c != 0 || i != 0 || tx.CountWebSessions() != 0 || n != scans {
			s.t.Errorf("%d responses, %d incomplete, %d open, %d scans; want only %d scans", c, i, tx.CountWebSessions(), n, scans)
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// TestStartsLimited: one client starting survey after survey with fresh
// cookies is stopped well before it could fill the database.
func TestStartsLimited(t *testing.T) {
	s := newSite(t, func(c *Config) { c.Rate, c.Burst = DefaultRate, DefaultBurst })
	refused := 0
	for i := range 60 {
		b := s.browser()
		b.header.Set("X-Forwarded-For", "203.0.113.8")
		landing := b.get(posterPath("DISDUKCAPIL", 1))
		if landing.status == http.StatusTooManyRequests {
			refused++
			continue
		}
		res := b.press(landing, "Isi survei di sini", "")
		switch res.status {
		case http.StatusSeeOther:
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("start %d: %d", i, res.status)
		}
	}
	var open int
	s.st.View(func(tx *store.Tx) error { open = tx.CountWebSessions(); return nil })
	if refused == 0 || open > DefaultBurst/5+2 {
		t.Errorf("%d starts refused, %d surveys open; want starts limited to about %d", refused, open, DefaultBurst/5)
	}
}

// TestExpiry: a form left idle past the session TTL is closed, its answers
// kept as incomplete, by the next visit or by the sweep.
func TestExpiry(t *testing.T) {
	s := newSite(t, nil)
	start := func() *testBrowser {
		b := s.browser()
		p := b.follow(b.press(b.get(posterPath("DISDUKCAPIL", 1)), "Isi survei di sini", ""))
		b.follow(b.press(p, "Perempuan", ""))
		return b
	}
	a, c := start(), start()
	s.clock.Add(25 * time.Hour)
	res := a.get("/f/DISDUKCAPIL")
	if res.status != http.StatusGone || !strings.Contains(res.text(), "ditutup karena tidak ada jawaban selama 24 jam") {
		t.Errorf("idle form: %d %s", res.status, res.text())
	}
	if n, err := s.srv.Sweep(); n != 1 || err != nil {
		t.Errorf("Sweep = %d, %v; want 1", n, err)
	}
	if res := c.get("/f/DISDUKCAPIL"); res.status != http.StatusNotFound || res.h1() != "Tidak ada survei yang terbuka" {
		t.Errorf("swept form: %d %q", res.status, res.h1())
	}
	complete, incomplete := s.responses()
	if len(complete) != 0 || len(incomplete) != 2 || incomplete[0].Source != survey.SourceWeb || incomplete[0].Profile.Gender != "P" {
		t.Errorf("%d complete, incomplete %+v; want two incomplete web answers", len(complete), incomplete)
	}
	// Both may start afresh.
	if p := a.follow(a.press(a.get(posterPath("DISDUKCAPIL", 1)), "Isi survei di sini", "")); !strings.Contains(p.text(), "Apa jenis kelamin Anda?") {
		t.Errorf("after expiry: %s", p.text())
	}
}

// TestLanguages: ?lang=, the browser's preference, and the form keeping
// the language it was started in.
func TestLanguages(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	if res := b.get(posterPath("DISDUKCAPIL", 1) + "?lang=en"); !strings.Contains(res.text(), "Answer here") || res.link("Bahasa Indonesia") == "" {
		t.Errorf("?lang=en: %s", res.text())
	}
	b.header.Set("Accept-Language", "en-GB,en;q=0.9")
	landing := b.get(posterPath("DISDUKCAPIL", 1))
	if !strings.Contains(landing.text(), "How was our service today?") {
		t.Errorf("Accept-Language en: %s", landing.text())
	}
	b.header.Del("Accept-Language")
	q := b.follow(b.press(landing, "Answer here", ""))
	if !strings.Contains(q.text(), "What is your gender?") {
		t.Errorf("form in English: %s", q.text())
	}
	q = b.follow(b.press(q, "Female", ""))
	if res := b.press(q, "Next »", "200"); !strings.Contains(res.text(), "Please type your age as a number between 10 and 120") {
		t.Errorf("English hint: %s", res.text())
	}
	if res := b.get("/s/NOSUCH?lang=en"); res.h1() != "Unknown unit" {
		t.Errorf("English error page: %q", res.h1())
	}
	if res := s.browser().get("/s/NOSUCH"); !strings.Contains(res.body, `<html lang="id">`) {
		t.Error("Indonesian page without lang=id")
	}
}

// TestAllowReplace: with allow_replace a browser's second answer replaces
// its first, and the landing says so beforehand.
func TestAllowReplace(t *testing.T) {
	s := newSite(t, func(c *Config) { c.AllowReplace = true })
	b := s.browser()
	walkSurvey(t, b, b.get(posterPath("DISDUKCAPIL", 1)), 1, "")
	landing := b.get(posterPath("DISDUKCAPIL", 1))
	if !strings.Contains(landing.text(), "Jawaban baru nanti menggantikan jawaban sebelumnya") {
		t.Errorf("landing: %s", landing.text())
	}
	walkSurvey(t, b, landing, 4, "")
	complete, _ := s.responses()
	if len(complete) != 1 || complete[0].Scores[0] != 4 {
		t.Errorf("stored %+v, want the second answer only", complete)
	}
}

// TestOpenSurveyResumes: a scan while a survey is open offers to continue
// it or start over; starting over keeps the earlier answers as incomplete.
func TestOpenSurveyResumes(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	p := b.follow(b.press(b.get(posterPath("DISDUKCAPIL", 1)), "Isi survei di sini", ""))
	b.follow(b.press(p, "Perempuan", ""))
	again := b.get(posterPath("DISDUKCAPIL", 1))
	if !strings.Contains(again.text(), "sudah 1 dari 15 langkah") {
		t.Fatalf("landing with an open survey: %s", again.text())
	}
	if next := b.get(again.link("Lanjutkan survei")); !strings.Contains(next.text(), "Berapa usia Anda?") {
		t.Errorf("continue: %s", next.text())
	}
	p = b.follow(b.press(again, "Mulai ulang", ""))
	if !strings.Contains(p.text(), "Apa jenis kelamin Anda?") {
		t.Errorf("start over: %s", p.text())
	}
	if _, incomplete := s.responses(); len(incomplete) != 1 {
		t.Errorf("%d incomplete, want the first try's answers", len(incomplete))
	}
}
