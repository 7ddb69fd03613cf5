package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"orgboard/internal/testenv"
)

func TestAuditSearchJourney(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	pp := env.Org("Payments Platform")
	b.open("/orgs/" + pp.ID + "/audit")
	b.waitText(`[data-testid="audit-status"]`, "Index up to date")
	b.open("/orgs/" + pp.ID + "/audit")
	b.waitText(`[data-testid="audit-results"]`, "Details")

	// search by typing; the query lands in the URL
	b.fill(`#audit-q`, "product:dns -result:failure")
	b.click(`[data-testid="audit-form"] button[type=submit]`)
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("q=product%3Adns")`), settled)
	b.waitText(`[data-testid="kpi-total"]`, "")
	// the chart is drawn: its canvas has pixels
	b.do(chromedp.Poll[chromedp.Void](`(() => { const c = document.querySelector('[data-chart] canvas'); if (!c) return false;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })()`))

	// include a value from a row
	actor := b.eval(`document.querySelector('[data-testid="audit-row"] .val span').textContent`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"] [data-testid="include-actor"]`)))
	b.do(chromedp.Navigate(b.eval(`document.querySelector('[data-testid="audit-row"] [data-testid="include-actor"]').href`)), settled)
	if q := b.value(`#audit-q`); !strings.Contains(q, "actor:"+actor) || !strings.Contains(q, "product:dns") {
		t.Errorf("include rewrote the query to %q", q)
	}
	// exclude a product: the query keeps the rest
	b.do(chromedp.Navigate(b.eval(`document.querySelector('[data-testid="audit-row"] [data-testid="exclude-product"]').href`)), settled)
	if q := b.value(`#audit-q`); !strings.Contains(q, "-product:dns") || strings.Contains(q, " product:dns") {
		t.Errorf("exclude rewrote the query to %q", q)
	}

	// infinite scroll
	b.open("/orgs/" + pp.ID + "/audit")
	b.waitText(`[data-testid="audit-results"]`, "Details")
	first := b.eval(`String(document.querySelectorAll('[data-testid="audit-row"]').length)`)
	b.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="audit-row"]').length > 50`))
	if first != "50" {
		t.Errorf("first page had %s rows", first)
	}

	// detail drawer and the resource's history
	b.click(`[data-testid="audit-detail-link"]`)
	b.waitText(`[data-testid="audit-detail"]`, "Time (UTC)")
	b.accessibleAs("audit entry drawer")
	b.click(`[data-testid="audit-history-link"]`)
	b.waitText(`[data-testid="audit-history"]`, "by")
	b.accessibleAs("audit resource history")

	// export: the CSV has the API's field names
	b.open("/orgs/" + pp.ID + "/audit?q=product%3Adns")
	b.waitText(`[data-testid="audit-results"]`, "Details")
	b.do(chromedp.Poll[chromedp.Void](`fetch(document.querySelector('[data-testid="export-csv"]').href).then(r => r.text()).then(t => window.__csv = t)`))
	if head := b.eval(`window.__csv.split("\n")[0]`); !strings.HasPrefix(head, "id,action.description,action.result,action.time") {
		t.Errorf("CSV header %q", head)
	}

	// saved search
	b.do(settled)
	b.fill(`#save-name`, "DNS by the team")
	b.click(`[data-testid="save-search"] button[type=submit]`)
	b.waitText(`[data-testid="saved-searches"]`, "DNS by the team")

	// a mistake in the query is pointed at
	b.fill(`#audit-q`, "product:dns colour:red")
	b.click(`[data-testid="audit-form"] button[type=submit]`)
	b.waitText(`[data-testid="audit-q-error"]`, `unknown filter "colour"`)
	b.clean()
}

// A first visit, before any sync: the page says it is indexing, and the
// results, counts and chart arrive by themselves, with no reload.
func TestAuditFirstVisitFillsInByItself(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	checkout := env.Org("Checkout") // one organization of some 1,500 entries: the sync is quick
	b.open("/orgs/" + checkout.ID + "/audit?q=since%3A90d")
	b.waitText(`[data-testid="audit-indexing"]`, "Indexing…")
	b.do(chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"]`)), chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="audit-indexing"]`)))
	b.waitText(`[data-testid="kpi-total"]`, ",") // thousands separators: the whole index counted
	if b.eval(`String(window.__sameDocument === true)`) != "true" {
		t.Error("the page was reloaded")
	}
	if strings.Contains(b.text(`[data-testid="audit-results"]`), "No entries match") {
		t.Error("the results say nothing matches")
	}
	b.do(chromedp.Poll[chromedp.Void](`(() => { const c = document.querySelector('[data-testid="audit-chart"] canvas'); return !!c && c.width > 0; })()`))
	b.clean()
}
