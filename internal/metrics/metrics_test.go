package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestTextFormat(t *testing.T) {
	r := New()
	r.Request("/orgs/:id", "GET", 200, 3*time.Millisecond)
	r.Request("/orgs/:id", "GET", 200, 30*time.Millisecond)
	r.Request("/orgs/:id", "GET", 404, time.Second)
	r.Upstream(429, 10*time.Millisecond)
	r.Count("orgboard_usage_windows_total", "Usage windows fetched.", "result", "ok")
	r.AddGauge(Gauge{Name: "orgboard_cache_hits", Help: "Cache hits.", Read: func() float64 { return 7 }})
	var b strings.Builder
	r.Write(&b)
	out := b.String()
	for _, want := range []string{
		`orgboard_http_requests_total{route="/orgs/:id",method="GET",code="200"} 2`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id",le="0.005"} 1`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id",le="0.05"} 2`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id",le="+Inf"} 3`,
		`orgboard_http_request_duration_seconds_count{route="/orgs/:id"} 3`,
		`orgboard_upstream_calls_total{status="429"} 1`,
		`orgboard_usage_windows_total{result="ok"} 1`,
		"# TYPE orgboard_cache_hits gauge\norgboard_cache_hits 7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if q(`a"b\c`) != `"a\"b\\c"` {
		t.Error("label quoting")
	}
}
