package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// memInbox is an Inbox in memory, as store.Store keeps one in bbolt: an
// update handled (take) leaves it and is remembered as seen.
type memInbox struct {
	mu      sync.Mutex
	kept    map[int64][]byte
	seen    map[int64]bool
	keeps   int
	failing int           // KeepUpdates calls to fail
	gate    chan struct{} // if not nil, KeepUpdates waits for it...
	entered chan struct{} // ...after saying so here
}

func newMemInbox() *memInbox {
	return &memInbox{kept: map[int64][]byte{}, seen: map[int64]bool{}}
}

func (m *memInbox) KeepUpdates(ids []int64, raws [][]byte) ([]bool, error) {
	if m.gate != nil {
		m.entered <- struct{}{}
		<-m.gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keeps++
	if m.failing > 0 {
		m.failing--
		return nil, errors.New("disk full")
	}
	fresh := make([]bool, len(ids))
	for i, id := range ids {
		if _, ok := m.kept[id]; ok || m.seen[id] {
			continue
		}
		m.kept[id] = append([]byte(nil), raws[i]...)
		fresh[i] = true
	}
	return fresh, nil
}

func (m *memInbox) KeptUpdates(fn func(int64, []byte) error) error {
	m.mu.Lock()
	ids := make([]int64, 0, len(m.kept))
	for id := range m.kept {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		m.mu.Lock()
		raw := m.kept[id]
		m.mu.Unlock()
		if err := fn(id, raw); err != nil {
			return err
		}
	}
	return nil
}

// take marks id handled, as the bot's transaction and its answer do.
func (m *memInbox) take(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.kept, id)
	m.seen[id] = true
}

func (m *memInbox) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.kept)
}

// pollWith runs a Poller with inbox against srv until the test ends.
func pollWith(t *testing.T, srv *telegramtest.Server, inbox Inbox, handle Handler) *Dispatcher {
	t.Helper()
	d := NewDispatcher(handle)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		p := &Poller{APIURL: srv.URL(), Token: telegramtest.Token, Client: srv.Client(), Timeout: time.Second, Inbox: inbox,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		done <- p.Run(ctx, d)
	}()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
		d.Wait()
	})
	return d
}

// TestPollerRunsAheadOfSlowReplies holds one chat's update in its handler:
// the Poller keeps it, confirms it and goes on to other chats' updates.
func TestPollerRunsAheadOfSlowReplies(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	t.Cleanup(srv.Close) // after the Poller's cleanup
	inbox := newMemInbox()
	hold := make(chan struct{})
	handled := make(chan int64, 10)
	pollWith(t, srv, inbox, func(_ context.Context, u *models.Update, _ func()) error {
		if u.Message.Chat.ID == 1 {
			<-hold
		}
		inbox.take(u.ID)
		handled <- u.ID
		return nil
	})
	slow := srv.User(1, "Lambat", "id").Send("/start")
	ctx := testCtx(t)
	if err := srv.WaitConfirmed(ctx, slow.ID); err != nil {
		t.Fatalf("the held update was not confirmed while its handler ran: %v", err)
	}
	fast := srv.User(2, "Cepat", "id").Send("/start")
	select {
	case id := <-handled:
		if id != fast.ID {
			t.Fatalf("handled update %d, want %d", id, fast.ID)
		}
	case <-ctx.Done():
		t.Fatal("another chat's update waited for the held one")
	}
	if n := inbox.len(); n != 1 {
		t.Errorf("%d updates in the inbox, want the held one", n)
	}
	close(hold)
	if id := <-handled; id != slow.ID {
		t.Errorf("handled update %d, want the held %d", id, slow.ID)
	}
}

// TestPollerConfirmsOnlyWhatIsKept holds the inbox's write: the update is
// not confirmed meanwhile; a write that fails is not confirmed either, and
// the update, sent again by Telegram, is handled once.
func TestPollerConfirmsOnlyWhatIsKept(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	t.Cleanup(srv.Close) // after the Poller's cleanup
	inbox := newMemInbox()
	inbox.gate, inbox.entered = make(chan struct{}), make(chan struct{}, 10)
	inbox.failing = 1
	var mu sync.Mutex
	count := map[int64]int{}
	pollWith(t, srv, inbox, func(_ context.Context, u *models.Update, _ func()) error {
		inbox.take(u.ID)
		mu.Lock()
		count[u.ID]++
		mu.Unlock()
		return nil
	})
	upd := srv.User(1, "Sari", "id").Send("/start")
	ctx := testCtx(t)
	for range 2 { // the failing write, then the one that keeps it
		select {
		case <-inbox.entered:
		case <-ctx.Done():
			t.Fatal("the Poller did not keep the batch")
		}
		time.Sleep(20 * time.Millisecond) // a getUpdates now would be a bug
		if srv.Confirmed(upd.ID) {
			t.Fatal("the update was confirmed before it was kept")
		}
		inbox.gate <- struct{}{}
	}
	close(inbox.gate)
	if err := srv.WaitConfirmed(ctx, upd.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the update handled", func() bool { mu.Lock(); defer mu.Unlock(); return count[upd.ID] > 0 })
	mu.Lock()
	defer mu.Unlock()
	if count[upd.ID] != 1 {
		t.Errorf("handled %d times, want once", count[upd.ID])
	}
}

// TestPollerHandsOverTheInboxFirst starts with updates a crash left in the
// inbox: they are handled, in order, before anything new, and the copy
// Telegram sends again (it was never confirmed) is not handled twice.
func TestPollerHandsOverTheInboxFirst(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	t.Cleanup(srv.Close) // after the Poller's cleanup
	u := srv.User(1, "Sari", "id")
	left := u.Send("/start") // pushed: Telegram will send it again
	leftRaw, _ := json.Marshal(left)
	older := u.TextUpdate("satu")
	older.ID = left.ID - 1
	olderRaw, _ := json.Marshal(older)
	inbox := newMemInbox()
	inbox.kept[older.ID], inbox.kept[left.ID] = olderRaw, leftRaw

	var mu sync.Mutex
	var order []int64
	pollWith(t, srv, inbox, func(_ context.Context, upd *models.Update, _ func()) error {
		inbox.take(upd.ID)
		mu.Lock()
		order = append(order, upd.ID)
		mu.Unlock()
		return nil
	})
	next := u.Send("dua")
	ctx := testCtx(t)
	if err := srv.WaitConfirmed(ctx, next.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the new update handled", func() bool { mu.Lock(); defer mu.Unlock(); return slices.Contains(order, next.ID) })
	mu.Lock()
	defer mu.Unlock()
	if want := []int64{older.ID, left.ID, next.ID}; !slices.Equal(order, want) {
		t.Errorf("handled %v, want %v: the inbox in order, each once, then the new one", order, want)
	}
}

// testCtx bounds a test's waits.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
