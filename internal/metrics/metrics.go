// Package metrics counts what operators watch, with Prometheus's own
// client: requests and their latency per route, upstream calls by status,
// values read when scraped (cache, audit sync), and the Go runtime's and
// the process's collectors.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Buckets are the latency histograms' upper bounds, in seconds.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Registry holds every metric of the process.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	upstream *prometheus.CounterVec
	upLat    prometheus.Histogram
	windows  *prometheus.CounterVec
}

// New makes a registry with the console's metrics and the Go and process
// collectors.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "orgboard_http_requests_total",
			Help: "Requests answered, by route, method and status code."}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "orgboard_http_request_duration_seconds",
			Help: "Time to answer a request, by route.", Buckets: Buckets}, []string{"route"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "orgboard_upstream_calls_total",
			Help: "Calls to the Cloudflare API, by status (0: no answer)."}, []string{"status"}),
		upLat: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "orgboard_upstream_call_duration_seconds",
			Help: "Time of one call to the Cloudflare API.", Buckets: Buckets}),
		windows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "orgboard_usage_windows_total",
			Help: "Usage windows (one organization, at most 31 days) fetched, by result."}, []string{"result"}),
	}
	r.reg.MustRegister(r.requests, r.latency, r.upstream, r.upLat, r.windows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Request records one answered request.
func (r *Registry) Request(route, method string, code int, d time.Duration) {
	r.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	r.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Upstream records one call to the API (status 0: no answer).
func (r *Registry) Upstream(status int, d time.Duration) {
	r.upstream.WithLabelValues(strconv.Itoa(status)).Inc()
	r.upLat.Observe(d.Seconds())
}

// UsageWindow records one usage window fetched (ok) or failed.
func (r *Registry) UsageWindow(ok bool) {
	result := "failed"
	if ok {
		result = "ok"
	}
	r.windows.WithLabelValues(result).Inc()
}

// Gauge is a value read at scrape time; Read reports false when it cannot
// be known, and the metric is then left out rather than written wrong.
type Gauge struct {
	Name, Help string
	Read       func() (float64, bool)
	Counter    bool // a count kept elsewhere
}

// AddGauge registers values read at scrape time.
func (r *Registry) AddGauge(gs ...Gauge) { r.reg.MustRegister(readAtScrape(gs)) }

// Handler serves the metrics in Prometheus's text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{DisableCompression: true}) // the server compresses its answers itself
}

// readAtScrape collects gauges read at scrape time.
type readAtScrape []Gauge

func (gs readAtScrape) desc(g Gauge) *prometheus.Desc {
	return prometheus.NewDesc(g.Name, g.Help, nil, nil)
}

func (gs readAtScrape) Describe(ch chan<- *prometheus.Desc) {
	for _, g := range gs {
		ch <- gs.desc(g)
	}
}

func (gs readAtScrape) Collect(ch chan<- prometheus.Metric) {
	for _, g := range gs {
		v, ok := g.Read()
		if !ok {
			continue
		}
		typ := prometheus.GaugeValue
		if g.Counter {
			typ = prometheus.CounterValue
		}
		ch <- prometheus.MustNewConstMetric(gs.desc(g), typ, v)
	}
}
