package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/report"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web/webtest"
)

// secretWords are planted in what must never be published: a suggestion,
// and the person in charge of a follow-up plan.
const (
	secretSuggestion = "RAHASIA-SARAN-JANGAN-TAMPIL"
	secretOwner      = "Budi Santoso Penanggung"
)

// seed stores n responses over 2026 at the test units, a third of them
// from the web and some verified, with profiles (one rare education, to
// be suppressed), suggestions, and follow-up plans, one done in 12 days.
func (s *site) seed(n int) {
	s.seedFrom(0, n, true)
}

// seedFrom stores responses from..to-1 of seed's sequence, and the plans
// when plans is set.
func (s *site) seedFrom(from, to int, plans bool) {
	s.t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	err := s.st.Update(func(tx *store.Tx) error {
		for i := from; i < to; i++ {
			u := testUnits[i%len(testUnits)]
			var sc survey.Scores
			for e := range sc {
				sc[e] = uint8(1 + rng.IntN(4))
			}
			r := survey.Response{
				Unit: u.Code, Submitted: time.Date(2026, time.Month(1+i%5), 1+i%27, 10, 0, 0, 0, s.loc), Source: survey.SourceTelegram,
				Respondent: fmt.Sprintf("r%d", i), Scores: sc,
				Profile: survey.Profile{Gender: survey.Genders[i%2], Age: 18 + i%60, Education: survey.Educations[i%3], Service: u.Services[i%len(u.Services)]},
			}
			if i == 6 {
				r.Profile.Education = "S3" // the only one: suppressed
			}
			if i%3 == 0 {
				r.Source = survey.SourceWeb
			}
			if i%10 == 2 || i%10 == 1 {
				r.Via = survey.ViaCounter
			}
			if i%4 == 0 {
				r.Suggestion = secretSuggestion
			}
			if _, err := tx.AddCompleted(&r, "2026", false); err != nil {
				return err
			}
		}
		if !plans {
			return nil
		}
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, s.loc)
		for i, action := range []string{"Tambah kursi ruang tunggu", "Papan informasi tarif"} {
			seq, err := tx.AddFollowUp(survey.FollowUp{Unit: "DISDUKCAPIL", Element: survey.Sarana, Action: action, Owner: secretOwner,
				Due: at.AddDate(0, 1, 0), Status: survey.FollowUpOpen, By: 99, Created: at})
			if err != nil {
				return err
			}
			if i == 0 {
				if _, err := tx.SetFollowUpStatus("DISDUKCAPIL", seq, survey.FollowUpDone, 9001, at.AddDate(0, 0, 12)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

func dataValue(r response, attrName, key, class string) string {
	return webtest.DataValue(r.doc, attrName, key, class)
}

// TestPublishedPages reads the city page, a unit page, the method, the
// kiosk view and the open data against package report's figures, and
// checks that nothing personal is ever published.
func TestPublishedPages(t *testing.T) {
	s := newSite(t, nil)
	s.seed(120)
	b := s.browser()
	p2026, _ := survey.ParsePeriod("2026", s.loc)
	var sum survey.CitySummary
	if err := s.st.View(func(tx *store.Tx) error {
		var err error
		sum, err = report.Summary(tx, s.srv.cfg.Catalog.Units(), p2026, survey.ExactWeights)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var pages []response

	city := b.get("/")
	pages = append(pages, city)
	if city.status != http.StatusOK || city.h1() != "Indeks Kepuasan Masyarakat Kota Bekasi" {
		t.Fatalf("city page: %d %q", city.status, city.h1())
	}
	if got, want := dataValue(city, "", "", "ikm"), fmt.Sprintf("%.2f", sum.Pooled.IKM2); got != want {
		t.Errorf("city IKM %s, want %s", got, want)
	}
	for _, us := range sum.Units {
		if got, want := dataValue(city, "data-unit", us.Unit.Code, ""), fmt.Sprintf("%.2f", us.Result.IKM2); !strings.Contains(city.body, `data-unit="`+us.Unit.Code+`"`) || got == "" && want != "" {
			t.Errorf("%s on the city page: %q, want %s", us.Unit.Code, got, want)
		}
	}
	if !strings.Contains(city.text(), "Lewat formulir di situs ini: 40 dari 120 responden") {
		t.Errorf("city page lacks the web share: %s", city.text())
	}

	// The ETag: the same page again is 304, and changes with the data.
	etag := city.header.Get("ETag")
	b.header.Set("If-None-Match", etag)
	if again := b.get("/"); again.status != http.StatusNotModified {
		t.Errorf("with If-None-Match: %d, want 304", again.status)
	}
	s.seedFrom(120, 121, false)
	if again := b.get("/"); again.status != http.StatusNotModified {
		t.Errorf("within a second of a new response: %d, want the page kept (304)", again.status)
	}
	s.clock.Add(pageCacheTTL)
	if again := b.get("/"); again.status != http.StatusOK || again.header.Get("ETag") == etag {
		t.Errorf("after a new response: %d, ETag %s (was %s)", again.status, again.header.Get("ETag"), etag)
	}
	b.header.Del("If-None-Match")

	unit := b.get(city.link("Dinas Kependudukan dan Pencatatan Sipil"))
	pages = append(pages, unit)
	if unit.status != http.StatusOK || unit.h1() != "Dinas Kependudukan dan Pencatatan Sipil" {
		t.Fatalf("unit page: %d %q", unit.status, unit.h1())
	}
	var res survey.Result
	if err := s.st.View(func(tx *store.Tx) error {
		var err error
		res, err = report.Result(tx, "DISDUKCAPIL", p2026, survey.ExactWeights)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := dataValue(unit, "", "", "ikm"); got != fmt.Sprintf("%.2f", res.IKM2) {
		t.Errorf("unit IKM %s, want %.2f", got, res.IKM2)
	}
	for _, e := range res.Elements {
		if got := dataValue(unit, "data-element", string(e.Key), "nrr"); got != fmt.Sprintf("%.2f", survey.Round2(e.NRR)) {
			t.Errorf("%s NRR %s, want %.2f", e.Key, got, survey.Round2(e.NRR))
		}
	}
	for _, want := range []string{
		"1 dari 2 rencana selesai (50,00 %); 1 selesai dalam 30 hari; median 12 hari sampai selesai.",
		"Tambah kursi ruang tunggu", "selesai 2026-03-14 (12 hari)",
		"Lewat formulir di situs ini: IKM", "Terverifikasi di layar loket: IKM",
		"Profil responden",
	} {
		if !strings.Contains(unit.text(), want) {
			t.Errorf("unit page lacks %q: %s", want, unit.text())
		}
	}
	// The profile is published under the disclosure rule, as the chat and
	// the XLSX publish it: month by month, small counts withheld and
	// counted together as not shown. The one S3 graduate never shows.
	if !strings.Contains(unit.text(), "Pendidikan SD 5 tidak ditampilkan 44 ") || strings.Contains(unit.text(), "S3") {
		t.Errorf("education profile not published under the disclosure rule: %s", unit.text())
	}

	method := b.get("/metode")
	kiosk := b.get("/kiosk?p=2026-Q1")
	data := b.get("/data")
	pages = append(pages, method, kiosk, data)
	if !strings.Contains(method.text(), "Peraturan Menteri PANRB Nomor 14 Tahun 2017") || !strings.Contains(method.text(), "bobot 1/9") {
		t.Errorf("method: %s", method.text())
	}
	if !strings.Contains(kiosk.body, `<meta http-equiv="refresh" content="60">`) || !strings.Contains(kiosk.text(), "2026-Q1") {
		t.Errorf("kiosk: %s", kiosk.body)
	}
	if !strings.Contains(data.text(), s.srv.summaryKey) {
		t.Errorf("open data page lacks the summary key")
	}

	js := b.get("/data/2026.json")
	var d dataJSON
	if err := json.Unmarshal([]byte(js.body), &d); err != nil {
		t.Fatalf("open data JSON: %v", err)
	}
	if d.Respondents != 121 || len(d.Units) != len(testUnits) || d.Units[0].FollowUps.Done != 1 || d.Units[0].Web.Respondents == 0 {
		t.Errorf("open data: %+v", d)
	}
	cs := b.get("/data/2026-Q1.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(cs.body, "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 1+len(testUnits) || rows[0][0] != "kode" {
		t.Errorf("open data CSV: %v, %q", err, cs.body)
	}
	for _, pg := range append(pages, js, cs) {
		if strings.Contains(pg.body, secretSuggestion) || strings.Contains(pg.body, secretOwner) {
			t.Errorf("%s publishes a suggestion or a person's name", pg.url)
		}
	}
	for _, bad := range []string{"/?p=2026-01-01..2026-03-31", "/u/DISDUKCAPIL?p=kemarin", "/data/x.json", "/data/2026.xml", "/u/NOSUCH"} {
		if res := b.get(bad); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, res.status)
		}
	}
	// English, and other periods of the same page.
	en := b.get("/u/DISDUKCAPIL?p=2026&lang=en")
	if !strings.Contains(en.text(), "1 of 2 plans done (50.00 %)") {
		t.Errorf("English unit page: %s", en.text())
	}
	if q := b.get("/u/DISDUKCAPIL?p=2026-02"); q.status != http.StatusOK || !strings.Contains(q.text(), "2026-02") {
		t.Errorf("a month's unit page: %d", q.status)
	}
}
