package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// No rate card and no budget a person can enter makes a usage, showback or
// chargeback page answer 5xx: a value whose result is not finite is refused
// with a message, and what is stored always prices to a finite figure. The
// seeds run in every `go test`; `go test -fuzz FuzzValuesNeverBreakAPage`
// explores further.
func FuzzValuesNeverBreakAPage(f *testing.F) {
	for _, s := range []struct{ price, per, name, budget string }{
		{"0.30", "1000000", "Workers requests", "1200"},
		{"1", "1e-320", "tiny units", "1"},
		{"1e308", "1e-6", "huge", "999999999999"},
		{"NaN", "1", "nan", "NaN"},
		{"Inf", "1", "inf", "Inf"},
		{"-0", "0", "zero", "0"},
		{"0.0000001", "1e15", "evil\u202Etxt", "1e9"},
		{"5", "1", "nul\x00here", "1,2,3.4"},
	} {
		f.Add(s.price, s.per, s.name, s.budget)
	}
	e := testenv.New(f)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Payments Platform")
	month := time.Date(e.Clock.Now().Year(), e.Clock.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
	pages := []string{"/orgs/" + team.ID + "/usage?preset=last_month&scope=org&measure=estimated",
		"/orgs/" + team.ID + "/showback?month=" + month + "&measure=estimated&cur=USD",
		"/orgs/" + team.ID + "/chargeback?month=" + month + "&measure=estimated&cur=USD"}
	for _, p := range pages[:2] {
		report(f, u, p) // fetched once: each input then reads the store
	}
	f.Fuzz(func(t *testing.T, price, per, name, budget string) {
		u := u.In(t)
		csv := "metric_id,metric_name,price,currency,pricing_unit,units_per_pricing_unit,effective_from,source\n" +
			"workers_standard_requests," + quote(name) + "," + quote(price) + ",USD,Million," + quote(per) + ",2020-01-01,fuzz\n"
		if r := upload(t, u, "/orgs/"+team.ID+"/rates/import", "card.csv", csv); r.Status >= 500 {
			t.Fatalf("import %q: %d", csv, r.Status)
		}
		form := url.Values{"metric_id": {"r2_storage"}, "metric_name": {name}, "price": {price}, "currency": {"USD"}, "pricing_unit": {"GB"},
			"units_per_pricing_unit": {per}, "effective_from": {"2020-01-01"}}
		if r := u.Post("/orgs/"+team.ID+"/rates", form); r.Status >= 500 {
			t.Fatalf("save %v: %d", form, r.Status)
		}
		if r := u.Post("/orgs/"+team.ID+"/usage/budget?preset=last_month&scope=org", url.Values{"amount": {budget}, "currency": {"USD"}}); r.Status >= 500 {
			t.Fatalf("budget %q: %d", budget, r.Status)
		}
		for _, p := range pages {
			if r := u.Get(p); r.Status >= 500 {
				t.Fatalf("%s after price %q per %q budget %q: %d %.300s", p, price, per, budget, r.Status, r.Body)
			}
		}
	})
}

// quote writes a CSV field.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
