package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// longCode and longType are a unit code and a unit type key at their
// longest (validCode): the worst case for every button that names them.
var (
	longCode = "PKM-" + strings.Repeat("X", 28)
	longType = survey.UnitType("tipe_" + strings.Repeat("y", 27))
)

// crawlCatalog is testUnits with a unit of the longest code, of a type
// with the longest key.
func crawlCatalog() *survey.Catalog {
	units := testUnits().Units()
	units = append(units, survey.Unit{Code: longCode, Name: "Unit Dengan Kode Terpanjang", Type: longType, Services: []string{"Layanan"}})
	return survey.NewCatalog(units)
}

// keyboardOf reads the inline keyboard a sendMessage or editMessageText
// call carried.
func keyboardOf(c telegramtest.Call) [][]struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
} {
	var kb struct {
		InlineKeyboard [][]struct {
			Text string `json:"text"`
			Data string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	_ = json.Unmarshal([]byte(c.Params["reply_markup"]), &kb)
	return kb.InlineKeyboard
}

// TestEveryButtonFitsTelegram walks every admin screen reachable from the
// admin commands, for a unit with a 32-character code of a type with a
// 32-character key, in every period form (year, semester, quarter, month
// and a date range), as a city admin and as a unit admin of several
// units, and presses every button it finds (exports only read). Every
// button any message carries must fit Telegram's 64 bytes of
// callback_data, be read back by the bot, and every message must be
// accepted by the fake Bot API, which refuses longer data as Telegram does
// (BUTTON_DATA_INVALID).
func TestEveryButtonFitsTelegram(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Catalog = crawlCatalog()
		c.TypeNames = map[survey.UnitType]string{longType: "Tipe Panjang"}
	})
	err := h.st.Update(func(tx *store.Tx) error {
		for i := range 12 {
			r := survey.Response{Unit: longCode, Submitted: h.now.AddDate(0, -i%3, -1), Source: survey.SourcePaper,
				Scores:     survey.Scores{1, 2, 3, 4, 1, 2, 3, 4, 2},
				Profile:    survey.Profile{Gender: "P", Age: 30 + i, Education: "SMA", Occupation: "Swasta", Service: "Layanan"},
				Suggestion: "saran " + itoa(i)}
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		for _, e := range survey.Elements[:3] {
			if _, err := tx.AddFollowUp(survey.FollowUp{Unit: longCode, Element: e, Action: "tindakan", Owner: "PJ", Status: survey.FollowUpOpen, Created: h.now}); err != nil {
				return err
			}
		}
		for _, code := range []string{longCode, "DISDUKCAPIL"} {
			if _, err := tx.GrantUnit(store.Grant{User: 2001, Unit: code, By: testAdmin, At: h.now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := h.srv.User(testAdmin, "Admin", "id")
	sari := h.srv.User(2001, "Sari", "id")
	rng := "2026-01-01..2026-03-10"
	starts := map[*telegramtest.User][]string{
		admin: {"/ikm", "/ikm " + longCode, "/ikm " + longCode + " " + rng, "/ikm " + rng, "/ikm " + longCode + " 2026-S1",
			"/ikm " + longCode + " 2026-Q1", "/ikm " + longCode + " 2026-03", "/peringkat " + rng, "/peringkat unsur " + rng,
			"/saran " + longCode, "/tindaklanjut " + longCode, "/audit"},
		sari: {"/ikm", "/ikm " + longCode + " " + rng, "/saran " + longCode, "/tindaklanjut " + longCode},
	}
	type press struct {
		u    *telegramtest.User
		msg  int
		data string
	}
	seen := map[string]bool{}
	var queue []press
	checked := 0
	// collect checks the buttons of the calls since before and queues the
	// ones not pressed yet.
	collect := func(u *telegramtest.User, before int) {
		for _, c := range h.srv.Calls()[before:] {
			// "Not modified" is a press that changes nothing on screen:
			// harmless, and the bot counts it as done.
			if c.ErrorCode != 0 && !strings.Contains(c.Description, "message is not modified") {
				t.Errorf("%s refused: %d %s (%.200s)", c.Method, c.ErrorCode, c.Description, c.Params["text"])
			}
			for _, row := range keyboardOf(c) {
				for _, b := range row {
					checked++
					if len(b.Data) > maxCallbackData {
						t.Errorf("button %q carries %d bytes, over Telegram's %d: %q", b.Text, len(b.Data), maxCallbackData, b.Data)
					}
					d, ok := parseAdminData(b.Data, h.cfg.Location)
					if !ok {
						if _, ok := parseCallback(b.Data); !ok {
							t.Errorf("button %q: the bot does not read back its own data %q", b.Text, b.Data)
						}
						continue
					}
					// One press per screen and period kind: moving in time
					// only repeats the screens already walked. Exports are
					// checked, not drawn.
					key := fmt.Sprint(u.ID(), d.op, d.unit, d.v.arg, d.v.elem, d.v.page, d.v.period.Kind, d.seq, d.status)
					if seen[key] || d.op[0] == 'x' {
						continue
					}
					seen[key] = true
					queue = append(queue, press{u, c.MessageID, b.Data})
				}
			}
		}
	}
	for u, cmds := range starts {
		for _, cmd := range cmds {
			before := len(h.srv.Calls())
			h.handle(u.Send(cmd))
			collect(u, before)
		}
	}
	pressed := 0
	for len(queue) > 0 && pressed < 1000 {
		p := queue[0]
		queue = queue[1:]
		before := len(h.srv.Calls())
		h.handle(p.u.Callback(p.msg, p.data))
		pressed++
		collect(p.u, before)
	}
	if len(queue) > 0 {
		t.Errorf("%d buttons left unpressed after %d presses", len(queue), pressed)
	}
	if checked < 2000 {
		t.Errorf("checked only %d buttons in %d presses; the walk did not reach the screens", checked, pressed)
	}
	t.Logf("%d presses, %d buttons checked", pressed, checked)
}
