package bot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// The harness starts at 09:00 WIB on 10 March 2026, Unix time 1773108000:
// exactly the start of 5-minute step 5910360.
const (
	counterStep0 = int64(5910360)
	freshCode    = "DISDUKCAPIL-c5-5910360-GdTIxgF5Zhxx"
)

func TestCounterCodeAt(t *testing.T) {
	start := time.Unix(counterStep0*300, 0)
	tests := []struct {
		at   time.Time
		want int64
	}{
		{start.Add(-time.Second), counterStep0 - 1},
		{start, counterStep0},
		{start.Add(4*time.Minute + 59*time.Second), counterStep0},
		{start.Add(5 * time.Minute), counterStep0 + 1},
	}
	for _, tt := range tests {
		c := CounterCodeAt("DISDUKCAPIL", 5*time.Minute, tt.at)
		if c.N != tt.want {
			t.Errorf("step at %s = %d, want %d", tt.at.UTC().Format(time.TimeOnly), c.N, tt.want)
		}
		if !c.Start().Equal(time.Unix(tt.want*300, 0)) || c.End().Sub(c.Start()) != 5*time.Minute {
			t.Errorf("step %d runs %s to %s", c.N, c.Start(), c.End())
		}
	}
	key := CounterKey(testSecret, "DISDUKCAPIL", 1)
	if got := CounterCodeAt("DISDUKCAPIL", 5*time.Minute, start).Payload(key); got != freshCode {
		t.Errorf("payload at 09:00 = %s, want %s (the golden transcripts use it)", got, freshCode)
	}
}

// TestCounterStepAndGrace moves the bot's clock (Config.Now) across the
// life of one code: refused before its step (beyond the clock-skew
// allowance), verified through its step and the next, refused after.
func TestCounterStepAndGrace(t *testing.T) {
	for _, step := range []time.Duration{MinCounterStep, DefaultCounterStep, MaxCounterStep} {
		h := newHarness(t)
		start := time.Unix(1773108000, 0) // a step boundary for all three
		payload := CounterCodeAt("DISDUKCAPIL", step, start).Payload(CounterKey(testSecret, "DISDUKCAPIL", 1))
		tests := []struct {
			offset   time.Duration
			verified bool
			why      string
		}{
			{-counterClockSkew - time.Second, false, "before its step, beyond the skew allowance"},
			{-counterClockSkew, true, "a counter clock a minute fast"},
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

func TestVerifyCounterKinds(t *testing.T) {
	now := time.Unix(counterStep0*300, 0)
	tests := []struct {
		payload string
		err     error
	}{
		{freshCode, nil},
		{"DISDUKCAPIL-c5-5910358--EBNJpbwUGi8", ErrCounterStale},
		{"DISDUKCAPIL-c5-5910360-GdTIxgF5Zhxy", ErrPayloadForged},
		{"DISDUKCAPIL-c6-5910360-GdTIxgF5Zhxx", ErrPayloadForged},
		{"DISDUKCAPIL-c5-5910361-GdTIxgF5Zhxx", ErrPayloadForged},
		{"DISDUKCAPIL-c5-5910360-PzCpesLCH44h", ErrPayloadForged}, // the poster key
		{"DISDUKCAPIL-c05-5910360-GdTIxgF5Zhxx", ErrPayloadInvalid},
		{"DISDUKCAPIL-c5-05910360-GdTIxgF5Zhxx", ErrPayloadInvalid},
		{"DISDUKCAPIL-c0-5910360-GdTIxgF5Zhxx", ErrPayloadInvalid},
		{"DISDUKCAPIL-c16-5910360-GdTIxgF5Zhxx", ErrPayloadInvalid},
		{"DISDUKCAPIL-c5-12345678901-GdTIxgF5Zhxx", ErrPayloadInvalid},
		{"-c5-5910360-GdTIxgF5Zhxx", ErrPayloadInvalid},
		{"DISDUKCAPIL-v1-hSl288wDl-GD", ErrPayloadInvalid}, // a poster's
		{"DISDUKCAPIL", ErrPayloadInvalid},
		{"DISDUKCAPIL-c5-5910360-GdTIxgF5Zhx!", ErrPayloadInvalid},
	}
	for _, tt := range tests {
		if _, err := VerifyCounter(tt.payload, now, firstKeys(testSecret)); !errors.Is(err, tt.err) {
			t.Errorf("VerifyCounter(%q) = %v, want %v", tt.payload, err, tt.err)
		}
	}
	if LooksSigned(freshCode) || LooksCounter(SignPayload(testSecret, "PKM-c5-1", 1)) {
		t.Error("a counter payload and a poster payload can be mistaken for each other")
	}
}

// TestCounterKeys checks that each unit's counter has its own key, and
// that none is the secret, the poster key or another unit's.
func TestCounterKeys(t *testing.T) {
	a, b := CounterKey(testSecret, "DISDUKCAPIL", 1), CounterKey(testSecret, "PKM-KRANJI", 1)
	if string(a) == string(b) || string(a) == string(testSecret) {
		t.Error("counter keys are shared between units or equal the secret")
	}
	code := CounterCodeAt("PKM-KRANJI", 5*time.Minute, time.Unix(counterStep0*300, 0))
	forged := "DISDUKCAPIL" + strings.TrimPrefix(code.Payload(b), "PKM-KRANJI")
	if _, err := VerifyCounter(forged, code.Start(), firstKeys(testSecret)); !errors.Is(err, ErrPayloadForged) {
		t.Errorf("PKM-KRANJI's signature verifies for DISDUKCAPIL: %v", err)
	}
	// The longest code with the longest step number stays within 64.
	long := CounterCode{Code: strings.Repeat("Z", 32), Step: MaxCounterStep, N: 9_999_999_999}
	if p := long.Payload(a); len(p) != 60 || !startParamChars(p) {
		t.Errorf("longest counter payload %q is %d characters, want 60 valid ones", p, len(p))
	}
}

// TestTamperedCounterCodesNeverVerify changes every character of genuine
// counter payloads to every other allowed character, drops each one and
// adds one: nothing that results may open a verified survey.
func TestTamperedCounterCodesNeverVerify(t *testing.T) {
	h := newHarness(t)
	var payloads []string
	for _, u := range h.cfg.Catalog.Units() {
		payloads = append(payloads, CounterCodeAt(u.Code, 5*time.Minute, h.now).Payload(CounterKey(testSecret, u.Code, 1)))
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

func FuzzVerifyCounter(f *testing.F) {
	secret := []byte("0123456789abcdef-fuzz-secret")
	now := time.Unix(counterStep0*300, 0)
	for _, s := range []string{
		CounterCodeAt("PKM-KRANJI", 5*time.Minute, now).Payload(CounterKey(secret, "PKM-KRANJI", 1)),
		CounterCodeAt("A", time.Minute, now).Payload(CounterKey(secret, "A", 1)),
		"X-c5-1-AAAAAAAAAAAA", "-c-", "a-c15-0-AAAAAAAAAAAA", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := VerifyCounter(payload, now, firstKeys(secret))
		if err != nil {
			return
		}
		// Whatever verifies must be exactly what the counter signs for
		// that unit, step length and step: no second spelling.
		if again := c.Payload(CounterKey(secret, c.Code, 1)); again != payload {
			t.Errorf("VerifyCounter(%q) = %+v, but signing that gives %q", payload, c, again)
		}
		if !c.FreshAt(now) {
			t.Errorf("VerifyCounter(%q) accepted a code that is not fresh", payload)
		}
	})
}

// firstKeys gives generation 1's counter keys, those of units whose key
// was never rotated.
func firstKeys(secret []byte) func(string) ([]byte, error) {
	return func(code string) ([]byte, error) { return CounterKey(secret, code, 1), nil }
}

// TestCounterKeyGenerations pins generation 1 to the key counter PCs were
// given before keys had generations, and checks that every later
// generation has a key of its own that refuses the others' codes.
func TestCounterKeyGenerations(t *testing.T) {
	// Generation 1 is HMAC(HMAC(secret, "counter"), CODE), spelled out here
	// apart from CounterKey, and the key of the goldens' freshCode.
	root := hmac.New(sha256.New, testSecret)
	root.Write([]byte("counter"))
	m := hmac.New(sha256.New, root.Sum(nil))
	m.Write([]byte("DISDUKCAPIL"))
	if got := CounterKey(testSecret, "DISDUKCAPIL", 1); !bytes.Equal(got, m.Sum(nil)) {
		t.Fatalf("generation 1 key = %x, want %x: counter PCs already set up would stop verifying", got, m.Sum(nil))
	}
	const pinned = "PllgvR1PNtUvYin7IoAmsIdB6iCvs07gyxZrZSRTusk"
	if got := base64.RawURLEncoding.EncodeToString(CounterKey(testSecret, "DISDUKCAPIL", 1)); got != pinned {
		t.Errorf("generation 1 key = %s, want %s", got, pinned)
	}

	seen := map[string]string{}
	for _, code := range []string{"DISDUKCAPIL", "PKM-KRANJI"} {
		for gen := 1; gen <= 4; gen++ {
			k := string(CounterKey(testSecret, code, gen))
			name := fmt.Sprintf("%s gen %d", code, gen)
			if other, dup := seen[k]; dup {
				t.Errorf("%s has the key of %s", name, other)
			}
			seen[k] = name
			if k != string(CounterKey(testSecret, code, gen)) {
				t.Errorf("%s: the key changes from call to call", name)
			}
		}
	}
	if !bytes.Equal(CounterKey(testSecret, "DISDUKCAPIL", 0), CounterKey(testSecret, "DISDUKCAPIL", 1)) {
		t.Error("generation 0 does not give generation 1's key")
	}
	if bytes.Equal(CounterKey(testSecret, "DISDUKCAPIL", 2), CounterKey([]byte("another secret"), "DISDUKCAPIL", 2)) {
		t.Error("generation 2's key does not depend on the secret")
	}

	now := time.Unix(counterStep0*300, 0)
	second := func(string) ([]byte, error) { return CounterKey(testSecret, "DISDUKCAPIL", 2), nil }
	if _, err := VerifyCounter(freshCode, now, second); !errors.Is(err, ErrPayloadForged) {
		t.Errorf("a generation 1 code checked with generation 2's key: %v, want ErrPayloadForged", err)
	}
	rotated := CounterCodeAt("DISDUKCAPIL", 5*time.Minute, now).Payload(CounterKey(testSecret, "DISDUKCAPIL", 2))
	if _, err := VerifyCounter(rotated, now, second); err != nil {
		t.Errorf("a generation 2 code checked with its key: %v", err)
	}
	if _, err := VerifyCounter(rotated, now, firstKeys(testSecret)); !errors.Is(err, ErrPayloadForged) {
		t.Errorf("a generation 2 code checked with generation 1's key: %v, want ErrPayloadForged", err)
	}
	broken := errors.New("store failed")
	if _, err := VerifyCounter(freshCode, now, func(string) ([]byte, error) { return nil, broken }); !errors.Is(err, broken) {
		t.Errorf("VerifyCounter with a failing key lookup: %v, want its error", err)
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
	want := FormatCounterKey("PKM-KRANJI", CounterKey(testSecret, "PKM-KRANJI", 2))
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
