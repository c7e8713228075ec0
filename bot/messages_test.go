package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ikmbot/ikmbot/survey"
)

// TestEveryMessageIDExists finds the message ids the bot's code names
// literally, and those it builds from parts, and checks that each one
// renders in every language: a missing id would show up as the id itself in
// an admin's chat.
func TestEveryMessageIDExists(t *testing.T) {
	h := newHarness(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\.(?:text|plural)\("([a-z_]+\.[a-z_.]*[a-z])"`)
	ids := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			ids[m[1]] = true
		}
	}
	for _, k := range []string{"year", "semester", "quarter", "month"} {
		ids["view.kind_"+k] = true
	}
	for _, d := range survey.ProfileDims {
		ids["view.dim_"+string(d)] = true
	}
	for _, s := range statusCodes {
		ids["tl.status_"+s] = true
	}
	for _, a := range []string{"grant", "revoke", "invite", "export"} {
		ids["audit."+a] = true
	}
	for _, e := range survey.Elements {
		ids["element."+string(e)+".short"] = true
	}
	for _, m := range grades {
		ids["kinerja."+string(m)] = true
	}
	if len(ids) < 100 {
		t.Fatalf("found only %d message ids; the pattern is out of date", len(ids))
	}
	for _, lang := range []string{"id", "en"} {
		tx := h.bot.localizer(lang)
		for id := range ids {
			if got := tx.text(id, nil); got == id {
				t.Errorf("%s: message %q is missing", lang, id)
			}
		}
	}
}

// grades are the four mutu grades.
var grades = []survey.Mutu{survey.MutuA, survey.MutuB, survey.MutuC, survey.MutuD}

// TestKinerjaInIndonesianIsTheRegulations checks that the chat's
// Indonesian performance labels (locale kinerja.<grade>) are the words of
// the regulation that reports and exports print (survey.Mutu.Kinerja), and
// that English has its own.
func TestKinerjaInIndonesianIsTheRegulations(t *testing.T) {
	h := newHarness(t)
	english := []string{"Very good", "Good", "Fair", "Poor"}
	for _, lang := range []string{"id", "en"} {
		c := &conv{b: h.bot, t: h.bot.localizer(lang)}
		for i, m := range grades {
			got := c.kinerja(m)
			if lang == "id" && got != m.Kinerja() {
				t.Errorf("kinerja(%s) in Indonesian = %q, want the regulation's %q", m, got, m.Kinerja())
			}
			if lang == "en" && got != english[i] {
				t.Errorf("kinerja(%s) in English = %q, want %q", m, got, english[i])
			}
		}
		if got := c.kinerja(""); got != "" {
			t.Errorf("kinerja of no grade in %s = %q, want \"\"", lang, got)
		}
	}
}

// TestEnglishPlurals reads English screens with counts of one and more:
// "1 unit", "2 units", never "1 units".
func TestEnglishPlurals(t *testing.T) {
	h := newHarness(t)
	h.run(`user admin 9001 en
seed RSUD-CAM 1 344444443
admin send /language
admin tap English
admin send /ikm`)
	admin := h.user("admin")
	last := func() string { return admin.Chat()[len(admin.Chat())-1].Text }
	city := last()
	h.run("admin tap Hospitals (RSUD) (1)")
	hospitals := last()
	for _, want := range []string{"over 1 unit\n", "(A, 1 respondent)", "12 units have no respondents yet."} {
		if !strings.Contains(city, want) {
			t.Errorf("the city screen has no %q:\n%s", want, city)
		}
	}
	if !strings.Contains(hospitals, "over 1 unit\n") {
		t.Errorf("the type screen has no %q:\n%s", "over 1 unit", hospitals)
	}
	for _, text := range []string{city, hospitals} {
		for _, bad := range []string{"1 units", "1 respondents", " 1 answers", "1 plans"} {
			if strings.Contains(text, bad) {
				t.Errorf("%q in:\n%s", bad, text)
			}
		}
	}
}

// TestEveryStepRenders shows every step of the questionnaire in every
// language, with every button, for a unit of the SKM alone and one that
// also asks both extra questionnaires (on 1-6 and 1-4), and fails on a
// message id shown as itself: a question added to survey.ProfileQuestions,
// the elements or survey.Questionnaires without its locale keys (q.<dim>,
// opt.<dim>.<choice>, element.<key>.*, extra.<key>.*) is caught here, and
// so is a choice without its label.
func TestEveryStepRenders(t *testing.T) {
	h := newHarness(t, withZI)
	rawID := regexp.MustCompile(`\b(q|opt|element|progress|btn|hint|extra|scale[0-9]|welcome_extra[a-z_]*)\.[a-z_0-9.]+\b`)
	for _, code := range []string{"DISDUKCAPIL", "DPMPTSP"} {
		u, _ := h.cfg.Catalog.Unit(code)
		for _, lang := range []string{"id", "en"} {
			c := &conv{b: h.bot, t: h.bot.localizer(lang)}
			if w := c.extrasWelcome(u); rawID.MatchString(w) || (w == "") != (len(u.Extras) == 0) {
				t.Errorf("%s: %s's welcome note on extra questionnaires: %q", lang, code, w)
			}
			s, _ := survey.NewSession("s1", u, "", h.now)
			steps := s.Steps()
			for i := range steps {
				s.Step = i
				text, kb := c.question(s)
				shown := []string{text}
				for _, row := range kb.InlineKeyboard {
					for _, b := range row {
						shown = append(shown, b.Text)
					}
				}
				for _, x := range shown {
					if id := rawID.FindString(x); id != "" {
						t.Errorf("%s: step %d (%s) shows the message id %q: %q", lang, i, steps[i].Name, id, x)
					}
				}
				if st := steps[i]; len(st.Choices(u)) > 0 && len(kb.InlineKeyboard) < 2 {
					t.Errorf("%s: step %s has choices but shows no buttons", lang, st.Name)
				}
			}
		}
	}
}
