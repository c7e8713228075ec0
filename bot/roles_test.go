package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
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

func TestGoldenAdminMessages(t *testing.T) {
	golden(t, "admin_messages", func(c *Config) { c.BotUsername = telegramtest.DefaultUsername })
}

// TestAuditPagesFit: a unit admin of many units with long codes exports
// their units a dozen times. /audit must still answer, each page within
// Telegram's limit, and paging through it must show every entry once.
func TestAuditPagesFit(t *testing.T) {
	var units []survey.Unit
	for i := range 89 {
		units = append(units, survey.Unit{Code: "PKM-KELURAHAN-NOMOR-" + itoa(100+i), Name: "Puskesmas " + itoa(i), Type: survey.Puskesmas})
	}
	h := newHarness(t, func(c *Config) { c.Catalog = survey.NewCatalog(units) })
	err := h.st.Update(func(tx *store.Tx) error {
		for _, u := range units {
			if _, err := tx.GrantUnit(store.Grant{User: 2001, Unit: u.Code, By: testAdmin, At: h.now}); err != nil {
				return err
			}
			if _, err := tx.AddAudit(store.AuditEntry{At: h.now, By: testAdmin, Action: store.AuditGrant, Unit: u.Code, User: 2001, Detail: "command"}); err != nil {
				return err
			}
			r := survey.Response{Unit: u.Code, Submitted: h.now.Add(-time.Hour), Source: survey.SourcePaper, Scores: survey.Scores{3, 3, 3, 3, 3, 3, 3, 3, 3}}
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sari := h.srv.User(2001, "Sari", "id")
	admin := h.srv.User(testAdmin, "Admin", "id")
	h.handle(sari.Send("/id"))
	msg := sari.Chat()[len(sari.Chat())-1].ID
	const exports = 12
	for range exports {
		h.handle(sari.Callback(msg, "xm:c:2026"))
	}
	before := len(h.srv.Calls())
	h.handle(admin.Send("/audit"))
	lines := map[string]int{}
	pages := 0
	for {
		m := admin.Chat()[len(admin.Chat())-1]
		pages++
		for _, l := range strings.Split(m.Text, "\n")[1:] {
			lines[l]++
		}
		var older string
		for _, row := range m.Keyboard {
			for _, b := range row {
				if strings.HasPrefix(b.Text, "Lebih lama") {
					older = b.Data
				}
			}
		}
		if older == "" || pages > 50 {
			break
		}
		h.handle(admin.Callback(m.ID, older))
	}
	for _, c := range h.srv.Calls()[before:] {
		if c.ErrorCode != 0 {
			t.Errorf("%s refused: %d %s", c.Method, c.ErrorCode, c.Description)
		}
	}
	grants, exported := 0, 0
	for l, n := range lines {
		switch {
		case strings.Contains(l, "menjadikan 2001 admin"):
			grants += n
		case strings.Contains(l, "mengambil berkas"):
			exported += n
		default:
			t.Errorf("unexpected audit line %q", l)
		}
	}
	if grants != len(units) || exported != exports {
		t.Errorf("paging through /audit showed %d grants and %d exports in %d pages, want %d and %d", grants, exported, pages, len(units), exports)
	}
}
