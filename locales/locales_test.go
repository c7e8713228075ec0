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
