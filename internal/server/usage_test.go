package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock/clocktest"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// apiTotals sums the API's own records of [from, to] for orgs (31-day
// windows, as the API wants) by currency for effective cost; records
// without one by the default rate card's estimate ("est:USD"), or else
// by unit.
func apiTotals(t *testing.T, e *testenv.Env, orgs []string, from, to time.Time) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	card := usage.DefaultCard()
	for _, o := range orgs {
		for _, w := range usage.Windows(from, to) {
			recs, err := e.Admin().Usage(context.Background(), o, api.UsageParams{From: w.From.Format(time.DateOnly), To: w.To.Format(time.DateOnly)})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if r.EffectiveCost != nil {
					out[r.BillingCurrency] += *r.EffectiveCost
				} else if p, cur, ok := card.Price(r.BillableMetricID, r.ChargePeriodStart); ok {
					out["est:"+cur] += r.ConsumedQuantity * p
				} else {
					out["qty:"+r.ConsumedUnit] += r.ConsumedQuantity
				}
			}
		}
	}
	return out
}

// report GETs a usage page until its report is there (a slow machine may
// first show the progress panel while the fetch runs), agreeing to a fetch
// the page asks about first (ranges of many calls).
func report(t testing.TB, u *testenv.User, path string) testenv.Response {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		r := u.Get(path)
		if strings.Contains(r.Body, `data-testid="usage-confirm"`) {
			p, q, _ := strings.Cut(path, "?")
			if resp := u.Post(p+"/fetch?"+q, nil); resp.Status != http.StatusSeeOther {
				t.Fatalf("start the fetch: %d", resp.Status)
			}
			continue
		}
		waiting := strings.Contains(r.Body, `data-testid="usage-progress"`) || strings.Contains(r.Body, `data-testid="tree-progress"`)
		if !waiting || time.Now().After(deadline) {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func exportRows(t *testing.T, u *testenv.User, path string) []usage.Row {
	t.Helper()
	r := u.Get(path)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export %s: %d %s", path, r.Status, r.Body)
	}
	var rows []usage.Row
	if err := json.Unmarshal([]byte(r.Body), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestUsagePageTotalsEqualTheAPI(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoEditorToken)
	team := e.Org("Payments Platform")
	from, to, _ := usage.LastMonth.Range(clocktest.Now().UTC())
	q := "?preset=last_month&scope=org&group=product_family&step=week"
	page := report(t, u, "/orgs/"+team.ID+"/usage"+q)
	contains(t, "usage page", page, "<html", "Period total", `data-testid="chart-daily"`, `data-testid="chart-accounts"`, `data-testid="chart-families"`,
		`data-testid="chart-heatmap"`, "data-options=", "Table view", "Export rows (CSV)", "Month-end forecast")
	if strings.Contains(page.Body, "<script>") || strings.Contains(page.Body, localapi.DemoEditorToken) {
		t.Error("inline script or the token in the page")
	}
	want := apiTotals(t, e, []string{team.ID}, from, to)
	rows := exportRows(t, u, "/orgs/"+team.ID+"/usage/export"+q+"&format=json")
	got := map[string]float64{}
	for _, r := range rows {
		if r.Estimate {
			got["est:"+r.Currency] += r.Value
		} else if r.Currency != "" {
			got[r.Currency] += r.Value
		} else {
			got["qty:"+r.Unit] += r.Value
		}
	}
	if len(want) == 0 {
		t.Fatal("the team has no usage last month: the test proves nothing")
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 0.01 {
			t.Errorf("%s: export sums %.4f, the API's records %.4f", k, got[k], w)
		}
	}
	// the page's period total is the first currency's
	for cur, w := range want {
		if strings.HasPrefix(cur, "qty:") || strings.HasPrefix(cur, "est:") {
			continue
		}
		p := report(t, u, "/orgs/"+team.ID+"/usage"+q+"&cur="+cur)
		if !strings.Contains(p.Body, usage.Display(w, cur)+" "+cur) {
			t.Errorf("page in %s does not show the total %s", cur, usage.Amount(w, cur))
		}
	}
}

func TestUsageGroupingDrillDownAndCSV(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	base := "/orgs/" + root.ID + "/usage?preset=last_30_days"
	byAccount := report(t, u, base+"&group=account&step=day")
	contains(t, "by account", byAccount, "per day by account", `data-testid="table-daily"`)
	// drill into one product family: only it remains
	fam := report(t, u, base+"&group=product_family&product_family=Workers")
	contains(t, "drill-down", fam, "Product family: Workers", "Remove filter")
	famRows := exportRows(t, u, "/orgs/"+root.ID+"/usage/export?preset=last_30_days&group=product_family&product_family=Workers&format=json")
	if len(famRows) == 0 {
		t.Fatal("no Workers usage")
	}
	for _, r := range famRows {
		if r.Group != "Workers" {
			t.Fatalf("drill-down to Workers exported %q", r.Group)
		}
	}
	// a chart's CSV is exactly its table
	c := u.Get("/orgs/" + root.ID + "/usage/chart.csv?preset=last_30_days&group=product_family&chart=families")
	recs, err := csv.NewReader(strings.NewReader(c.Body)).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][0] != "product family" {
		t.Fatalf("chart CSV: %v %q", err, c.Body)
	}
	view := fam.Body + report(t, u, base+"&group=product_family").Body
	for _, rec := range recs[1:] {
		v, err := strconv.ParseFloat(rec[1], 64) // the CSV's plain number; the table writes it for reading
		if err != nil || !strings.Contains(view, ">"+usage.Display(v, "USD")+"<") {
			t.Errorf("CSV value %s of %s is not in the table view (as %s)", rec[1], rec[0], usage.Display(v, "USD"))
		}
	}
	if r := u.Get("/orgs/" + root.ID + "/usage/chart.csv?preset=last_30_days&chart=nope"); r.Status != 400 {
		t.Errorf("unknown chart: %d", r.Status)
	}
}

func TestUsageBadInputKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	id := e.Org("Northwind Holdings").ID
	before := e.UpstreamCalls()
	for q, msg := range map[string]string{
		"preset=custom&from=2026-13-01&to=2026-11-02": "Dates are written YYYY-MM-DD",
		"preset=custom&from=2026-11-05&to=2026-11-01": "ends before it starts",
		"preset=custom&from=2024-01-01&to=2026-01-01": "at most 400 days",
		"preset=custom&from=2026-01-01":               "Give both dates",
		"group=planet":                                "Group by must be one of",
		"step=hour":                                   "Step must be day, week or month",
		"measure=vibes":                               "Measure must be",
		"preset=forever":                              "does not exist",
		"scope=everything":                            "Organizations must be tree",
	} {
		r := u.HX("GET", "/orgs/"+id+"/usage?"+q, "usage-panel", nil)
		if r.Status != 400 || !strings.Contains(r.Body, msg) {
			t.Errorf("%s: %d, want 400 with %q", q, r.Status, msg)
		}
	}
	r := u.HX("GET", "/orgs/"+id+"/usage?preset=custom&from=2026-13-01&to=2026-11-02", "usage-panel", nil)
	if !strings.Contains(r.Body, `value="2026-13-01"`) {
		t.Error("the typed date was lost")
	}
	if n := e.UpstreamCalls() - before; n > 2 {
		t.Errorf("bad queries made %d upstream calls", n)
	}
	if r := u.Get("/orgs/" + id + "/usage/export?format=xml"); r.Status != 400 {
		t.Errorf("export format xml: %d", r.Status)
	}
}

func TestUsageBudget(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	id := e.Org("Northwind Holdings").ID
	path := "/orgs/" + id + "/usage/budget?preset=this_month"
	report(t, u, "/orgs/"+id+"/usage?preset=this_month") // the range is fetched before the budget forms are posted
	if r := u.Do("POST", path, url.Values{"amount": {"5000"}, "currency": {"USD"}}, nil); r.Status != 403 {
		t.Errorf("budget without CSRF: %d", r.Status)
	}
	bad := u.HX("POST", path, "usage-panel", url.Values{"amount": {"12abc"}, "currency": {"USD"}})
	if bad.Status != 422 || !strings.Contains(bad.Body, "Write the budget as a number") || !strings.Contains(bad.Body, `value="12abc"`) {
		t.Errorf("bad budget: %d", bad.Status)
	}
	for _, amount := range []string{"NaN", "Inf", "-Inf", "+Inf", "1e9", "0x10", "1,000.5.5"} {
		r := u.HX("POST", path, "usage-panel", url.Values{"amount": {amount}, "currency": {"USD"}})
		if r.Status != 422 || !strings.Contains(r.Body, "Write the budget as a number") || !strings.Contains(r.Body, `value="`+amount+`"`) {
			t.Errorf("budget %q: %d", amount, r.Status)
		}
	}
	ok := u.HX("POST", path, "usage-panel", url.Values{"amount": {"1,000,000"}, "currency": {"USD"}})
	if ok.Status != 200 || !strings.Contains(ok.Body, "Budget saved") || !strings.Contains(ok.Body, "budget of 1,000,000.00 USD") {
		t.Errorf("budget: %d %s", ok.Status, snippet(ok.Body, "kpi-forecast"))
	}
	drawn := html.UnescapeString(report(t, u, "/orgs/"+id+"/usage?preset=this_month").Body)
	if !strings.Contains(drawn, `"name":"Budget"`) || !strings.Contains(drawn, `"formatter":"Budget 1,000,000.00 USD"`) {
		t.Error("the budget line is not drawn, or its label is not the amount as the page writes it")
	}
	// with the estimated measure the budget is still a sum of money, never "estimated"
	if est := report(t, u, "/orgs/"+id+"/usage?preset=this_month&measure=estimated"); strings.Contains(est.Body, "USD, estimated budget") || strings.Contains(est.Body, "budget of 1,000,000.00 USD, estimated") {
		t.Errorf("the budget reads as an estimate: %s", snippet(est.Body, "kpi-forecast"))
	}
	cleared := u.HX("POST", path, "usage-panel", url.Values{"amount": {""}, "currency": {"USD"}})
	if !strings.Contains(cleared.Body, "Budget removed") {
		t.Error("clearing the budget")
	}
}

func snippet(body, near string) string {
	i := strings.Index(body, near)
	if i < 0 {
		return ""
	}
	return body[i:min(len(body), i+400)]
}

func TestUsagePartialFailureAndRetry(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	id := e.Org("Payments Platform").ID
	from, _, _ := usage.Last90Days.Range(clocktest.Now().UTC())
	failing := usage.Windows(from, clocktest.Now())[1].From.Format(time.DateOnly)
	fail := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/billable/usage") && r.URL.Query().Get("from") == failing {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			w.Write([]byte(`{"success":false,"errors":[{"code":10001,"message":"boom"}],"messages":[],"result":null}`))
			return true
		}
		return false
	}
	e.Intercept.Store(&fail)
	q := "/orgs/" + id + "/usage?preset=last_90_days&scope=org"
	r := report(t, u, q)
	contains(t, "partial", r, "Some days are missing", failing, "Cloudflare did not answer usably", "Retry the missing days", "Period total")
	e.Intercept.Store(nil)
	retried := u.HX("POST", "/orgs/"+id+"/usage/retry?preset=last_90_days&scope=org", "usage-panel", nil)
	if retried.Status != 200 {
		t.Fatalf("retry: %d", retried.Status)
	}
	after := report(t, u, q)
	if strings.Contains(after.Body, "Some days are missing") || !strings.Contains(after.Body, `data-testid="usage-kpis"`) {
		t.Error("the retry did not fill the gap")
	}
}

func TestUsageViewerOfOneTeamSeesOnlyIt(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoEditorToken) // may read Payments Platform and below, not the root
	if r := u.Get("/orgs/" + e.Org("Northwind Holdings").ID + "/usage"); r.Status != 403 {
		t.Errorf("editor opening the root's usage: %d", r.Status)
	}
	if r := u.Get("/orgs/" + e.Org("Northwind Holdings").ID + "/usage/export?format=json"); r.Status != 403 {
		t.Errorf("editor exporting the root's usage: %d", r.Status)
	}
}

// Under a small budget the usage fetch queues and shows progress, and a
// page that would wait too long is refused with a clear message.
func TestUpstreamBudgetQueuesAndRefuses(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{UpstreamBudget: 30}) // 5 at once, then one every 12 s
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	r := u.Get("/orgs/" + root.ID + "/usage?preset=last_month")
	if r.Status != 200 || !strings.Contains(r.Body, `data-testid="usage-progress"`) {
		t.Fatalf("usage under a spent budget: %d, want the progress panel", r.Status)
	}
	before := e.UpstreamCalls()
	p := u.Get("/orgs/" + e.Org("Payments Gateway").ID + "/members")
	if p.Status != 429 || !strings.Contains(p.Body, "pacing this token") {
		t.Errorf("a page over the budget: %d %s", p.Status, snippet(p.Body, "alert"))
	}
	time.Sleep(200 * time.Millisecond)
	// the fetch leaves pages a reserve (a quarter of the burst: one call
	// here), so the page's first call went out; its next would have waited
	if n := e.UpstreamCalls() - before; n > 2 {
		t.Errorf("%d upstream calls while the budget was spent", n)
	}
}

func TestUsagePeriodOverPeriodByGroup(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Payments Platform")
	r := report(t, u, "/orgs/"+team.ID+"/usage?preset=last_month&scope=org&group=product_family")
	contains(t, "period over period", r, "Period over period: each product family", `data-testid="table-pop"`, "period before")
	table := r.Body[strings.Index(r.Body, `data-testid="table-pop"`):]
	table = table[:strings.Index(table, "</table>")]
	if !regexp.MustCompile(`[+-]?\d+\.\d%`).MatchString(table) {
		t.Error("no change percentage in the period-over-period table")
	}
}

// This month on the calendar's edges: the first and last day of a month, a
// leap day, a new year. The page shows the month's forecast (on the 1st
// from the last complete week), hand-computed from the API's records, the
// budget form, and, once a budget is set, its line on the month's chart.
func TestUsageThisMonthOnCalendarEdges(t *testing.T) {
	t.Parallel()
	start := clocktest.Now().UTC()
	firstNext := time.Date(start.Year(), start.Month()+1, 1, 10, 0, 0, 0, time.UTC)
	days := []time.Time{firstNext, firstNext.AddDate(0, 1, -1), time.Date(2028, 2, 29, 10, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 10, 0, 0, 0, time.UTC)}
	for _, now := range days {
		t.Run(now.Format(time.DateOnly), func(t *testing.T) {
			if now.Before(start.Add(-300 * 24 * time.Hour)) {
				t.Skipf("%s is too long before the seed's day %s", now.Format(time.DateOnly), start.Format(time.DateOnly))
			}
			e := testenv.New(t, testenv.Options{Now: now})
			u := e.SignedIn(localapi.DemoAdminToken)
			org := e.Org("Payments Platform").ID
			path := "/orgs/" + org + "/usage?preset=this_month&scope=org"
			r := report(t, u, path)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, snippet(r.Body, "alert"))
			}
			today := usage.Civil(now)
			first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
			rf, rt := usage.RateWeek(today)
			rate := apiTotals(t, e, []string{org}, rf, rt)["USD"] / 7
			toDate := 0.0
			if today.After(first) {
				toDate = apiTotals(t, e, []string{org}, first, today.AddDate(0, 0, -1))["USD"]
			}
			monthDays := usage.Days(first, first.AddDate(0, 1, -1))
			projected := toDate + rate*float64(monthDays-usage.Days(first, today)+1)
			want := "Forecast for " + first.Format("January")
			if got := html.UnescapeString(snippet(r.Body, `data-testid="kpi-forecast"`)); !strings.Contains(got, want) || !strings.Contains(got, usage.Display(projected, "USD")+" USD") {
				t.Errorf("forecast: %q, want %q with %s USD", got, want, usage.Display(projected, "USD"))
			}
			if !strings.Contains(r.Body, `data-testid="usage-budget"`) {
				t.Error("no budget form")
			}
			set := u.HX("POST", "/orgs/"+org+"/usage/budget?preset=this_month&scope=org", "usage-panel", url.Values{"amount": {"1000"}, "currency": {"USD"}})
			if set.Status != 200 || !strings.Contains(set.Body, "Budget saved") || !strings.Contains(html.UnescapeString(set.Body), `"name":"Budget"`) {
				t.Errorf("budget: %d, line drawn %v", set.Status, strings.Contains(html.UnescapeString(set.Body), `"name":"Budget"`))
			}
		})
	}
}

// The usage export in FOCUS 1.3 holds every stored record of the range
// under FOCUS's column rules: the mandatory columns, never empty where
// FOCUS forbids a null, decimals as numbers, date-times in UTC, values of
// FOCUS's closed lists, extensions prefixed x_, Tags a JSON object of
// strings; and its costs add up to the page's.
func TestUsageExportAsFOCUS(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		u := e.SignedIn(localapi.DemoAdminToken)
		pp := e.Org("Payments Platform")
		base := "/orgs/" + pp.ID + "/usage"
		page := report(t, u, base+"?preset=last_month&group=product_family&measure=effective")
		r := u.Get(base + "/export?preset=last_month&group=product_family&measure=effective&format=focus")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%d rows: %v", len(rows), err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		mandatory := []string{"BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory",
			"ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ProviderName",
			"PublisherName", "ServiceCategory", "ServiceName", "ServiceProviderName", "HostProviderName", "ChargeFrequency"}
		for _, h := range rows[0] {
			if !strings.HasPrefix(h, "x_") && !slices.Contains(usage.FOCUSColumns, h) {
				t.Errorf("column %s is neither FOCUS's nor an x_ extension", h)
			}
		}
		categories := []string{"AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools",
			"Multicloud", "Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration", "Mobile",
			"Networking", "Security", "Storage", "Web", "Other"}
		var effective float64
		for n, row := range rows[1:] {
			get := func(c string) string {
				i, ok := col[c]
				if !ok {
					t.Fatalf("no column %s", c)
				}
				return row[i]
			}
			for _, c := range mandatory {
				if get(c) == "" {
					t.Fatalf("row %d: %s is empty", n, c)
				}
			}
			for _, c := range []string{"BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ConsumedQuantity"} {
				if _, err := strconv.ParseFloat(get(c), 64); err != nil {
					t.Fatalf("row %d: %s %q is not a decimal", n, c, get(c))
				}
			}
			times := map[string]time.Time{}
			for _, c := range []string{"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"} {
				v, err := time.Parse(time.RFC3339, get(c))
				if err != nil || !strings.HasSuffix(get(c), "Z") {
					t.Fatalf("row %d: %s %q is not a UTC date-time", n, c, get(c))
				}
				times[c] = v
			}
			if !times["ChargePeriodEnd"].Equal(times["ChargePeriodStart"].AddDate(0, 0, 1)) || times["ChargePeriodStart"].Before(times["BillingPeriodStart"]) ||
				!times["ChargePeriodEnd"].After(times["BillingPeriodStart"]) || times["ChargePeriodEnd"].After(times["BillingPeriodEnd"]) {
				t.Fatalf("row %d: periods %v", n, times)
			}
			if get("ChargeCategory") != "Usage" || get("ChargeFrequency") != "Usage-Based" || (get("ChargeClass") != "" && get("ChargeClass") != "Correction") ||
				!slices.Contains(categories, get("ServiceCategory")) || !regexp.MustCompile(`^[A-Z]{3}$`).MatchString(get("BillingCurrency")) {
				t.Fatalf("row %d: %v", n, row)
			}
			var tags map[string]string
			if err := json.Unmarshal([]byte(get("Tags")), &tags); err != nil || tags["orgboard.organization"] != get("BillingAccountId") {
				t.Fatalf("row %d: Tags %q", n, get("Tags"))
			}
			if get("x_CostsReported") == "true" && get("BillingCurrency") == "USD" {
				v, _ := strconv.ParseFloat(get("EffectiveCost"), 64)
				effective += v
			}
		}
		total := regexp.MustCompile(`data-testid="kpi-total"><span class="muted">[^<]*</span> <strong>([0-9,.]+) USD</strong>`).FindStringSubmatch(page.Body)
		if total == nil {
			t.Fatal("no USD total on the page")
		}
		want, _ := strconv.ParseFloat(strings.ReplaceAll(total[1], ",", ""), 64)
		if math.Abs(effective-want) > 0.01 {
			t.Errorf("the export's USD effective costs add up to %.2f, the page says %.2f", effective, want)
		}
	})
}
