package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMetricsKeepTheirNamesBesideGoAndProcess(t *testing.T) {
	r := New()
	r.Request("/orgs/:id", "GET", 200, 3*time.Millisecond)
	r.Request("/orgs/:id", "GET", 200, 30*time.Millisecond)
	r.Request("/orgs/:id", "GET", 404, time.Second)
	r.Upstream(429, 10*time.Millisecond)
	r.UsageWindow(true)
	r.AddGauge(Gauge{Name: "orgboard_cache_hits_total", Help: "Cache hits.", Counter: true, Read: func() (float64, bool) { return 7, true }},
		Gauge{Name: "orgboard_audit_sync_lag_seconds", Help: "Lag.", Read: func() (float64, bool) { return 0, false }})
	w := httptest.NewRecorder()
	r.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Body)
	out := string(b)
	for _, want := range []string{
		`orgboard_http_requests_total{code="200",method="GET",route="/orgs/:id"} 2`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id",le="0.005"} 1`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id",le="0.05"} 2`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id",le="+Inf"} 3`,
		`orgboard_http_request_duration_seconds_count{route="/orgs/:id"} 3`,
		`orgboard_upstream_calls_total{status="429"} 1`,
		`orgboard_usage_windows_total{result="ok"} 1`,
		"# TYPE orgboard_cache_hits_total counter\norgboard_cache_hits_total 7",
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, "orgboard_audit_sync_lag_seconds ") {
		t.Error("a gauge that could not be read was written")
	}
}
