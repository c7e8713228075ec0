package locales

import (
	"sort"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// messageIDs parses one language's file on its own and lists its message ids.
func messageIDs(t *testing.T, tag language.Tag) map[string]*i18n.Message {
	t.Helper()
	data, err := Files(tag)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	mf, err := b.ParseMessageFileBytes(data, tag.String()+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]*i18n.Message{}
	for _, m := range mf.Messages {
		ids[m.ID] = m
	}
	return ids
}

func TestEveryLocaleHasEveryMessage(t *testing.T) {
	base := messageIDs(t, Default)
	if len(base) < 50 {
		t.Fatalf("default locale has %d messages, want the full set", len(base))
	}
	for _, tag := range Languages[1:] {
		other := messageIDs(t, tag)
		var missing, extra []string
		for id := range base {
			if _, ok := other[id]; !ok {
				missing = append(missing, id)
			}
		}
		for id := range other {
			if _, ok := base[id]; !ok {
				extra = append(extra, id)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%s: missing %v, not in %s: %v", tag, missing, Default, extra)
		}
	}
}

func TestTemplatesUseTheSameFields(t *testing.T) {
	base := messageIDs(t, Default)
	for _, tag := range Languages[1:] {
		for id, m := range messageIDs(t, tag) {
			b, ok := base[id]
			if !ok {
				continue
			}
			if got, want := fields(m.Other), fields(b.Other); got != want {
				t.Errorf("%s %q uses fields %s, %s uses %s", tag, id, got, Default, want)
			}
		}
	}
}

func fields(s string) string {
	var out []string
	for _, part := range strings.Split(s, "{{")[1:] {
		out = append(out, strings.TrimSpace(strings.SplitN(part, "}}", 2)[0]))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestMessagesRender(t *testing.T) {
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range Languages {
		l := i18n.NewLocalizer(b, tag.String())
		got, err := l.Localize(&i18n.LocalizeConfig{MessageID: "welcome", TemplateData: map[string]any{"Unit": "Puskesmas Kranji"}})
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		if !strings.Contains(got, "Puskesmas Kranji") {
			t.Errorf("%s welcome = %q, want the unit name in it", tag, got)
		}
	}
}

// TestPluralForms checks the plural messages: English ones with a count
// have a "one" and an "other" form with the same fields, and render by
// the count; Indonesian has one form for every count, so none of its
// messages has plural forms.
func TestPluralForms(t *testing.T) {
	plurals := 0
	for id, m := range messageIDs(t, language.English) {
		if m.One == "" {
			continue
		}
		plurals++
		if got, want := fields(m.One), fields(m.Other); got != want {
			t.Errorf("en %q: the one form uses fields %s, the other form %s", id, got, want)
		}
	}
	if plurals < 10 {
		t.Errorf("en has %d plural messages, want those with counts (units_empty, rank_row, ...)", plurals)
	}
	for id, m := range messageIDs(t, language.Indonesian) {
		if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
			t.Errorf("id %q has plural forms; Indonesian needs only one", id)
		}
	}
	b, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 unit has no respondents yet."},
		{"en", 2, "2 units have no respondents yet."},
		{"en", 0, "0 units have no respondents yet."},
		{"id", 1, "1 unit belum memiliki responden."},
		{"id", 2, "2 unit belum memiliki responden."},
	} {
		got, err := i18n.NewLocalizer(b, tt.lang).Localize(&i18n.LocalizeConfig{
			MessageID: "ikm.units_empty", TemplateData: map[string]any{"N": tt.n}, PluralCount: tt.n,
		})
		if err != nil || got != tt.want {
			t.Errorf("%s ikm.units_empty with %d = %q, %v; want %q", tt.lang, tt.n, got, err, tt.want)
		}
	}
}

func TestCodes(t *testing.T) {
	codes := Codes()
	if len(codes) != len(Languages) || codes[0] != Default.String() {
		t.Fatalf("Codes() = %v; want one per language, %s first", codes, Default)
	}
	for _, code := range codes {
		if _, err := Files(language.Make(code)); err != nil {
			t.Errorf("language %q has no message file: %v", code, err)
		}
	}
}
