package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// MaxWebhookBody bounds an update's size. Real updates are a few KB; the
// cap stops a stranger from making us buffer an arbitrary body.
const MaxWebhookBody = 1 << 20

// WebhookHandler receives the updates Telegram pushes when a webhook is
// set. It is ours rather than the library's because Telegram must hear a
// non-2xx answer when an update could not be stored, so that it delivers it
// again; go-telegram/bot's handler always answers 200 and queues the update.
// secret is the X-Telegram-Bot-Api-Secret-Token given to setWebhook.
func WebhookHandler(secret string, d *Dispatcher, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			log.Warn("webhook request with a wrong secret token", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read update", http.StatusBadRequest)
			return
		}
		var upd models.Update
		if err := json.Unmarshal(body, &upd); err != nil || upd.ID <= 0 {
			http.Error(w, "not a Telegram update", http.StatusBadRequest)
			return
		}
		done := make(chan error, 1)
		// The update is handled to the end even if Telegram hangs up: a
		// redelivery then finds it already done.
		d.Submit(context.WithoutCancel(r.Context()), &upd, func(err error) { done <- err })
		select {
		case err := <-done:
			if err != nil {
				http.Error(w, "update not stored, send it again", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
		}
	})
}
