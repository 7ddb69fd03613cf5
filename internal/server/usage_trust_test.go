package server_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// Figures a reviewer trusts: no change against a period holding fewer days
// of usage; a budget compared only with the unfiltered total and an
// overrun said plainly; group by account draws the top accounts and lists
// the rest instead of an "Other" bar holding most of the total; tables
// with separators, the currency and totals.
func TestUsageFiguresAReviewerTrusts(t *testing.T) {
	t.Parallel()
	seeded := clockStart(t) // the seed's day, on whatever date the tests run
	mid := time.Date(seeded.Year(), seeded.Month(), 20, 9, 0, 0, 0, time.UTC)
	e := testenv.New(t, testenv.Options{Now: mid})
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	base := "/orgs/" + root.ID + "/usage"

	// a range starting ten days into the seeded history: the period before holds ten days
	start := usage.Civil(seeded).Add(-396 * 24 * time.Hour)
	from, to := start.AddDate(0, 0, 10), start.AddDate(0, 0, 39)
	q := "?preset=custom&from=" + from.Format(time.DateOnly) + "&to=" + to.Format(time.DateOnly) + "&scope=org"
	team := e.Org("Payments Platform")
	early := report(t, u, "/orgs/"+team.ID+"/usage"+q)
	contains(t, "a range at the start of the history", early, "not comparable", "The period before holds usage on")
	if strings.Contains(early.Body, `data-testid="kpi-change"`) && strings.Contains(between(early.Body, `data-testid="kpi-change"`, "</div>"), "%") {
		t.Errorf("a percentage change against a shorter period: %s", between(early.Body, `data-testid="kpi-change"`, "</div>"))
	}

	// a budget far below the month: over, said plainly, from the 1st
	month := "?preset=this_month"
	if r := u.Post(base+"/budget"+month, url.Values{"amount": {"1,000"}, "currency": {"USD"}}); r.Status >= 400 {
		t.Fatalf("set the budget: %d", r.Status)
	}
	over := report(t, u, base+month)
	contains(t, "over budget", over, `data-testid="usage-budget-alert"`, "Over budget:", "over by", "since "+mid.AddDate(0, 0, 1-mid.Day()).Format("2 Jan"), "against a budget of 1,000.00 USD")
	filtered := report(t, u, base+month+"&product_family=R2")
	if strings.Contains(filtered.Body, `data-testid="usage-budget-alert"`) {
		t.Error("the organization's budget was compared with an R2-only total")
	}
	contains(t, "filtered", filtered, "compared only when no filter is applied")

	// by account: the top accounts drawn, the rest in a table with its total
	acct := report(t, u, base+"?preset=last_30_days&group=account")
	contains(t, "by account", acct, `data-testid="usage-rest-title"`, "The other ", `data-testid="table-rest"`, `data-testid="total-rest"`, "are listed below the charts")
	daily := between(acct.Body, `data-testid="chart-daily"`, "</section>")
	if strings.Contains(daily, "Other (") && strings.Contains(between(daily, "data-options=", ">"), "Other (") {
		t.Error("the stacked chart still draws an Other bar holding most of the total")
	}
	// readable tables: separators and the currency in the heads, totals rows
	contains(t, "tables", acct, "this period (USD)", `data-testid="total-pop"`)
	if strings.Contains(between(acct.Body, `data-testid="table-pop"`, "</table>"), ">109389") {
		t.Error("an amount without separators")
	}
}

// clockStart is the day the test process's seed was made on.
func clockStart(t *testing.T) time.Time {
	t.Helper()
	return testenv.SeedDay()
}

// between is the text of s from the first after-marker to the next end.
func between(s, after, end string) string {
	i := strings.Index(s, after)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}

// In the first hours of a day, Cloudflare has not reported yesterday yet:
// the page says so, and the month's forecast counts yesterday at the
// recent rate instead of as a day that cost nothing.
func TestForecastWhileYesterdayIsNotReported(t *testing.T) {
	t.Parallel()
	seeded := clockStart(t)
	night := time.Date(seeded.Year(), seeded.Month(), 15, 1, 0, 0, 0, time.UTC)
	e := testenv.New(t, testenv.Options{Now: night})
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	spike := e.ArrangeSpikeReportedAfter(team.ID, 3*time.Hour) // 10 USD a day, 100 on the 11th; the 14th not yet
	r := report(t, u, "/orgs/"+team.ID+"/usage?preset=this_month&scope=org")
	yesterday := usage.Civil(night).AddDate(0, 0, -1)
	contains(t, "the page at 01:00", r, "Cloudflare has not reported "+yesterday.Format("Mon 2 Jan")+" yet")
	if spike.Day.Day() != 11 {
		t.Fatalf("the spike is on the %d", spike.Day.Day())
	}
	toDate, rate := 12*10.0+100, (5*10.0+100)/6 // the 1st to the 13th; the 8th to the 13th
	days := usage.Days(night.AddDate(0, 0, 1-night.Day()), night.AddDate(0, 1, -night.Day()))
	want := usage.Amount(toDate+rate*float64(days-13), "USD")
	kpi := between(r.Body, `data-testid="kpi-forecast"`, "</div>")
	if !strings.Contains(kpi, want) || !strings.Contains(r.Body, "in 13 of "+strconv.Itoa(days)+" days") {
		t.Errorf("the forecast %q, want %s from 13 days so far", kpi, want)
	}
}
