package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"orgboard/internal/clock/clocktest"
	"orgboard/internal/testenv"
)

// chartsDrawn waits until every chart on the page has a canvas with pixels.
var chartsDrawn = chromedp.Poll[chromedp.Void](`(() => {
	const charts = document.querySelectorAll('[data-chart]');
	if (!charts.length) return false;
	for (const el of charts) {
		const c = el.querySelector('canvas');
		if (!c || !c.width) return false;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let drawn = false;
		for (let i = 3; i < d.length; i += 16) if (d[i] > 0) { drawn = true; break; }
		if (!drawn) return false;
	}
	return true;
})()`)

func TestUsageReview(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	root := env.Org("Northwind Holdings")
	b.open("/orgs/" + root.ID)
	b.click(`a[href$="/usage"]`) // the tab, swapped in by htmx
	b.usageShown()
	b.screenshot("usage-root")
	if n := b.eval(`String(document.querySelectorAll('[data-chart]').length)`); n < "5" {
		t.Errorf("%s charts drawn, want at least 5", n)
	}
	if !strings.Contains(b.text(`[data-testid="kpi-total"]`), "USD") {
		t.Errorf("period total %q has no currency", b.text(`[data-testid="kpi-total"]`))
	}

	// change the grouping: the URL keeps it, the charts are drawn again
	b.do(chromedp.SetValue(chromedp.CSS(`#u-group`), "account"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#u-group').dispatchEvent(new Event('change', {bubbles: true}))`))
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("group=account")`), settled, chartsDrawn)
	b.waitText(`[data-testid="chart-daily"] h2`, "by account")

	// change the range to last month: dates follow the preset
	b.do(chromedp.SetValue(chromedp.CSS(`#u-preset`), "last_month"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#u-preset').dispatchEvent(new Event('change', {bubbles: true}))`))
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("preset=last_month")`), settled, chartsDrawn)
	now := clocktest.Now().UTC()
	first := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC) // AddDate(0, -1, 0) on the 31st is the 1st of this month
	if from := b.value(`#u-from`); !strings.HasPrefix(from, first.Format("2006-01")+"-01") {
		t.Errorf("from after choosing last month: %q at %s", from, b.location())
	}

	// the table view of a chart, and its CSV
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="chart-families"] details').open = true`))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="table-families"] tbody tr`)))
	b.do(chromedp.Poll[chromedp.Void](`fetch(document.querySelector('[data-testid="csv-families"]').href).then(r => r.text()).then(t => window.__csv = t)`))
	if head := b.eval(`window.__csv.split("\n")[0]`); head != "product family,total,share" {
		t.Errorf("chart CSV header %q", head)
	}
	rows := b.eval(`String(window.__csv.trim().split("\n").length - 1)`)
	shown := b.eval(`String(document.querySelectorAll('[data-testid="table-families"] tbody tr').length)`)
	if rows != shown {
		t.Errorf("CSV has %s rows, the table %s", rows, shown)
	}

	// export of the aggregated rows
	b.do(chromedp.Poll[chromedp.Void](`fetch(document.querySelector('[data-testid="usage-export-csv"]').href).then(r => r.text()).then(t => window.__rows = t)`))
	if head := b.eval(`window.__rows.split("\n")[0]`); head != "group,group_key,period,measure,unit,currency,value" {
		t.Errorf("export header %q", head)
	}

	// drill down from the family table
	family := b.eval(`document.querySelector('[data-testid="table-families"] tbody tr a').textContent`)
	b.click(`[data-testid="table-families"] tbody tr a`)
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("product_family=")`), settled, chartsDrawn)
	b.waitText(`[data-testid="usage-filters"]`, family)
	b.accessibleAs("usage, drilled down, tables open")
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="chart-families"] details').open = true`))
	if n := b.eval(`String(document.querySelectorAll('[data-testid="table-families"] tbody tr').length)`); n != "1" {
		t.Errorf("after drilling into %s the share table has %s rows", family, n)
	}
	// a dark theme draws the charts again without errors
	b.do(chromedp.EmulateViewport(900, 900), settled)
	b.screenshot("usage-drilled")
	b.clean()
}

// usageShown waits for the usage report, agreeing to the fetch when the
// page asks first (a range of more than 100 calls, on most days of a month).
func (b *browser) usageShown() {
	b.do(chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="usage-kpis"], [data-testid="usage-confirm"]')`))
	if b.eval(`String(!!document.querySelector('[data-testid="usage-confirm"]'))`) == "true" {
		b.click(`[data-testid="usage-fetch"]`)
	}
	b.doFor(3*time.Minute, chromedp.WaitVisible(chromedp.CSS(`[data-testid="usage-kpis"]`)), fetchEnded, settled, chartsDrawn)
	// the figures lead: at most one notice (a budget reached) stands above them
	above := b.number(`(() => { const k = document.querySelector('[data-testid="usage-kpis"]');
		return Array.from(document.querySelectorAll('main .alert')).filter(a => a.compareDocumentPosition(k) & Node.DOCUMENT_POSITION_FOLLOWING).length; })()`)
	if above > 1 {
		b.t.Errorf("%d notices stand above the first figure of %s", above, b.location())
	}
}

// screenshot saves the page when ORGBOARD_SCREENSHOTS names a directory.
func (b *browser) screenshot(name string) {
	dir := os.Getenv("ORGBOARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}
