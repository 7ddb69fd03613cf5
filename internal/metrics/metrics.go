// Package metrics counts what operators watch and writes it in the
// Prometheus text format: requests and their latency per route, upstream
// calls by status, and values read when scraped (cache, audit sync, usage).
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buckets are the latency histogram's upper bounds, in seconds.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64 // per bucket (not cumulative), plus +Inf last
	sum    float64
	n      uint64
}

func (h *histogram) observe(s float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(Buckets)+1)
	}
	i := sort.SearchFloat64s(Buckets, s)
	h.counts[i]++
	h.sum += s
	h.n++
}

// Gauge is a value read at scrape time (a counter kept elsewhere when
// Counter is set).
type Gauge struct {
	Name, Help string
	Read       func() float64
	Counter    bool
}

// Registry holds every metric of the process.
type Registry struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // route, method, code
	latency  map[string]*histogram
	upstream map[string]uint64 // status
	upLat    histogram
	counters map[[2]string]uint64 // name, label value
	help     map[string]string
	gauges   []Gauge
}

// New makes an empty registry.
func New() *Registry {
	return &Registry{requests: map[[3]string]uint64{}, latency: map[string]*histogram{}, upstream: map[string]uint64{},
		counters: map[[2]string]uint64{}, help: map[string]string{}}
}

// Request records one answered request.
func (r *Registry) Request(route, method string, code int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[[3]string{route, method, strconv.Itoa(code)}]++
	h := r.latency[route]
	if h == nil {
		h = &histogram{}
		r.latency[route] = h
	}
	h.observe(d.Seconds())
}

// Upstream records one call to the API (status 0: no answer).
func (r *Registry) Upstream(status int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.upstream[strconv.Itoa(status)]++
	r.upLat.observe(d.Seconds())
}

// Count adds one to a labelled counter (name must end in _total).
func (r *Registry) Count(name, help, label, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.help[name] = label + "\x00" + help
	r.counters[[2]string{name, value}]++
}

// AddGauge registers a value read at scrape time.
func (r *Registry) AddGauge(g Gauge) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges = append(r.gauges, g)
}

// Write writes every metric in the Prometheus text format.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	header(w, "orgboard_http_requests_total", "counter", "Requests answered, by route, method and status code.")
	for _, k := range sortedKeys(r.requests, func(k [3]string) string { return strings.Join(k[:], "\x00") }) {
		fmt.Fprintf(w, "orgboard_http_requests_total{route=%s,method=%s,code=%s} %d\n", q(k[0]), q(k[1]), q(k[2]), r.requests[k])
	}
	header(w, "orgboard_http_request_duration_seconds", "histogram", "Time to answer a request, by route.")
	for _, route := range sortedKeys(r.latency, func(k string) string { return k }) {
		writeHistogram(w, "orgboard_http_request_duration_seconds", "route="+q(route), r.latency[route])
	}
	header(w, "orgboard_upstream_calls_total", "counter", "Calls to the Cloudflare API, by status (0: no answer).")
	for _, st := range sortedKeys(r.upstream, func(k string) string { return k }) {
		fmt.Fprintf(w, "orgboard_upstream_calls_total{status=%s} %d\n", q(st), r.upstream[st])
	}
	header(w, "orgboard_upstream_call_duration_seconds", "histogram", "Time of one call to the Cloudflare API.")
	writeHistogram(w, "orgboard_upstream_call_duration_seconds", "", &r.upLat)
	names := map[string]bool{}
	for k := range r.counters {
		names[k[0]] = true
	}
	for _, name := range sortedKeys(names, func(k string) string { return k }) {
		label, help, _ := strings.Cut(r.help[name], "\x00")
		header(w, name, "counter", help)
		for _, k := range sortedKeys(r.counters, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
			if k[0] == name {
				fmt.Fprintf(w, "%s{%s=%s} %d\n", name, label, q(k[1]), r.counters[k])
			}
		}
	}
	for _, g := range r.gauges {
		typ := "gauge"
		if g.Counter {
			typ = "counter"
		}
		header(w, g.Name, typ, g.Help)
		v := g.Read()
		if math.IsNaN(v) {
			continue
		}
		fmt.Fprintf(w, "%s %s\n", g.Name, strconv.FormatFloat(v, 'g', -1, 64))
	}
}

func header(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func writeHistogram(w io.Writer, name, labels string, h *histogram) {
	sep := ""
	if labels != "" {
		sep = ","
	}
	var cum uint64
	for i, b := range Buckets {
		if h.counts != nil {
			cum += h.counts[i]
		}
		fmt.Fprintf(w, "%s_bucket{%s%sle=%q} %d\n", name, labels, sep, strconv.FormatFloat(b, 'g', -1, 64), cum)
	}
	fmt.Fprintf(w, "%s_bucket{%s%sle=\"+Inf\"} %d\n", name, labels, sep, h.n)
	braces := ""
	if labels != "" {
		braces = "{" + labels + "}"
	}
	fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", name, braces, strconv.FormatFloat(h.sum, 'g', -1, 64), name, braces, h.n)
}

// q quotes a label value the way the text format wants.
func q(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func sortedKeys[K comparable, V any](m map[K]V, str func(K) string) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return str(keys[i]) < str(keys[j]) })
	return keys
}
