package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"orgboard/internal/testenv"
)

// A cost reviewer's month: the showback's treemap drills into a
// sub-organization on click, the table adds up, the chargeback report
// opens printable; the rate card is edited in place and its estimate
// shows on the usage page, labelled; tooltips carry colour markers and
// the currency, and the strict CSP refuses nothing.
func TestCostReviewJourney(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	root := env.Org("Northwind Holdings")
	b.open("/orgs/" + root.ID)
	b.click(`[data-testid="tab-showback"]`)
	b.do(chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="showback-chart"], [data-testid="usage-confirm"]')`))
	if b.eval(`String(!!document.querySelector('[data-testid="usage-confirm"]'))`) == "true" {
		b.click(`[data-testid="usage-fetch"]`)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="showback-chart"]`)), settled, chartsDrawn)
	b.screenshot("showback")
	// the treemap drills down: click the largest rectangle, the breadcrumb grows
	first := b.eval(`document.querySelector('[data-testid="table-showback"] tbody tr th').textContent.trim()`)
	pos := b.eval(`(() => {
		const el = document.querySelector('[data-testid="showback-chart"] [data-chart]');
		el.scrollIntoView({block: 'center'});
		const m = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0);
		const node = m.getData().tree.root.children.find(n => n.name === ` + jsString(first) + `);
		const l = node.getLayout(), r = el.getBoundingClientRect();
		return (r.left + l.x + l.width / 2) + ',' + (r.top + l.y + l.height / 2);
	})()`)
	var x, y float64
	if _, err := fmt.Sscanf(pos, "%f,%f", &x, &y); err != nil {
		t.Fatalf("the rectangle of %s: %q", first, pos)
	}
	b.do(chromedp.MouseClickXY(x, y))
	b.do(chromedp.Poll[chromedp.Void](`(() => {
		const chart = echarts.getInstanceByDom(document.querySelector('[data-testid="showback-chart"] [data-chart]'));
		return chart.getModel().getSeriesByIndex(0).getViewRoot().name === ` + jsString(first) + `;
	})()`))
	b.screenshot("showback-drilled")
	// a tooltip over the treemap says the currency
	tip := b.eval(`(() => {
		const el = document.querySelector('[data-testid="showback-chart"] [data-chart]');
		const opt = echarts.getInstanceByDom(el).getOption();
		const f = opt.tooltip[0].formatter;
		const box = f({name: 'x', value: 1234.5, color: '#123456', seriesName: 'USD'});
		return box.textContent + '|' + (box.querySelector('.tt-marker') ? 'marker' : 'none');
	})()`)
	if !strings.Contains(tip, "USD") || !strings.HasSuffix(tip, "|marker") {
		t.Errorf("treemap tooltip %q: no currency or colour marker", tip)
	}
	// the chargeback report
	b.click(`[data-testid="chargeback-link"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="table-chargeback"]`)), settled)
	if !strings.Contains(b.text(`[data-testid="total-chargeback"]`), "Total") {
		t.Error("the chargeback has no totals row")
	}
	b.accessibleAs("chargeback report")
	b.screenshot("chargeback")

	// the rate card: change the Workers requests price, see the estimate
	b.open("/orgs/" + root.ID + "/rates")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="rates-form"]`)))
	b.do(chromedp.SetValue(chromedp.CSS(`[data-testid="rate-row-0"] input[name="price"]`), "abc"))
	b.click(`[data-testid="rates-save"]`)
	b.waitText(`[data-testid="rates-errors"]`, "Nothing was saved")
	if v := b.value(`[data-testid="rate-row-0"] input[name="price"]`); v != "abc" {
		t.Errorf("the typed price came back as %q", v)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`[data-testid="rate-row-0"] input[name="price"]`), "0.5"))
	b.click(`[data-testid="rates-save"]`)
	b.waitText(`[data-testid="rates-saved"]`, "Rate card saved")
	b.accessibleAs("rate card")
	b.open("/orgs/" + root.ID + "/usage?measure=estimated&scope=org")
	b.usageShown()
	if k := b.text(`[data-testid="kpi-total"]`); !strings.Contains(k, "estimated") {
		t.Errorf("the estimate's total %q does not say it is one", k)
	}
	b.screenshot("usage-estimated")
	b.clean()
}
