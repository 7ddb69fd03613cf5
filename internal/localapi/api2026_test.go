package localapi

import (
	"errors"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock/clocktest"
)

// meta carries tenant_flags (eight keys) beside flags (five), each org with
// values for the three newer keys.
func TestTenantFlagsBesideFlags(t *testing.T) {
	e := newEnv(t)
	status, body, _ := e.raw("GET", "/organizations?page_size=100", DemoAdminToken, nil)
	if status != 200 || !strings.Contains(body, `"tenant_flags":{"account_creation":`) || !strings.Contains(body, `"flags":{"account_creation":`) {
		t.Fatalf("%d: no tenant_flags beside flags", status)
	}
	for o, err := range e.client(DemoAdminToken).Organizations(bg, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		f, l := o.Meta.TenantFlags, o.Meta.Flags
		if f == nil || l == nil {
			continue // some organizations report no flags, as Cloudflare's may
		}
		if f.AccountCreationAppliesTenantDefaults == "" || f.EnterpriseCapability == "" || f.MemberManagement == "" {
			t.Errorf("%s: newer flags without values: %+v", o.Name, f)
		}
		if *f.Legacy() != *l {
			t.Errorf("%s: flags %+v and tenant_flags %+v disagree", o.Name, l, f)
		}
	}
}

// A resource's history: found from one entry, every entry of the resource
// in the window, with how exactly it was identified; 404 for an entry that
// is not there.
func TestAuditHistoryEndpoint(t *testing.T) {
	e := newEnv(t)
	c := e.client(DemoAdminToken)
	gw := e.org("Payments Gateway")
	for i := range 3 {
		if _, err := c.UpdateOrganization(bg, gw.ID, api.OrganizationInput{Name: "Gateway " + string(rune('A'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	now := clocktest.Now()
	window := api.AuditParams{Since: now.Add(-time.Hour).UTC().Format(time.RFC3339), Before: now.Add(time.Hour).UTC().Format(time.RFC3339)}
	var source api.AuditEntry
	for en, err := range c.AuditEntries(bg, gw.ID, window) {
		if err != nil {
			t.Fatal(err)
		}
		if en.Resource.ID == gw.ID && en.Action.Type == "update" {
			source = en
			break
		}
	}
	hp := api.AuditHistoryParams{ActionTime: source.Action.Time.Format(time.RFC3339Nano), Since: now.AddDate(0, -18, 0).Format(time.DateOnly), Before: now.Add(time.Hour).UTC().Format(time.RFC3339), Limit: 2, Direction: "asc"}
	page, err := c.ListAuditHistory(bg, gw.ID, source.ID, hp)
	if err != nil {
		t.Fatal(err)
	}
	if page.HistoryStatus != api.HistoryExact || len(page.Entries) != 2 || page.Cursor == "" {
		t.Fatalf("history page: status %q, %d entries, cursor %q", page.HistoryStatus, len(page.Entries), page.Cursor)
	}
	var all []api.AuditEntry
	for en, err := range c.AuditHistory(bg, gw.ID, source.ID, hp) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, en)
	}
	renames := 0
	for i, en := range all {
		if en.Resource.ID != gw.ID {
			t.Errorf("entry %d is of %s", i, en.Resource.ID)
		}
		if i > 0 && en.Action.Time.Before(all[i-1].Action.Time) {
			t.Error("not oldest first")
		}
		if strings.Contains(string(en.Resource.Request), `"Gateway `) {
			renames++
		}
	}
	if renames != 3 {
		t.Errorf("%d renames in the history, want 3", renames)
	}
	_, err = c.ListAuditHistory(bg, gw.ID, "0123456789abcdef0123456789abcdef", hp)
	if !api.IsNotFound(err) {
		t.Errorf("an unknown entry: %v, want 404", err)
	}
	bad := hp
	bad.ActionTime = ""
	if _, err := c.ListAuditHistory(bg, gw.ID, source.ID, bad); api.StatusCode(err) != 400 {
		t.Errorf("without action_time: %v, want 400", err)
	}
	root := e.org("Northwind Holdings")
	if _, err := e.client(DemoEditorToken).ListAuditHistory(bg, root.ID, source.ID, hp); !api.IsForbidden(err) {
		t.Errorf("the editor reading the root's history: %v, want 403", err)
	}
}

// An account moves between organizations the token administers, when the
// account's organization allows account mobility; both logs record it.
func TestAccountMove(t *testing.T) {
	e := newEnv(t)
	c := e.client(DemoAdminToken)
	var mobile, fixed api.Organization
	for o, err := range c.Organizations(bg, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		f := o.Meta.TenantFlags
		if f == nil {
			continue
		}
		accts, _ := c.ListAccounts(bg, o.ID, api.ListAccountsParams{})
		if len(accts.Items) == 0 {
			continue
		}
		if f.AccountMobility == "enabled" && mobile.ID == "" {
			mobile = o
		} else if f.AccountMobility != "enabled" && fixed.ID == "" {
			fixed = o
		}
	}
	if mobile.ID == "" || fixed.ID == "" {
		t.Fatal("the seed lacks an organization with accounts that may move, or one whose may not")
	}
	accts, _ := c.ListAccounts(bg, mobile.ID, api.ListAccountsParams{})
	acct := accts.Items[0]
	res, err := c.MoveAccount(bg, acct.ID, fixed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res != (api.AccountMove{AccountID: acct.ID, SourceOrganizationID: mobile.ID, DestinationOrganizationID: fixed.ID}) {
		t.Errorf("answer %+v", res)
	}
	in, _ := c.ListAccounts(bg, fixed.ID, api.ListAccountsParams{PageParams: api.PageParams{PageSize: 1000}})
	found := false
	for _, a := range in.Items {
		found = found || a.ID == acct.ID
	}
	if !found {
		t.Error("the account is not in its new organization")
	}
	now := clocktest.Now()
	window := api.AuditParams{Since: now.Add(-time.Hour).UTC().Format(time.RFC3339), Before: now.Add(time.Hour).UTC().Format(time.RFC3339)}
	for _, org := range []string{mobile.ID, fixed.ID} {
		logged := false
		for en, err := range c.AuditEntries(bg, org, window) {
			if err != nil {
				t.Fatal(err)
			}
			logged = logged || (en.Resource.ID == acct.ID && en.Resource.Type == "account")
		}
		if !logged {
			t.Errorf("organization %s's log has no entry of the move", org)
		}
	}
	var ae *api.Error
	if _, err := c.MoveAccount(bg, acct.ID, mobile.ID); !errors.As(err, &ae) || ae.StatusCode != 403 || !strings.Contains(err.Error(), "account mobility is not enabled") {
		t.Errorf("moving out of an organization without mobility: %v", err)
	}
	if _, err := c.MoveAccount(bg, acct.ID, fixed.ID); api.StatusCode(err) != 400 && api.StatusCode(err) != 403 {
		t.Errorf("moving to where it is: %v", err)
	}
	if _, err := e.client(DemoViewerToken).MoveAccount(bg, acct.ID, mobile.ID); !api.IsForbidden(err) {
		t.Errorf("a viewer moving an account: %v", err)
	}
	if _, err := c.MoveAccount(bg, "0123456789abcdef0123456789abcdef", fixed.ID); !api.IsNotFound(err) {
		t.Errorf("an unknown account: %v", err)
	}
}
