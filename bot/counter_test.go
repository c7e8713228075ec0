package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// TestCounterStepAndGrace moves the bot's clock (Config.Now) across the
// life of one code: refused before its step (beyond the clock-skew
// allowance), verified through its step and the next, refused after.
func TestCounterStepAndGrace(t *testing.T) {
	for _, step := range []time.Duration{deeplink.MinCounterStep, deeplink.DefaultCounterStep, deeplink.MaxCounterStep} {
		h := newHarness(t)
		start := time.Unix(1773108000, 0) // a step boundary for all three
		payload := deeplink.CounterCodeAt("DISDUKCAPIL", step, start).Payload(deeplink.CounterKey(testSecret, "DISDUKCAPIL", 1))
		tests := []struct {
			offset   time.Duration
			verified bool
			why      string
		}{
			{-deeplink.CounterClockSkew - time.Second, false, "before its step, beyond the skew allowance"},
			{-deeplink.CounterClockSkew, true, "a counter clock a minute fast"},
			{-time.Second, true, "a second before its step"},
			{0, true, "its first second"},
			{step - time.Second, true, "its last second"},
			{step, true, "the next step's first second: grace"},
			{2*step - time.Second, true, "the last second of grace"},
			{2 * step, false, "two steps on"},
			{24 * time.Hour, false, "a day on"},
		}
		for _, tt := range tests {
			h.now = start.Add(tt.offset)
			err := h.st.View(func(tx *store.Tx) error {
				c := &conv{b: h.bot, tx: tx, now: h.bot.now()}
				from, refusal, err := c.resolvePayload(payload)
				if err != nil {
					return err
				}
				switch {
				case tt.verified && (refusal != "" || from.via != survey.ViaCounter || from.unit.Code != "DISDUKCAPIL"):
					t.Errorf("step %v, %v (%s): refused %q, via %q; want verified", step, tt.offset, tt.why, refusal, from.via)
				case !tt.verified && (refusal != "counter.stale" || from.unit.Code != "DISDUKCAPIL" || from.via != ""):
					t.Errorf("step %v, %v (%s): refusal %q, unit %q, via %q; want counter.stale offering DISDUKCAPIL unverified", step, tt.offset, tt.why, refusal, from.unit.Code, from.via)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestTamperedCounterCodesNeverVerify changes every character of genuine
// counter payloads to every other allowed character, drops each one and
// adds one: nothing that results may open a verified survey.
func TestTamperedCounterCodesNeverVerify(t *testing.T) {
	h := newHarness(t)
	var payloads []string
	for _, u := range h.cfg.Catalog.Units() {
		payloads = append(payloads, deeplink.CounterCodeAt(u.Code, 5*time.Minute, h.now).Payload(deeplink.CounterKey(testSecret, u.Code, 1)))
	}
	err := h.st.View(func(tx *store.Tx) error {
		c := &conv{b: h.bot, tx: tx, now: h.bot.now()}
		check := func(p string) {
			t.Helper()
			if from, refusal, err := c.resolvePayload(p); err != nil || refusal == "" || from.via == survey.ViaCounter {
				t.Errorf("tampered counter payload %q opens %s (via %q), refusal %q, err %v", p, from.unit.Code, from.via, refusal, err)
			}
		}
		for _, p := range payloads {
			if from, refusal, err := c.resolvePayload(p); refusal != "" || err != nil || from.via != survey.ViaCounter {
				t.Fatalf("genuine counter payload %q: %+v, %q, %v", p, from, refusal, err)
			}
			for i := range len(p) {
				for _, r := range startParamAlphabet {
					if byte(r) != p[i] {
						check(p[:i] + string(r) + p[i+1:])
					}
				}
				check(p[:i] + p[i+1:])
			}
			for _, r := range startParamAlphabet {
				check(p + string(r))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storedVia is how the chat's open survey was entered, as stored.
func storedVia(t *testing.T, h *harness, chatID int64) survey.Via {
	t.Helper()
	var via survey.Via = "(no survey open)"
	err := h.st.View(func(tx *store.Tx) error {
		chat, err := tx.Chat(chatID)
		if err == nil && chat.Session != nil {
			via = chat.Session.Via
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return via
}

// TestGoldenCounterFresh also checks what was stored: the answer through
// the counter code is verified and counted in both keyspaces, the poster
// answer only in the total, and the counter is no poster in the funnel.
func TestGoldenCounterFresh(t *testing.T) {
	h := golden(t, "counter_fresh")
	year := survey.PeriodOf(survey.PeriodYear, h.now)
	all, err := h.st.Tally("DISDUKCAPIL", year)
	if err != nil {
		t.Fatal(err)
	}
	err = h.st.View(func(tx *store.Tx) error {
		verified, err := tx.VerifiedTally("DISDUKCAPIL", year)
		if err != nil {
			return err
		}
		if all.Respondents != 2 || verified.Respondents != 1 {
			t.Errorf("respondents: %d in all, %d verified; want 2 and 1", all.Respondents, verified.Respondents)
		}
		if got := verified.Result(survey.ExactWeights).IKM2; got != 100 {
			t.Errorf("verified IKM = %v, want 100 (Budi's answers alone)", got)
		}
		var vias []survey.Via
		if err := tx.ForEachResponse(func(r survey.Response) error { vias = append(vias, r.Via); return nil }); err != nil {
			return err
		}
		if len(vias) != 2 || vias[0] != survey.ViaCounter || vias[1] != survey.ViaPoster {
			t.Errorf("responses came via %v, want [counter poster]", vias)
		}
		funnel, err := tx.Funnel("DISDUKCAPIL")
		if err != nil || len(funnel) != 1 || funnel[0].Version != 1 || funnel[0].Scans != 1 {
			t.Errorf("funnel = %+v, %v; want only the poster's scan", funnel, err)
		}
		problems, err := tx.VerifyAggregates()
		if err != nil || len(problems) != 0 {
			t.Errorf("aggregates against a recount: %v, %v", problems, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if via := storedVia(t, h, 1002); via != survey.ViaCounter {
		t.Errorf("Ani's survey, begun in the grace step, is via %q; want counter", via)
	}
}

func TestGoldenCounterStale(t *testing.T) {
	h := golden(t, "counter_stale")
	for _, tt := range []struct {
		chat int64
		want survey.Via
	}{{1001, survey.ViaCounter}, {1002, ""}, {1004, "(no survey open)"}} {
		if got := storedVia(t, h, tt.chat); got != tt.want {
			t.Errorf("chat %d: survey via %q, want %q", tt.chat, got, tt.want)
		}
	}
}

func TestGoldenCounterForged(t *testing.T) {
	h := golden(t, "counter_forged")
	if got := storedVia(t, h, 1002); got != "" {
		t.Errorf("the survey offered after a forged code is via %q, want unverified", got)
	}
	if got := storedVia(t, h, 1001); got != "(no survey open)" {
		t.Errorf("refusals opened a survey for Budi: via %q", got)
	}
}

// TestLoketEnglishAndRefusals: the English alias rotates too and answers in
// English; a malformed command gets the usage and changes nothing; someone
// who is no admin gets the refusal and no key.
func TestLoketEnglishAndRefusals(t *testing.T) {
	h := newHarness(t)
	admin := h.srv.User(testAdmin, "Admin", "en")
	budi := h.srv.User(1001, "Budi", "id")
	last := func(u interface{ Chat() []telegramtest.Message }) string {
		msgs := u.Chat()
		return msgs[len(msgs)-1].Text
	}
	gen := func() int {
		var g int
		if err := h.st.View(func(tx *store.Tx) (err error) { g, err = tx.CounterKeyGeneration("PKM-KRANJI"); return err }); err != nil {
			t.Fatal(err)
		}
		return g
	}
	h.handle(budi.Send("/loket kunci PKM-KRANJI"))
	if got := last(budi); strings.Contains(got, "PKM-KRANJI:") || !strings.Contains(got, "hanya untuk admin kota") {
		t.Errorf("a respondent's /loket kunci: %q, want the refusal", got)
	}
	for _, cmd := range []string{"/counter", "/counter rotate", "/counter spin PKM-KRANJI", "/loket ganti PKM-KRANJI extra"} {
		h.handle(admin.Send(cmd))
		if got := last(admin); !strings.HasPrefix(got, "Usage: /loket") {
			t.Errorf("%s: %q, want the usage", cmd, got)
		}
	}
	if g := gen(); g != 1 {
		t.Fatalf("generation after malformed commands = %d, want 1", g)
	}
	h.handle(admin.Send("/counter rotate pkm-kranji"))
	want := deeplink.FormatCounterKey("PKM-KRANJI", deeplink.CounterKey(testSecret, "PKM-KRANJI", 2))
	if got := last(admin); !strings.Contains(got, "(generation 2)") || !strings.Contains(got, "<code>"+want+"</code>") {
		t.Errorf("/counter rotate: %q, want generation 2 and its key %s", got, want)
	}
	h.handle(admin.Send("/counter key PKM-KRANJI"))
	if got := last(admin); !strings.Contains(got, "<code>"+want+"</code>") {
		t.Errorf("/counter key: %q, want the current key %s", got, want)
	}
	if g := gen(); g != 2 {
		t.Errorf("generation after one rotation and one look = %d, want 2", g)
	}
}
