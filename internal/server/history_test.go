package server_test

import (
	"context"
	"encoding/csv"
	"math"
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

// A sub-organization created, renamed, moved and deleted keeps its
// entries in the index: after the delete its create is found by
// action:create and by its name, named "(deleted)", by whoever may read
// its nearest surviving ancestor, and by nobody else.
func TestADeletedOrganizationKeepsItsEntries(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		u := e.SignedIn(localapi.DemoAdminToken)
		dp, risk := e.Org("Data Platform"), e.Org("Payments Gateway")
		r := u.Post("/orgs/"+dp.ID+"/children", url.Values{"name": {"Walk Test Org"}})
		id := strings.TrimPrefix(strings.SplitN(r.Header.Get("Location"), "?", 2)[0], "/orgs/")
		if r.Status != http.StatusSeeOther || id == "" {
			t.Fatalf("create: %d %q", r.Status, r.Header.Get("Location"))
		}
		// renamed and moved at the API, by someone else
		if _, err := e.Admin().UpdateOrganization(bg, id, api.OrganizationInput{Name: "Walk Test Org", Parent: &api.OrganizationRef{ID: risk.ID}}); err != nil {
			t.Fatal(err)
		}
		// the console's index syncs the new organization (a search does the same in the background)
		if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), id); err != nil {
			t.Fatal(err)
		}
		// deleted at the API: the console learns it from the delete entry in the parent's log
		if err := e.Admin().DeleteOrganization(bg, id); err != nil {
			t.Fatal(err)
		}
		if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), risk.ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"action:create type:organization since:7d", `"Walk Test Org" since:7d`, "actor:alex.morgan@northwind.example since:1d"} {
			page := u.Get("/audit?q=" + url.QueryEscape(q))
			if page.Status != http.StatusOK || !strings.Contains(page.Body, `title="`+id+`"`) || !strings.Contains(page.Body, "Walk Test Org (deleted)") {
				t.Errorf("%s: the deleted organization's entries are not found (%d): %s", q, page.Status, snippet(page.Body, "audit-row"))
			}
		}
		creates := u.Get("/audit?q=" + url.QueryEscape("action:create type:organization resource:"+id+" since:7d"))
		if n := strings.Count(creates.Body, `data-testid="audit-row"`); n != 1 {
			t.Errorf("the create of the deleted organization: %d rows", n)
		}
		// Payments Gateway's own tab with its sub-organizations finds it too (it was there when deleted)
		tab := u.Get("/orgs/" + risk.ID + "/audit?sub=1&q=" + url.QueryEscape("resource:"+id+" since:7d"))
		if !strings.Contains(tab.Body, "Walk Test Org (deleted)") {
			t.Errorf("the parent's audit tab with sub-organizations: %s", snippet(tab.Body, "audit-row"))
		}
		// the editor reads Payments Platform's subtree, Payments Gateway among it
		editor := e.SignedIn(localapi.DemoEditorToken)
		if page := editor.Get("/audit?q=" + url.QueryEscape("resource:"+id+" since:7d")); !strings.Contains(page.Body, "Walk Test Org (deleted)") {
			t.Errorf("a reader of its surviving ancestor does not find it: %s", snippet(page.Body, "audit-empty"))
		}
		// the entry's history says where it comes from, without asking Cloudflare for a log it no longer has
		detail := regexpAttr(creates.Body, `href="(/audit/entries/[^"?]+)`)
		h := u.Get(detail + "/history")
		contains(t, "the deleted organization's history", h, "Walk Test Org (deleted)", "the index is its only record")
	})
}

// A reader who may not read the deleted organization's surviving
// ancestor finds nothing of it.
func TestADeletedOrganizationStaysHidden(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	dp := e.Org("Data Platform")
	r := u.Post("/orgs/"+dp.ID+"/children", url.Values{"name": {"Hidden Team"}})
	id := strings.TrimPrefix(strings.SplitN(r.Header.Get("Location"), "?", 2)[0], "/orgs/")
	if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), id); err != nil {
		t.Fatal(err)
	}
	if r := u.HX("DELETE", "/orgs/"+id, "delete-form", nil); r.Header.Get("HX-Redirect") == "" {
		t.Fatalf("delete: %d", r.Status)
	}
	if page := u.Get("/audit?q=" + url.QueryEscape("resource:"+id+" since:7d")); !strings.Contains(page.Body, "Hidden Team (deleted)") {
		t.Fatalf("the admin does not find it: %s", snippet(page.Body, "audit-empty"))
	}
	editor := e.SignedIn(localapi.DemoEditorToken) // Payments Platform's subtree: not Data Platform
	if page := editor.Get("/audit?q=" + url.QueryEscape("resource:"+id+" since:7d")); strings.Contains(page.Body, "Hidden Team") || strings.Contains(page.Body, `data-testid="audit-row"`) {
		t.Errorf("a reader of another subtree sees the deleted organization: %s", snippet(page.Body, "audit-row"))
	}
}

// Last month's chargeback charges an account moved today (at the API,
// before last month was fetched) to its organization of last month, at
// the root and at that organization; restated with today's tree it goes
// to its new one, and says so.
func TestAClosedMonthKeepsAMovedAccount(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		u := e.SignedIn(localapi.DemoAdminToken)
		mobile, fixed := mobilityPair(t, e)
		root := e.Org("Northwind Holdings")
		accts, _ := e.Admin().ListAccounts(bg, mobile.ID, api.ListAccountsParams{})
		acct := accts.Items[0]
		want := billedUSDOf(t, e, mobile.ID, acct.ID)
		if want == 0 {
			t.Fatal("the account cost nothing last month: nothing to see")
		}
		if _, err := e.Admin().MoveAccount(bg, acct.ID, fixed.ID); err != nil {
			t.Fatal(err)
		}
		month := time.Date(e.Clock.Now().Year(), e.Clock.Now().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0).Format("2006-01")
		q := "?month=" + month + "&measure=billed&cur=USD"
		for _, at := range []string{root.ID, mobile.ID} {
			page := report(t, u, "/orgs/"+at+"/showback"+q)
			contains(t, "the month's tree", page, `data-testid="showback-method"`, "belonged to when each day began")
			org, got := chargedTo(t, u, "/orgs/"+at+"/chargeback/export"+q, acct.ID)
			if org != mobile.ID || math.Abs(got-want) > 0.01 {
				t.Errorf("from %s: the moved account is charged %.2f to %s, want %.2f to %s (its organization last month)", at, got, org, want, mobile.ID)
			}
		}
		report(t, u, "/orgs/"+fixed.ID+"/showback"+q)
		if org, got := chargedTo(t, u, "/orgs/"+fixed.ID+"/chargeback/export"+q, acct.ID); org != "" {
			t.Errorf("its new organization is charged %.2f for a month before it arrived", got)
		}
		// restated with today's tree
		today := q + "&tree=today"
		page := report(t, u, "/orgs/"+root.ID+"/showback"+today)
		contains(t, "a restatement", page, `data-testid="showback-restated"`, "Restated with today")
		if org, _ := chargedTo(t, u, "/orgs/"+root.ID+"/chargeback/export"+today, acct.ID); org != fixed.ID {
			t.Errorf("restated, the account is charged to %s, want today's %s", org, fixed.ID)
		}
		contains(t, "the restated report", u.Get("/orgs/"+root.ID+"/chargeback"+today), `data-testid="chargeback-restated"`)
	})
}

// billedUSDOf is one account's billed USD of last month, as the API reports
// it for its organization.
func billedUSDOf(t *testing.T, e *testenv.Env, org, account string) float64 {
	t.Helper()
	from, to, _ := usage.LastMonth.Range(usage.Civil(e.Clock.Now().UTC()))
	recs, err := e.Admin().Usage(context.Background(), org, api.UsageParams{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, r := range recs {
		if r.BillingAccountID == account && r.BilledCost != nil && r.BillingCurrency == "USD" {
			sum += *r.BilledCost
		}
	}
	return sum
}

// chargedTo reads a chargeback CSV: the organization an account is charged
// to ("" when it is not in it) and its billed USD.
func chargedTo(t *testing.T, u *testenv.User, path, account string) (string, float64) {
	t.Helper()
	r := u.Get(path)
	recs, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil || r.Status != http.StatusOK || len(recs) == 0 {
		t.Fatalf("%s: %d %v %.300s", path, r.Status, err, snippet(r.Body, "alert"))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	usd, ok := col["USD (billed cost)"]
	if !ok {
		t.Fatalf("no USD column: %v", recs[0])
	}
	for _, row := range recs[1:] {
		if row[col["account_id"]] == account {
			return row[col["organization_id"]], amountIn(t, row[usd])
		}
	}
	return "", 0
}
