package telegram

import (
	"context"
	"sync"
	"testing"
	"time"
)

// waitUntil polls cond until it holds; these tests wait for a goroutine to
// be queued in the Pacer, which takes no fixed time.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestPacerPriorities queues a notice, an admin's screen and a reply
// behind a used-up budget: they go out reply first, notice last, whatever
// the order they came in.
func TestPacerPriorities(t *testing.T) {
	p := NewPacer(9, 0) // a call every 111 ms, one at a time
	ctx := context.Background()
	if err := p.Wait(ctx, 1, Reply); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for i, c := range []struct {
		name string
		prio Priority
	}{{"notice", Notice}, {"screen", Screen}, {"reply", Reply}} {
		wg.Go(func() {
			if err := p.Wait(ctx, int64(10+i), c.prio); err != nil {
				t.Error(err)
			}
			mu.Lock()
			order = append(order, c.name)
			mu.Unlock()
		})
		waitUntil(t, c.name+" queued", func() bool { return p.Waiting() == i+1 })
	}
	wg.Wait()
	if got, want := order, []string{"reply", "screen", "notice"}; !equal(got, want) {
		t.Errorf("went out in the order %q, want %q", got, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPacerChatHoldsNoOtherChat uses up one chat's budget: its next call
// waits, and another chat's goes past it.
func TestPacerChatHoldsNoOtherChat(t *testing.T) {
	p := NewPacer(0, 0.1) // one a chat every ten seconds, after a burst of three
	ctx := context.Background()
	for range chatBurst {
		if err := p.Wait(ctx, 1, Reply); err != nil {
			t.Fatal(err)
		}
	}
	waiting, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Wait(waiting, 1, Reply) }()
	waitUntil(t, "chat 1's fourth call queued", func() bool { return p.Waiting() == 1 })
	if err := p.Wait(ctx, 2, Reply); err != nil {
		t.Fatal(err)
	}
	if n := p.Waiting(); n != 1 {
		t.Errorf("%d calls wait after chat 2's went, want chat 1's still waiting", n)
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("a call cancelled while waiting went out")
	}
	if n := p.Waiting(); n != 0 {
		t.Errorf("%d calls wait after the cancel, want 0", n)
	}
}

// TestPacerSlow tells the pacer of a 429: the chat waits out retry_after,
// every other chat pauses briefly and then goes on at a lower pace, which
// grows back. Only lower bounds on time are checked.
func TestPacerSlow(t *testing.T) {
	const retryAfter = 2 * time.Second
	p := NewPacer(30, 1)
	ctx := context.Background()
	start := time.Now()
	p.Slow(1, retryAfter)
	if got := p.PaceNow(); got >= 30 || got < minRate {
		t.Errorf("pace after a 429: %.1f a second, want below the 30 configured", got)
	}
	held := make(chan time.Time, 1)
	go func() {
		if err := p.Wait(ctx, 1, Reply); err != nil {
			t.Error(err)
		}
		held <- time.Now()
	}()
	if err := p.Wait(ctx, 2, Reply); err != nil {
		t.Fatal(err)
	}
	other := time.Now()
	if d := other.Sub(start); d < maxPause-50*time.Millisecond {
		t.Errorf("another chat's call went %v after the 429, want a pause of about %v first", d, maxPause)
	}
	at := <-held
	if d := at.Sub(start); d < retryAfter {
		t.Errorf("the refused chat's next call went %v after the 429, want at least retry_after %v", d, retryAfter)
	}
	if !other.Before(at) {
		t.Error("the other chat's call waited for the refused chat's retry_after")
	}
	p.mu.Lock()
	p.slowedAt = time.Now().Add(-20 * time.Second) // as if long ago
	p.mu.Unlock()
	if got := p.PaceNow(); got != 30 {
		t.Errorf("pace long after a 429: %.1f a second, want back to 30", got)
	}
}

// TestPacerHoldsNothingWithoutRates is the load tool's and the tests'
// pacer (no rates): every call goes at once, but a 429 still pauses.
func TestPacerHoldsNothingWithoutRates(t *testing.T) {
	p := NewPacer(0, 0)
	ctx := context.Background()
	for i := range 1000 {
		if err := p.Wait(ctx, int64(i%7), Notice); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.Waiting(); n != 0 {
		t.Fatalf("%d calls wait with no rates", n)
	}
	start := time.Now()
	p.Slow(3, time.Second)
	if err := p.Wait(ctx, 4, Reply); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < maxPause-50*time.Millisecond {
		t.Errorf("a call went %v after a 429, want the pause first", d)
	}
	var nilPacer *Pacer
	if err := nilPacer.Wait(ctx, 1, Reply); err != nil {
		t.Errorf("nil pacer: %v", err)
	}
}
