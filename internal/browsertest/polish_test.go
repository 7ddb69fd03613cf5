package browsertest

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"orgboard/internal/testenv"
)

// The pages as a new person reads them, at 1366×900 in both themes and
// on a phone (390×844): no page scrolls sideways, the rate card shows
// every column and its help, the members filter is named like the other
// fields, an organization's audit tab keeps the other tabs' width.
func TestPagesFitAndReadAlike(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	root, pp := env.Org("Northwind Holdings"), env.Org("Payments Platform")
	width := `String(Math.round(document.querySelector('main').getBoundingClientRect().width))`
	for _, scheme := range []string{"light", "dark"} {
		b.theme(scheme)
		b.do(chromedp.EmulateViewport(1366, 900))
		b.open("/orgs/" + root.ID + "/rates")
		b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="rates-form"]`)), settled)
		if cut := b.eval(`(() => { const t = document.querySelector('[data-testid="rates-form"] table'); return String(t.scrollWidth > t.parentElement.clientWidth || t.querySelector('caption').scrollWidth > t.querySelector('caption').clientWidth + 1); })()`); cut != "false" {
			t.Errorf("%s: the rate card's table is wider than its box: a column or its help is cut off", scheme)
		}
		b.shot("rates-" + scheme)
		b.open("/orgs/" + pp.ID + "/members")
		b.do(settled)
		if got := b.eval(`(() => { const f = document.querySelector('[data-testid="members-status"]'); const l = f.querySelector('legend'); return getComputedStyle(f).borderTopStyle + ' ' + l.textContent + ' ' + String(l.getBoundingClientRect().width > 0); })()`); got != "none Status true" {
			t.Errorf("%s: the members status filter reads %q, want no frame and a visible name", scheme, got)
		}
		members := b.eval(width)
		b.shot("members-" + scheme)
		b.open("/orgs/" + root.ID + "/audit")
		b.do(settled)
		if tab := b.eval(width); tab != members {
			t.Errorf("%s: the audit tab is %s px wide, the members tab %s", scheme, tab, members)
		}
		b.shot("audit-tab-" + scheme)
		b.do(chromedp.EmulateViewport(390, 844))
		for _, path := range []string{"/audit", "/orgs/" + root.ID + "/rates", "/orgs/" + pp.ID + "/members"} {
			b.open(path)
			b.do(settled)
			if w := b.number(`document.documentElement.scrollWidth`); w > 390 {
				t.Errorf("%s: %s is %d px wide on a 390 px phone: %s", scheme, path, w, b.eval(`Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 392).slice(0, 6).map(e => e.tagName + '.' + e.className).join(' | ')`))
			}
		}
		b.open("/audit")
		b.do(settled)
		b.shot("audit-phone-" + scheme)
	}
	b.clean()
}

// bigFraction is a quantity of a thousand or more written with decimals.
var bigFraction = regexp.MustCompile(`\b\d{1,3}(,\d{3})+\.\d{3}\b`)

// The charts write numbers as the tables do (two decimals for money, a
// large quantity whole), the donut repeats no colour, the heat map's
// scale says its unit, the treemap's path starts at the organization and
// reads in the dark, and the chargeback counts whole requests.
func TestChartsWriteNumbersAsTablesDo(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	b.do(chromedp.EmulateViewport(1366, 900))
	root := env.Org("Northwind Holdings")
	for _, scheme := range []string{"light", "dark"} {
		b.theme(scheme)
		b.open("/orgs/" + root.ID + "/usage?preset=last_30_days")
		b.do(chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="kpi-total"], [data-testid="usage-confirm"]')`))
		if b.eval(`String(!!document.querySelector('[data-testid="usage-confirm"]'))`) == "true" {
			b.click(`[data-testid="usage-fetch"]`)
		}
		b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="kpi-total"]`)), settled, chartsDrawn)
		// every chart started (a swap may have put new ones in place since they were drawn)
		b.do(chromedp.Poll[chromedp.Void](`(() => { const cs = Array.from(document.querySelectorAll('[data-chart]')); return cs.length > 0 && cs.every(e => !!echarts.getInstanceByDom(e)) &&
			cs.some(e => echarts.getInstanceByDom(e).getOption().series[0].type === 'pie') && cs.some(e => (echarts.getInstanceByDom(e).getOption().visualMap || []).length); })()`))
		// one formatter: a tooltip writes 2,054.30 USD as the tables do
		tip := b.eval(`(() => { const el = Array.from(document.querySelectorAll('[data-chart]')).find(e => echarts.getInstanceByDom(e) && /^[A-Z]{3}$/.test(e.getAttribute('data-unit') || ''));
			const f = echarts.getInstanceByDom(el).getOption().tooltip[0].formatter; return f([{axisValueLabel: 'x', seriesName: 'Workers', value: 2054.3, color: '#123456'}]).textContent; })()`)
		if !strings.Contains(tip, "2,054.30 ") {
			t.Errorf("%s: a tooltip writes %q, not 2,054.30 as the tables", scheme, tip)
		}
		// the donut: every slice its own colour
		if dup := b.eval(`(() => { const el = Array.from(document.querySelectorAll('[data-chart]')).find(e => echarts.getInstanceByDom(e) && echarts.getInstanceByDom(e).getOption().series[0].type === 'pie');
			const d = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData(); const seen = {}; let dup = '';
			for (let i = 0; i < d.count(); i++) { const c = d.getItemVisual(i, 'style').fill; if (seen[c]) dup += d.getName(i) + '=' + seen[c] + ' '; seen[c] = d.getName(i); } return dup; })()`); dup != "" {
			t.Errorf("%s: donut slices share colours: %s", scheme, dup)
		}
		// the heat map's scale: its ends as amounts, with the unit
		if heat := b.eval(`(() => { const el = Array.from(document.querySelectorAll('[data-chart]')).find(e => echarts.getInstanceByDom(e) && (echarts.getInstanceByDom(e).getOption().visualMap || []).length);
			return el ? echarts.getInstanceByDom(el).getOption().visualMap[0].formatter(3991) + '|' + el.getAttribute('data-unit') : 'none'; })()`); !regexp.MustCompile(`^3,991\.00 [A-Z]{3}\|[A-Z]{3}$`).MatchString(heat) {
			t.Errorf("%s: the heat map's scale reads %q", scheme, heat)
		}
		b.shot("usage-charts-" + scheme)

		// the treemap: its path starts at the organization; in the dark its labels are light
		b.open("/orgs/" + root.ID + "/showback")
		b.waitShowback()
		b.do(chartsDrawn)
		got := b.eval(`(() => { const o = echarts.getInstanceByDom(document.querySelector('[data-testid="showback-chart"] [data-chart]')).getOption().series[0];
			return o.name + '|' + o.upperLabel.color + '|' + String(o.label.show); })()`)
		want := root.Name + "|#1f2329|true"
		if scheme == "dark" {
			want = root.Name + "|#e8eaed|true"
		}
		if got != want {
			t.Errorf("%s: the treemap reads %q, want %q", scheme, got, want)
		}
		b.eval(`document.querySelector('[data-testid="showback-chart"]').scrollIntoView(), ""`)
		texts := b.eval(`(() => { const z = echarts.getInstanceByDom(document.querySelector('[data-testid="showback-chart"] [data-chart]')).getZr();
			const out = []; z.storage.getDisplayList(true).forEach(el => { const t = el.getTextContent && el.getTextContent(); if (t && !t.ignore && t.style && t.style.text) out.push(t.style.text); }); return out.join('|'); })()`)
		if !strings.Contains(texts, "Northwind Americas") || !strings.HasPrefix(texts, root.Name) {
			t.Errorf("%s: the treemap's labels: %q", scheme, texts)
		}
		time.Sleep(time.Second) // the labels fade in: the picture shows them
		b.shot("showback-treemap-" + scheme)
	}
	// the chargeback counts whole requests
	b.click(`[data-testid="chargeback-link"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="table-chargeback"]`)), settled)
	if m := bigFraction.FindString(b.text(`[data-testid="table-chargeback"]`)); m != "" {
		t.Errorf("the chargeback writes a large quantity with decimals: %s", m)
	}
	b.clean()
}

// The alert form starts on the organization the person came from, names
// each by its path, and finds one as the person types.
func TestAlertFormFindsTheOrganization(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	b.do(chromedp.EmulateViewport(1366, 900))
	checkout := env.Org("Checkout")
	b.open("/orgs/" + checkout.ID + "/usage?preset=last_30_days")
	b.do(chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="alert-on-cost"], [data-testid="usage-confirm"]')`))
	if b.eval(`String(!!document.querySelector('[data-testid="usage-confirm"]'))`) == "true" {
		b.click(`[data-testid="usage-fetch"]`)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-on-cost"]`)))
	b.click(`[data-testid="alert-on-cost"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#a-org`)), settled)
	if v := b.value(`#a-org`); v != checkout.ID {
		t.Errorf("the form starts on %q, not the organization the person came from", v)
	}
	if label := b.eval(`document.querySelector('#a-org').selectedOptions[0].textContent`); !strings.HasSuffix(label, "› Checkout") || !strings.HasPrefix(label, "Northwind Holdings") {
		t.Errorf("the organization is named %q, not by its path", label)
	}
	if b.eval(`document.querySelector('input[name="kind"]:checked').value`) != "cost" {
		t.Error("the form does not start on a cost rule")
	}
	b.do(chromedp.SendKeys(chromedp.CSS(`#a-org-find`), "risk"))
	shown := b.eval(`Array.from(document.querySelectorAll('#a-org option')).filter(o => !o.hidden).map(o => o.textContent).join(' | ')`)
	for _, o := range strings.Split(shown, " | ") {
		if !strings.Contains(strings.ToLower(o), "risk") && !strings.HasSuffix(o, "› Checkout") {
			t.Errorf("typing “risk” keeps %q in the list", o)
		}
	}
	if !strings.Contains(shown, "Payments Risk") {
		t.Errorf("typing “risk” does not find Payments Risk: %s", shown)
	}
	b.shot("alert-form-find")
	b.clean()
}
