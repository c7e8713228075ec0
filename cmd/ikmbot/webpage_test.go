package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/web"
	"github.com/ikmbot/ikmbot/web/webtest"
)

// TestWebUnitPageMatchesReport opens a unit's public page in Chromium on a
// phone and reads every figure it shows against ikmbot report --format
// json of the same database and period: IKM, mutu, respondents, sample
// target, each element's NRR and mutu, the web and verified parts and the
// follow-up plans.
func TestWebUnitPageMatchesReport(t *testing.T) {
	root := webtest.Chromium(t)
	setClock(t, lateIn2026)
	cfg := bekasi(t)
	db := filepath.Join(t.TempDir(), "ikmbot.db")
	st, err := store.Open(db, store.Options{Location: jakarta, Units: cfg.Catalog.Unit})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 2, 3, 9, 0, 0, 0, jakarta)
	err = st.Update(func(tx *store.Tx) error {
		for i := range 157 {
			var sc survey.Scores
			for e := range sc {
				sc[e] = uint8(1 + (i*7+e*e+i/5)%4)
			}
			if i%11 == 0 {
				sc[3] = 0
			}
			r := survey.Response{Unit: "DISDUKCAPIL", Submitted: created.AddDate(0, 0, i*2), Source: survey.SourceTelegram, Scores: sc,
				Respondent: fmt.Sprint("r", i)}
			if i%3 == 0 {
				r.Source = survey.SourceWeb
			}
			if i%7 == 0 {
				r.Via = survey.ViaCounter
			}
			if _, err := tx.AddCompleted(&r, "2026", false); err != nil {
				return err
			}
		}
		for i := range 3 {
			seq, err := tx.AddFollowUp(survey.FollowUp{Unit: "DISDUKCAPIL", Element: survey.Waktu, Action: fmt.Sprint("Rencana ", i), Status: survey.FollowUpOpen, By: 1, Created: created})
			if err != nil {
				return err
			}
			if i > 0 {
				if _, err := tx.SetFollowUpStatus("DISDUKCAPIL", seq, survey.FollowUpDone, 9001, created.AddDate(0, 0, 20*i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"report", "--db", db, "--unit", "DISDUKCAPIL", "--period", "2026", "--format", "json"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rep unitReportJSON
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(db, store.Options{Location: jakarta, Units: cfg.Catalog.Unit})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wc, err := webConfig(cfg, []byte("0123456789abcdef-webpage-test"), survey.ExactWeights, "BekasiIKMBot", webFlags{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	wc.Now = cmdNow
	site, err := web.New(wc, st)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	p := webtest.NewPhone(t, root, srv.URL, false)
	p.Open("/u/DISDUKCAPIL?p=2026")
	doc, _, _ := p.HTML()
	text := p.Text()

	num := func(x float64) string { return fmt.Sprintf("%.2f", survey.Round2(x)) }
	comma := func(x float64) string { return strings.Replace(num(x), ".", ",", 1) }
	if got := webtest.DataValue(doc, "", "", "ikm"); got != num(*rep.IKM) {
		t.Errorf("page IKM %s, report %v", got, *rep.IKM)
	}
	if got := webtest.DataValue(doc, "", "", "respondents"); got != fmt.Sprint(rep.Respondents) {
		t.Errorf("page respondents %s, report %d", got, rep.Respondents)
	}
	target := fmt.Sprintf("%d responden (target sampel belum diketahui)", rep.Respondents)
	if rep.SampleTarget != nil {
		target = fmt.Sprintf("%d responden dari target sampel %d", rep.Respondents, *rep.SampleTarget)
	}
	for _, want := range []string{
		target,
		"Kinerja unit pelayanan: " + *rep.Kinerja,
		fmt.Sprintf("Lewat formulir di situs ini: IKM %s, mutu %s (%d responden)", comma(*rep.Web.IKM), *rep.Web.Mutu, rep.Web.Respondents),
		fmt.Sprintf("Terverifikasi di layar loket: IKM %s, mutu %s (%d responden)", comma(*rep.Verified.IKM), *rep.Verified.Mutu, rep.Verified.Respondents),
		fmt.Sprintf("%d dari %d rencana selesai (%s %%); %d selesai dalam 30 hari; median %d hari", rep.FollowUps.Done, rep.FollowUps.Planned,
			comma(*rep.FollowUps.Share), rep.FollowUps.DoneWithin30Days, *rep.FollowUps.MedianDays),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q (from the report): %s", want, text)
		}
	}
	if !strings.Contains(text, *rep.Mutu) {
		t.Errorf("the page lacks the grade %s", *rep.Mutu)
	}
	for _, e := range rep.Elements {
		got := webtest.DataValue(doc, "data-element", e.Key, "nrr")
		if e.NRR == nil {
			if got != "" {
				t.Errorf("%s: page NRR %s, report none", e.Key, got)
			}
			continue
		}
		if got != num(*e.NRR) {
			t.Errorf("%s: page NRR %s, report %v", e.Key, got, *e.NRR)
		}
	}
	if rep.Respondents != 157 || rep.Web.Respondents == 0 || rep.Verified.Respondents == 0 || rep.FollowUps.Done != 2 {
		t.Errorf("the fixture does not reach every figure: %s", out.String())
	}
}
