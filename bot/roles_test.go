package bot

import (
	"testing"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func TestGoldenAdminRoles(t *testing.T) {
	h := golden(t, "admin_roles")
	err := h.st.View(func(tx *store.Tx) error {
		units, err := tx.UnitsOf(2001)
		if err != nil || len(units) != 0 {
			t.Errorf("after revocation 2001 administers %v, %v; want nothing", units, err)
		}
		entries, _, err := tx.Audit(0, 100)
		if err != nil {
			return err
		}
		var acts []string
		for _, e := range entries {
			acts = append(acts, e.Action)
		}
		// Newest first: the revocation, the grant. The refused and
		// repeated commands left nothing.
		if got, want := acts, []string{store.AuditRevoke, store.AuditGrant}; !equalStrings(got, want) {
			t.Errorf("audit actions %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGoldenAdminInvite(t *testing.T) {
	h := golden(t, "admin_invite", func(c *Config) { c.BotUsername = telegramtest.DefaultUsername })
	err := h.st.View(func(tx *store.Tx) error {
		if units, _ := tx.UnitsOf(2001); !equalStrings(units, []string{"PKM-KRANJI"}) {
			t.Errorf("2001 administers %v, want [PKM-KRANJI]", units)
		}
		if units, _ := tx.UnitsOf(2002); len(units) != 0 {
			t.Errorf("2002 administers %v through a used, expired or forged link", units)
		}
		if units, _ := tx.UnitsOf(9001); len(units) != 0 {
			t.Errorf("the city admin's own press of the link stored a grant: %v", units)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInvitePayloads(t *testing.T) {
	secret := []byte("0123456789abcdef-test-secret")
	p := signInvite(secret, "AbCdEfGhIjKlMnOp")
	if len(p) != MaxPayloadLen || !isInvitePayload(p) {
		t.Fatalf("invite payload %q: %d characters, want %d in the invitation layout", p, len(p), MaxPayloadLen)
	}
	if id, ok := verifyInvite(secret, p); !ok || id != "AbCdEfGhIjKlMnOp" {
		t.Errorf("verifyInvite(own payload) = %q, %v", id, ok)
	}
	if _, ok := verifyInvite([]byte("another secret, 16+ bytes"), p); ok {
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
			if _, ok := verifyInvite(secret, q); ok {
				t.Fatalf("changed payload %q verified", q)
			}
		}
	}
	// Nothing else the bot reads is ever 64 characters long.
	longest := "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	if n := len(SignPayload(secret, longest, store.MaxPosterVersion)); n >= len(p) {
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

func TestGoldenAdminMessages(t *testing.T) {
	golden(t, "admin_messages", func(c *Config) { c.BotUsername = telegramtest.DefaultUsername })
}
