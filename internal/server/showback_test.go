package server_test

import (
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// billedUSD sums the API's own records of last month for orgs: billed USD.
func billedUSD(t *testing.T, e *testenv.Env, orgs []string) float64 {
	t.Helper()
	from, to, _ := usage.LastMonth.Range(usage.Civil(e.Clock.Now().UTC()))
	sum := 0.0
	for _, o := range orgs {
		recs, err := e.Admin().Usage(context.Background(), o, api.UsageParams{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.BilledCost != nil && r.BillingCurrency == "USD" {
				sum += *r.BilledCost
			}
		}
	}
	return sum
}

// subtree lists org and its descendants.
func subtree(t *testing.T, e *testenv.Env, org string) []string {
	t.Helper()
	var all []api.Organization
	for o, err := range e.Admin().Organizations(context.Background(), api.ListOrganizationsParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, o)
	}
	ids, _ := api.Subtree(all, org)
	return ids
}

var childRow = regexp.MustCompile(`<a href="/orgs/([0-9a-f]+)/showback[^"]*">([^<]+)</a></th><td class="num">([^<]+)</td>`)

func amountIn(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), 64)
	if err != nil {
		t.Fatalf("not an amount: %q", s)
	}
	return v
}

// The showback of last month: the whole tree's total, and each
// sub-organization's subtree, equal the API's own records; the chargeback
// (page and CSV) adds up to the same total, account by account.
func TestShowbackAndChargebackAddUp(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	month := time.Date(e.Clock.Now().Year(), e.Clock.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
	q := "?month=" + month + "&measure=billed&cur=USD"
	page := report(t, u, "/orgs/"+root.ID+"/showback"+q)
	contains(t, "showback", page, `data-testid="showback-chart"`, `data-testid="table-showback"`, `data-testid="table-tags"`, "Chargeback report for")
	want := billedUSD(t, e, subtree(t, e, root.ID))
	total := amountIn(t, between(between(page.Body, `data-testid="total-showback"`, "</tr>"), `<td class="num">`, "</td>")[len(`<td class="num">`):])
	if want == 0 || math.Abs(total-want) > 0.01 {
		t.Fatalf("showback total %.2f, the API's billed USD %.2f", total, want)
	}
	// each child's subtree against the API
	rows := childRow.FindAllStringSubmatch(between(page.Body, `data-testid="table-showback"`, "</tbody>"), -1)
	if len(rows) < 2 {
		t.Fatalf("%d sub-organizations in the showback", len(rows))
	}
	for _, r := range rows {
		if got, w := amountIn(t, r[3]), billedUSD(t, e, subtree(t, e, r[1])); math.Abs(got-w) > 0.01 {
			t.Errorf("%s: showback %.2f, the API %.2f", r[2], got, w)
		}
	}
	// the chargeback, page and CSV
	cb := u.Get("/orgs/" + root.ID + "/chargeback" + q)
	contains(t, "chargeback", cb, `data-testid="table-chargeback"`, "USD (billed cost)", `data-testid="chargeback-print"`)
	c := u.Get("/orgs/" + root.ID + "/chargeback/export" + q)
	recs, err := csv.NewReader(strings.NewReader(c.Body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("chargeback CSV: %v %.300s", err, c.Body)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "USD (billed cost)" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no billed USD column in %v", recs[0])
	}
	sum := 0.0
	for _, r := range recs[1:] {
		if r[col] != "" {
			sum += amountIn(t, r[col])
		}
		if r[5] == "" {
			t.Errorf("a row without its basis: %v", r)
		}
	}
	if math.Abs(sum-want) > 0.01 {
		t.Errorf("chargeback CSV adds up to %.2f, the API %.2f", sum, want)
	}
	// estimated amounts are said, apart
	if !strings.Contains(c.Body, "estimated (rate card)") {
		t.Error("the chargeback does not carry the estimates of accounts without costs apart")
	}
}

// In a reporting currency every organization's costs add up, whatever
// they were billed in: Northwind EMEA (EUR and GBP) holds its share of
// the USD column, converted record by record at its month's rate, the
// total is each currency's billed total converted, and the page says how.
func TestShowbackInAReportingCurrency(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		u := e.SignedIn(localapi.DemoAdminToken)
		root, emea := e.Org("Northwind Holdings"), e.Org("Northwind EMEA")
		month := time.Date(e.Clock.Now().Year(), e.Clock.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		q := "?month=" + month.Format("2006-01") + "&measure=billed&report_currency=USD"
		page := report(t, u, "/orgs/"+root.ID+"/showback"+q)
		contains(t, "showback", page, "USD, converted", "converted into USD at the rate of each record")
		fx := usage.DefaultFX()
		from, to, _ := usage.LastMonth.Range(usage.Civil(e.Clock.Now().UTC()))
		want := map[string]float64{}
		inEMEA := subtree(t, e, emea.ID)
		for _, o := range subtree(t, e, root.ID) {
			recs, err := e.Admin().Usage(context.Background(), o, api.UsageParams{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if r.BilledCost != nil {
					v, _, ok := fx.Convert(*r.BilledCost, r.BillingCurrency, "USD", r.ChargePeriodStart)
					if !ok {
						t.Fatalf("no rate for %s", r.BillingCurrency)
					}
					want["all"] += v
					if slices.Contains(inEMEA, o) {
						want["emea"] += v
					}
				}
			}
		}
		total := amountIn(t, between(between(page.Body, `data-testid="total-showback"`, "</tr>"), `<td class="num">`, "</td>")[len(`<td class="num">`):])
		if math.Abs(total-want["all"]) > 0.01 {
			t.Errorf("the converted total is %.2f, the records converted one by one %.2f", total, want["all"])
		}
		var got float64
		for _, r := range childRow.FindAllStringSubmatch(between(page.Body, `data-testid="table-showback"`, "</tbody>"), -1) {
			if r[1] == emea.ID {
				got = amountIn(t, r[3])
			}
		}
		if want["emea"] == 0 || math.Abs(got-want["emea"]) > 0.01 {
			t.Errorf("Northwind EMEA in USD: %.2f, want %.2f", got, want["emea"])
		}
		cb := u.Get("/orgs/" + root.ID + "/chargeback" + q)
		contains(t, "chargeback", cb, "USD, converted")
		if bad := u.Get("/orgs/" + root.ID + "/showback?month=" + month.Format("2006-01") + "&report_currency=XAU"); bad.Status != http.StatusBadRequest ||
			!strings.Contains(bad.Body, "no rate for XAU") {
			t.Errorf("a currency without rates: %d", bad.Status)
		}
	})
}
