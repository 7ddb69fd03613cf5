// Package sdktest drives the local API with Cloudflare's official SDKs: the
// TypeScript SDK (npm cloudflare, pinned in package-lock.json), a client
// of the newer generation, through the tests of sdk.test.mjs, and the Go
// SDK's own generated tests, copied from its module (gosdk_test.go). Neither
// may tell the local API from Cloudflare. The project's own tests of the Go
// SDK's typed results are in internal/localapi.
package sdktest

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"orgboard/internal/api"
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
	pp := e.Org("Payments Platform")
	mine, err := e.Admin().ListAccounts(t.Context(), pp.ID, api.ListAccountsParams{})
	if err != nil || len(mine.Items) == 0 {
		t.Fatalf("accounts of Payments Platform: %v", err)
	}
	other, err := e.Admin().ListAccounts(t.Context(), e.Org("Campaigns").ID, api.ListAccountsParams{})
	if err != nil || len(other.Items) == 0 {
		t.Fatalf("accounts of Campaigns: %v", err)
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "sdk.test.mjs")
	cmd.Env = append(os.Environ(), "EDITOR_TOKEN="+localapi.DemoEditorToken, "ACCOUNT_ID="+mine.Items[0].ID, "OTHER_ACCOUNT_ID="+other.Items[0].ID,
		"ADMIN_EMAIL="+localapi.DemoKeys()[0].Email, "ADMIN_KEY="+localapi.DemoAdminKey,
		"BASE_URL="+e.API.URL+localapi.BasePath, "LIMITED_URL="+limited.URL+localapi.BasePath,
		"ADMIN_TOKEN="+localapi.DemoAdminToken, "VIEWER_TOKEN="+localapi.DemoViewerToken, "EXPIRED_TOKEN="+localapi.DemoExpiredToken,
		"PP_ID="+e.Org("Payments Platform").ID, "DP_ID="+e.Org("Data Platform").ID, "NOW="+e.Clock.Now().UTC().Format(time.RFC3339))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the TypeScript SDK's tests failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
