package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/ikmbot/ikmbot/survey"
)

// texts localizes messages for one language. The locale files are shared
// with the chat and written as Telegram's HTML subset (<b>, <i>, <code>),
// which is HTML: a message is trusted markup, and every value put into it
// is escaped first.
type texts struct {
	lang string
	l    *i18n.Localizer
}

func (s *Server) texts(lang string) texts {
	return texts{lang: lang, l: i18n.NewLocalizer(s.bundle, lang)}
}

// html renders message id with the data given as name, value pairs; string
// values are escaped, template.HTML values are put in as they are. A count
// under "N" chooses the plural form. A missing message shows its id (the
// locales tests make sure none is missing).
func (t texts) html(id string, kv ...any) template.HTML {
	data := map[string]any{}
	var count any
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			data[k] = html.EscapeString(v)
		case template.HTML:
			data[k] = string(v)
		default:
			data[k] = v
		}
		if k == "N" || k == "Hours" {
			count = kv[i+1]
		}
	}
	s, err := t.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return template.HTML(html.EscapeString(id))
	}
	return template.HTML(s)
}

// plain is html without markup, for titles and attributes.
func (t texts) plain(id string, kv ...any) string {
	return html.UnescapeString(stripTags(string(t.html(id, kv...))))
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// num writes a figure with two decimals as the language does: Indonesian
// with a decimal comma (81,96).
func (t texts) num(x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	if t.lang == "id" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// kinerja is the performance label of a grade in the page's language
// (locale kinerja.<grade>); "" for no grade.
func (t texts) kinerja(m survey.Mutu) string {
	if m.Kinerja() == "" {
		return ""
	}
	return t.plain("kinerja." + string(m))
}

// typeName is a unit type's name: the config's for extra types, else the
// locale's.
func (s *Server) typeName(t texts, ut survey.UnitType) string {
	if n := s.cfg.TypeNames[ut]; n != "" {
		return n
	}
	id := "unit_type." + string(ut)
	if v := t.plain(id); v != id {
		return v
	}
	return string(ut)
}

var matcher = language.NewMatcher([]language.Tag{language.Indonesian, language.English})

// pageLang chooses the language of a page: ?lang= when it names one,
// else the form's own (sessionLang), else the browser's preference, else
// the city's default.
func (s *Server) pageLang(r *http.Request, sessionLang string) string {
	switch l := r.URL.Query().Get("lang"); l {
	case "id", "en":
		return l
	}
	if sessionLang == "id" || sessionLang == "en" {
		return sessionLang
	}
	if al := r.Header.Get("Accept-Language"); al != "" && len(al) < 256 {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := matcher.Match(tags...)
			if conf >= language.High {
				return []string{"id", "en"}[i]
			}
		}
	}
	return s.cfg.DefaultLanguage
}

// otherLang is the language a page offers to switch to.
func otherLang(lang string) string {
	if lang == "en" {
		return "id"
	}
	return "en"
}

// withLang adds ?lang= to a site path.
func withLang(path, lang string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%slang=%s", path, sep, lang)
}
