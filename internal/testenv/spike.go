// spike.go arranges a cost spike: the local API's usage of one
// organization answered by the test instead, flat but for one day, and
// the audit entry of a change the day before it.

package testenv

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/usage"
)

// Spike is an arranged cost spike.
type Spike struct {
	Day     time.Time // the day the cost jumps (ten times)
	Account string    // the account it jumps on
	Entry   api.AuditEntry
}

// ArrangeSpike answers org's usage with one account's Workers requests at
// 10 USD a day and 100 USD four days ago, and stores the audit entry of a
// Worker script of that account updated the day before (the index finds
// it once the organization's log is synced). Every day that has ended
// is reported, as the stack's clock reads it at each request.
func (e *Env) ArrangeSpike(org string) Spike {
	e.t.Helper()
	return e.ArrangeSpikeReportedAfter(org, 0)
}

// ArrangeSpikeReportedAfter is ArrangeSpike with a day reported only once
// lag has passed since its end, as Cloudflare reports a day some hours
// late: until then the day reads as no usage at all.
func (e *Env) ArrangeSpikeReportedAfter(org string, lag time.Duration) Spike {
	e.t.Helper()
	sp := Spike{Day: usage.Civil(e.Clock.Now().UTC()).AddDate(0, 0, -4), Account: "acct-spike"}
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/organizations/"+org+"/billable/usage") {
			return false
		}
		today := usage.Civil(e.Clock.Now().Add(-lag).UTC()) // the first day not reported yet
		from, _ := usage.Day(r.URL.Query().Get("from"))
		to, _ := usage.Day(r.URL.Query().Get("to"))
		var recs []api.UsageRecord
		for d := from; !d.After(to) && d.Before(today); d = d.AddDate(0, 0, 1) {
			cost := 10.0
			if d.Equal(sp.Day) {
				cost = 100
			}
			recs = append(recs, api.UsageRecord{BillingAccountID: sp.Account, BillingAccountName: "spiky-prod", ChargeCategory: "Usage",
				ChargePeriodStart: d, ChargePeriodEnd: d.AddDate(0, 0, 1), ConsumedQuantity: cost * 1e5, ConsumedUnit: "Requests",
				BillableMetricName: "Workers Standard Requests", BillableMetricID: "workers_standard_requests", ProductFamilyName: "Workers",
				EffectiveCost: &cost, BilledCost: &cost, BillingCurrency: "USD"})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": recs})
		return true
	}
	e.Intercept.Store(&f)
	sp.Entry = api.AuditEntry{ID: "0123456789abcdef0123456789abcdef",
		Action:       api.AuditAction{Description: "Worker script updated", Result: "success", Time: sp.Day.Add(-12 * time.Hour), Type: "update"},
		Actor:        api.AuditActor{ID: "u1", Context: "api_token", Email: "deployer@northwind.example", Type: "user"},
		Organization: api.OrganizationRef{ID: org},
		Raw:          api.AuditRaw{Method: "PUT", StatusCode: 200, URI: "/client/v4/accounts/" + sp.Account + "/workers/scripts/checkout-api"},
		Resource:     api.AuditResource{ID: "checkout-api", Product: "workers", Type: "script"}}
	if err := e.Store.AddAuditEntry(sp.Entry); err != nil {
		e.t.Fatal(err)
	}
	return sp
}
