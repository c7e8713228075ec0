package report_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the read side below the renderers: report reads
// the store with survey's formulas, and the chat, the command line and the
// files all build on it, not the other way round. So it links no Telegram
// library, nothing of the chat, and no file renderer.
func TestDependencies(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go binary not found:", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps: %v: %s", err, ee.Stderr)
		}
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/ikmbot/ikmbot/"
	allowed := map[string]bool{module + "report": true, module + "store": true, module + "survey": true}
	var ours int
	for _, path := range strings.Fields(string(out)) {
		switch {
		case strings.HasPrefix(path, module):
			ours++
			if !allowed[path] {
				t.Errorf("report depends on %s; it may use only store and survey of this module", path)
			}
		case strings.HasPrefix(path, "github.com/go-telegram/"), strings.HasPrefix(path, "github.com/xuri/"):
			t.Errorf("report depends on %s", path)
		}
	}
	if ours != len(allowed) {
		t.Errorf("go list -deps listed %d of this module's packages, want %d (report, store, survey); output:\n%s", ours, len(allowed), out)
	}
}
