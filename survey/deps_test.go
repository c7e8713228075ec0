package survey

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the domain free of third-party code: survey
// must build anywhere Go does, and bot and store depend on it, not the other
// way round. Test-only imports count too.
func TestStandardLibraryOnly(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go binary not found:", err)
	}
	self, err := exec.Command(goBin, "list", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list .: %v", stderr(err))
	}
	pkg := strings.TrimSpace(string(self))

	out, err := exec.Command(goBin, "list", "-deps", "-test", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", stderr(err))
	}
	var n int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// Test variants print as "path [pkg.test]"; the package itself, its
		// external test package and its test main are not dependencies.
		path, _, _ := strings.Cut(line, " ")
		if path == pkg || path == pkg+"_test" || path == pkg+".test" {
			continue
		}
		n++
		first, _, _ := strings.Cut(path, "/")
		if strings.Contains(first, ".") {
			t.Errorf("survey depends on %s, which is not in the standard library", line)
		}
	}
	if n == 0 {
		t.Fatalf("go list -deps listed no dependencies; output:\n%s", out)
	}
}

// stderr adds the command's stderr to err, where go list explains itself.
func stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return err.Error() + ": " + string(ee.Stderr)
	}
	return err.Error()
}
