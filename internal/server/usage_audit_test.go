package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
