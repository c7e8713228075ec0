package deeplink

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
)

// 09:00 WIB on 10 March 2026, Unix time 1773108000, is exactly the start of
// 5-minute step 5910360; the bot's golden transcripts scan freshCode then.
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
		t.Errorf("payload at 09:00 = %s, want %s (the bot's golden transcripts use it)", got, freshCode)
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
	if p := long.Payload(a); len(p) != 60 || !startParam(p) {
		t.Errorf("longest counter payload %q is %d characters, want 60 valid ones", p, len(p))
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

func TestCounterKeyFormat(t *testing.T) {
	key := CounterKey(testSecret, "PKM-KRANJI", 2)
	line := FormatCounterKey("PKM-KRANJI", key)
	code, got, err := ParseCounterKey(" " + line + "\n")
	if err != nil || code != "PKM-KRANJI" || !bytes.Equal(got, key) {
		t.Errorf("ParseCounterKey(FormatCounterKey) = %q, %x, %v; want PKM-KRANJI, %x", code, got, err, key)
	}
	tests := []struct {
		line, code string
		err        error
	}{
		{"PKM-KRANJI", "", ErrCounterKeyLayout},
		{"", "", ErrCounterKeyLayout},
		{line[:len(line)-3], "PKM-KRANJI", ErrCounterKeyDamaged},
		{line + "AAAA", "PKM-KRANJI", ErrCounterKeyDamaged},
		{line[:len(line)-1] + "!", "PKM-KRANJI", ErrCounterKeyDamaged},
	}
	for _, tt := range tests {
		code, key, err := ParseCounterKey(tt.line)
		if code != tt.code || key != nil || err != tt.err {
			t.Errorf("ParseCounterKey(%q) = %q, %x, %v; want %q, nil, %v", tt.line, code, key, err, tt.code, tt.err)
		}
	}
}
