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

// Poller fetches updates with getUpdates and confirms them only after they
// are handled and committed. go-telegram/bot's own loop confirms an update
// as soon as it is queued, so a crash would lose it; ours asks for the next
// offset only when the whole batch is done, and Telegram redelivers anything
// unconfirmed (handling is idempotent on update_id).
type Poller struct {
	APIURL  string        // e.g. https://api.telegram.org
	Token   string        // never logged
	Client  *http.Client  // its timeout must exceed Timeout
	Timeout time.Duration // long-poll wait; default 50s
	Logger  *slog.Logger
	Metrics *Metrics // nil: no metrics

	// HandlerContext is given to handlers; by default it is Run's context
	// without its cancellation, so a shutdown lets the batch in flight
	// finish and reply.
	HandlerContext context.Context
}

// Run polls until ctx is cancelled, handing every batch to d and waiting for
// it before asking for the next.
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
	var offset int64
	backoff := time.Duration(0)
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		updates, err := p.getUpdates(ctx, offset)
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
			// A failed commit is not retried here: the bot already told the
			// person, and their next action starts from the stored state.
			d.Submit(handlerCtx, u, func(error) { wg.Done() })
			offset = max(offset, u.ID+1)
		}
		wg.Wait()
	}
}

// ErrConflict means Telegram refused getUpdates because another process
// polls with the same token, or a webhook is set.
var ErrConflict = errors.New("another ikmbot is polling with this token, or a webhook is set")

func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]*models.Update, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(p.Timeout.Seconds()), "allowed_updates": AllowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.APIURL+"/bot"+p.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("getUpdates: bad API URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		// url.Error carries the URL, and the URL carries the token.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	var r struct {
		OK          bool             `json:"ok"`
		Result      []*models.Update `json:"result"`
		ErrorCode   int              `json:"error_code"`
		Description string           `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, unreadable answer", resp.StatusCode)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusConflict {
			return nil, ErrConflict
		}
		if r.Parameters.RetryAfter > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(min(time.Duration(r.Parameters.RetryAfter)*time.Second, 30*time.Second)):
			}
		}
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, nil
}
