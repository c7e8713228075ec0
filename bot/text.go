package bot

import (
	"html"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// texts localizes messages for one language.
type texts struct {
	lang string
	l    *i18n.Localizer
}

func (b *Bot) localizer(lang string) texts {
	b.locMu.Lock()
	defer b.locMu.Unlock()
	l, ok := b.localizers[lang]
	if !ok {
		l = i18n.NewLocalizer(b.bundle, lang)
		b.localizers[lang] = l
	}
	return texts{lang: lang, l: l}
}

// text renders message id with data. A missing message is a bug that the
// locales tests catch; at run time the id itself is shown rather than
// failing the person's update.
func (t texts) text(id string, data map[string]any) string {
	s, err := t.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// plural renders message id for count, which data also carries: English
// says "1 unit" but "2 units" (go-i18n's one and other forms of a
// message); Indonesian has one form for every count.
func (t texts) plural(id string, count int, data map[string]any) string {
	s, err := t.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// num formats a figure with two decimals the way the language writes it:
// Indonesian uses a decimal comma (81,96).
func (t texts) num(x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	if t.lang == "id" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// esc escapes text from config or from people for Telegram's HTML mode.
func esc(s string) string { return html.EscapeString(s) }
