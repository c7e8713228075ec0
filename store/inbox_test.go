package store

import (
	"slices"
	"testing"
	"time"
)

// kept lists the inbox's ids and contents in order.
func kept(t *testing.T, s *Store) ([]int64, []string) {
	t.Helper()
	var ids []int64
	var raws []string
	if err := s.KeptUpdates(func(id int64, raw []byte) error {
		ids = append(ids, id)
		raws = append(raws, string(raw))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids, raws
}

// TestInbox keeps a batch, sees a copy of it sent again and one of an
// update handled before refused, and takes answered updates out.
func TestInbox(t *testing.T) {
	s := open(t, Options{})
	if s.InboxInUse() {
		t.Error("a new store says its inbox is in use")
	}
	fresh, err := s.KeepUpdates([]int64{12, 10, 11}, [][]byte{[]byte(`{"update_id":12}`), []byte(`{"update_id":10}`), []byte(`{"update_id":11}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, true}; !slices.Equal(fresh, want) {
		t.Errorf("first batch: fresh %v, want %v", fresh, want)
	}
	if !s.InboxInUse() {
		t.Error("the inbox is in use after KeepUpdates, but the store does not say so")
	}
	// 11 is handled (its transaction marks it), then Telegram sends 11 and
	// 12 again with a new 13.
	if err := s.Update(func(tx *Tx) error { return tx.MarkUpdate(11, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	if err := s.DropUpdates([]int64{11}); err != nil {
		t.Fatal(err)
	}
	fresh, err = s.KeepUpdates([]int64{11, 12, 13}, [][]byte{[]byte(`x`), []byte(`y`), []byte(`{"update_id":13}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, false, true}; !slices.Equal(fresh, want) {
		t.Errorf("the batch sent again: fresh %v, want %v (11 handled, 12 waiting)", fresh, want)
	}
	ids, raws := kept(t, s)
	if want := []int64{10, 12, 13}; !slices.Equal(ids, want) {
		t.Errorf("inbox holds %v, want %v in order", ids, want)
	}
	if raws[1] != `{"update_id":12}` {
		t.Errorf("update 12 holds %q, want the first copy", raws[1])
	}
	if n, err := s.InboxLen(); err != nil || n != 3 {
		t.Errorf("InboxLen = %d, %v; want 3", n, err)
	}
	// Taking out what is not there is no error.
	if err := s.DropUpdates([]int64{10, 13, 99}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := kept(t, s); !slices.Equal(ids, []int64{12}) {
		t.Errorf("after taking out 10 and 13 the inbox holds %v, want [12]", ids)
	}
	if _, err := s.KeepUpdates([]int64{1}, nil); err == nil {
		t.Error("KeepUpdates took ids without updates")
	}
}

// TestInboxSurvivesReopen closes the store with an update kept: it is
// there at the next open, as after a crash.
func TestInboxSurvivesReopen(t *testing.T) {
	path := t.TempDir() + "/ikm.db"
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeepUpdates([]int64{5}, [][]byte{[]byte(`{"update_id":5}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ids, raws := kept(t, s); !slices.Equal(ids, []int64{5}) || raws[0] != `{"update_id":5}` {
		t.Errorf("after reopening the inbox holds %v %q, want update 5", ids, raws)
	}
}

// TestInboxAnswered records updates as answered: they leave the inbox with
// the next batch kept, and those left when the store closes leave then.
func TestInboxAnswered(t *testing.T) {
	path := t.TempDir() + "/ikm.db"
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Answered(1) // before the inbox is in use: nothing to do
	if len(s.answeredSoFar()) != 0 {
		t.Error("an update was recorded as answered while the inbox is not in use")
	}
	if _, err := s.KeepUpdates([]int64{1, 2, 3}, [][]byte{[]byte("a"), []byte("b"), []byte("c")}); err != nil {
		t.Fatal(err)
	}
	s.Answered(1)
	s.Answered(2)
	if _, err := s.KeepUpdates([]int64{4}, [][]byte{[]byte("d")}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := kept(t, s); !slices.Equal(ids, []int64{3, 4}) {
		t.Errorf("after the next batch the inbox holds %v, want [3 4]: 1 and 2 left with it", ids)
	}
	s.Answered(3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ids, _ := kept(t, s); !slices.Equal(ids, []int64{4}) {
		t.Errorf("after closing and reopening the inbox holds %v, want [4]: 3 left at the close", ids)
	}
}
