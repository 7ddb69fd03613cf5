// Package sdktest drives the local API with Cloudflare's official
// TypeScript SDK (npm cloudflare, pinned in package-lock.json): a client of
// the newer generation must not tell it from Cloudflare. The Go SDK's own
// tests are in internal/localapi.
package sdktest

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

func TestTypeScriptSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("TypeScript SDK test: skipped under -short (make test runs it)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("no node: the TypeScript SDK's tests need Node.js (make test runs them)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "cloudflare", "package.json")); err != nil {
		t.Fatal("the SDK is not installed: run `make sdk-deps` (npm ci in internal/sdktest), which make test does")
	}
	e := testenv.New(t)
	// a second door to the same data that answers every call 429, as Cloudflare does past the limit
	limitedAPI := localapi.NewServer(e.Store, nil, nil)
	limitedAPI.Faults().Set(localapi.FaultSettings{Rate429: 1, RetryAfter: 30 * time.Second})
	limited := httptest.NewServer(limitedAPI)
	defer limited.Close()
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "sdk.test.mjs")
	cmd.Env = append(os.Environ(),
		"BASE_URL="+e.API.URL+localapi.BasePath, "LIMITED_URL="+limited.URL+localapi.BasePath,
		"ADMIN_TOKEN="+localapi.DemoAdminToken, "VIEWER_TOKEN="+localapi.DemoViewerToken, "EXPIRED_TOKEN="+localapi.DemoExpiredToken,
		"PP_ID="+e.Org("Payments Platform").ID, "DP_ID="+e.Org("Data Platform").ID, "NOW="+e.Clock.Now().UTC().Format(time.RFC3339))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the TypeScript SDK's tests failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
