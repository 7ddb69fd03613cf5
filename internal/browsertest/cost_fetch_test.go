package browsertest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// countUsage counts the local API's usage calls (and answers none itself).
func countUsage(env *testenv.Env) *atomic.Int64 {
	var n atomic.Int64
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/billable/usage") {
			n.Add(1)
		}
		return false
	}
	env.Intercept.Store(&f)
	return &n
}

// A first fetch of a large range: the page says what it costs before it
// starts, shows its progress, fills in; then a drill-down costs no call,
// a tooltip shows its colour markers and currency under the strict CSP,
// and the rate card imports a CSV file.
func TestUsageFirstFetchJourney(t *testing.T) {
	env := testenv.New(t)
	env.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 40 * time.Millisecond})
	calls := countUsage(env)
	b := newBrowser(t, env)
	b.signIn("admin")
	root := env.Org("Northwind Holdings")
	b.open("/orgs/" + root.ID + "/usage?preset=last_90_days")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="usage-confirm"]`)))
	if msg := b.text(`[data-testid="usage-confirm"]`); !strings.Contains(msg, "calls to Cloudflare") || !strings.Contains(msg, "of this token's budget") {
		t.Errorf("the confirmation says %q", msg)
	}
	if calls.Load() != 0 {
		t.Fatalf("%d calls before the user agreed", calls.Load())
	}
	b.click(`[data-testid="usage-fetch"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="usage-progress"]`)))
	b.screenshot("usage-fetching")
	env.LocalAPI.Faults().Set(localapi.FaultSettings{})
	b.waitTextFor(`[data-testid="kpi-total"]`, "Period total", 3*time.Minute)
	// the totals fill in while the fetch goes on: wait for its end
	b.doFor(3*time.Minute, fetchEnded, settled, chartsDrawn)
	fetched := calls.Load()

	// a drill-down from the family table reads the store
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="chart-families"] details').open = true`))
	b.click(`[data-testid="table-families"] tbody tr a`)
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("product_family=")`), settled, chartsDrawn)
	if n := calls.Load(); n != fetched {
		t.Errorf("the drill-down made %d calls", n-fetched)
	}
	// hovering the daily chart: a tooltip with its colour markers and the currency
	b.do(chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="chart-daily"] [data-chart]`)))
	pos := b.eval(`(() => { const r = document.querySelector('[data-testid="chart-daily"] [data-chart]').getBoundingClientRect();
		return (r.left + r.width / 2) + ',' + (r.top + r.height / 2); })()`)
	var x, y float64
	fmt.Sscanf(pos, "%f,%f", &x, &y)
	b.do(chromedp.MouseEvent("mouseMoved", x, y))
	b.do(chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="chart-daily"] .tt-marker')`))
	if tip := b.text(`[data-testid="chart-daily"] [data-chart]`); !strings.Contains(tip, "USD") {
		t.Errorf("the tooltip %q does not say the currency", tip)
	}

	// the rate card from a file
	file := filepath.Join(t.TempDir(), "card.csv")
	os.WriteFile(file, []byte("metric_id,metric_name,price,currency,pricing_unit,units_per_pricing_unit,effective_from,source\n"+
		"workers_standard_requests,Workers requests,0.28,USD,Million Requests,1000000,2026-01-01,contract 2026\n"), 0o600)
	b.open("/orgs/" + root.ID + "/rates")
	b.do(chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="rates-file"]`), []string{file}))
	b.click(`[data-testid="rates-import"]`)
	b.waitText(`[data-testid="rates-saved"]`, "Imported 1 price from card.csv")
	if v := b.value(`[data-testid="rate-row-0"] input[name="price"]`); v != "0.28" {
		t.Errorf("the imported price shows as %q", v)
	}
	b.clean() // no console errors: the CSP refused nothing
}

// An anomaly with the audit entries of the days before it: the entry opens.
func TestAnomalyAuditJourney(t *testing.T) {
	env := testenv.New(t)
	team := env.Org("Checkout")
	env.ArrangeSpike(team.ID)
	b := newBrowser(t, env)
	b.signIn("admin")
	b.open("/orgs/" + team.ID + "/audit?q=resource%3Acheckout-api") // the first visit syncs the organization's log
	b.waitTextFor(`[data-testid="audit-results"]`, "checkout-api", 3*time.Minute)
	b.open("/orgs/" + team.ID + "/usage?preset=last_30_days&scope=org&group=account")
	b.usageShown()
	b.waitText(`[data-testid="usage-anomalies"]`, "Worker script updated")
	b.screenshot("usage-anomaly-changes")
	b.click(`[data-testid="anomaly-change"]`)
	b.waitText(`main`, "checkout-api")
	b.clean()
}
