package bot

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/export"
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

// TestUnitAdminRawExportHasNoProfile (attack a): the raw responses a unit
// admin exports carry the day, the scores and the suggestion, as /saran
// shows them, and no profile answer: the unit's own staff could otherwise
// tell who answered (the one S3 graduate aged 61 who came on 3 February).
// A city admin's carry the age band, not the age.
func TestUnitAdminRawExportHasNoProfile(t *testing.T) {
	h := newHarness(t)
	h.run("seed DISDUKCAPIL 6 344334433 2026-02-02 P,35,SMA,Swasta,KTP-el")
	h.run("seed DISDUKCAPIL 1 111111111 2026-02-03 L,61,S3,PNS,Akta_Kelahiran saran:Petugas_kasar")
	h.run("user admin 9001 id")
	h.run("user sari 2001 id")
	h.run("admin send /admin tambah 2001 DISDUKCAPIL")
	h.run("sari send /ikm")
	h.run("sari tap ⬇ CSV")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(sentFile(t, h, "DISDUKCAPIL-responden-2026.csv"), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range rows[0] {
		switch col {
		case "jenis_kelamin", "usia", "pendidikan", "pekerjaan", "layanan":
			t.Errorf("a unit admin's CSV has the column %q", col)
		}
	}
	for _, r := range rows[1:] {
		for _, cell := range r {
			switch cell {
			case "L", "P", "61", "35", "S3", "SMA", "PNS", "Swasta", "KTP-el", "Akta Kelahiran":
				t.Errorf("a unit admin's CSV has a profile answer %q in %q", cell, r)
			}
		}
	}
	if len(rows) != 8 || !strings.Contains(strings.Join(rows[7], ","), "Petugas kasar") {
		t.Errorf("the CSV has %d rows, want a header and 7 responses with the suggestion", len(rows))
	}
	h.run("admin send /ikm DISDUKCAPIL")
	h.run("admin tap ⬇ CSV")
	var city [][]string
	for _, c := range h.srv.Calls() {
		for _, f := range c.Files {
			if f.Filename == "DISDUKCAPIL-responden-2026.csv" && c.Params["chat_id"] == strconv.Itoa(testAdmin) {
				city, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(f.Data, []byte("\uFEFF")))).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if len(city) != 8 {
		t.Fatalf("the city admin's CSV has %d rows, want 8", len(city))
	}
	age := -1
	for i, col := range city[0] {
		if col == "usia" {
			age = i
		}
	}
	if age < 0 || city[1][age] != "30-39" || city[7][age] != "60+" {
		t.Errorf("the city admin's CSV has ages %q, want age bands", city[0])
	}
}

// profileScreens returns the texts of every profile screen the admin was
// shown, in order.
func profileScreens(h *harness) []string {
	var out []string
	for _, c := range h.srv.Calls() {
		if s := c.Params["text"]; strings.Contains(s, "<b>Profil responden</b>") {
			out = append(out, s)
		}
	}
	return out
}

// profileCounts reads the counts a profile screen shows, by question and
// answer: "SMA 25 (62%)" is 25, a hidden "SMP *" is 0.
func profileCounts(text string) map[string]int {
	out := map[string]int{}
	cell := regexp.MustCompile(`^(.*?) (\d+) \(\d+%\)$`)
	for _, line := range strings.Split(text, "\n") {
		dim, cells, ok := strings.Cut(line, "</b>: ")
		if !ok {
			continue
		}
		dim = strings.TrimPrefix(dim, "<b>")
		for _, c := range strings.Split(cells, " · ") {
			if m := cell.FindStringSubmatch(c); m != nil {
				n, _ := strconv.Atoi(m[2])
				out[dim+"/"+m[1]] = n
			}
		}
	}
	return out
}

// withoutPeriod drops the first line, which names the period.
func withoutPeriod(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// TestGoldenPrivacyProfile plays attack (b) and its cousins: overlapping
// date ranges, a quarter against its months, a year before and after
// today's respondent. No difference between two screens may come to a
// count of 1 to 4.
func TestGoldenPrivacyProfile(t *testing.T) {
	h := golden(t, "privacy_profile")
	s := profileScreens(h)
	if len(s) != 7 {
		t.Fatalf("%d profile screens, want 7", len(s))
	}
	if withoutPeriod(s[0]) != withoutPeriod(s[1]) {
		t.Errorf("two ranges a day apart differ:\n%s\n---\n%s", s[0], s[1])
	}
	q1, jan, feb := profileCounts(s[2]), profileCounts(s[3]), profileCounts(s[4])
	for k, n := range q1 {
		if d := n - jan[k] - feb[k]; d > 0 && d < survey.MinProfileCell {
			t.Errorf("%s: the quarter's %d less January's %d and February's %d gives %d", k, n, jan[k], feb[k], d)
		}
	}
	if withoutPeriod(s[5]) != withoutPeriod(s[6]) {
		t.Errorf("the year's profile changed with today's respondent:\n%s\n---\n%s", s[5], s[6])
	}
}

// TestProfileSheetRowsGiveNothingBack (attack c): in the XLSX profile
// sheet, the row of all units less the rows of the units shown must not
// give back a count of 1 to 4 that a unit's own row hides.
func TestProfileSheetRowsGiveNothingBack(t *testing.T) {
	h := newHarness(t)
	h.run("seed DISDUKCAPIL 10 344334433 2026-02-02 P,35,SMA,Swasta,KTP-el")
	h.run("seed DISDUKCAPIL 1 344334433 2026-02-03 L,61,S3,PNS,Akta_Kelahiran")
	h.run("seed PKM-KRANJI 10 344334433 2026-02-12 P,35,SMA,Swasta,Poli_Umum")
	h.run("seed PKM-KRANJI 5 344334433 2026-02-13 L,61,S3,PNS,Poli_Umum")
	h.run("user admin 9001 id")
	h.run("admin send /ikm")
	h.run("admin tap ⬇ XLSX")
	f := sentXLSX(t, h, "semua-unit-skm-2026.xlsx")
	rows, err := f.GetRows(export.SheetProfile)
	if err != nil {
		t.Fatal(err)
	}
	all, units := map[string]int{}, map[string]int{}
	for _, r := range rows {
		if len(r) < 5 {
			continue
		}
		n, err := strconv.Atoi(r[4])
		if err != nil {
			continue // a header, a hidden cell
		}
		key := r[2] + "/" + r[3]
		if r[0] == "Semua unit" {
			all[key] = n
		} else {
			units[key] += n
		}
	}
	if len(all) == 0 {
		t.Fatalf("no profile rows for all units in %q", rows)
	}
	for k, n := range all {
		if d := n - units[k]; d > 0 && d < survey.MinProfileCell {
			t.Errorf("%s: all units' %d less the units' shown %d gives %d", k, n, units[k], d)
		}
	}
}
