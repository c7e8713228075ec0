package bot

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/ikmbot/ikmbot/export"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// The golden transcripts are the main tests of the bot: each plays a whole
// conversation against the fake Bot API and a real database file, and
// compares every Bot API call with testdata/NAME.txtar. Regenerate with
// go test ./bot -update, then review the diff.

func TestGoldenFullSurvey(t *testing.T) {
	h := golden(t, "full_survey")
	tally, err := h.st.Tally("DISDUKCAPIL", survey.PeriodOf(survey.PeriodYear, h.now))
	if err != nil {
		t.Fatal(err)
	}
	if tally.Respondents != 1 {
		t.Errorf("stored respondents = %d, want 1", tally.Respondents)
	}
	// Sesuai 3, Sangat mudah 4, Cepat 3, Gratis 4, Sesuai 3, Kompeten 3,
	// Sangat sopan 4, Berfungsi kurang maksimal 3, Baik 3: 30/9 x 25 = 83.33.
	if got := tally.Result(survey.ExactWeights).IKM2; got != 83.33 {
		t.Errorf("IKM = %v, want 83.33", got)
	}
}

func TestGoldenResumeAfterRestart(t *testing.T) {
	h := golden(t, "resume_restart")
	tally, err := h.st.Tally("PKM-KRANJI", survey.PeriodOf(survey.PeriodYear, h.now))
	if err != nil {
		t.Fatal(err)
	}
	if tally.Respondents != 1 {
		t.Fatalf("respondents = %d, want 1 after a survey spanning restarts", tally.Respondents)
	}
	// The answer changed with "back" counts, not the first one.
	if got := tally.Dist[survey.ElementIndex(survey.Prosedur)]; got != [4]uint32{0, 0, 0, 1} {
		t.Errorf("prosedur answers = %v, want one 4 (changed from 3)", got)
	}
}

func TestGoldenStaleButton(t *testing.T)    { golden(t, "stale_button") }
func TestGoldenDoubleTap(t *testing.T)      { golden(t, "double_tap") }
func TestGoldenRedelivered(t *testing.T)    { golden(t, "redelivered") }
func TestGoldenStartMidSurvey(t *testing.T) { golden(t, "start_midsurvey") }
func TestGoldenPicker(t *testing.T)         { golden(t, "picker") }
func TestGoldenMediaMidSurvey(t *testing.T) { golden(t, "media_midsurvey") }
func TestGoldenEnglish(t *testing.T)        { golden(t, "english") }
func TestGoldenAdminRefusal(t *testing.T)   { golden(t, "admin_refusal") }
func TestGoldenBackAndLimits(t *testing.T)  { golden(t, "back_and_limits") }

func TestGoldenExpiry(t *testing.T) {
	h := golden(t, "expiry")
	err := h.st.View(func(tx *store.Tx) error {
		complete, incomplete, err := tx.CountResponses()
		if err != nil {
			return err
		}
		if complete != 0 || incomplete != 3 {
			t.Errorf("complete, incomplete = %d, %d; want 0, 3 (expired answers kept, never counted)", complete, incomplete)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGoldenRepeatRespondent(t *testing.T) {
	h := golden(t, "repeat_respondent")
	tally, _ := h.st.Tally("PKM-PEJUANG", survey.PeriodOf(survey.PeriodYear, h.now))
	if tally.Respondents != 1 {
		t.Errorf("respondents = %d, want 1", tally.Respondents)
	}
}

func TestGoldenRepeatReplace(t *testing.T) {
	h := golden(t, "repeat_replace", func(c *Config) { c.AllowReplace = true })
	tally, _ := h.st.Tally("PKM-PEJUANG", survey.PeriodOf(survey.PeriodYear, h.now))
	if tally.Respondents != 1 {
		t.Errorf("respondents = %d, want 1 (replaced, not added)", tally.Respondents)
	}
	if got := tally.Result(survey.ExactWeights).IKM2; got != 25 {
		t.Errorf("IKM = %v, want 25 from the replacing all-1 answers", got)
	}
}

func TestGoldenLostReply(t *testing.T) { golden(t, "lost_reply") }

func TestGoldenLostThanks(t *testing.T) { golden(t, "lost_thanks") }

// TestGoldenNetworkFaults: a call that hangs and calls whose connection
// drops after Telegram acted; the survey goes on, no answer is lost or
// counted twice.
func TestGoldenNetworkFaults(t *testing.T) {
	h := golden(t, "network_faults")
	var chat store.Chat
	err := h.st.View(func(tx *store.Tx) (err error) { chat, err = tx.Chat(1001); return err })
	if err != nil || chat.Session == nil {
		t.Fatalf("chat = %+v, %v; want the survey open", chat, err)
	}
	if got := chat.Session.Profile; got.Gender == "" || got.Age != 41 || got.Education == "" || got.Occupation == "" {
		t.Errorf("profile = %+v, want gender, age 41, education and occupation", got)
	}
}

// TestGoldenCounterRotate: /loket ganti replaces one unit's counter key;
// the old screen's code is refused at once, the new key's is verified, and
// nothing else changes.
func TestGoldenCounterRotate(t *testing.T) {
	h := golden(t, "counter_rotate")
	if got := storedVia(t, h, 1001); got != survey.ViaCounter {
		t.Errorf("the survey begun before the rotation is via %q, want %q", got, survey.ViaCounter)
	}
	if got := storedVia(t, h, 1002); got != "" {
		t.Errorf("the survey offered after the old key's code is via %q, want unverified", got)
	}
	if got := storedVia(t, h, 1003); got != survey.ViaCounter {
		t.Errorf("the survey opened by the new key's code is via %q, want %q", got, survey.ViaCounter)
	}
	err := h.st.View(func(tx *store.Tx) error {
		for unit, want := range map[string]int{"DISDUKCAPIL": 2, "PKM-KRANJI": 1} {
			if gen, err := tx.CounterKeyGeneration(unit); err != nil || gen != want {
				t.Errorf("%s counter key generation = %d, %v; want %d", unit, gen, err, want)
			}
		}
		if v, err := tx.PosterVersion("DISDUKCAPIL"); err != nil || v != 1 {
			t.Errorf("poster version = %d, %v; want 1 (a counter key is no poster)", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// withZI makes DPMPTSP a unit on its way to Zona Integritas: after the
// SKM it asks the SPKP on 1-6 (reported as the mean) and the SPAK on 1-4
// (out of 100, on the SKM bands). Every other unit asks the SKM alone, so
// their transcripts stay as they were.
func withZI(c *Config) {
	units := c.Catalog.Units()
	out := make([]survey.Unit, len(units))
	for i, u := range units {
		if u.Code == "DPMPTSP" {
			u.Extras = []survey.Extra{
				{Questionnaire: survey.QuestionnaireOf(survey.SPKP), Scale: 6, Report: survey.ReportMean},
				{Questionnaire: survey.QuestionnaireOf(survey.SPAK), Scale: 4, Report: survey.Report100, Bands: true},
			}
		}
		out[i] = u
	}
	c.Catalog = survey.NewCatalog(out, c.Catalog.Types()...)
}

// TestGoldenExtrasAnswered: a respondent of a unit that asks the SPKP and
// the SPAK answers the SKM and both, in one conversation; the answers are
// stored with the response and counted in the unit's IPKP and IPAK, apart
// from its IKM, which /ikm shows beside the IKM, each with its own
// respondents (a paper form without them counts in the IKM alone).
func TestGoldenExtrasAnswered(t *testing.T) {
	h := golden(t, "extras_answered", withZI)
	u, _ := h.cfg.Catalog.Unit("DPMPTSP")
	year := survey.PeriodOf(survey.PeriodYear, h.now)
	err := h.st.View(func(tx *store.Tx) error {
		tally, err := tx.Tally("DPMPTSP", year)
		if err != nil || tally.Respondents != 5 {
			t.Errorf("IKM respondents = %d, %v; want 5", tally.Respondents, err)
		}
		// Sari's 6 5 6 5 4 6 5 6 and three papers' 5 6 5 6 5 6 5 6: item
		// sums 21 23 21 23 19 24 20 24 = 175 over 4 answers each, so the
		// mean of the item means is 175/32 = 5.46875 -> 5.47 (on 1-6).
		spkp, _ := u.ExtraOf(survey.SPKP)
		it, err := tx.ItemTally("DPMPTSP", spkp, year)
		if r := it.Result(spkp); err != nil || r.Respondents != 4 || r.Value2 != 5.47 {
			t.Errorf("IPKP = %v from %d, %v; want 5.47 from 4", r.Value2, r.Respondents, err)
		}
		// 4 4 3 4 4 from all four: 19/5 = 3.8, x 25 = 95.00, A.
		spak, _ := u.ExtraOf(survey.SPAK)
		it, err = tx.ItemTally("DPMPTSP", spak, year)
		if r := it.Result(spak); err != nil || r.Respondents != 4 || r.Value2 != 95 || r.Mutu != survey.MutuA {
			t.Errorf("IPAK = %v %s from %d, %v; want 95 A from 4", r.Value2, r.Mutu, r.Respondents, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f := sentXLSX(t, h, "DPMPTSP-skm-2026.xlsx")
	for _, sheet := range []string{"Rekap IPKP", "IPKP DPMPTSP", "Rekap IPAK", "IPAK DPMPTSP"} {
		if rows, err := f.GetRows(sheet); err != nil || len(rows) < 7+4 {
			t.Errorf("sheet %s: %d rows, %v; want its 4 respondents and totals", sheet, len(rows), err)
		}
	}
	for _, name := range []string{"DPMPTSP-ipkp-2026.png", "DPMPTSP-ipak-2026.png"} {
		if img, err := png.Decode(bytes.NewReader(sentFile(t, h, name))); err != nil || img.Bounds().Dx() != export.ChartWidth {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestGoldenExtrasSkipped: the SPKP skipped at its first statement, the
// SPAK after two answers (which go with it), and back from the suggestion
// into a skipped part starts it again. The response counts in the IKM and
// in neither index.
func TestGoldenExtrasSkipped(t *testing.T) {
	h := golden(t, "extras_skipped", withZI)
	u, _ := h.cfg.Catalog.Unit("DPMPTSP")
	year := survey.PeriodOf(survey.PeriodYear, h.now)
	err := h.st.View(func(tx *store.Tx) error {
		if tally, err := tx.Tally("DPMPTSP", year); err != nil || tally.Respondents != 1 {
			t.Errorf("IKM respondents = %d, %v; want 1", tally.Respondents, err)
		}
		for _, x := range u.Extras {
			if it, err := tx.ItemTally("DPMPTSP", x, year); err != nil || it.Respondents != 0 {
				t.Errorf("%s respondents = %d, %v; want none", x.Index, it.Respondents, err)
			}
		}
		return tx.ForEachResponse(func(r survey.Response) error {
			if len(r.Blocks) != 0 {
				t.Errorf("stored blocks %+v, want none", r.Blocks)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
