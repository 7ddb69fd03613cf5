package server_test

import (
	"bytes"
	"context"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// The rate card tab: the default card with its sources; an edit with a
// mistake keeps what was typed and saves nothing; a saved card prices the
// usage the page estimates (against the API's own records, by hand); the
// card exports and imports as CSV; its sub-organizations inherit it.
func TestRateCardPricesTheEstimates(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Payments Platform")
	root := e.Org("Northwind Holdings")
	page := u.Get("/orgs/" + team.ID + "/rates")
	contains(t, "the default card", page, "The default card shipped with Orgboard", "developers.cloudflare.com/workers/platform/pricing/",
		`data-testid="rates-form"`, `value="workers_standard_requests"`)

	form := url.Values{"metric_id": {"workers_standard_requests", "r2_storage"}, "metric_name": {"Workers requests", "R2"},
		"price": {"0.25", "1,5"}, "currency": {"usd", "USD"}, "pricing_unit": {"Million", "GB-Month"},
		"units_per_pricing_unit": {"1000000", "1"}, "effective_from": {"2020-01-01", "2020-01-01"}, "source": {"contract", ""}}
	bad := u.Post("/orgs/"+root.ID+"/rates", form)
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a card with a mistake: %d", bad.Status)
	}
	contains(t, "a mistake", bad, "Nothing was saved", `data-testid="rate-error-1"`, `value="1,5"`, `value="contract"`)
	form.Set("price", "0.25")
	form["price"] = []string{"0.25", "1.5"}
	ok := u.Post("/orgs/"+root.ID+"/rates", form)
	contains(t, "saved", ok, "Rate card saved: 2 prices", "This organization&#39;s own card")
	inherited := u.Get("/orgs/" + team.ID + "/rates")
	contains(t, "a sub-organization", inherited, "The card of “Northwind Holdings”", `value="0.25"`)

	// the team's estimate over last month, by hand from the API's records without a cost
	today := usage.Civil(e.Clock.Now().UTC())
	from, to, _ := usage.LastMonth.Range(today)
	price := map[string]float64{"workers_standard_requests": 0.25 / 1e6, "r2_storage": 1.5}
	want := 0.0
	for _, w := range usage.Windows(from, to) {
		recs, err := e.Admin().Usage(context.Background(), team.ID, api.UsageParams{From: w.From.Format(time.DateOnly), To: w.To.Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			want += r.ConsumedQuantity * price[r.BillableMetricID]
		}
	}
	rows := exportRows(t, u, "/orgs/"+team.ID+"/usage/export?preset=last_month&scope=org&group=metric&step=month&measure=estimated&format=json")
	got := 0.0
	for _, r := range rows {
		if r.Estimate && r.Currency == "USD" {
			got += r.Value
		}
		if !r.Estimate && r.Currency != "" {
			t.Errorf("the estimate holds a billed amount: %+v", r)
		}
	}
	if want == 0 || math.Abs(got-want) > 0.01 {
		t.Errorf("estimated %.4f USD, by hand %.4f", got, want)
	}
	panel := report(t, u, "/orgs/"+team.ID+"/usage?preset=last_month&scope=org&measure=estimated")
	contains(t, "the estimate on the page", panel, "USD, estimated", "The rate card has no price for")

	// export, then import the file back into the team
	csv := u.Get("/orgs/" + root.ID + "/rates/export")
	if csv.Status != 200 || !strings.HasPrefix(csv.Body, "metric_id,metric_name,price") || !strings.Contains(csv.Body, "r2_storage,R2,1.5,USD") {
		t.Fatalf("export: %d %s", csv.Status, csv.Body)
	}
	imp := upload(t, u, "/orgs/"+team.ID+"/rates/import", "card.csv", csv.Body)
	contains(t, "import", imp, "Imported 2 prices from card.csv", "This organization&#39;s own card")
	broken := upload(t, u, "/orgs/"+team.ID+"/rates/import", "broken.csv", "metric_id,price\nx,1\n")
	if broken.Status != http.StatusUnprocessableEntity {
		t.Errorf("a broken file: %d", broken.Status)
	}
	contains(t, "a broken file", broken, "lacks the column currency")
	reset := u.Post("/orgs/"+team.ID+"/rates/reset", url.Values{})
	contains(t, "reset", reset, "card was removed", "The card of “Northwind Holdings”")
}

// upload posts a file as the import form does.
func upload(t *testing.T, u *testenv.User, path, name, body string) testenv.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", u.CSRF)
	f, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(body))
	w.Close()
	return u.Raw("POST", path, &buf, w.FormDataContentType())
}

// An organization's own exchange rates, imported on the rate card tab,
// convert its subtree's costs in a reporting currency; a file with a
// mistake changes nothing and says which line; the export writes the
// table back; removing it returns to the shipped rates.
func TestExchangeRatesImported(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		u := e.SignedIn(localapi.DemoAdminToken)
		emea := e.Org("Northwind EMEA")
		base := "/orgs/" + emea.ID + "/rates"
		page := u.Get(base)
		contains(t, "the tab", page, `data-testid="fx"`, "The rates shipped with Orgboard", "European Central Bank")
		bad := upload(t, u, base+"/fx/import", "fx.csv", "date,currency,per_eur\n2026-11-30,USD,2\n2026-11-31,GBP,1\n")
		contains(t, "a bad file", bad, "line 3: the date", "were not imported")
		if bad.Status != http.StatusUnprocessableEntity {
			t.Errorf("a bad file: %d", bad.Status)
		}
		if _, _, own, _ := e.Stores.FX.FXTable(context.Background(), emea.ID); own {
			t.Fatal("a bad file left a table")
		}
		var rows strings.Builder
		rows.WriteString("date,currency,per_eur\n")
		month := time.Date(e.Clock.Now().Year(), e.Clock.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		for _, cur := range []string{"USD,2", "GBP,0.5"} {
			rows.WriteString(month.Format(time.DateOnly) + "," + cur + "\n")
		}
		ok := upload(t, u, base+"/fx/import", "ours.csv", rows.String())
		contains(t, "the import", ok, "Imported 2 exchange rates from ours.csv", "This organization&#39;s own exchange rates")
		csv := u.Get(base + "/fx/export")
		if !strings.Contains(csv.Body, month.Format(time.DateOnly)+",USD,2") {
			t.Errorf("the export: %.300s", csv.Body)
		}
		q := "?month=" + month.Format("2006-01") + "&measure=billed"
		asBilled := report(t, u, "/orgs/"+emea.ID+"/showback"+q+"&cur=EUR")
		eur := amountIn(t, between(between(asBilled.Body, `data-testid="total-showback"`, "</tr>"), `<td class="num">`, "</td>")[len(`<td class="num">`):])
		gbpPage := report(t, u, "/orgs/"+emea.ID+"/showback"+q+"&cur=GBP")
		gbp := amountIn(t, between(between(gbpPage.Body, `data-testid="total-showback"`, "</tr>"), `<td class="num">`, "</td>")[len(`<td class="num">`):])
		converted := report(t, u, "/orgs/"+emea.ID+"/showback"+q+"&report_currency=USD")
		usd := amountIn(t, between(between(converted.Body, `data-testid="total-showback"`, "</tr>"), `<td class="num">`, "</td>")[len(`<td class="num">`):])
		if want := eur*2 + gbp/0.5*2; math.Abs(usd-want) > 0.02*2 {
			t.Errorf("in USD with the imported rates: %.2f, want %.2f (EUR %.2f, GBP %.2f)", usd, want, eur, gbp)
		}
		reset := u.HX("POST", base+"/fx/reset", "", nil)
		contains(t, "the reset", reset, "exchange rates were removed", "The rates shipped with Orgboard")
	})
}
