// Package ikmbot_test checks promises of the layout that span packages.
package ikmbot_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/ikmbot/ikmbot"

// TestDependencies keeps the dependency graph the layout promises (README,
// Design): the domain and the deep-link rules build anywhere Go does, the
// config loader links no Telegram client, database or spreadsheet code,
// the transport knows none of our packages, the read side (report)
// neither the chat nor the file renderers, and the public site no
// Telegram. Test-only imports count
// too: a test that needs the bot to test survey would be the same smell.
func TestDependencies(t *testing.T) {
	heavy := []string{"github.com/go-telegram/bot", "go.etcd.io/bbolt", "github.com/xuri/excelize/v2"}
	tests := []struct {
		pkg    string   // relative to the module
		ours   []string // our packages it may depend on; "x/" allows the tree under x
		stdlib bool     // nothing but the standard library and ours
		not    []string // third-party modules it must not link
	}{
		{pkg: "survey", stdlib: true},
		{pkg: "deeplink", stdlib: true},
		{pkg: "cmd/internal/config", ours: []string{"survey", "deeplink", "locales"}, not: heavy},
		{pkg: "telegram", ours: []string{"telegram/"}},
		// The read side: the chat, the CLI and the files build on it.
		{pkg: "report", ours: []string{"store", "survey", "deeplink"}, not: []string{"github.com/go-telegram/bot", "github.com/xuri/excelize/v2"}},
		// What a city hands above itself is pure: figures in, figures out.
		{pkg: "summary", ours: []string{"survey"}, stdlib: true},
		// The public site reads and writes through the store and the
		// engine; it links no Telegram client and no spreadsheet code.
		{pkg: "web", ours: []string{"survey", "deeplink", "store", "locales", "report", "summary", "web/"}, not: []string{"github.com/go-telegram/bot", "github.com/xuri/excelize/v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			for _, dep := range deps(t, tt.pkg) {
				if rel, ours := strings.CutPrefix(dep, module+"/"); ours {
					if !allowed(rel, tt.ours) {
						t.Errorf("%s depends on %s; of ours it may use only %v", tt.pkg, rel, tt.ours)
					}
					continue
				}
				first, _, _ := strings.Cut(dep, "/")
				if tt.stdlib && strings.Contains(first, ".") {
					t.Errorf("%s depends on %s, which is not in the standard library", tt.pkg, dep)
				}
				for _, m := range tt.not {
					if dep == m || strings.HasPrefix(dep, m+"/") {
						t.Errorf("%s links %s", tt.pkg, dep)
					}
				}
			}
		})
	}
}

// allowed reports whether our package rel is in the list of ours.
func allowed(rel string, ours []string) bool {
	return slices.ContainsFunc(ours, func(a string) bool {
		return rel == a || strings.HasSuffix(a, "/") && strings.HasPrefix(rel, a)
	})
}

// deps lists the import paths the package at rel (in this module) depends
// on, its tests' imports included, the package itself and its test
// variants left out.
func deps(t *testing.T, rel string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go binary not found:", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "-test", "-f", "{{.ImportPath}}", "./"+rel).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps ./%s: %v: %s", rel, err, ee.Stderr)
		}
		t.Fatalf("go list -deps ./%s: %v", rel, err)
	}
	self := module + "/" + rel
	var paths []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// Test variants print as "path [pkg.test]"; the package itself, its
		// external test package and its test main are not dependencies.
		path, _, _ := strings.Cut(line, " ")
		if path == self || path == self+"_test" || path == self+".test" {
			continue
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		t.Fatalf("go list -deps ./%s listed no dependencies; output:\n%s", rel, out)
	}
	return paths
}
