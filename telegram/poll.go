package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// AllowedUpdates are the update types the bot asks Telegram for; everything
// else (edits, channel posts, inline queries, ...) is never delivered.
var AllowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery}

// Poller fetches updates with getUpdates and confirms none before it is
// safe. go-telegram/bot's own loop confirms an update as soon as it is
// queued in memory, so a crash would lose it. With an Inbox, the Poller
// writes each batch to it in one transaction before it confirms the batch
// (by asking for the next), and hands the updates to the Dispatcher
// without waiting for them: one slow reply holds up nobody's next update.
// Each handler takes its update out of the inbox in its own transaction,
// and at start the Poller hands over whatever a crash or a shutdown left
// there. Without an Inbox it asks for the next batch only when the whole
// batch is handled and committed. Either way Telegram redelivers anything
// unconfirmed, and handling is idempotent on update_id.
type Poller struct {
	APIURL  string        // e.g. https://api.telegram.org
	Token   string        // never logged
	Client  *http.Client  // its timeout must exceed Timeout
	Timeout time.Duration // long-poll wait; default 50s
	Logger  *slog.Logger
	Metrics *Metrics // nil: no metrics

	// Inbox keeps updates durably between getUpdates and their handling
	// (store.Store is one). nil: wait for each batch instead.
	Inbox Inbox
	// MaxAhead bounds the updates handed to the Dispatcher and not yet
	// done, when there is an Inbox; the Poller waits for room before it
	// asks for more. Default DefaultMaxAhead.
	MaxAhead int

	// HandlerContext is given to handlers; by default it is Run's context
	// without its cancellation, so a shutdown lets the updates in flight
	// finish and reply.
	HandlerContext context.Context
}

// Inbox keeps updates between their arrival and their handling; the
// handler of an update takes it out in the transaction that handles it.
type Inbox interface {
	// KeepUpdates stores the updates (ids[i] is raws[i]'s update_id) in one
	// durable transaction and reports which are new: neither waiting
	// already nor handled before.
	KeepUpdates(ids []int64, raws [][]byte) ([]bool, error)
	// KeptUpdates calls fn with every update waiting, oldest first.
	KeptUpdates(fn func(id int64, raw []byte) error) error
}

// DefaultMaxAhead is how many updates a Poller with an Inbox lets wait for
// their handlers: at Telegram's pace of about 30 replies a second, half a
// minute of them.
const DefaultMaxAhead = 1000

// Run polls until ctx is cancelled, handing every update to d.
func (p *Poller) Run(ctx context.Context, d *Dispatcher) error {
	if p.Timeout <= 0 {
		p.Timeout = 50 * time.Second
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	handlerCtx := p.HandlerContext
	if handlerCtx == nil {
		handlerCtx = context.WithoutCancel(ctx)
	}
	maxAhead := p.MaxAhead
	if maxAhead <= 0 {
		maxAhead = DefaultMaxAhead
	}
	ahead := make(chan struct{}, maxAhead)
	submit := func(u *models.Update) bool {
		select {
		case ahead <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		// A failed commit is not retried here: the bot already told the
		// person, and their next action starts from the stored state.
		d.Submit(handlerCtx, u, func(error) { <-ahead })
		return true
	}
	if p.Inbox != nil {
		n, err := p.recover(submit)
		if err != nil {
			return fmt.Errorf("updates kept from before: %w", err)
		}
		if n > 0 {
			log.Info("handling updates kept from before", "updates", n)
		}
	}
	var offset int64
	backoff := time.Duration(0)
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		updates, raws, err := p.getUpdates(ctx, offset)
		if err == nil && p.Inbox != nil && len(updates) > 0 {
			var fresh []bool
			if fresh, err = p.keep(updates, raws); err == nil {
				for i, u := range updates {
					if fresh[i] && !submit(u) {
						return nil
					}
					offset = max(offset, u.ID+1)
				}
				p.Metrics.Polled(time.Now())
				backoff = 0
				continue
			}
			// Not kept, so not confirmed: Telegram sends them again.
			err = fmt.Errorf("updates not kept: %w", err)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			log.Warn("getUpdates failed", "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		p.Metrics.Polled(time.Now())
		var wg sync.WaitGroup
		for _, u := range updates {
			wg.Add(1)
			d.Submit(handlerCtx, u, func(error) { wg.Done() })
			offset = max(offset, u.ID+1)
		}
		wg.Wait()
	}
}

// keep writes a batch to the inbox.
func (p *Poller) keep(updates []*models.Update, raws []json.RawMessage) ([]bool, error) {
	ids := make([]int64, len(updates))
	data := make([][]byte, len(updates))
	for i, u := range updates {
		ids[i], data[i] = u.ID, raws[i]
	}
	return p.Inbox.KeepUpdates(ids, data)
}

// recover hands the Dispatcher the updates left in the inbox.
func (p *Poller) recover(submit func(*models.Update) bool) (int, error) {
	var kept []*models.Update
	err := p.Inbox.KeptUpdates(func(id int64, raw []byte) error {
		u := new(models.Update)
		if err := json.Unmarshal(raw, u); err != nil || u.ID != id {
			// Unreadable: handing it to the bot could not help. The bot's
			// handler takes it out (an update it cannot parse is ignored).
			u = &models.Update{ID: id}
		}
		kept = append(kept, u)
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, u := range kept {
		if !submit(u) {
			return i, nil
		}
	}
	return len(kept), nil
}

// ErrConflict means Telegram refused getUpdates because another process
// polls with the same token, or a webhook is set.
var ErrConflict = errors.New("another ikmbot is polling with this token, or a webhook is set")

// getUpdates asks for the updates from offset on (confirming those
// before), and returns them with each one's JSON as Telegram sent it.
func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]*models.Update, []json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(p.Timeout.Seconds()), "allowed_updates": AllowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.APIURL+"/bot"+p.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, nil, errors.New("getUpdates: bad API URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		// url.Error carries the URL, and the URL carries the token.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, nil, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("getUpdates: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil, fmt.Errorf("getUpdates: HTTP %d, unreadable answer", resp.StatusCode)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusConflict {
			return nil, nil, ErrConflict
		}
		if r.Parameters.RetryAfter > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(min(time.Duration(r.Parameters.RetryAfter)*time.Second, 30*time.Second)):
			}
		}
		return nil, nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	updates := make([]*models.Update, len(r.Result))
	for i, raw := range r.Result {
		updates[i] = new(models.Update)
		if err := json.Unmarshal(raw, updates[i]); err != nil {
			// Not one the bot could act on; its id still moves the
			// offset on, so that it does not come back for ever.
			var id struct {
				ID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &id) != nil || id.ID <= 0 {
				return nil, nil, fmt.Errorf("getUpdates: an update without an update_id: %w", err)
			}
			if p.Logger != nil {
				p.Logger.Warn("unreadable update ignored", "update_id", id.ID, "err", err)
			}
			updates[i] = &models.Update{ID: id.ID}
		}
	}
	return updates, r.Result, nil
}
