package bot

import (
	"strings"
	"testing"
)

// TestAdminOpsDeclareScope checks every row of the admin button table: a
// button with no scope would be open to whoever forges it.
func TestAdminOpsDeclareScope(t *testing.T) {
	for code, op := range adminOps {
		if op.scope != anyAdmin && op.scope != cityAdmin {
			t.Errorf("admin op %q: scope %d, want anyAdmin or cityAdmin", code, op.scope)
		}
		if len(code) != 2 || op.fields < 2 || op.parse == nil || op.press == nil {
			t.Errorf("admin op %q: fields %d, parse or press missing", code, op.fields)
		}
	}
}

// TestCommandsTable checks every row of the command table: a scope, a
// handler, names that no other command uses, and a description for every
// command that a menu lists.
func TestCommandsTable(t *testing.T) {
	seen := map[string]string{}
	for _, cmd := range commands {
		if cmd.scope < anyone || cmd.scope > cityAdmin || cmd.run == nil {
			t.Errorf("/%s: scope %d or handler missing", cmd.id, cmd.scope)
		}
		if cmd.menus != 0 && !strings.HasPrefix(cmd.desc, "cmd.") {
			t.Errorf("/%s is in a menu without a description", cmd.id)
		}
		if cmd.scope != anyone && cmd.menus&citizenMenu != 0 {
			t.Errorf("/%s is for admins but in everyone's menu", cmd.id)
		}
		for _, n := range cmd.names() {
			if other, dup := seen[n]; dup {
				t.Errorf("/%s is a name of both /%s and /%s", n, other, cmd.id)
			}
			seen[n] = cmd.id
			if n != strings.ToLower(n) {
				t.Errorf("/%s: command names are matched in lower case", n)
			}
		}
	}
}
