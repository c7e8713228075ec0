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
