package server_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// A cost jump sits beside the changes that may explain it: a Workers
// spike on one account, and a Worker script of that account updated the
// day before, are listed together with a link to the entry; drilled into
// Workers, the chart marks the day's audit change on its time axis.
func TestAnomalyShowsTheAuditEntriesBeforeIt(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	team := e.Org("Checkout")
	sp := e.ArrangeSpike(team.ID)
	spike, entry := sp.Day, sp.Entry
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

// The demo seed's anomaly has its cause beside it: Storefront's CDN
// transfer jumps the day after its zone's cache was purged, and the purge
// is the first change listed. A change later on the anomaly's own day, or
// on a product that does not move CDN's cost, is not offered as a cause.
func TestTheSeedsAnomalyListsItsCauseBeforeItsDay(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		account, day, err := e.Store.Spike()
		if err != nil || account == "" {
			t.Fatalf("the seed's spike: %q %v", account, err)
		}
		var chain []api.Organization
		for o, err := range e.Admin().Organizations(context.Background(), api.ListOrganizationsParams{ContainingAccount: account}) {
			if err != nil {
				t.Fatal(err)
			}
			chain = append(chain, o)
		}
		team := *api.Innermost(chain)
		for i, product := range []string{"cache", "waf"} { // the day itself; the day before, on another product
			at := day.Add(11 * time.Hour)
			if product == "waf" {
				at = day.Add(-3 * time.Hour)
			}
			if err := e.Store.AddAuditEntry(api.AuditEntry{ID: fmt.Sprintf("%032x", i+1), Action: api.AuditAction{Description: "Unrelated " + product + " change", Result: "success", Time: at, Type: "update"},
				Actor: api.AuditActor{ID: "u1", Context: "dash", Email: "someone@northwind.example", Type: "user"}, Organization: api.OrganizationRef{ID: team.ID},
				Resource: api.AuditResource{ID: "r1", Product: product, Type: "zone"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), team.ID); err != nil {
			t.Fatal(err)
		}
		u := e.SignedIn(localapi.DemoAdminToken)
		page := report(t, u, "/orgs/"+team.ID+"/usage?preset=last_30_days&scope=org&group=product_family")
		row := between(page.Body, day.Format("Mon 2 Jan 2006"), "</tr>")
		if !strings.Contains(row, ">CDN<") {
			t.Fatalf("no CDN anomaly on %s: %s", day.Format(time.DateOnly), row)
		}
		changes := between(row, `data-testid="anomaly-changes"`, "</td>")
		first := between(changes, `data-testid="anomaly-change"`, "</a>")
		if !strings.Contains(first, "Cache purged: everything") {
			t.Errorf("the purge is not the first cause listed: %s", changes)
		}
		if strings.Contains(changes, "Unrelated") {
			t.Errorf("a change of the day itself or of another product is offered as a cause: %s", changes)
		}
		for _, at := range regexp.MustCompile(`datetime="([^"]+)"`).FindAllStringSubmatch(changes, -1) {
			if when, _ := time.Parse(time.RFC3339, at[1]); !when.Before(day) {
				t.Errorf("a change at %s, not before the anomaly's day began", at[1])
			}
		}
	})
}
