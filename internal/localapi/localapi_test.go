package localapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock/clocktest"
)

var bg = context.Background()

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, token, path string
		wantStatus        int
		wantText          string
	}{
		{"no token", "", "/organizations", 401, `"code":10000`},
		{"unknown token", "nope", "/organizations", 401, `"code":10000`},
		{"unknown token verify", "nope", "/user/tokens/verify", 401, `"code":1000`},
		{"expired token lists", DemoExpiredToken, "/organizations", 401, `"code":10000`},
		{"expired token verifies", DemoExpiredToken, "/user/tokens/verify", 200, `"status":"expired"`},
		{"expired token user", DemoExpiredToken, "/user", 200, `"email":"ezra.`},
		{"admin verifies", DemoAdminToken, "/user/tokens/verify", 200, `"status":"active"`},
		{"no route", DemoAdminToken, "/nothing/here", 404, `"code":7000`},
		{"invalid identifier", DemoAdminToken, "/organizations/bad.id", 400, `"code":7003`},
		{"unknown identifier", DemoAdminToken, "/organizations/ffffffffffffffffffffffffffffffff", 404, `"code":7003`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, h := e.raw("GET", tt.path, tt.token, nil)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantText) {
				t.Errorf("got %d %s; want %d with %s", status, body, tt.wantStatus, tt.wantText)
			}
			if h.Get("Content-Type") != "application/json" || h.Get("Cf-Ray") == "" {
				t.Errorf("headers %v: want JSON with a Cf-Ray", h)
			}
		})
	}
	if status, body, _ := e.raw("PATCH", "/organizations", DemoAdminToken, nil); status != 405 || !strings.Contains(body, `"success":false`) {
		t.Errorf("PATCH: got %d %s, want a 405 envelope", status, body)
	}
}

func TestScopes(t *testing.T) {
	e := newEnv(t)
	pp, root, gw := e.org("Payments Platform"), e.org("Northwind Holdings"), e.org("Payments Gateway")

	editor := e.client(DemoEditorToken)
	var names []string
	for o, err := range editor.Organizations(bg, api.ListOrganizationsParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, o.Name)
	}
	slices.Sort(names)
	if want := []string{"Fraud Detection", "Payments Gateway", "Payments Platform"}; !slices.Equal(names, want) {
		t.Errorf("editor sees %v, want %v", names, want)
	}
	if _, err := editor.GetOrganization(bg, root.ID); !api.IsForbidden(err) || !err.(*api.Error).HasCode(9109) {
		t.Errorf("editor reading the root: %v, want 403 9109", err)
	}
	if err := editor.UpdateProfile(bg, gw.ID, api.Profile{BusinessName: "Gateway Ltd"}); err != nil {
		t.Errorf("editor updating a descendant's profile: %v", err)
	}
	if _, err := editor.AddMember(bg, pp.ID, api.MemberInput{Email: "new.hire@northwind.example"}); err != nil {
		t.Errorf("editor adding a member: %v", err)
	}
	if _, err := editor.CreateOrganization(bg, api.OrganizationInput{Name: "Skunkworks", Parent: &api.OrganizationRef{ID: pp.ID}}); !api.IsForbidden(err) {
		t.Errorf("editor creating an organization: %v, want 403", err)
	}
	if _, err := editor.UpdateOrganization(bg, pp.ID, api.OrganizationInput{Name: "PP"}); !api.IsForbidden(err) {
		t.Errorf("editor renaming: %v, want 403", err)
	}

	viewer := e.client(DemoViewerToken)
	if _, err := viewer.GetOrganization(bg, root.ID); err != nil {
		t.Errorf("viewer reading the root: %v", err)
	}
	if err := viewer.UpdateProfile(bg, pp.ID, api.Profile{}); !api.IsForbidden(err) {
		t.Errorf("viewer updating a profile: %v, want 403", err)
	}
	if err := viewer.DeleteOrganization(bg, gw.ID); !api.IsForbidden(err) {
		t.Errorf("viewer deleting: %v, want 403", err)
	}
	if _, err := editor.Usage(bg, root.ID, api.UsageParams{}); !api.IsForbidden(err) {
		t.Errorf("editor reading the root's usage: %v, want 403", err)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t)
	admin := e.client(DemoAdminToken)
	pp := e.org("Payments Platform")
	status400 := func(name string, err error, want string) {
		t.Helper()
		var ae *api.Error
		if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want 400 mentioning %q", name, err, want)
		}
	}
	_, err := admin.CreateOrganization(bg, api.OrganizationInput{Name: "  "})
	status400("blank name", err, "name is required")
	_, err = admin.CreateOrganization(bg, api.OrganizationInput{Name: "x", Parent: &api.OrganizationRef{ID: "ffffffffffffffffffffffffffffffff"}})
	status400("unknown parent", err, "does not exist")
	_, err = admin.CreateOrganization(bg, api.OrganizationInput{Name: "x", Parent: &api.OrganizationRef{ID: pp.ID}, Profile: &api.Profile{BusinessEmail: "not an email"}})
	status400("bad profile email", err, "business_email")
	err = admin.DeleteOrganization(bg, pp.ID)
	status400("non-empty delete", err, "not empty")
	_, err = admin.UpdateOrganization(bg, pp.ID, api.OrganizationInput{Name: pp.Name, Parent: &api.OrganizationRef{ID: e.org("Fraud Detection").ID}})
	status400("move under own descendant", err, "under itself")
	_, err = admin.ListAuditEntries(bg, pp.ID, api.AuditParams{Before: "2026-11-01"})
	status400("audit without since", err, "since is required")
	_, err = admin.ListAuditEntries(bg, pp.ID, api.AuditParams{Since: "2026-10-01", Before: "2026-11-01", Cursor: "garbage"})
	status400("bad cursor", err, "invalid cursor")
	_, err = admin.Usage(bg, pp.ID, api.UsageParams{From: "2026-09-01", To: "2026-10-15"})
	status400("usage over 31 days", err, "at most 31 days")
	_, err = admin.Usage(bg, pp.ID, api.UsageParams{From: "2026-09-01"})
	status400("usage from without to", err, "give both")
	_, err = admin.ListAccounts(bg, pp.ID, api.ListAccountsParams{PageParams: api.PageParams{PageToken: "bm9wZQ"}})
	status400("bad page token", err, "page_token")
	_, err = admin.ListAccounts(bg, pp.ID, api.ListAccountsParams{OrderBy: "created"})
	status400("bad order", err, "order_by")
	_, err = admin.AddMember(bg, pp.ID, api.MemberInput{Email: "nobody"})
	status400("bad member email", err, "valid email")
	_, err = admin.GetMember(bg, pp.ID, "ffffffffffffffffffffffffffffffff")
	if !api.IsNotFound(err) {
		t.Errorf("unknown member: %v, want 404", err)
	}
	status, body, _ := e.raw("POST", "/organizations", DemoAdminToken, strings.NewReader(`{"name": 12}`))
	if status != 400 || !strings.Contains(body, "wrong type") {
		t.Errorf("bad JSON type: %d %s", status, body)
	}
}

func TestLifecycleIsAuditedAndPersisted(t *testing.T) {
	e := newEnv(t)
	admin := e.client(DemoAdminToken)
	dp := e.org("Data Platform") // its sub_org_creation is enabled
	start := clocktest.Now().Add(-time.Minute).UTC()

	created, err := admin.CreateOrganization(bg, api.OrganizationInput{Name: `Ledger <script>alert(1)</script>`, Parent: &api.OrganizationRef{ID: dp.ID},
		Profile: &api.Profile{BusinessName: "Ledger", BusinessEmail: "ledger@northwind.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if created.Parent == nil || created.Parent.ID != dp.ID || created.Parent.Name != "Data Platform" || created.Profile.BusinessName != "Ledger" {
		t.Errorf("created: %+v", created)
	}
	renamed, err := admin.UpdateOrganization(bg, created.ID, api.OrganizationInput{Name: "Ledger", Parent: &api.OrganizationRef{ID: e.org("Payments Risk").ID}, Profile: created.Profile})
	if err != nil || renamed.Name != "Ledger" || renamed.Parent.Name != "Payments Risk" {
		t.Fatalf("rename and move: %+v, %v", renamed, err)
	}
	if err := admin.UpdateProfile(bg, created.ID, api.Profile{BusinessName: "Ledger Inc", BusinessPhone: "+44 (20) 7946-0000"}); err != nil {
		t.Fatal(err)
	}
	m, err := admin.AddMember(bg, created.ID, api.MemberInput{Email: "auditor@example.com", Status: api.MemberCanceled})
	if err != nil || m.Status != "canceled" || m.User.Email != "auditor@example.com" {
		t.Fatalf("add member: %+v, %v", m, err)
	}
	if _, err := admin.AddMember(bg, created.ID, api.MemberInput{Email: "auditor@example.com"}); api.StatusCode(err) != 400 {
		t.Errorf("duplicate member: %v, want 400", err)
	}

	e.restart() // a write that answered success is on disk
	admin = e.client(DemoAdminToken)
	got, err := admin.GetOrganization(bg, created.ID)
	if err != nil || got.Name != "Ledger" || got.Profile.BusinessName != "Ledger Inc" || got.Parent.Name != "Payments Risk" {
		t.Fatalf("after restart: %+v, %v", got, err)
	}
	if err := admin.RemoveMember(bg, created.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	window := api.AuditParams{Since: start.Format(time.RFC3339), Before: clocktest.Now().Add(time.Minute).UTC().Format(time.RFC3339), Direction: "asc"}
	page, err := admin.ListAuditEntries(bg, created.ID, window)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteOrganization(bg, created.ID); err != nil {
		t.Fatalf("deleting the now empty organization: %v", err)
	}
	if _, err := admin.GetOrganization(bg, created.ID); !api.IsNotFound(err) {
		t.Errorf("after delete: %v, want 404", err)
	}
	window.Before = clocktest.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	parentLog, err := admin.ListAuditEntries(bg, e.org("Payments Risk").ID, window)
	if err != nil {
		t.Fatal(err)
	}
	entries := append(page.Entries, parentLog.Entries...)
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action.Type+" "+en.Resource.Type)
		if en.Actor.Email != "alex.morgan@northwind.example" || en.Actor.TokenName != "Orgboard demo admin" || en.Actor.TokenID == "" ||
			en.Actor.IPAddress != "127.0.0.1" || en.Raw.StatusCode != 200 || en.Raw.CFRayID == "" || !strings.HasPrefix(en.Raw.URI, "/client/v4/organizations") {
			t.Errorf("entry lacks facts: %+v", en)
		}
	}
	want := []string{"create organization", "update organization", "update organization_profile", "create member", "delete member", "delete organization"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit trail %v, want %v", actions, want)
	}
	if len(entries) == 6 && (!strings.Contains(string(entries[0].Resource.Request), "Ledger") || !strings.Contains(string(entries[0].Resource.Response), created.ID)) {
		t.Errorf("create entry lacks its bodies: %s / %s", entries[0].Resource.Request, entries[0].Resource.Response)
	}
}

func TestAuditRayMatchesTheResponse(t *testing.T) {
	e := newEnv(t)
	pp := e.org("Payments Platform")
	status, _, h := e.raw("PUT", "/organizations/"+pp.ID+"/profile", DemoAdminToken, strings.NewReader(`{"business_name":"PP"}`))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	page, err := e.client(DemoAdminToken).ListAuditEntries(bg, pp.ID, api.AuditParams{Since: clocktest.Now().Add(-time.Minute).UTC().Format(time.RFC3339), Before: clocktest.Now().Add(time.Minute).UTC().Format(time.RFC3339)})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("%d entries, %v", len(page.Entries), err)
	}
	if page.Entries[0].Raw.CFRayID != h.Get("Cf-Ray") {
		t.Errorf("entry ray %q, response ray %q", page.Entries[0].Raw.CFRayID, h.Get("Cf-Ray"))
	}
}

func TestAuditFiltersAndOrder(t *testing.T) {
	e := newEnv(t)
	admin := e.client(DemoAdminToken)
	root := e.org("Northwind Holdings")
	since := clocktest.Now().AddDate(0, 0, -30).UTC().Format(time.DateOnly)
	before := clocktest.Now().AddDate(0, 0, 1).UTC().Format(time.DateOnly)
	all, excl := 0, 0
	var prev time.Time
	for en, err := range admin.AuditEntries(bg, root.ID, api.AuditParams{Since: since, Before: before, Limit: 500}) {
		if err != nil {
			t.Fatal(err)
		}
		if !prev.IsZero() && en.Action.Time.After(prev) {
			t.Fatalf("not newest first: %v after %v", en.Action.Time, prev)
		}
		prev = en.Action.Time
		all++
		if en.Action.Result == "failure" || en.Resource.Product == "dns" {
			excl++
		}
	}
	var x api.AuditExclusions
	x.ActionResult, x.ResourceProduct = []string{"failure"}, []string{"dns"}
	kept := 0
	for en, err := range admin.AuditEntries(bg, root.ID, api.AuditParams{Since: since, Before: before, Limit: 1000, Exclude: x}) {
		if err != nil {
			t.Fatal(err)
		}
		if en.Action.Result == "failure" || en.Resource.Product == "dns" {
			t.Fatalf("excluded entry returned: %+v", en)
		}
		kept++
	}
	if all < 500 || excl == 0 || kept != all-excl {
		t.Errorf("all %d, excluded %d, kept %d", all, excl, kept)
	}
}

func TestUsage(t *testing.T) {
	e := newEnv(t)
	admin := e.client(DemoAdminToken)
	pp := e.org("Payments Platform")
	to := clocktest.Now().UTC().AddDate(0, 0, -1)
	from := to.AddDate(0, 0, -30)
	recs, err := admin.Usage(bg, pp.ID, api.UsageParams{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	accounts := map[string]bool{}
	days := map[string]bool{}
	for _, r := range recs {
		accounts[r.BillingAccountID] = true
		days[r.ChargePeriodStart.Format(time.DateOnly)] = true
		if r.ChargeCategory != "Usage" || r.ConsumedUnit == "" || r.BillableMetricID == "" || r.ProductFamilyName == "" ||
			!r.ChargePeriodEnd.Equal(r.ChargePeriodStart.AddDate(0, 0, 1)) {
			t.Fatalf("incomplete record %+v", r)
		}
		if r.EffectiveCost != nil && r.BillingCurrency == "" {
			t.Fatalf("a cost without a currency: %+v", r)
		}
	}
	if len(days) != 31 || len(accounts) < 2 || len(recs) < 31*len(accounts)*3 {
		t.Errorf("%d records over %d days for %d accounts", len(recs), len(days), len(accounts))
	}
	again, _ := admin.Usage(bg, pp.ID, api.UsageParams{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)})
	if len(again) != len(recs) || *again[0].EffectiveCost != *recs[0].EffectiveCost && again[0].EffectiveCost != nil {
		t.Errorf("usage is not the same on a second read")
	}
	one, err := admin.Usage(bg, pp.ID, api.UsageParams{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Metric: recs[0].BillableMetricID})
	if err != nil || len(one) == 0 || len(one) >= len(recs) {
		t.Errorf("metric filter: %d of %d, %v", len(one), len(recs), err)
	}
	for _, r := range one {
		if r.BillableMetricID != recs[0].BillableMetricID {
			t.Fatalf("metric filter let %s through", r.BillableMetricID)
		}
	}
	none, err := admin.Usage(bg, "ffffffffffffffffffffffffffffffff", api.UsageParams{})
	if err != nil || len(none) != 0 {
		t.Errorf("unknown organization: %d records, %v; want an empty success", len(none), err)
	}
}

func TestFaultKnobs(t *testing.T) {
	e := newEnv(t)
	c, _ := api.New(e.http.URL+BasePath, api.WithRetries(2, time.Millisecond))
	c = c.WithToken(DemoAdminToken)
	tests := []struct {
		name   string
		set    FaultSettings
		status int
		text   string
	}{
		{"500", FaultSettings{Rate500: 1}, 500, "Internal error"},
		{"429", FaultSettings{Rate429: 1, RetryAfter: 30 * time.Second}, 429, "throttling"},
		{"malformed", FaultSettings{Malformed: 1}, 200, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.srv.Faults().Set(tt.set)
			_, err := c.ListOrganizations(bg, api.ListOrganizationsParams{})
			var ae *api.Error
			if !errors.As(err, &ae) || ae.StatusCode != tt.status || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("got %v, want %d with %q", err, tt.status, tt.text)
			}
			if tt.status == 429 && ae.RetryAfter != 30*time.Second {
				t.Errorf("Retry-After %v", ae.RetryAfter)
			}
		})
	}
	e.srv.Faults().Set(FaultSettings{Latency: 150 * time.Millisecond})
	start := time.Now()
	if _, err := c.ListOrganizations(bg, api.ListOrganizationsParams{}); err != nil || time.Since(start) < 150*time.Millisecond {
		t.Errorf("latency knob: %v after %v", err, time.Since(start))
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	dump := func() string {
		e := newEnv(t)
		var b strings.Builder
		for o, err := range e.client(DemoAdminToken).Organizations(bg, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s %v\n", o.ID, o.Name, o.Parent)
		}
		return b.String()
	}
	a := dump()
	dir := t.TempDir()
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Seed(bg, ScaleDefault, clocktest.Now()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, rec := range st.tree().sorted {
		o := st.tree().wire(rec)
		fmt.Fprintf(&b, "%s %s %v\n", o.ID, o.Name, o.Parent)
	}
	if a != b.String() {
		t.Errorf("two seeds on the same day differ")
	}
	if n := strings.Count(a, "\n"); n != 40 {
		t.Errorf("%d organizations, want 40", n)
	}
	var audits, accounts, members int
	st.r.QueryRow(`SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM accounts), (SELECT count(*) FROM members)`).Scan(&audits, &accounts, &members)
	if audits != 50000+1 || accounts < 100 || members < 100 { // and the purge before the seed's spike
		t.Errorf("seed has %d audit entries, %d accounts, %d members", audits, accounts, members)
	}
}
