package telegram

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	tg "github.com/go-telegram/bot"
)

// Metrics are the transport's Prometheus metrics: updates handled, Bot API
// errors and retries, calls waiting for the pace, and readiness. A nil
// *Metrics records nothing, so tests and tools need not set one up.
type Metrics struct {
	set        *metrics.Set
	handle     *metrics.PrometheusHistogram
	waiting    atomic.Int64 // calls waiting for the send rate limiter
	polledOK   atomic.Int64 // unix seconds of the last successful getUpdates
	webhookSet atomic.Bool
}

// NewMetrics registers the transport's metrics in s (a new set if nil),
// where the bot registers its own beside them.
func NewMetrics(s *metrics.Set) *Metrics {
	if s == nil {
		s = metrics.NewSet()
	}
	m := &Metrics{set: s, handle: s.NewPrometheusHistogram("ikmbot_update_handle_seconds")}
	s.NewGauge("ikmbot_send_queue_depth", func() float64 { return float64(m.waiting.Load()) })
	return m
}

// WritePrometheus writes every metric in the Prometheus text format,
// with the Go runtime's and the process's own.
func (m *Metrics) WritePrometheus(w io.Writer) {
	m.set.WritePrometheus(w)
	metrics.WriteProcessMetrics(w)
}

// ObserveUpdate records one update handled, of kind, in d, failed if err.
func (m *Metrics) ObserveUpdate(kind Kind, d time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.set.GetOrCreateCounter(`ikmbot_updates_handled_total{kind="` + kind.String() + `",result="` + result + `"}`).Inc()
	m.handle.Update(d.Seconds())
}

func (m *Metrics) apiError(method string, err error) {
	if m != nil {
		m.set.GetOrCreateCounter(`ikmbot_telegram_errors_total{method="` + method + `",code="` + errorCode(err) + `"}`).Inc()
	}
}

func (m *Metrics) retry(method string) {
	if m != nil {
		m.set.GetOrCreateCounter(`ikmbot_telegram_retries_total{method="` + method + `"}`).Inc()
	}
}

// Polled records a successful getUpdates, for readiness.
func (m *Metrics) Polled(now time.Time) {
	if m != nil {
		m.polledOK.Store(now.Unix())
	}
}

// WebhookSet records that Telegram accepted our webhook, for readiness.
func (m *Metrics) WebhookSet() {
	if m != nil {
		m.webhookSet.Store(true)
	}
}

// Ready reports whether updates are reaching the bot: a webhook is set, or
// getUpdates succeeded within maxAge.
func (m *Metrics) Ready(now time.Time, maxAge time.Duration) bool {
	if m == nil {
		return false
	}
	return m.webhookSet.Load() || now.Sub(time.Unix(m.polledOK.Load(), 0)) <= maxAge
}

// errorCode classifies a Bot API error by the HTTP code Telegram gave.
func errorCode(err error) string {
	var tooMany *tg.TooManyRequestsError
	switch {
	case errors.As(err, &tooMany):
		return "429"
	case errors.Is(err, tg.ErrorBadRequest):
		return "400"
	case errors.Is(err, tg.ErrorUnauthorized):
		return "401"
	case errors.Is(err, tg.ErrorForbidden):
		return "403"
	case errors.Is(err, tg.ErrorNotFound):
		return "404"
	case errors.Is(err, tg.ErrorConflict):
		return "409"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	case strings.Contains(err.Error(), "error response from telegram"):
		return "5xx"
	}
	return "network"
}
