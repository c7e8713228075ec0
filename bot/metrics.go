package bot

import (
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/ikmbot/ikmbot/telegram"
)

// Metrics are the bot's Prometheus metrics: the transport's, and the
// store's and the surveys' beside them in one set. A nil *Metrics records
// nothing, so tests and tools need not set one up.
type Metrics struct {
	*telegram.Metrics
	tx        *metrics.PrometheusHistogram
	started   *metrics.Counter
	completed *metrics.Counter
	expired   *metrics.Counter
}

// NewMetrics returns an empty set of the bot's metrics.
func NewMetrics() *Metrics {
	s := metrics.NewSet()
	return &Metrics{
		Metrics:   telegram.NewMetrics(s),
		tx:        s.NewPrometheusHistogram("ikmbot_bbolt_tx_seconds"),
		started:   s.NewCounter("ikmbot_surveys_started_total"),
		completed: s.NewCounter("ikmbot_surveys_completed_total"),
		expired:   s.NewCounter("ikmbot_surveys_expired_total"),
	}
}

// Transport returns the transport's metrics, for the Poller and the Sender;
// nil when m is nil.
func (m *Metrics) Transport() *telegram.Metrics {
	if m == nil {
		return nil
	}
	return m.Metrics
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

// surveyEvents counts what an update did to surveys, for the metrics.
type surveyEvents struct{ started, completed, expired int }
