package bot

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

// The attacks of issue 14, played as a unit admin would, each against
// what the bot must not give away.

// TestExportRowsHideCityVolume: a unit's CSV numbers its rows 1, 2, 3...
// whatever other units received in between; the city-wide response ids,
// whose jumps tell how busy other units were, never reach a unit admin.
func TestExportRowsHideCityVolume(t *testing.T) {
	h := newHarness(t)
	h.run("seed DISDUKCAPIL 3 344334433 2026-02-02")
	h.run("seed PKM-KRANJI 50 444344434 2026-02-02")
	h.run("seed DISDUKCAPIL 3 344334433 2026-02-03")
	h.run("user admin 9001 id")
	h.run("user sari 2001 id")
	h.run("admin send /admin tambah 2001 DISDUKCAPIL")
	h.run("sari send /ikm")
	h.run("sari tap ⬇ CSV")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(sentFile(t, h, "DISDUKCAPIL-responden-2026.csv"), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "no" {
		t.Errorf("the first column is %q, want the row number \"no\"", rows[0][0])
	}
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(i+1) {
			t.Errorf("row %d is numbered %q, want %d", i+1, r[0], i+1)
		}
	}
}

// TestSuggestionCursorIsOpaque: the paging buttons of /saran carry no
// response id, and paging still shows every suggestion once, newest
// first; a forged cursor shows nothing of another unit.
func TestSuggestionCursorIsOpaque(t *testing.T) {
	h := newHarness(t)
	h.run("seed DISDUKCAPIL 4 344334433 2026-02-02 saran:lama")
	h.run("seed PKM-KRANJI 50 444344434 2026-02-02 saran:Kranji")
	h.run("seed DISDUKCAPIL 4 344334433 2026-02-03 saran:baru")
	var ids []uint64
	err := h.st.View(func(tx *store.Tx) error {
		return tx.ForEachResponse(func(r survey.Response) error {
			if r.Unit == "DISDUKCAPIL" {
				ids = append(ids, r.ID)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	h.run("user admin 9001 id")
	h.run("user sari 2001 id")
	h.run("admin send /admin tambah 2001 DISDUKCAPIL")
	sari := h.user("sari")
	h.handle(sari.Send("/saran"))
	var shown []string
	saran := regexp.MustCompile(`<i>((?:lama|baru) \(\d+\))</i>`)
	for pages := 0; pages < 10; pages++ {
		m := sari.Chat()[len(sari.Chat())-1]
		for _, s := range saran.FindAllStringSubmatch(m.Text, -1) {
			shown = append(shown, s[1])
		}
		var older string
		for _, row := range m.Keyboard {
			for _, b := range row {
				f := strings.Split(b.Data, ":")
				for _, id := range ids {
					if f[0] == "sg" && f[len(f)-1] == strconv.FormatUint(id, 10) {
						t.Errorf("button %q carries response id %d: %q", b.Text, id, b.Data)
					}
				}
				if strings.HasPrefix(b.Text, "Lebih lama") {
					older = b.Data
				}
			}
		}
		if older == "" {
			break
		}
		h.handle(sari.Callback(m.ID, older))
	}
	want := []string{"baru (4)", "baru (3)", "baru (2)", "baru (1)", "lama (4)", "lama (3)", "lama (2)", "lama (1)"}
	if strings.Join(shown, ", ") != strings.Join(want, ", ") {
		t.Errorf("paging showed %q, want %q", shown, want)
	}
}

// TestCursorSeal: a sealed cursor opens to its id for its unit only, and
// no single-character change of it opens.
func TestCursorSeal(t *testing.T) {
	h := newHarness(t)
	b := h.bot
	for _, id := range []uint64{1, 54, 1 << 40, 18446744073709551615} {
		s := b.sealCursor("DISDUKCAPIL", id)
		if len(s) != cursorLen || !validCursor(s) {
			t.Errorf("sealCursor(%d) = %q, want %d base64url characters", id, s, cursorLen)
		}
		if strings.Contains(s, strconv.FormatUint(id, 10)) && id > 1000 {
			t.Errorf("sealCursor(%d) = %q shows the id", id, s)
		}
		if got, ok := b.openCursor("DISDUKCAPIL", s); !ok || got != id {
			t.Errorf("openCursor(sealCursor(%d)) = %d, %v", id, got, ok)
		}
		if _, ok := b.openCursor("PKM-KRANJI", s); ok {
			t.Errorf("a cursor of DISDUKCAPIL opened for PKM-KRANJI")
		}
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		for i := range s {
			for _, r := range alphabet {
				q := s[:i] + string(r) + s[i+1:]
				if q == s {
					continue
				}
				if got, ok := b.openCursor("DISDUKCAPIL", q); ok && got != id {
					t.Fatalf("altered cursor %q opened to %d", q, got)
				}
			}
		}
	}
	if s := b.sealCursor("DISDUKCAPIL", 0); s != newestCursor {
		t.Errorf("sealCursor(0) = %q, want %q", s, newestCursor)
	}
}
