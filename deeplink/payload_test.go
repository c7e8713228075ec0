package deeplink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

var testSecret = []byte("0123456789abcdef-test-secret")

// startParamAlphabet is every character Telegram allows in a start parameter.
const startParamAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

func TestSignVerifyRoundTrip(t *testing.T) {
	codes := []string{"DISDUKCAPIL", "PKM-KRANJI", "RSUD-CAM", "a", "x_y-z", "-v1-", "A-v2-B", strings.Repeat("Z", 32), strings.Repeat("-", 32)}
	for _, code := range codes {
		for _, v := range []int{1, 2, 10, MaxPosterVersion} {
			p := SignPayload(testSecret, code, v)
			if len(p) > MaxPayloadLen || !startParam(p) {
				t.Errorf("SignPayload(%q, %d) = %q: not a valid start parameter", code, v, p)
			}
			got, err := VerifyPayload(testSecret, p)
			if want := (Payload{Code: code, Version: v, Signed: true}); err != nil || got != want {
				t.Errorf("VerifyPayload(%q) = %+v, %v; want %+v", p, got, err, want)
			}
			if !LooksSigned(p) {
				t.Errorf("LooksSigned(%q) = false", p)
			}
		}
	}
	// The longest code at the highest version stays within Telegram's 64.
	if p := SignPayload(testSecret, strings.Repeat("Z", 32), MaxPosterVersion); len(p) != 53 {
		t.Errorf("longest payload is %d characters, want 53", len(p))
	}
}

func TestVerifyPayloadKinds(t *testing.T) {
	tests := []struct {
		payload string
		want    Payload
		err     error
	}{
		{"DISDUKCAPIL", Payload{Code: "DISDUKCAPIL"}, nil},
		{"pkm-kranji", Payload{Code: "pkm-kranji"}, nil},
		{"DISDUKCAPIL-v1", Payload{Code: "DISDUKCAPIL-v1"}, nil},
		{"DISDUKCAPIL-v1-hSl288wD", Payload{Code: "DISDUKCAPIL-v1-hSl288wD"}, nil},         // cut short
		{"DISDUKCAPIL-v0-hSl288wDl-GD", Payload{Code: "DISDUKCAPIL-v0-hSl288wDl-GD"}, nil}, // no version 0
		{"DISDUKCAPIL-v01-hSl288wDl-G", Payload{Code: "DISDUKCAPIL-v01-hSl288wDl-G"}, nil}, // no leading zero
		{"-v1-hSl288wDl-GD", Payload{Code: "-v1-hSl288wDl-GD"}, nil},                       // no code
		{"DISDUKCAPIL-v1-hSl288wDl-GD", Payload{Code: "DISDUKCAPIL", Version: 1, Signed: true}, nil},
		{"DISDUKCAPIL-v1-hSl288wDl-GE", Payload{Code: "DISDUKCAPIL", Version: 1}, ErrPayloadForged},
		{"DISDUKCAPIL-v1-mvjw0jY5qUXX", Payload{Code: "DISDUKCAPIL", Version: 1}, ErrPayloadForged}, // another secret
		{"", Payload{}, ErrPayloadInvalid},
		{"bad payload!", Payload{}, ErrPayloadInvalid},
		{strings.Repeat("A", 65), Payload{}, ErrPayloadInvalid},
	}
	for _, tt := range tests {
		got, err := VerifyPayload(testSecret, tt.payload)
		if got != tt.want || err != tt.err {
			t.Errorf("VerifyPayload(%q) = %+v, %v; want %+v, %v", tt.payload, got, err, tt.want, tt.err)
		}
	}
}

// TestSigningKeyIsNotTheHashKey checks that deep links are signed with a
// key derived from the secret, not the secret itself, which keys the
// respondent hashes.
func TestSigningKeyIsNotTheHashKey(t *testing.T) {
	msg := "DISDUKCAPIL-v1"
	direct := hmac.New(sha256.New, testSecret)
	direct.Write([]byte(msg))
	if payloadSig(testSecret, msg) == base64.RawURLEncoding.EncodeToString(direct.Sum(nil)[:sigBytes]) {
		t.Error("the deep-link signature is keyed by the server secret itself")
	}
}

func FuzzVerifyPayload(f *testing.F) {
	secret := []byte("0123456789abcdef-fuzz-secret")
	for _, s := range []string{SignPayload(secret, "PKM-KRANJI", 1), SignPayload(secret, "A", 999999), "DISDUKCAPIL", "X-v1-", "-v-", "a-v01-AAAAAAAAAAAA", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		p, err := VerifyPayload(secret, payload)
		if err != nil || !p.Signed {
			if p.Signed {
				t.Errorf("VerifyPayload(%q) failed (%v) yet says signed", payload, err)
			}
			return
		}
		// Whatever verifies must be exactly what signing that unit and
		// version produces: no second spelling of a valid link.
		if again := SignPayload(secret, p.Code, p.Version); again != payload {
			t.Errorf("VerifyPayload(%q) = %+v, but signing that gives %q", payload, p, again)
		}
	})
}
