package deeplink

import "testing"

func TestInvitePayloads(t *testing.T) {
	secret := []byte("0123456789abcdef-test-secret")
	p := SignInvite(secret, "AbCdEfGhIjKlMnOp")
	if len(p) != MaxPayloadLen || !LooksInvite(p) {
		t.Fatalf("invite payload %q: %d characters, want %d in the invitation layout", p, len(p), MaxPayloadLen)
	}
	if id, ok := VerifyInvite(secret, p); !ok || id != "AbCdEfGhIjKlMnOp" {
		t.Errorf("VerifyInvite(own payload) = %q, %v", id, ok)
	}
	if _, ok := VerifyInvite([]byte("another secret, 16+ bytes"), p); ok {
		t.Error("a payload verified under another secret")
	}
	// Every single-character change is refused.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range p {
		for _, r := range alphabet {
			if byte(r) == p[i] {
				continue
			}
			q := p[:i] + string(r) + p[i+1:]
			if _, ok := VerifyInvite(secret, q); ok {
				t.Fatalf("changed payload %q verified", q)
			}
		}
	}
	// Nothing else the bot reads is ever 64 characters long.
	longest := "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	if n := len(SignPayload(secret, longest, MaxPosterVersion)); n >= len(p) {
		t.Errorf("a poster payload can be %d characters long, as long as an invitation", n)
	}
	counter := CounterCode{Code: longest, Step: MaxCounterStep, N: 9_999_999_999}
	if n := len(counter.Payload(CounterKey(secret, longest, 1))); n >= len(p) {
		t.Errorf("a counter payload can be %d characters long, as long as an invitation", n)
	}
	// A poster's signature cannot stand in for an invitation's: keys differ.
	if inviteSig(secret, "x") == payloadSig(secret, "x") {
		t.Error("invitation and poster signatures share a key")
	}
}
