package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// writeControls are the markers of every control that changes shared state
// on an organization's pages (usage fetches aside: they only read).
var writeControls = map[string]string{
	"rename": `data-testid="rename-form"`, "create": `data-testid="create-form"`, "move": `data-testid="move-form"`,
	"delete": `data-testid="delete-start"`, "add member": `data-testid="add-member-form"`, "remove member": `data-testid="member-remove"`,
	"edit profile": `data-testid="profile-edit"`, "rate card": `data-testid="rates-form"`, "rate import": `data-testid="rates-import-form"`,
	"budget": `data-testid="budget-save"`, "account move": `data-testid="account-move"`,
}

// tabs are an organization's pages that may hold write controls.
var tabs = []string{"", "/members", "/profile", "/accounts", "/rates", usageTab}

const usageTab = "/usage?preset=last_month&scope=org"

// offered lists the write controls a person's pages of org hold.
func offered(t *testing.T, u *testenv.User, org string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, tab := range tabs {
		r := u.Get("/orgs/" + org + tab)
		if tab == usageTab {
			r = report(t, u, "/orgs/"+org+tab)
		}
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", tab, r.Status)
		}
		for name, marker := range writeControls {
			if strings.Contains(r.Body, marker) {
				got[name] = true
			}
		}
		if tab == usageTab && strings.Contains(r.Body, `action="/orgs/`+org+`/usage/budget`) {
			got["budget"] = true
		}
	}
	return got
}

// Each person is offered, from the first visit, exactly the controls they
// may use: the viewer none, the editor the profile and members of its team,
// the administrator all but what the tenant flags forbid.
func TestControlsMatchPermissionsFromTheFirstVisit(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	pp, data := e.Org("Payments Platform"), e.Org("Data Platform")
	cases := []struct {
		who, token, org string
		want            []string
	}{
		{"viewer", localapi.DemoViewerToken, pp.ID, nil},
		{"viewer", localapi.DemoViewerToken, data.ID, nil},
		{"editor", localapi.DemoEditorToken, pp.ID, []string{"add member", "remove member", "edit profile"}},
		// Payments Platform: sub-organizations cannot be created, accounts cannot move
		{"admin", localapi.DemoAdminToken, pp.ID, []string{"rename", "move", "delete", "add member", "remove member", "edit profile", "rate card", "rate import", "budget"}},
		{"admin", localapi.DemoAdminToken, data.ID, []string{"rename", "create", "move", "delete", "add member", "remove member", "edit profile", "rate card", "rate import", "budget", "account move"}},
	}
	for _, c := range cases {
		u := e.SignedIn(c.token)
		got := offered(t, u, c.org)
		want := map[string]bool{}
		for _, w := range c.want {
			want[w] = true
		}
		for name := range writeControls {
			if got[name] != want[name] {
				t.Errorf("%s on %s: %q offered %v, want %v", c.who, c.org, name, got[name], want[name])
			}
		}
	}
	viewer := e.SignedIn(localapi.DemoViewerToken)
	contains(t, "why the viewer has no controls", viewer.Get("/orgs/"+pp.ID), `data-testid="readonly-note"`, "Your token&#39;s permissions do not allow renaming")
	contains(t, "why the budget is read-only", report(t, viewer, "/orgs/"+pp.ID+usageTab), `data-testid="budget-readonly"`)
	admin := e.SignedIn(localapi.DemoAdminToken)
	contains(t, "why there is no Create", admin.Get("/orgs/"+pp.ID), "its sub_org_creation flag is disabled")
	contains(t, "why accounts do not move", admin.Get("/orgs/"+pp.ID+"/accounts"), `data-testid="accounts-move-note"`, "its account_mobility flag is disabled")
}

// A refusal narrows only the kind of action that was refused: the editor,
// refused a (forged) rename, keeps the add-member form and the profile's Edit.
func TestARefusalNarrowsOnlyItsKind(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	pp := e.Org("Payments Platform")
	admin := e.SignedIn(localapi.DemoAdminToken)
	fp := formFingerprint(t, admin.Get("/orgs/"+pp.ID).Body, "rename-form")
	editor := e.SignedIn(localapi.DemoEditorToken)
	r := editor.HX("PUT", "/orgs/"+pp.ID, "rename-form", url.Values{"name": {"Nope"}, "fingerprint": {fp}})
	if r.Status != http.StatusForbidden || r.Header.Get("HX-Retarget") != "#manage" {
		t.Fatalf("refused rename: %d, retarget %q", r.Status, r.Header.Get("HX-Retarget"))
	}
	contains(t, "refused rename", r, "Nothing was changed", `data-testid="readonly-note"`)
	if orgOf(t, e, pp.ID).Name != "Payments Platform" {
		t.Fatal("the refused rename changed the name")
	}
	contains(t, "members after the refusal", editor.Get("/orgs/"+pp.ID+"/members"), `data-testid="add-member-form"`, `data-testid="member-remove"`)
	contains(t, "profile after the refusal", editor.Get("/orgs/"+pp.ID+"/profile"), `data-testid="profile-edit"`)
}

// Where the token may not read its own permissions and the membership
// cannot tell either, Cloudflare's writes are offered (Cloudflare decides)
// but the console's own settings are not; a refusal then narrows its kind
// alone, for the rest of the session.
func TestUnknownPermissionsOfferCloudflareWritesAndNarrowOnRefusal(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	blind := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/user/tokens/") && !strings.HasSuffix(r.URL.Path, "/verify") ||
			strings.HasSuffix(r.URL.Path, "/members") && r.URL.Query().Get("user.email") != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"success":false,"errors":[{"code":9109,"message":"Unauthorized to access requested resource"}],"messages":[],"result":null}`))
			return true
		}
		return false
	}
	e.Intercept.Store(&blind)
	corp := e.Org("Corporate")
	viewer := e.SignedIn(localapi.DemoViewerToken)
	page := viewer.Get("/orgs/" + corp.ID)
	contains(t, "offered while unknown", page, `data-testid="rename-form"`)
	rates := viewer.Get("/orgs/" + corp.ID + "/rates")
	contains(t, "settings while unknown", rates, `data-testid="rates-readonly"`, "could not learn whether you may administer")
	r := viewer.HX("PUT", "/orgs/"+corp.ID, "rename-form", url.Values{"name": {"Nope"}, "fingerprint": {formFingerprint(t, page.Body, "rename-form")}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("refused rename: %d", r.Status)
	}
	after := viewer.Get("/orgs/" + corp.ID)
	contains(t, "after the refusal", after, "Cloudflare refused your token renaming, moving or deleting this organization here earlier in this session")
	if strings.Contains(after.Body, `data-testid="rename-form"`) {
		t.Error("the refused kind is still offered")
	}
	contains(t, "another kind", viewer.Get("/orgs/"+corp.ID+"/members"), `data-testid="add-member-form"`)
}

// The console's own state of an organization is changed only by whoever
// may administer it: the viewer's import, reset and budget are refused
// with the rule in words, and change nothing anyone sees.
func TestConsoleSettingsHaveAnOwner(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	root := e.Org("Northwind Holdings")
	viewer := e.SignedIn(localapi.DemoViewerToken)
	card := "metric_id,metric_name,price,currency,pricing_unit,units_per_pricing_unit,effective_from,source\nargo_requests,Argo,99999,USD,GB,1,2020-01-01,x\n"
	imp := upload(t, viewer, "/orgs/"+root.ID+"/rates/import", "card.csv", card)
	contains(t, "viewer import", imp, "Nothing was changed", "may be changed by whoever may administer that organization")
	reset := viewer.Post("/orgs/"+root.ID+"/rates/reset", url.Values{})
	budget := viewer.Post("/orgs/"+root.ID+"/usage/budget?preset=this_month", url.Values{"amount": {"1"}, "currency": {"USD"}})
	for name, r := range map[string]testenv.Response{"import": imp, "reset": reset, "budget": budget} {
		if r.Status != http.StatusForbidden {
			t.Errorf("viewer %s: %d, want 403", name, r.Status)
		}
	}
	admin := e.SignedIn(localapi.DemoAdminToken)
	contains(t, "the card after the viewer's import", admin.Get("/orgs/"+root.ID+"/rates"), "The default card shipped with Orgboard")
	if r := report(t, admin, "/orgs/"+root.ID+"/usage?preset=this_month&scope=org"); strings.Contains(r.Body, `name="amount" inputmode="decimal" value="1"`) {
		t.Error("the viewer's budget was saved")
	}
	if r := admin.Post("/orgs/"+root.ID+"/usage/budget?preset=this_month", url.Values{"amount": {"1000"}, "currency": {"USD"}}); r.Status != http.StatusSeeOther {
		t.Errorf("admin budget: %d", r.Status)
	}
}

// Cloudflare not answering while the console learns a person's rights is
// an outage, never a refusal in Cloudflare's name: the administrator's
// budget post says the API is unavailable (and changes nothing).
func TestUnknownBecauseUnavailableIsNoRefusal(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	root := e.Org("Northwind Holdings")
	admin := e.SignedIn(localapi.DemoAdminToken)
	down := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/user/tokens/") && !strings.HasSuffix(r.URL.Path, "/verify") ||
			strings.HasSuffix(r.URL.Path, "/members") && r.URL.Query().Get("user.email") != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	e.Intercept.Store(&down)
	r := admin.Post("/orgs/"+root.ID+"/usage/budget?preset=this_month", url.Values{"amount": {"1000"}, "currency": {"USD"}})
	if r.Status == http.StatusForbidden || r.Status < 500 || !strings.Contains(r.Body, "unavailable") {
		t.Errorf("a budget post while Cloudflare is down: %d", r.Status)
	}
	if _, has, _ := e.Stores.Budgets.Get(context.Background(), root.ID); has {
		t.Error("the budget was saved")
	}
}
