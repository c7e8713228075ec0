package telegram

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/ikmbot/ikmbot/telegram/telegramtest"
)

// TestDispatcherOrdersPerChat checks that one chat's updates run one at a
// time in order, while other chats run alongside.
func TestDispatcherOrdersPerChat(t *testing.T) {
	var mu sync.Mutex
	seen := map[int64][]int64{}
	running := map[int64]int{}
	var maxParallel, parallel atomic.Int32
	d := NewDispatcher(func(_ context.Context, u *models.Update, _ func()) error {
		chat := u.Message.Chat.ID
		mu.Lock()
		running[chat]++
		if running[chat] > 1 {
			t.Errorf("chat %d handled two updates at once", chat)
		}
		mu.Unlock()
		n := parallel.Add(1)
		for {
			m := maxParallel.Load()
			if n <= m || maxParallel.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		parallel.Add(-1)
		mu.Lock()
		running[chat]--
		seen[chat] = append(seen[chat], u.ID)
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	id := int64(0)
	for round := 0; round < 20; round++ {
		for chat := int64(1); chat <= 10; chat++ {
			id++
			wg.Add(1)
			d.Submit(context.Background(), &models.Update{ID: id, Message: &models.Message{
				Chat: models.Chat{ID: chat, Type: models.ChatTypePrivate}, From: &models.User{ID: chat}, Text: "x"}}, func(error) { wg.Done() })
		}
	}
	wg.Wait()
	d.Wait()
	for chat, ids := range seen {
		if len(ids) != 20 {
			t.Errorf("chat %d: %d updates handled, want 20", chat, len(ids))
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] < ids[i-1] {
				t.Errorf("chat %d handled update %d after %d", chat, ids[i], ids[i-1])
			}
		}
	}
	if maxParallel.Load() < 2 {
		t.Errorf("at most %d chats ran at once, want different chats in parallel", maxParallel.Load())
	}
}

// TestDispatcherBoundsWorkers checks that no more than the set number of
// handlers run at once, that all the chats still get their turn, and that
// an update reported early (an export drawing its file) frees its place.
func TestDispatcherBoundsWorkers(t *testing.T) {
	const workers = 3
	var running, most atomic.Int32
	release := make(chan struct{})
	d := NewDispatcher(func(_ context.Context, u *models.Update, early func()) error {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if u.Message.Text == "export" {
			running.Add(-1)
			early() // from here on it holds no place
			<-release
			return nil
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		return nil
	}).WithWorkers(workers)
	submit := func(id, chat int64, text string, done func(error)) {
		d.Submit(context.Background(), &models.Update{ID: id, Message: &models.Message{
			Chat: models.Chat{ID: chat, Type: models.ChatTypePrivate}, From: &models.User{ID: chat}, Text: text}}, done)
	}
	// As many exports as places: each reports early and then waits, so
	// the other chats can only be handled if reporting frees the place.
	var early sync.WaitGroup
	for chat := int64(1); chat <= workers; chat++ {
		early.Add(1)
		submit(chat, chat, "export", func(error) { early.Done() })
	}
	early.Wait()
	var wg sync.WaitGroup
	for i := int64(0); i < 60; i++ {
		wg.Add(1)
		submit(100+i, 10+i%20, "x", func(error) { wg.Done() })
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("updates of other chats never ran while exports were drawing: reporting early did not free a place")
	}
	close(release)
	d.Wait()
	if m := most.Load(); m > workers {
		t.Errorf("%d handlers ran at once, want at most %d", m, workers)
	}
	if m := most.Load(); m < 2 {
		t.Errorf("at most %d handler ran at once, want chats in parallel", m)
	}
}

// TestPollerConfirmsOnlyAfterHandling checks that an update is not
// confirmed to Telegram while its handler is still running, so a crash
// there means redelivery, not loss.
func TestPollerConfirmsOnlyAfterHandling(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.WithReporter(t))
	defer srv.Close()
	release := make(chan struct{})
	started := make(chan int64, 4)
	d := NewDispatcher(func(_ context.Context, u *models.Update, _ func()) error {
		started <- u.ID
		<-release
		return nil
	})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		p := &Poller{APIURL: srv.URL(), Token: telegramtest.Token, Client: srv.Client(), Timeout: time.Second}
		done <- p.Run(ctx, d)
	}()
	upd := srv.User(1001, "Budi", "id").Send("halo")
	select {
	case id := <-started:
		if id != upd.ID {
			t.Fatalf("handler got update %d, want %d", id, upd.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("update never reached the handler")
	}
	time.Sleep(50 * time.Millisecond) // room for a wrongly early confirmation
	if srv.Confirmed(upd.ID) {
		t.Fatal("update confirmed to Telegram while still being handled")
	}
	close(release)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.WaitConfirmed(wctx, upd.ID); err != nil {
		t.Fatalf("update not confirmed after handling: %v", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	d.Wait()
}
