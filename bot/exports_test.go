package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ikmbot/ikmbot/export"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func TestGoldenAdminExport(t *testing.T) {
	h := golden(t, "admin_export")
	f := sentXLSX(t, h, "semua-unit-skm-2026.xlsx")
	want := []string{export.SheetRecap, export.SheetProfile, export.SheetSuggestions, export.SheetFollowUps, "DISDUKCAPIL", "PKM-KRANJI", "PKM-PEJUANG"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("the city's XLSX has sheets %q, want %q", got, want)
	}
}

// TestGoldenUnitAdminExport opens the files a unit admin of DISDUKCAPIL
// and RSUD-CAM was sent and checks that no other unit appears in them.
func TestGoldenUnitAdminExport(t *testing.T) {
	h := golden(t, "admin_export_unit")
	f := sentXLSX(t, h, "unit-saya-skm-2026.xlsx")
	want := []string{export.SheetRecap, export.SheetProfile, export.SheetSuggestions, export.SheetFollowUps, "DISDUKCAPIL", "RSUD-CAM"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("the unit admin's XLSX has sheets %q, want %q", got, want)
	}
	seen := map[string]bool{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				for _, bad := range []string{"KRANJI", "Kranji", "Rahasia", "Puskesmas", "PKM-"} {
					if strings.Contains(cell, bad) {
						t.Errorf("sheet %s has %q, of a unit the admin does not see", sheet, cell)
					}
				}
				for _, own := range []string{"DISDUKCAPIL", "RSUD-CAM"} {
					if cell == own {
						seen[own] = true
					}
				}
			}
		}
	}
	if !seen["DISDUKCAPIL"] || !seen["RSUD-CAM"] {
		t.Errorf("the admin's own units missing from the recap: %v", seen)
	}
	rows, err := csv.NewReader(bytes.NewReader(sentFile(t, h, "DISDUKCAPIL-responden-2026.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 {
		t.Errorf("the unit's CSV has %d rows, want a header and 12 responses", len(rows))
	}
	for _, r := range rows[1:] {
		if r[2] != "DISDUKCAPIL" {
			t.Errorf("the unit's CSV has a response of %s", r[2])
		}
	}
}

// TestExportFollowUps checks that a unit's XLSX lists its follow-up plans,
// as the store has them, and no other unit's.
func TestExportFollowUps(t *testing.T) {
	h := newHarness(t)
	h.run("seed DISDUKCAPIL 12 344334433")
	err := h.st.Update(func(tx *store.Tx) error {
		for _, f := range []survey.FollowUp{
			{Unit: "DISDUKCAPIL", Element: survey.Waktu, Action: "Tambah loket antrean", Owner: "Kabid Pelayanan",
				Due: h.now.AddDate(0, 3, 0), Status: survey.FollowUpOpen, By: testAdmin, Created: h.now},
			{Unit: "PKM-KRANJI", Element: survey.Sarana, Action: "rencana unit lain", Status: survey.FollowUpOpen, By: testAdmin, Created: h.now},
		} {
			if _, err := tx.AddFollowUp(f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := h.srv.User(testAdmin, "Admin", "id")
	h.handle(admin.Send("/ikm DISDUKCAPIL"))
	h.handle(admin.Callback(admin.Chat()[len(admin.Chat())-1].ID, "xu:x:DISDUKCAPIL:2026"))
	f := sentXLSX(t, h, "DISDUKCAPIL-skm-2026.xlsx")
	rows, err := f.GetRows(export.SheetFollowUps)
	if err != nil {
		t.Fatal(err)
	}
	var plans [][]string
	for _, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "#") {
			plans = append(plans, r)
		}
	}
	if len(plans) != 1 || plans[0][1] != "DISDUKCAPIL" || plans[0][4] != "Tambah loket antrean" || plans[0][5] != "Kabid Pelayanan" || plans[0][7] != "direncanakan" {
		t.Errorf("follow-up rows %q, want DISDUKCAPIL's one plan", plans)
	}
}

// sentFile returns the file the bot sent under name.
func sentFile(t *testing.T, h *harness, name string) []byte {
	t.Helper()
	for _, c := range h.srv.Calls() {
		for _, f := range c.Files {
			if f.Filename == name {
				return f.Data
			}
		}
	}
	t.Fatalf("no file %s was sent", name)
	return nil
}

func sentXLSX(t *testing.T, h *harness, name string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(sentFile(t, h, name)))
	if err != nil {
		t.Fatalf("%s does not open: %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestExportHoldsNoOtherChat runs the bot as serve does, polling the fake
// Bot API through a Dispatcher, and holds the export slot so that an
// admin's XLSX cannot be drawn: the admin's press is answered and
// confirmed, and a respondent who writes afterwards, in a later batch of
// updates, is answered while the export still waits. Without the release
// the Poller would wait for the export before asking for that batch.
func TestExportHoldsNoOtherChat(t *testing.T) {
	h := newHarness(t)
	h.run("seed DISDUKCAPIL 12 344334433")
	d := telegram.NewDispatcher(h.bot.Process)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		p := &telegram.Poller{APIURL: h.srv.URL(), Token: telegramtest.Token, Client: h.srv.Client(), Timeout: time.Second}
		done <- p.Run(ctx, d)
	}()
	held := false
	defer func() {
		if held {
			<-h.bot.exports // let a failed run's export end, so d.Wait returns
		}
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
		d.Wait()
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	called := func(method, text string) func() bool {
		return func() bool {
			return slices.ContainsFunc(h.srv.Calls(), func(c telegramtest.Call) bool {
				return c.Method == method && strings.Contains(c.Params["text"]+c.Params["caption"], text)
			})
		}
	}

	admin := h.srv.User(testAdmin, "Admin", "id")
	admin.Send("/ikm")
	waitFor("the city screen", called("sendMessage", "IKM Kota Uji"))
	h.bot.exports <- struct{}{} // the slot is taken: no export can be drawn
	held = true
	tap, err := admin.Tap("⬇ XLSX")
	if err != nil {
		t.Fatal(err)
	}
	waitFor("the press to be answered", called("answerCallbackQuery", "Menyiapkan"))
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.srv.WaitConfirmed(wctx, tap.ID); err != nil {
		t.Fatalf("the export press was not confirmed while its file waited: %v", err)
	}

	h.srv.User(1001, "Budi", "id").Send("/start DISDUKCAPIL")
	waitFor("the respondent's welcome", called("sendMessage", "Selamat datang"))
	if called("sendDocument", "")() {
		t.Fatal("the export was sent while its slot was held")
	}
	<-h.bot.exports
	held = false
	waitFor("the export", called("sendDocument", "Lembar kerja SKM"))
}

func TestGoldenDigest(t *testing.T) {
	golden(t, "admin_digest", func(c *Config) { c.Digest, c.DigestHour = true, 7 })
}
