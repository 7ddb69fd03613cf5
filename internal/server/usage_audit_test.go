package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// A cost jump sits beside the changes that may explain it: a Workers
// spike on one account, and a Worker script of that account updated the
// day before, are listed together with a link to the entry; drilled into
// Workers, the chart marks the day's audit change on its time axis.
func TestAnomalyShowsTheAuditEntriesBeforeIt(t *testing.T) {
	e := testenv.New(t)
	team := e.Org("Checkout")
	today := usage.Civil(e.Clock.Now().UTC())
	spike := today.AddDate(0, 0, -4)
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/organizations/"+team.ID+"/billable/usage") {
			return false
		}
		from, _ := usage.Day(r.URL.Query().Get("from"))
		to, _ := usage.Day(r.URL.Query().Get("to"))
		var recs []api.UsageRecord
		for d := from; !d.After(to) && d.Before(today); d = d.AddDate(0, 0, 1) {
			cost := 10.0
			if d.Equal(spike) {
				cost = 100
			}
			recs = append(recs, api.UsageRecord{BillingAccountID: "acct-spike", BillingAccountName: "spiky-prod", ChargeCategory: "Usage",
				ChargePeriodStart: d, ChargePeriodEnd: d.AddDate(0, 0, 1), ConsumedQuantity: cost * 1e5, ConsumedUnit: "Requests",
				BillableMetricName: "Workers Standard Requests", BillableMetricID: "workers_standard_requests", ProductFamilyName: "Workers",
				EffectiveCost: &cost, BilledCost: &cost, BillingCurrency: "USD"})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": recs})
		return true
	}
	e.Intercept.Store(&f)
	entry := api.AuditEntry{ID: "0123456789abcdef0123456789abcdef",
		Action:       api.AuditAction{Description: "Worker script updated", Result: "success", Time: spike.Add(-12 * time.Hour), Type: "update"},
		Actor:        api.AuditActor{ID: "u1", Context: "api_token", Email: "deployer@northwind.example", Type: "user"},
		Organization: api.OrganizationRef{ID: team.ID},
		Raw:          api.AuditRaw{Method: "PUT", StatusCode: 200, URI: "/client/v4/accounts/acct-spike/workers/scripts/checkout-api"},
		Resource:     api.AuditResource{ID: "checkout-api", Product: "workers", Type: "script"}}
	if err := e.Store.AddAuditEntry(entry); err != nil {
		t.Fatal(err)
	}
	if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), team.ID); err != nil {
		t.Fatal(err)
	}
	u := e.SignedIn(localapi.DemoAdminToken)
	for _, group := range []string{"account", "product_family"} {
		page := report(t, u, "/orgs/"+team.ID+"/usage?preset=last_30_days&scope=org&group="+group)
		row := between(page.Body, spike.Format("Mon 2 Jan 2006"), "</tr>")
		if row == "" {
			t.Fatalf("by %s: no anomaly on %s", group, spike.Format(time.DateOnly))
		}
		if !strings.Contains(row, "Worker script updated") || !strings.Contains(row, `href="/audit/entries/`+entry.ID+`"`) {
			t.Errorf("by %s: the anomaly's row lacks the audit entry of the day before: %s", group, row)
		}
	}
	mover := report(t, u, "/orgs/"+team.ID+"/usage?preset=last_30_days&scope=org&group=account")
	if !strings.Contains(between(mover.Body, `data-testid="mover-changes"`, "</div>"), "Worker script updated") {
		t.Error("the top mover does not list the audit entry of its range")
	}
	drilled := report(t, u, "/orgs/"+team.ID+"/usage?preset=last_30_days&scope=org&group=account&product_family=Workers")
	if !strings.Contains(between(drilled.Body, `data-testid="chart-daily"`, "</section>"), "Audit changes") {
		t.Error("drilled into Workers, the chart does not mark the audit change")
	}
}
