package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

func TestReadyAndMetrics(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	u.Get("/orgs")
	u.Get("/orgs/" + e.Org("Payments Platform").ID + "/usage?scope=org")
	if r := u.Get("/orgs/ffffffffffffffffffffffffffffffff"); r.Status != 404 {
		t.Fatalf("unknown org %d", r.Status)
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(e.Console.URL + path) // no session: operators' endpoints need none
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz: %d %q", code, body)
	}
	code, body := get("/metrics")
	for _, want := range []string{
		`orgboard_http_requests_total{code="200",method="GET",route="/orgs"} `,
		`orgboard_http_requests_total{code="404",method="GET",route="/orgs/:id"} 1`,
		`orgboard_http_request_duration_seconds_bucket{route="/orgs/:id/usage",le="+Inf"} 1`,
		`orgboard_upstream_calls_total{status="200"}`,
		`orgboard_upstream_calls_total{status="404"}`,
		`orgboard_usage_windows_total{result="ok"}`,
		"# TYPE orgboard_cache_hits_total counter",
		"orgboard_audit_sync_lag_seconds",
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, localapi.DemoAdminToken) {
		t.Error("the token is in the metrics")
	}
	// the API gone: not ready, and says what
	e.API.Close()
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "upstream API") {
		t.Errorf("readyz with the API gone: %d %q", code, body)
	}
}
