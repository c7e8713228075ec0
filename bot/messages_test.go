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
	literal := regexp.MustCompile(`\.text\("([a-z_]+\.[a-z_.]*[a-z])"`)
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
