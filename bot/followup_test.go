package bot

import (
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/store"
	"github.com/ikmbot/ikmbot/survey"
)

func TestGoldenAdminFollowUp(t *testing.T) {
	h := golden(t, "admin_followup")
	err := h.st.View(func(tx *store.Tx) error {
		fs, err := tx.FollowUps("DISDUKCAPIL")
		if err != nil {
			return err
		}
		if len(fs) != 1 {
			t.Fatalf("plans %+v, want the one saved", fs)
		}
		f := fs[0]
		due := time.Date(2026, 6, 30, 0, 0, 0, 0, h.cfg.Location)
		if f.Element != survey.Biaya || f.Owner != "Kasi Pelayanan" || !f.Due.Equal(due) || f.Status != survey.FollowUpDone || f.By != 2001 {
			t.Errorf("plan %+v", f)
		}
		ch, err := tx.Chat(2001)
		if err != nil || ch.Mode != "" {
			t.Errorf("chat mode %q, %v after the refused plan", ch.Mode, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestParseDue(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	want := time.Date(2026, 6, 30, 0, 0, 0, 0, loc)
	for _, s := range []string{"2026-06-30", "30-06-2026", "30/06/2026"} {
		if got, ok := parseDue(s, loc); !ok || !got.Equal(want) {
			t.Errorf("parseDue(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "besok", "2026-02-30", "31/04/2026", "2026/06/30"} {
		if got, ok := parseDue(s, loc); ok {
			t.Errorf("parseDue(%q) = %v, want refused", s, got)
		}
	}
}

// TestGoldenPendingInput: each typed text went where the chat said it
// would: one plan with its own action, the survey the ages, and nothing
// from the text after the plan expired.
func TestGoldenPendingInput(t *testing.T) {
	h := golden(t, "pending_input")
	err := h.st.View(func(tx *store.Tx) error {
		fs, err := tx.FollowUps("DISDUKCAPIL")
		if err != nil {
			return err
		}
		if len(fs) != 1 || fs[0].Action != "Tambah satu loket pada jam sibuk" || fs[0].Element != survey.Waktu {
			t.Errorf("plans %+v, want the one for waktu", fs)
		}
		chat, err := tx.Chat(2001)
		if err != nil {
			return err
		}
		if chat.Session == nil || chat.Session.Profile.Age != 35 || chat.Mode != "" {
			t.Errorf("chat %+v, want the survey open with age 35 and no plan waiting", chat)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
