package deeplink

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckCode(t *testing.T) {
	tests := []struct {
		code string
		want error
	}{
		{"DISDUKCAPIL", nil},
		{"PKM-KRANJI", nil},
		{"a", nil},
		{"rsud_kota", nil}, // a unit type key keeps the rule too
		{strings.Repeat("Z", MaxCodeLen), nil},
		{"A-v1", nil},                 // no signature after the version
		{"A-c5-1", nil},               // nor after the step
		{"A-v1-abcdefghijk", nil},     // 11 characters are no signature
		{"A-v01-abcdefghijkl", nil},   // no leading zero in a version
		{"A-c16-1-abcdefghijkl", nil}, // no 16-minute step
		{"-v1-abcdefghijkl", nil},     // a signed payload has a code
		{"", ErrCodeEmpty},
		{strings.Repeat("Z", MaxCodeLen+1), ErrCodeTooLong},
		{strings.Repeat("é", MaxCodeLen+1), ErrCodeTooLong}, // counted in characters
		{strings.Repeat("é", MaxCodeLen), ErrCodeChars},
		{"PKM KRANJI", ErrCodeChars},
		{"PKM.KRANJI", ErrCodeChars},
		{"A-v1-abcdefghijkl", ErrCodeLooksSigned},
		{"UNIT-v999999-abcdefghijkl", ErrCodeLooksSigned},
		{"A-c5-1-abcdefghijkl", ErrCodeLooksCounter},
		{"A-c15-9999999999-abcdefghijkl", ErrCodeLooksCounter},
	}
	for _, tt := range tests {
		if got := CheckCode(tt.code); got != tt.want {
			t.Errorf("CheckCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
		if got := ValidCode(tt.code); got != (tt.want == nil) {
			t.Errorf("ValidCode(%q) = %v, want %v", tt.code, got, tt.want == nil)
		}
	}
}

// FuzzCheckCode checks what the rule is for: a code that keeps it works
// as a bare deep link, is never read as a signed payload of any kind, and
// its poster and counter payloads fit in a start parameter and read back
// to exactly that code.
func FuzzCheckCode(f *testing.F) {
	for _, s := range []string{"DISDUKCAPIL", "PKM-KRANJI", "A-v1-abcdefghijkl", "A-c5-1-abcdefghijkl", "-", "_-v-", strings.Repeat("Z", 32)} {
		f.Add(s)
	}
	now := time.Unix(counterStep0*300, 0)
	f.Fuzz(func(t *testing.T, code string) {
		if CheckCode(code) != nil {
			return
		}
		if p, err := VerifyPayload(testSecret, code); err != nil || p != (Payload{Code: code}) {
			t.Errorf("bare code %q read as %+v, %v", code, p, err)
		}
		if _, err := VerifyCounter(code, now, firstKeys(testSecret)); !errors.Is(err, ErrPayloadInvalid) {
			t.Errorf("bare code %q read as a counter code: %v", code, err)
		}
		if LooksInvite(code) {
			t.Errorf("bare code %q looks like an invitation", code)
		}
		poster := SignPayload(testSecret, code, MaxPosterVersion)
		if p, err := VerifyPayload(testSecret, poster); err != nil || p != (Payload{Code: code, Version: MaxPosterVersion, Signed: true}) {
			t.Errorf("poster payload %q of %q read as %+v, %v", poster, code, p, err)
		}
		counter := CounterCode{Code: code, Step: MaxCounterStep, N: now.Unix() / int64(MaxCounterStep/time.Second)}
		if c, err := VerifyCounter(counter.Payload(CounterKey(testSecret, code, 1)), now, firstKeys(testSecret)); err != nil || c != counter {
			t.Errorf("counter payload of %q read as %+v, %v", code, c, err)
		}
	})
}
