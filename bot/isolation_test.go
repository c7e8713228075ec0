package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// TestUnitAdminCannotReachOtherUnits gives a unit admin of DISDUKCAPIL every
// command and every admin button, forged to name another unit (or a
// city-wide view), and checks that nothing of that unit or the city comes
// back and nothing changes.
func TestUnitAdminCannotReachOtherUnits(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.BotUsername = telegramtest.DefaultUsername })
	at := h.now.Add(-24 * time.Hour)
	const secret = "Kranji-rahasia"
	err := h.st.Update(func(tx *store.Tx) error {
		for i := range 12 {
			r := survey.Response{Unit: "PKM-KRANJI", Submitted: at, Source: survey.SourcePaper,
				Scores: survey.Scores{1, 2, 3, 4, 1, 2, 3, 4, 2}, Suggestion: secret + " " + itoa(i),
				Profile: survey.Profile{Gender: "P", Age: 40, Service: "Poli Gigi"}}
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		r := survey.Response{Unit: "DISDUKCAPIL", Submitted: at, Source: survey.SourcePaper, Scores: survey.Scores{4, 4, 4, 4, 4, 4, 4, 4, 4}}
		if err := tx.AddResponse(&r, ""); err != nil {
			return err
		}
		if _, err := tx.AddFollowUp(survey.FollowUp{Unit: "PKM-KRANJI", Element: survey.Waktu, Action: secret, Owner: secret, Status: survey.FollowUpOpen, Created: at}); err != nil {
			return err
		}
		_, err := tx.GrantUnit(store.Grant{User: 2001, Unit: "DISDUKCAPIL", By: testAdmin, At: at})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sari := h.srv.User(2001, "Sari", "id")
	h.handle(sari.Send("/ikm"))
	own := sari.Chat()[len(sari.Chat())-1]
	if !strings.Contains(own.Text, "DISDUKCAPIL") {
		t.Fatalf("the unit admin's own /ikm shows %q", own.Text)
	}

	leaks := func(what string, before int) {
		t.Helper()
		for _, c := range h.srv.Calls()[before:] {
			for _, v := range c.Params {
				for _, bad := range []string{secret, "Kranji", "KRANJI", "Kota Uji", "Peringkat", "Log audit", "Puskesmas"} {
					if strings.Contains(v, bad) {
						t.Errorf("%s: %s carries %q: %s", what, c.Method, bad, v)
					}
				}
			}
			if c.Method != "sendMessage" && c.Method != "answerCallbackQuery" {
				t.Errorf("%s: %s, want only a refusal", what, c.Method)
			}
		}
	}
	for _, cmd := range []string{
		"/ikm PKM-KRANJI", "/ikm pkm-kranji 2026", "/ikm 2026 PKM-KRANJI", "/saran PKM-KRANJI", "/saran",
		"/tindaklanjut PKM-KRANJI", "/peringkat", "/peringkat unsur", "/audit", "/admin",
		"/admin tambah 2001 PKM-KRANJI", "/admin undang PKM-KRANJI", "/cadangan", "/qr PKM-KRANJI",
	} {
		before := len(h.srv.Calls())
		h.handle(sari.Send(cmd))
		leaks(cmd, before)
	}

	year := "2026"
	forged := map[string][]string{
		"ic": {"ic:" + year},
		"it": {"it:puskesmas:" + year + ":1", "it:perangkat_daerah:" + year + ":1"},
		"iu": {"iu:PKM-KRANJI:" + year, "iu:pkm-kranji:2026-Q1"},
		"ie": {"ie:PKM-KRANJI:wakt:" + year},
		"ip": {"ip:PKM-KRANJI:" + year, "ip:PKM-KRANJI:20260101-20261231"},
		"im": {}, // a unit admin's own units: nothing to forge
		"ir": {"ir:" + year + ":1"},
		"ix": {"ix:" + year},
		"sg": {"sg:PKM-KRANJI:0", "sg:PKM-KRANJI:" + strings.Repeat("A", cursorLen)},
		"au": {"au:0"},
		"fl": {"fl:PKM-KRANJI"},
		"fn": {"fn:PKM-KRANJI:wakt"},
		"fs": {"fs:PKM-KRANJI:1:d", "fs:PKM-KRANJI:1:p"},
		"xc": {"xc:x:" + year, "xc:c:" + year, "xc:g:2026-Q1", "xc:p:" + year},
		"xt": {"xt:x:puskesmas:" + year, "xt:p:perangkat_daerah:" + year},
		"xu": {"xu:x:PKM-KRANJI:" + year, "xu:c:pkm-kranji:" + year, "xu:g:PKM-KRANJI:20260101-20261231", "xu:p:PKM-KRANJI:" + year},
		"xm": {}, // a unit admin's own units: nothing to forge
	}
	for op := range adminOps {
		if _, ok := forged[op]; !ok {
			t.Errorf("admin op %q is not tried here: add forged data for it", op)
		}
	}
	for op, datas := range forged {
		for _, data := range datas {
			if _, ok := parseAdminData(data, h.cfg.Location); !ok {
				t.Errorf("forged %q does not even parse; the test proves nothing", data)
			}
			before := len(h.srv.Calls())
			h.handle(sari.Callback(own.ID, data))
			leaks(op+" "+data, before)
			calls := h.srv.Calls()[before:]
			if len(calls) != 1 || calls[0].Method != "answerCallbackQuery" || calls[0].Params["show_alert"] != "true" {
				t.Errorf("%s: calls %v, want one refusal alert", data, calls)
			}
		}
	}
	if m := sari.Chat()[len(sari.Chat())-1]; m.ID != own.ID && strings.Contains(m.Text, "Kranji") {
		t.Errorf("the chat ends with %q", m.Text)
	}
	err = h.st.View(func(tx *store.Tx) error {
		f, err := tx.FollowUpOf("PKM-KRANJI", 1)
		if err != nil || f.Status != survey.FollowUpOpen {
			t.Errorf("the other unit's plan: %+v, %v; want it untouched", f, err)
		}
		ch, err := tx.Chat(2001)
		if err != nil || ch.Mode != "" {
			t.Errorf("the unit admin's chat is in mode %q, %v; a forged button began a plan", ch.Mode, err)
		}
		if units, _ := tx.UnitsOf(2001); len(units) != 1 {
			t.Errorf("the unit admin now administers %v", units)
		}
		if entries, _, _ := tx.Audit(0, 10); len(entries) != 0 {
			t.Errorf("refusals left audit entries: %+v", entries)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Their own unit through the same buttons works.
	before := len(h.srv.Calls())
	h.handle(sari.Callback(own.ID, "ip:DISDUKCAPIL:2026"))
	if calls := h.srv.Calls()[before:]; len(calls) < 1 || calls[len(calls)-1].Method != "editMessageText" {
		t.Errorf("own unit's profile button: %v, want the message edited", calls)
	}

	// A respondent pressing any admin button gets the same nothing.
	budi := h.srv.User(1001, "Budi", "id")
	h.handle(budi.Send("/start DISDUKCAPIL"))
	msg := budi.Chat()[len(budi.Chat())-1]
	for op, datas := range forged {
		for _, data := range append(datas, "iu:DISDUKCAPIL:2026") {
			before := len(h.srv.Calls())
			h.handle(budi.Callback(msg.ID, data))
			calls := h.srv.Calls()[before:]
			if len(calls) != 1 || calls[0].Method != "answerCallbackQuery" {
				t.Errorf("respondent, %s %s: calls %v, want one refusal", op, data, calls)
			}
		}
	}
}
