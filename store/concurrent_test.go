package store

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ikmbot/ikmbot/survey"
)

// TestConcurrentUpdates runs 50 goroutines that each add responses through
// their own Update calls, the way concurrent Telegram handlers do. Batching
// must neither lose nor double any of them, even though fn may be retried.
func TestConcurrentUpdates(t *testing.T) {
	const goroutines, perGoroutine = 50, 20
	loc := jakarta(t)
	s := open(t, Options{Location: loc})
	at := time.Date(2026, 7, 15, 10, 0, 0, 0, loc)
	scores := survey.Scores{4, 3, 2, 1, 4, 3, 2, 1, 4}

	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	ids := make([][]uint64, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				r := testResponse(fmt.Sprintf("U%d", g%5), at.Add(time.Duration(i)*time.Minute), scores)
				r.Respondent = fmt.Sprintf("g%d-%d", g, i)
				chat := int64(g)
				err := s.Update(func(tx *Tx) error {
					c, err := tx.Chat(chat)
					if err != nil {
						return err
					}
					c.LastUpdate++
					if err := tx.PutChat(c); err != nil {
						return err
					}
					return tx.AddResponse(&r, "2026")
				})
				if err != nil {
					errs <- err
					return
				}
				ids[g] = append(ids[g], r.ID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	seen := map[uint64]bool{}
	for g := range ids {
		for _, id := range ids[g] {
			if seen[id] {
				t.Errorf("id %d handed out twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != goroutines*perGoroutine {
		t.Errorf("%d distinct ids, want %d", len(seen), goroutines*perGoroutine)
	}

	year := survey.PeriodOf(survey.PeriodYear, at)
	var total survey.Tally
	for u := range 5 {
		got, err := s.Tally(fmt.Sprintf("U%d", u), year)
		if err != nil {
			t.Fatal(err)
		}
		if want := goroutines / 5 * perGoroutine; got.Respondents != want {
			t.Errorf("U%d: %d respondents, want %d", u, got.Respondents, want)
		}
		total.Merge(got)
	}
	var want survey.Tally
	for range goroutines * perGoroutine {
		want.Add(scores)
	}
	if total != want {
		t.Errorf("city tally = %+v, want %+v", total, want)
	}
	view(t, s, func(tx *Tx) error {
		complete, _, err := tx.CountResponses()
		if err != nil || complete != goroutines*perGoroutine {
			t.Errorf("CountResponses = %d, %v; want %d", complete, err, goroutines*perGoroutine)
		}
		for g := range goroutines {
			c, err := tx.Chat(int64(g))
			if err != nil {
				return err
			}
			if c.LastUpdate != int64(perGoroutine) {
				t.Errorf("chat %d seq = %d, want %d", g, c.LastUpdate, perGoroutine)
			}
		}
		n := 0
		var last uint64
		err = tx.ForEachResponse(func(r survey.Response) error {
			if r.ID <= last {
				t.Errorf("ForEachResponse: id %d after %d, want ascending", r.ID, last)
			}
			last = r.ID
			n++
			return nil
		})
		if n != goroutines*perGoroutine {
			t.Errorf("ForEachResponse saw %d, want %d", n, goroutines*perGoroutine)
		}
		return err
	})
}

// TestUpdateRetriesAfterFailingBatchMember shows why fn must have no outside
// effects: when one member of a batch fails, bbolt rolls the whole batch
// back and runs the others again. The committed state must still hold each
// success exactly once.
func TestUpdateRetriesAfterFailingBatchMember(t *testing.T) {
	s := open(t, Options{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	calls := 0
	for g := range 20 {
		wg.Go(func() {
			err := s.Update(func(tx *Tx) error {
				mu.Lock()
				calls++
				mu.Unlock()
				c, err := tx.Chat(1)
				if err != nil {
					return err
				}
				c.LastUpdate++
				if err := tx.PutChat(c); err != nil {
					return err
				}
				if g%4 == 0 {
					return fmt.Errorf("member %d fails", g)
				}
				return nil
			})
			if (err != nil) != (g%4 == 0) {
				t.Errorf("member %d: Update error = %v", g, err)
			}
		})
	}
	wg.Wait()
	view(t, s, func(tx *Tx) error {
		c, _ := tx.Chat(1)
		if c.LastUpdate != 15 {
			t.Errorf("seq = %d, want 15 (20 updates, 5 failed and rolled back)", c.LastUpdate)
		}
		return nil
	})
	t.Logf("fn ran %d times for 20 Update calls", calls)
}
