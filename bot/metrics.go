package bot

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

// Metrics are the bot's Prometheus metrics. A nil *Metrics records nothing,
// so tests and tools need not set one up.
type Metrics struct {
	set        *metrics.Set
	handle     *metrics.PrometheusHistogram
	tx         *metrics.PrometheusHistogram
	started    *metrics.Counter
	completed  *metrics.Counter
	expired    *metrics.Counter
	waiting    atomic.Int64 // calls waiting for the send rate limiter
	polledOK   atomic.Int64 // unix seconds of the last successful getUpdates
	webhookSet atomic.Bool
}

// NewMetrics returns an empty set of the bot's metrics.
func NewMetrics() *Metrics {
	s := metrics.NewSet()
	m := &Metrics{
		set:       s,
		handle:    s.NewPrometheusHistogram("ikmbot_update_handle_seconds"),
		tx:        s.NewPrometheusHistogram("ikmbot_bbolt_tx_seconds"),
		started:   s.NewCounter("ikmbot_surveys_started_total"),
		completed: s.NewCounter("ikmbot_surveys_completed_total"),
		expired:   s.NewCounter("ikmbot_surveys_expired_total"),
	}
	s.NewGauge("ikmbot_send_queue_depth", func() float64 { return float64(m.waiting.Load()) })
	return m
}

// WritePrometheus writes every metric in the Prometheus text format,
// with the Go runtime's and the process's own.
func (m *Metrics) WritePrometheus(w io.Writer) {
	m.set.WritePrometheus(w)
	metrics.WriteProcessMetrics(w)
}

func (m *Metrics) observeUpdate(kind inputKind, d time.Duration, err error) {
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

func (m *Metrics) observeTx(d time.Duration) {
	if m != nil {
		m.tx.Update(d.Seconds())
	}
}

func (m *Metrics) countEvents(e surveyEvents) {
	if m == nil {
		return
	}
	m.started.Add(e.started)
	m.completed.Add(e.completed)
	m.expired.Add(e.expired)
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

// surveyEvents counts what an update did to surveys, for the metrics.
type surveyEvents struct{ started, completed, expired int }
