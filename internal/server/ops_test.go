package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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

// A database file damaged while the console runs: the page that meets it
// says so in words (503, never a bare 500), and /readyz answers 503 from
// then on, naming the cause, until a restart rebuilds the index.
func TestADamagedIndexMakesTheConsoleNotReady(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	synced(t, e, u, "/orgs/"+pp.ID+"/audit", pp.ID) // one organization's log: every page of the file past the first is damaged below
	// the entries into the file itself: pages still in the write-ahead log would be read from there
	if _, err := e.Stores.Audit.(interface {
		Size(context.Context) (int64, error)
	}).Size(bg); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(e.DataDir(), "audit.db")
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 50))
	for off := int64(16384); off < st.Size(); off += 16 << 10 {
		f.WriteAt(junk, off+100)
	}
	f.Close()
	var r testenv.Response
	// free text first: the full-text index's pages are read by no earlier page view, so no connection has them cached
	for _, q := range []string{`"record" since:90d`, `"updated" -"created" since:90d`, "since:90d", "action:delete since:90d", "product:dns since:60d", "-result:failure since:30d"} {
		if r = u.Get("/orgs/" + pp.ID + "/audit?q=" + url.QueryEscape(q)); r.Status != http.StatusOK {
			break
		}
	}
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "A database file is damaged") {
		t.Fatalf("a search over the damaged index: %d %.300s", r.Status, r.Body)
	}
	ready := e.NewUser().Get("/readyz")
	if ready.Status != http.StatusServiceUnavailable || !strings.Contains(ready.Body, "damaged") {
		t.Errorf("readyz: %d %q", ready.Status, ready.Body)
	}
}
