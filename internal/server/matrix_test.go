package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// owner says who may use a write route.
type owner int

const (
	anyone      owner = iota // the sign-in itself
	ownState                 // the person's own state (their rules, saved searches) or a read that fills a cache
	orgAdmin                 // Cloudflare's: rename, move, create, delete, account moves
	orgEditor                // Cloudflare's: profile and members (the editor's team included)
	orgSettings              // the console's own state of an organization: whoever may administer it
	approver                 // the delegation file's approve right (TestOnlyApproversDecide: none here, where no file is)
)

// writeRoutes classifies every write route of the router. A route added
// without a line here fails TestEveryWriteRouteHasItsOwner.
var writeRoutes = map[string]owner{
	"POST /login":                           anyone,
	"POST /logout":                          anyone,
	"PUT /orgs/:id":                         orgAdmin,
	"DELETE /orgs/:id":                      orgAdmin,
	"POST /orgs/:id/children":               orgAdmin,
	"POST /orgs/:id/move":                   orgAdmin,
	"POST /orgs/:id/accounts/:account/move": orgAdmin,
	"PUT /orgs/:id/profile":                 orgEditor,
	"POST /orgs/:id/members":                orgEditor,
	"DELETE /orgs/:id/members/:member":      orgEditor,
	"POST /orgs/:id/usage/retry":            ownState,
	"POST /orgs/:id/usage/fetch":            ownState,
	"POST /orgs/:id/showback/fetch":         ownState,
	"POST /orgs/:id/usage/budget":           orgSettings,
	"POST /orgs/:id/rates":                  orgSettings,
	"POST /orgs/:id/rates/import":           orgSettings,
	"POST /orgs/:id/rates/reset":            orgSettings,
	"POST /orgs/:id/rates/fx/import":        orgSettings,
	"POST /orgs/:id/rates/fx/reset":         orgSettings,
	"POST /audit/saved":                     ownState,
	"DELETE /audit/saved/:saved":            ownState,
	"POST /audit/extend":                    ownState,
	"POST /alerts":                          ownState,
	"POST /alerts/:rule":                    ownState,
	"POST /alerts/:rule/pause":              ownState,
	"POST /alerts/:rule/resume":             ownState,
	"POST /alerts/:rule/delete":             ownState,
	"POST /alerts/:rule/test":               ownState,
	"POST /changes/:change/approve":         approver,
	"POST /changes/:change/reject":          approver,
}

// state is what a refused write must leave as it was: the organizations'
// names, parents and profiles, their members and accounts, and the
// console's budgets and rate cards of them.
func state(t *testing.T, e *testenv.Env, orgs ...string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, id := range orgs {
		o, err := e.Admin().GetOrganization(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		parent := ""
		if o.Parent != nil {
			parent = o.Parent.ID
		}
		p, _ := e.Admin().GetProfile(ctx, id)
		m, _ := e.Admin().ListMembers(ctx, id, api.ListMembersParams{PageParams: api.PageParams{PageSize: 50}})
		a, _ := e.Admin().ListAccounts(ctx, id, api.ListAccountsParams{PageParams: api.PageParams{PageSize: 50}})
		rates, own, _ := e.Stores.Rates.Rates(ctx, id)
		fx, ownFX, _, _ := e.Stores.FX.FXTable(ctx, id)
		budget, has, _ := e.Stores.Budgets.Get(ctx, id)
		kids, _ := e.Admin().ListOrganizations(ctx, api.ListOrganizationsParams{ParentID: id})
		fmt.Fprintf(&b, "%s %q parent=%s profile=%+v members=%d accounts=%d children=%d card=%v/%d fx=%q/%d budget=%v/%v\n",
			id, o.Name, parent, p, m.TotalSize, a.TotalSize, kids.TotalSize, own, len(rates), ownFX, len(fx), has, budget)
	}
	return b.String()
}

// Every write route of the router, as each kind of person: the owner rule
// decides who may, the others get 403 (404 for another person's rule or
// search, a sign-in page without a session) and nothing changes.
func TestEveryWriteRouteHasItsOwner(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{APIRateLimit: -1}) // the state is read after every request
	pp, data, mkt := e.Org("Payments Platform"), e.Org("Data Platform"), e.Org("Marketing")
	admin := e.SignedIn(localapi.DemoAdminToken)
	editor := e.SignedIn(localapi.DemoEditorToken)
	viewer := e.SignedIn(localapi.DemoViewerToken)
	expired := e.NewUser() // the expired token cannot sign in: a request without a session

	accounts, err := e.Admin().ListAccounts(context.Background(), data.ID, api.ListAccountsParams{})
	if err != nil || len(accounts.Items) == 0 {
		t.Fatalf("accounts of Data Platform: %v", err)
	}
	members, err := e.Admin().ListMembers(context.Background(), pp.ID, api.ListMembersParams{})
	if err != nil || len(members.Items) == 0 {
		t.Fatalf("members of Payments Platform: %v", err)
	}
	fp := func(form string) string { return formFingerprint(t, admin.Get("/orgs/"+pp.ID+pathOf(form)).Body, form) }
	if r := admin.Post("/alerts", url.Values{"kind": {"audit"}, "name": {"Matrix"}, "org": {pp.ID}, "q": {"action:delete"},
		"destination": {"http://127.0.0.1:9/hook"}, "quiet": {"0"}, "token": {localapi.DemoAdminToken}}); r.Status != http.StatusSeeOther {
		t.Fatalf("the admin's rule: %d", r.Status)
	}
	rule := regexpAttr(admin.Get("/alerts").Body, `href="/alerts/(\d+)"`)
	if rule == "" {
		t.Fatal("no alert rule to try the rule routes on")
	}
	admin.Post("/audit/saved", url.Values{"name": {"Matrix"}, "q": {"action:delete"}, "scope": {""}})
	savedID := savedSearchID(t, e, admin)

	routes := e.Server.Handler().(*echo.Echo).Routes()
	var seen []string
	for _, r := range routes {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodDelete {
			continue
		}
		key := r.Method + " " + r.Path
		seen = append(seen, key)
		who, ok := writeRoutes[key]
		if !ok {
			t.Errorf("%s has no owner in the matrix: add it to writeRoutes with the rule that guards it", key)
			continue
		}
		org := pp.ID
		if strings.Contains(r.Path, ":account") {
			org = data.ID // Payments Platform's accounts cannot move at all
		}
		path := strings.NewReplacer(":id", org, ":account", accounts.Items[0].ID, ":member", members.Items[0].ID,
			":rule", rule, ":saved", savedID).Replace(r.Path)
		form := formFor(key, pp.ID, mkt.ID, fp)
		if strings.HasPrefix(key, "POST /orgs/:id/usage") {
			path += "?preset=last_month&scope=org"
		}
		if who == anyone || who == approver {
			continue // signing in and out changes no shared state; approvals are proven with a delegation file
		}
		// the refused go first, then the state is compared once: what they
		// tried changed nothing; then the administrator
		before := state(t, e, pp.ID, data.ID)
		var refused []string
		compared := false
		people := []person{
			{"expired", expired, false},
			{"viewer", viewer, who == ownState},
			{"editor", editor, who == ownState || who == orgEditor},
			{"admin", admin, true},
		}
		slices.SortStableFunc(people, func(a, b person) int { return cmpBool(a.may, b.may) }) // the refused first
		for _, p := range people {
			if p.may && len(refused) > 0 && !compared {
				if diff := cmp.Diff(before, state(t, e, pp.ID, data.ID)); diff != "" {
					t.Errorf("%s as %v changed what others see:\n%s", key, refused, diff)
				}
				compared = true
			}
			if !p.may {
				refused = append(refused, p.name)
			}
			got := send(t, p.u, r.Method, path, key, form)
			switch {
			case p.name == "expired":
				if got < 300 || got >= 500 {
					t.Errorf("%s without a session: %d", key, got)
				}
			case p.may && (got == http.StatusForbidden || got >= 500):
				t.Errorf("%s as %s: %d, want it allowed", key, p.name, got)
			case !p.may && got != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", key, p.name, got)
			}
		}
	}
	for key := range writeRoutes {
		if !slices.Contains(seen, key) {
			t.Errorf("the matrix names %s, which the router no longer has", key)
		}
	}
}

// pathOf is the tab that holds a form.
func pathOf(form string) string {
	if form == "profile-form" {
		return "/profile/edit"
	}
	return ""
}

// formFor is a plausible form for a write route.
func formFor(key, org, dest string, fp func(string) string) url.Values {
	switch key {
	case "PUT /orgs/:id":
		return url.Values{"name": {"Payments Platform"}, "fingerprint": {fp("rename-form")}}
	case "POST /orgs/:id/children":
		return url.Values{"name": {"Matrix team"}}
	case "POST /orgs/:id/move":
		return url.Values{"parent_id": {dest}, "fingerprint": {fp("move-form")}}
	case "POST /orgs/:id/accounts/:account/move":
		return url.Values{"destination": {dest}, "confirm": {"1"}}
	case "PUT /orgs/:id/profile":
		return url.Values{"business_name": {"Payments Platform Ltd"}, "business_email": {"pp@northwind.example"}, "fingerprint": {fp("profile-form")}}
	case "POST /orgs/:id/members":
		return url.Values{"email": {"matrix@northwind.example"}, "status": {"active"}}
	case "POST /orgs/:id/usage/budget":
		return url.Values{"amount": {"1"}, "currency": {"USD"}}
	case "POST /orgs/:id/rates":
		return url.Values{"metric_id": {"argo_requests"}, "price": {"99999"}, "currency": {"USD"}, "units_per_pricing_unit": {"1"}, "effective_from": {"2020-01-01"}}
	case "POST /audit/saved":
		return url.Values{"name": {"Mine"}, "q": {"action:create"}}
	case "POST /alerts":
		return url.Values{"kind": {"audit"}, "name": {"Mine"}, "org": {org}, "q": {"action:create"}}
	}
	return url.Values{}
}

// send makes the request as htmx would (a rate card import as the file upload it is).
func send(t *testing.T, u *testenv.User, method, path, key string, form url.Values) int {
	t.Helper()
	if key == "POST /orgs/:id/rates/import" {
		return upload(t, u, path, "card.csv", "metric_id,metric_name,price,currency,pricing_unit,units_per_pricing_unit,effective_from,source\nargo_requests,Argo,99999,USD,GB,1,2020-01-01,x\n").Status
	}
	if key == "POST /orgs/:id/rates/fx/import" {
		return upload(t, u, path, "fx.csv", "date,currency,per_eur\n2026-11-30,USD,9.99\n").Status
	}
	return u.HX(method, path, "", form).Status
}

// savedSearchID is the ID of the admin's first saved search.
func savedSearchID(t *testing.T, e *testenv.Env, admin *testenv.User) string {
	t.Helper()
	id := regexpAttr(admin.Get("/audit").Body, `/audit/saved/(\d+)`)
	if id == "" {
		t.Fatal("no saved search to try the route on")
	}
	return id
}

// person is one kind of signed-in person trying a route.
type person struct {
	name string
	u    *testenv.User
	may  bool
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
