package web

import (
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// posterPath is the landing path of a unit's signed poster link.
func posterPath(code string, version int) string {
	return "/s/" + deeplink.SignPayload(testSecret, code, version)
}

// walkSurvey answers every question from the landing page on: the profile
// as labelled, every element with choice score-1, and the suggestion; it
// returns the thank-you page.
func walkSurvey(t *testing.T, b *testBrowser, landing response, score int, suggestion string) response {
	t.Helper()
	p := b.follow(b.press(landing, "Isi survei di sini", ""))
	steps := []struct{ label, text string }{
		{"Perempuan", ""}, {"Lanjut »", "35 tahun"}, {"SMA", ""}, {"Lewati »", ""}, {"c0", ""},
	}
	for _, st := range steps {
		p = b.follow(b.press(p, st.label, st.text))
	}
	for range survey.NumElements {
		p = b.follow(b.press(p, "c"+string(rune('0'+score-1)), ""))
	}
	if suggestion == "" {
		return b.follow(b.press(p, "Lewati »", ""))
	}
	return b.follow(b.press(p, "Kirim saran »", suggestion))
}

// TestWholeSurveyThroughTheForm answers every question in a browser from
// a poster's link: the response is stored once, as the chat stores one
// (same engine, same aggregates), marked as given on the web, and the
// thank-you shows the unit's live IKM.
func TestWholeSurveyThroughTheForm(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	landing := b.get(posterPath("DISDUKCAPIL", 1))
	if landing.status != http.StatusOK || landing.h1() != "Dinas Kependudukan dan Pencatatan Sipil" {
		t.Fatalf("landing: %d %q", landing.status, landing.h1())
	}
	if got := landing.link("Buka di Telegram"); got != "https://t.me/BekasiIKMBot?start="+deeplink.SignPayload(testSecret, "DISDUKCAPIL", 1) {
		t.Errorf("Telegram link %q", got)
	}
	thanks := walkSurvey(t, b, landing, 4, "Antrean lebih tertib")
	if !strings.Contains(thanks.text(), "Terima kasih!") || !strings.Contains(thanks.text(), "IKM unit ini (2026) sekarang 100,00, mutu A (Sangat Baik), dari 1 responden") {
		t.Errorf("thank-you page: %s", thanks.text())
	}
	complete, incomplete := s.responses()
	if len(complete) != 1 || len(incomplete) != 0 {
		t.Fatalf("%d responses, %d incomplete; want 1, 0", len(complete), len(incomplete))
	}
	r := complete[0]
	want := survey.Profile{Gender: "P", Age: 35, Education: "SMA", Service: "KTP-el"}
	if r.Source != survey.SourceWeb || r.Via != survey.ViaPoster || r.Poster != 1 || r.Profile != want ||
		r.Scores.Answered() != 9 || r.Scores[0] != 4 || r.Suggestion != "Antrean lebih tertib" || len(r.Respondent) != 32 {
		t.Errorf("stored %+v", r)
	}
	year := survey.PeriodOf(survey.PeriodYear, s.clock.Now())
	err := s.st.View(func(tx *store.Tx) error {
		all, err := tx.Tally("DISDUKCAPIL", year)
		if err != nil {
			return err
		}
		web, err := tx.WebTally("DISDUKCAPIL", year)
		if err != nil {
			return err
		}
		if all.Respondents != 1 || web.Respondents != 1 {
			t.Errorf("tally %d, web tally %d; want 1, 1", all.Respondents, web.Respondents)
		}
		f, err := tx.Funnel("DISDUKCAPIL")
		if err != nil {
			return err
		}
		if len(f) != 1 || f[0].Version != 1 || f[0].FunnelCounts != (store.FunnelCounts{Scans: 1, Started: 1, Completed: 1}) {
			t.Errorf("funnel %+v, want version 1: 1 scan, 1 start, 1 completion", f)
		}
		if n := tx.CountWebSessions(); n != 0 {
			t.Errorf("%d web sessions left open, want 0", n)
		}
		problems, err := tx.VerifyAggregates()
		if len(problems) > 0 {
			t.Errorf("aggregates against a recount: %v", problems)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecondTryRefused: the same browser cannot answer a unit twice in a
// period; another unit, or another browser, can.
func TestSecondTryRefused(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	walkSurvey(t, b, b.get(posterPath("DISDUKCAPIL", 1)), 3, "")
	again := b.get(posterPath("DISDUKCAPIL", 1))
	if !strings.Contains(again.text(), "Anda sudah mengisi survei untuk Dinas Kependudukan dan Pencatatan Sipil pada periode 2026") {
		t.Errorf("second landing: %s", again.text())
	}
	if f, _ := again.button("Isi survei di sini"); f != nil {
		t.Error("second landing still offers the form")
	}
	// A start posted anyway (an old tab) lands on the thank-you, nothing new.
	first := b.get(posterPath("PKM-KRANJI", 1))
	form, _ := first.button("Isi survei di sini")
	vals := url.Values{"t": {s.srv.startToken(mustBrowser(t, s, b), deeplink.SignPayload(testSecret, "DISDUKCAPIL", 1))}}
	if form == nil {
		t.Fatal("no start form at the other unit")
	}
	res := b.post(posterPath("DISDUKCAPIL", 1), vals)
	if res.status != http.StatusSeeOther {
		t.Fatalf("start posted again: %d %s", res.status, res.text())
	}
	if p := b.follow(res); !strings.Contains(p.text(), "Terima kasih!") {
		t.Errorf("start posted again lands on %s", p.text())
	}
	walkSurvey(t, b, first, 2, "")
	b3 := s.browser()
	walkSurvey(t, b3, b3.get(posterPath("DISDUKCAPIL", 1)), 1, "")
	complete, incomplete := s.responses()
	if len(complete) != 3 || len(incomplete) != 0 {
		t.Errorf("%d responses, %d incomplete; want 3, 0", len(complete), len(incomplete))
	}
	// Next year the same browser may answer again.
	s.clock.Add(365 * 24 * time.Hour)
	if next := b.get(posterPath("DISDUKCAPIL", 1)); !strings.Contains(next.text(), "Isi survei di sini") {
		t.Errorf("next year's landing: %s", next.text())
	}
}

// mustBrowser reads the browser id the test browser's cookie carries.
func mustBrowser(t *testing.T, s *site, b *testBrowser) browser {
	t.Helper()
	u, _ := url.Parse(s.http.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == cookieName {
			req := &http.Request{Header: http.Header{"Cookie": {c.String()}}}
			if br, ok := s.srv.readBrowser(req); ok {
				return br
			}
		}
	}
	t.Fatal("the browser has no valid cookie")
	return browser{}
}

// TestRevokedPoster: a poster revoked since it was printed still opens its
// unit's survey, says it was replaced, and the answer is stored as coming
// from an old poster; a link newer than any printed poster still works.
func TestRevokedPoster(t *testing.T) {
	s := newSite(t, nil)
	if err := s.st.Update(func(tx *store.Tx) error { _, err := tx.RevokePosters("PKM-KRANJI"); return err }); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	landing := b.get(posterPath("PKM-KRANJI", 1))
	if landing.status != http.StatusOK || !strings.Contains(landing.text(), "Poster yang Anda pindai sudah diganti dengan poster baru") {
		t.Fatalf("revoked poster's landing: %d %s", landing.status, landing.text())
	}
	walkSurvey(t, b, landing, 2, "")
	complete, _ := s.responses()
	if len(complete) != 1 || complete[0].Via != survey.ViaOldPoster || complete[0].Poster != 1 {
		t.Errorf("stored %+v, want one response via old_poster version 1", complete)
	}
	current := s.browser().get(posterPath("PKM-KRANJI", 2))
	if strings.Contains(current.text(), "sudah diganti") {
		t.Errorf("current poster's landing says replaced: %s", current.text())
	}
}

// TestCounterCodes: a fresh counter code marks the web answer verified; a
// stale or forged one says so and offers the survey unverified.
func TestCounterCodes(t *testing.T) {
	s := newSite(t, nil)
	key := deeplink.CounterKey(testSecret, "PKM-KRANJI", 1)
	fresh := "/s/" + deeplink.CounterCodeAt("PKM-KRANJI", 5*time.Minute, s.clock.Now()).Payload(key)
	b := s.browser()
	landing := b.get(fresh)
	if landing.status != http.StatusOK || strings.Contains(landing.text(), "kedaluwarsa") {
		t.Fatalf("fresh code: %d %s", landing.status, landing.text())
	}
	walkSurvey(t, b, landing, 4, "")

	stale := "/s/" + deeplink.CounterCodeAt("PKM-KRANJI", 5*time.Minute, s.clock.Now().Add(-time.Hour)).Payload(key)
	b2 := s.browser()
	page := b2.get(stale)
	if !strings.Contains(page.text(), "sudah kedaluwarsa") || page.link("Buka di Telegram") != "" {
		t.Fatalf("stale code: %s", page.text())
	}
	p := b2.follow(b2.press(page, "Isi survei tanpa verifikasi", ""))
	if !strings.Contains(p.text(), "Apa jenis kelamin Anda?") {
		t.Fatalf("unverified start: %s", p.text())
	}
	forged := []byte(strings.TrimPrefix(fresh, "/s/"))
	forged[len(forged)-1] ^= 1
	if page := s.browser().get("/s/" + string(forged)); !strings.Contains(page.text(), "kode QR layar loket ini tidak sah") {
		t.Errorf("forged code: %s", page.text())
	}
	complete, _ := s.responses()
	if len(complete) != 1 || complete[0].Via != survey.ViaCounter || !complete[0].Via.Verified() {
		t.Errorf("stored %+v, want one verified response", complete)
	}
	// The unverified survey, finished, is stored without a door.
	for range survey.FirstElementStep {
		p = b2.follow(b2.press(p, "skip", ""))
	}
	for range survey.NumElements {
		p = b2.follow(b2.press(p, "c1", ""))
	}
	b2.follow(b2.press(p, "Lewati »", ""))
	complete, _ = s.responses()
	if len(complete) != 2 || complete[1].Via != "" {
		t.Errorf("stored %+v, want a second response with no via", complete)
	}
}

// TestBackAndInvalidAnswers drives the engine's refusals through the form:
// each is a page saying why, the question again, and nothing changed.
func TestBackAndInvalidAnswers(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	q := b.follow(b.press(b.get(posterPath("DISDUKCAPIL", 1)), "Isi survei di sini", ""))
	if _, back := q.button("« Kembali"); back != nil {
		t.Error("the first question offers back")
	}
	q = b.follow(b.press(q, "Laki-laki", ""))
	for _, tt := range []struct {
		name, text, want string
	}{
		{"too young", "3", "Usia ditulis dengan angka antara 10 dan 120"},
		{"not a number", "tiga puluh", "Usia ditulis dengan angka antara 10 dan 120"},
	} {
		res := b.press(q, "Lanjut »", tt.text)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.text(), tt.want) || !strings.Contains(res.text(), "Berapa usia Anda?") {
			t.Errorf("%s: %d %s", tt.name, res.status, res.text())
		}
		q = res
	}
	q = b.follow(b.press(q, "« Kembali", ""))
	if !strings.Contains(q.text(), "Apa jenis kelamin Anda?") {
		t.Fatalf("after back: %s", q.text())
	}
	q = b.follow(b.press(q, "Perempuan", ""))
	q = b.follow(b.press(q, "Tidak ingin menjawab", ""))
	for range 3 {
		q = b.follow(b.press(q, "Lewati »", ""))
	}
	// An element must be answered; a choice outside the four is refused.
	form, _ := q.button("c0")
	hidden := func() url.Values {
		v := url.Values{}
		walkHidden(form, v)
		return v
	}
	for _, tt := range []struct {
		name, action, want string
	}{
		{"skip an element", "skip", "Pertanyaan ini perlu dijawab"},
		{"choice 99", "c99", "Jawaban itu tidak dikenali"},
		{"choice -1", "c-1", "Jawaban itu tidak dikenali"},
		{"typed text", "next", "Silakan jawab dengan menekan salah satu tombol"},
		{"nonsense", "x", "Jawaban itu tidak dikenali"},
	} {
		v := hidden()
		v.Set("a", tt.action)
		v.Set("text", "4")
		res := b.post("/f/DISDUKCAPIL", v)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.text(), tt.want) || !strings.Contains(res.text(), "Persyaratan") {
			t.Errorf("%s: %d %s", tt.name, res.status, res.text())
		}
	}
	for range survey.NumElements {
		q = b.follow(b.press(q, "c2", ""))
	}
	long := strings.Repeat("á", survey.MaxSuggestionRunes+1)
	res := b.press(q, "Kirim saran »", long)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.text(), "Saran Anda 1001 huruf, terlalu panjang") || !strings.Contains(res.body, long) {
		t.Errorf("long suggestion: %d, page keeps the text: %v", res.status, strings.Contains(res.body, long))
	}
	if res := b.press(res, "Kirim saran »", "   "); !strings.Contains(res.text(), "Saran masih kosong") {
		t.Errorf("blank suggestion: %s", res.text())
	}
	b.follow(b.press(q, "Lewati »", ""))
	complete, _ := s.responses()
	if len(complete) != 1 || complete[0].Profile != (survey.Profile{Gender: "P"}) || complete[0].Scores[0] != 3 {
		t.Errorf("stored %+v", complete)
	}
}

// walkHidden copies a form's hidden fields into v.
func walkHidden(form *html.Node, v url.Values) {
	walk(form, func(n *html.Node) {
		if n.Data == "input" && attr(n, "type") == "hidden" {
			v.Set(attr(n, "name"), attr(n, "value"))
		}
	})
}

// TestExtrasThroughTheForm: a unit that asks the SPKP (1-6) and the SPAK
// (1-4) gets them in the browser after the elements, as in the chat: the
// landing page names them, the first statement of each says what it asks,
// "skip this part" skips the rest of it (and forgets its answers), and the
// stored response carries the answered part only.
func TestExtrasThroughTheForm(t *testing.T) {
	units := slices.Clone(testUnits)
	for i := range units {
		if units[i].Code == "DISDUKCAPIL" {
			units[i].Extras = []survey.Extra{
				{Questionnaire: survey.QuestionnaireOf(survey.SPKP), Scale: 6, Report: survey.ReportMean},
				{Questionnaire: survey.QuestionnaireOf(survey.SPAK), Scale: 4, Report: survey.Report100, Bands: true},
			}
		}
	}
	s := newSiteOf(t, units, nil)
	b := s.browser()
	landing := b.get(posterPath("DISDUKCAPIL", 1))
	for _, want := range []string{"Sebelum saran ada bagian tambahan", "8 pernyataan tentang kualitas pelayanan", "5 pernyataan tentang anti korupsi"} {
		if !strings.Contains(landing.text(), want) {
			t.Errorf("landing lacks %q: %s", want, landing.text())
		}
	}
	p := b.follow(b.press(landing, "Isi survei di sini", ""))
	// The profile, skipped.
	for i := 0; !strings.Contains(p.text(), "Pertanyaan 1 dari 9"); i++ {
		if i > survey.FirstElementStep {
			t.Fatalf("never reached the elements: %s", p.text())
		}
		skip := "Lewati »"
		if strings.Contains(p.text(), "Berapa usia Anda") {
			skip = "Tidak ingin menjawab"
		}
		p = b.follow(b.press(p, skip, ""))
	}
	for range survey.NumElements {
		p = b.follow(b.press(p, "c2", ""))
	}
	// The SPKP: its first statement says what the part asks, on 1-6.
	for _, want := range []string{"Persepsi Kualitas Pelayanan 1/8", "Seberapa setuju Anda", "Informasi pelayanan tersedia", "Sangat setuju", "Lewati bagian ini »"} {
		if !strings.Contains(p.text(), want) {
			t.Errorf("first SPKP page lacks %q: %s", want, p.text())
		}
	}
	for i := range 8 {
		p = b.follow(b.press(p, "c"+strconv.Itoa(i%6), ""))
	}
	// The SPAK: two answers, then the part skipped.
	if !strings.Contains(p.text(), "Persepsi Anti Korupsi 1/5") || strings.Contains(p.text(), "Cukup setuju") {
		t.Fatalf("first SPAK page, on 1-4: %s", p.text())
	}
	p = b.follow(b.press(p, "c3", ""))
	p = b.follow(b.press(p, "c3", ""))
	p = b.follow(b.press(p, "Lewati bagian ini »", ""))
	thanks := b.follow(b.press(p, "Lewati »", ""))
	if !strings.Contains(thanks.text(), "Terima kasih!") {
		t.Fatalf("no thanks: %s", thanks.text())
	}
	complete, _ := s.responses()
	if len(complete) != 1 {
		t.Fatalf("%d responses", len(complete))
	}
	want := []survey.Block{{Key: survey.SPKP, Scale: 6, Scores: []uint8{1, 2, 3, 4, 5, 6, 1, 2}}}
	if got := complete[0].Blocks; !reflect.DeepEqual(got, want) {
		t.Errorf("stored blocks %+v, want %+v", got, want)
	}
	err := s.st.View(func(tx *store.Tx) error {
		problems, err := tx.VerifyAggregates()
		if len(problems) > 0 {
			t.Errorf("aggregates against a recount: %v", problems)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
