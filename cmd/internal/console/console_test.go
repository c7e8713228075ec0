package console

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestIsTerminalNotForFilesPipesOrBuffers(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, v := range map[string]any{"file": f, "pipe reader": r, "pipe writer": w, "buffer": &bytes.Buffer{}, "nil": nil} {
		if IsTerminal(v) {
			t.Errorf("IsTerminal(%s) = true", name)
		}
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	off := NewProgress(&buf)
	off.Show("posters %d/%d", 1, 2)
	off.Clear()
	if off.On() || buf.Len() != 0 {
		t.Errorf("progress to a buffer: On() = %v, wrote %q; want off and nothing", off.On(), buf.String())
	}
	on := Progress{w: &buf} // as NewProgress makes it for a terminal
	on.Show("posters %d/%d %s", 1, 89, "PKM-KRANJI")
	on.Show("posters %d/%d %s", 2, 89, "PKM-JATI")
	on.Clear()
	const want = "\r\033[Kposters 1/89 PKM-KRANJI\r\033[Kposters 2/89 PKM-JATI\r\033[K"
	if !on.On() || buf.String() != want {
		t.Errorf("progress on a terminal wrote %q, want %q", buf.String(), want)
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"},
		{1023, "1023 bytes"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{1 << 20, "1.0 MiB"},
		{577_000_000, "550.3 MiB"},
		{3 << 30, "3.0 GiB"},
	}
	for _, tt := range tests {
		if got := ByteSize(tt.n); got != tt.want {
			t.Errorf("ByteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
