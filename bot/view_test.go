package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/deeplink"
	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

func TestGoldenAdminIKM(t *testing.T) { golden(t, "admin_ikm") }

// TestViewDataRoundTripAndFits encodes every view at its longest and reads
// it back.
func TestViewDataRoundTripAndFits(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	long := strings.Repeat("X", 32)
	rng, err := survey.ParsePeriod("2019-12-31..2029-12-30", loc)
	if err != nil {
		t.Fatal(err)
	}
	var periods []survey.Period
	for _, s := range []string{"2026", "2026-S2", "2026-Q4", "2026-12"} {
		p, _ := survey.ParsePeriod(s, loc)
		periods = append(periods, p)
	}
	periods = append(periods, rng)
	for _, p := range periods {
		views := []view{
			{kind: 'c', period: p}, {kind: 't', arg: long, period: p, page: 9999}, {kind: 'u', arg: long, period: p},
			{kind: 'p', arg: long, period: p}, {kind: 'm', period: p}, {kind: 'r', period: p, page: 12}, {kind: 'x', period: p},
		}
		for _, e := range survey.Elements {
			views = append(views, view{kind: 'e', arg: long, elem: e, period: p})
		}
		for _, v := range views {
			data := v.encode()
			if len(data) > maxCallbackData {
				t.Errorf("%q is %d bytes, over Telegram's %d", data, len(data), maxCallbackData)
			}
			d, ok := parseAdminData(data, loc)
			if !ok {
				t.Errorf("parseAdminData(%q) refused data the bot makes", data)
				continue
			}
			if d.v.kind != v.kind || d.v.arg != v.arg || d.v.elem != v.elem || d.v.page != v.page || d.v.period.Label != v.period.Label {
				t.Errorf("%q read back as %+v, want %+v", data, d.v, v)
			}
		}
	}
	for _, data := range []string{
		encodeSuggestions(long, strings.Repeat("A", cursorLen)), encodeAudit(0), encodeFollowUps(long),
		encodeNewFollowUp(long, survey.Persyaratan), encodeNewFollowUp(long, survey.Kompetensi), encodeFollowUpStatus(long, 18446744073709551615, survey.FollowUpProgress, survey.FollowUpDone),
		encodeExport(view{kind: 'u', arg: long, period: rng}, exportPoster), encodeExport(view{kind: 't', arg: long, period: rng}, exportXLSX),
		encodeExport(view{kind: 'c', period: rng}, exportCSV), encodeExport(view{kind: 'm', period: rng}, exportCharts),
	} {
		if len(data) > maxCallbackData {
			t.Errorf("%q is over 64 bytes", data)
		}
		if _, ok := parseAdminData(data, loc); !ok {
			t.Errorf("parseAdminData(%q) refused data the bot makes", data)
		}
	}
	for _, data := range []string{
		"ic", "ic:", "ic:2026:1", "ic:2026-13", "ic:20261301-20261231", "ic:26", "iu::2026", "iu:A B:2026",
		"iu:" + long + "X:2026", "ie:A:unknown:2026", "ie:A:Wakt:2026", "ie:A:waktu:2026", "ie:A:wak:2026", "fn:A:waktu", "it:puskesmas:2026:0", "it:puskesmas:2026:-1",
		"ir:2026:x", "sg:A:01", "sg:A:-1", "sg:A:18446744073709551616", "au:", "fs:A:0:d", "fs:A:1:x", "fs:A:1:dp", "fs:A:1:pp", "fs:A:1:po", "fs:A:1:opd", "fs:A:1:", "fn:A:",
		"zz:2026", "i:2026", "ic:19991231-20100101",
		"xc::2026", "xc:xx:2026", "xc:z:2026", "xu:x::2026", "xu:x:A B:2026", "xt:x:2026", "xm:x:2026:1", "xu:X:A:2026",
	} {
		if d, ok := parseAdminData(data, loc); ok {
			t.Errorf("parseAdminData(%q) = %+v, want refused", data, d)
		}
	}
}

// TestElementTokens: every element has a token of its own, which reads
// back to it, so that a button names one element whatever the order.
func TestElementTokens(t *testing.T) {
	seen := map[string]survey.ElementKey{}
	for _, e := range survey.Elements {
		tok := elementToken(e)
		if other, dup := seen[tok]; dup {
			t.Errorf("%s and %s share the token %q", other, e, tok)
		}
		seen[tok] = e
		if got, ok := elementOfToken(tok); !ok || got != e {
			t.Errorf("elementOfToken(%q) = %q, %v; want %q", tok, got, ok, e)
		}
	}
}

func FuzzParseAdminData(f *testing.F) {
	for _, s := range []string{"ic:2026", "it:puskesmas:2026-Q1:2", "ie:PKM-KRANJI:wakt:20260101-20260331", "sg:A:0", "fs:A:3:od", "xu:x:A:2026", "xc:g:2026-Q1"} {
		f.Add(s)
	}
	loc := time.FixedZone("WIB", 7*3600)
	f.Fuzz(func(t *testing.T, data string) {
		d, ok := parseAdminData(data, loc)
		if !ok {
			return
		}
		if adminOps[d.op].fields == 0 || d.v.period.Label == "" && (d.op[0] == 'i' || d.op[0] == 'x') || d.op[0] == 'x' && !validExportFormat(string(d.format)) {
			t.Errorf("parseAdminData(%q) accepted %+v", data, d)
		}
		if d.unit != "" && !deeplink.ValidCode(d.unit) {
			t.Errorf("parseAdminData(%q) accepted unit %q", data, d.unit)
		}
	})
}

func TestProgressBar(t *testing.T) {
	for _, tt := range []struct {
		n, target int
		want      string
	}{
		{0, 278, "▱▱▱▱▱▱▱▱▱▱ 0%"}, {139, 278, "▰▰▰▰▰▱▱▱▱▱ 50%"}, {300, 278, "▰▰▰▰▰▰▰▰▰▰ 107%"}, {5, 0, ""},
	} {
		if got := progressBar(tt.n, tt.target); got != tt.want {
			t.Errorf("progressBar(%d, %d) = %q, want %q", tt.n, tt.target, got, tt.want)
		}
	}
}

func TestGoldenAdminRankSaran(t *testing.T) { golden(t, "admin_rank_saran") }

// TestRankPages ranks 60 units over three pages.
func TestRankPages(t *testing.T) {
	var units []survey.Unit
	for i := range 60 {
		units = append(units, survey.Unit{Code: "U" + itoa(100+i), Name: "Unit " + itoa(i), Type: survey.Puskesmas})
	}
	h := newHarness(t, func(c *Config) { c.Catalog = survey.NewCatalog(units) })
	for i, u := range units {
		sc := "4444444" + itoa(10 + i%30)[:2]
		sc = sc[:7] + string('1'+byte(i%4)) + string('1'+byte(i/15))
		h.run("seed " + u.Code + " 3 " + sc)
	}
	admin := h.srv.User(testAdmin, "Admin", "id")
	h.handle(admin.Send("/peringkat"))
	first := admin.Chat()[len(admin.Chat())-1].Text
	if !strings.Contains(first, "halaman 1 dari 3") || !strings.Contains(first, "  1 ") || !strings.Contains(first, " 25 ") || strings.Contains(first, " 26 ") {
		t.Errorf("page 1:\n%s", first)
	}
	for _, want := range []string{" 26 ", " 51 "} {
		upd, err := admin.Tap("Berikutnya »")
		if err != nil {
			t.Fatal(err)
		}
		h.handle(upd)
		if text := admin.Chat()[len(admin.Chat())-1].Text; !strings.Contains(text, want) {
			t.Errorf("next page has no rank%s:\n%s", want, text)
		}
	}
	if text := admin.Chat()[len(admin.Chat())-1].Text; !strings.Contains(text, " 60 ") || strings.Contains(text, "Berikutnya") {
		t.Errorf("last page:\n%s", text)
	}
	// A forged page past the end changes nothing.
	before := len(h.srv.Calls())
	h.handle(admin.Callback(admin.Chat()[len(admin.Chat())-1].ID, "ir:2026:4"))
	if calls := h.srv.Calls()[before:]; len(calls) != 1 || calls[0].Method != "answerCallbackQuery" {
		t.Errorf("page 4 of 3: %v, want only a toast", calls)
	}
}

// TestLongestScreensFit fills every screen with the longest text people can
// put into it (suggestions and plans of emoji, which count double) and
// checks that the fake Bot API, which enforces Telegram's 4096, takes them.
func TestLongestScreensFit(t *testing.T) {
	h := newHarness(t)
	emoji := strings.Repeat("😡", survey.MaxSuggestionRunes)
	err := h.st.Update(func(tx *store.Tx) error {
		for range 12 {
			r := survey.Response{Unit: "DISDUKCAPIL", Submitted: h.now, Source: survey.SourcePaper,
				Scores: survey.Scores{1, 2, 3, 4, 1, 2, 3, 4, 1}, Suggestion: emoji}
			if err := tx.AddResponse(&r, ""); err != nil {
				return err
			}
		}
		for _, e := range survey.Elements {
			_, err := tx.AddFollowUp(survey.FollowUp{Unit: "DISDUKCAPIL", Element: e, Action: strings.Repeat("🛠", maxPlanAction),
				Owner: strings.Repeat("👤", maxPlanOwner), Due: h.now.AddDate(0, 1, 0), Status: survey.FollowUpOpen, Created: h.now})
			if err != nil {
				return err
			}
		}
		_, err := tx.GrantUnit(store.Grant{User: 2001, Unit: "DISDUKCAPIL", By: testAdmin, At: h.now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sari := h.srv.User(2001, "Sari", "id")
	for _, cmd := range []string{"/saran", "/tindaklanjut", "/ikm"} {
		h.handle(sari.Send(cmd))
	}
	for _, label := range []string{"Tindak lanjut"} {
		upd, err := sari.Tap(label)
		if err != nil {
			t.Fatal(err)
		}
		h.handle(upd)
	}
	// A low-score alert of the longest suggestion.
	err = h.st.Update(func(tx *store.Tx) error {
		_, err := tx.AddNotice(store.Notice{Chat: 2001, Kind: store.NoticeLowScore, Unit: "DISDUKCAPIL", Response: 1, At: h.now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.bot.DeliverNotices(context.Background())
	for _, c := range h.srv.Calls() {
		if c.ErrorCode != 0 {
			t.Errorf("%s failed: %s", c.Method, c.Description)
		}
	}
}

func TestGoldenAdminMethod(t *testing.T) { golden(t, "admin_method") }

func TestGoldenAdminMethodLegacy(t *testing.T) {
	golden(t, "admin_method_legacy", func(c *Config) { c.Weighting = survey.LegacyWeights })
}

func TestGoldenAdminPolish(t *testing.T) {
	golden(t, "admin_polish", func(c *Config) { c.BotUsername = telegramtest.DefaultUsername })
}

func TestPercents(t *testing.T) {
	for _, tt := range []struct {
		counts []int
		total  int
		want   []int
	}{
		{[]int{1, 1, 1}, 3, []int{34, 33, 33}},
		{[]int{53, 46, 1}, 100, []int{53, 46, 1}},
		{[]int{7, 6}, 13, []int{54, 46}}, // 53.8 and 46.2: cut, 53 + 46 = 99
		{[]int{2, 1}, 3, []int{67, 33}},
		{[]int{0, 0, 5}, 5, []int{0, 0, 100}},
		{[]int{1, 1}, 4, []int{25, 25}}, // not a whole: each rounded
		{[]int{1}, 0, []int{0}},
	} {
		got := percents(tt.counts, tt.total)
		if !slices.Equal(got, tt.want) {
			t.Errorf("percents(%v, %d) = %v, want %v", tt.counts, tt.total, got, tt.want)
		}
	}
}
