package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

var bg = context.Background()

func contains(t *testing.T, what string, r testenv.Response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.Body, w) {
			t.Errorf("%s: body lacks %q (status %d)", what, w, r.Status)
		}
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	tests := []struct {
		token      string
		wantStatus int
		wantText   string
	}{
		{localapi.DemoAdminToken, http.StatusSeeOther, ""},
		{localapi.DemoEditorToken, http.StatusSeeOther, ""},
		{localapi.DemoViewerToken, http.StatusSeeOther, ""},
		{localapi.DemoExpiredToken, http.StatusUnprocessableEntity, "This token is expired"},
		{"not-a-real-token", http.StatusUnprocessableEntity, "does not accept this token"},
		{"has space", http.StatusUnprocessableEntity, "does not look like an API token"},
		{"", http.StatusUnprocessableEntity, "Enter an API token"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			u := e.NewUser()
			r := u.Login(tt.token)
			if r.Status != tt.wantStatus || !strings.Contains(r.Body, tt.wantText) {
				t.Fatalf("got %d %q, want %d with %q", r.Status, r.Body[:min(len(r.Body), 300)], tt.wantStatus, tt.wantText)
			}
			if tt.wantStatus == http.StatusSeeOther {
				page := u.Get("/orgs")
				if page.Status != 200 || !strings.Contains(page.Body, "Signed in as") || !strings.Contains(page.Body, "local API") {
					t.Errorf("after sign-in: %d", page.Status)
				}
				c := u.Cookie("orgboard_session")
				if c == nil || strings.Contains(c.Value, tt.token) || len(c.Value) < 40 {
					t.Errorf("session cookie %+v", c)
				}
			} else if strings.Contains(r.Body, `value="`+tt.token+`"`) && tt.token != "" && !strings.HasPrefix(tt.token, "orgboard-demo-") {
				t.Errorf("the refused token was echoed into the page")
			}
		})
	}
}

func TestSignInPageAndCookies(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.NewUser()
	r := u.Get("/login")
	contains(t, "login page", r, `name="token"`, `name="_csrf"`, "orgboard-demo-admin", "orgboard-demo-editor", "orgboard-demo-viewer", "orgboard-demo-expired", "Local mode")
	resp := u.Login(localapi.DemoAdminToken)
	var session string
	for _, line := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(line, "orgboard_session=") {
			session = line
		}
	}
	for _, flag := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(session, flag) {
			t.Errorf("session cookie %q lacks %s", session, flag)
		}
	}
	if strings.Contains(session, "Secure") {
		t.Errorf("plain HTTP without --secure-cookies should not mark the cookie Secure: %q", session)
	}
}

func TestWithoutASession(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.NewUser()
	r := u.Get("/orgs/abc")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Forgs%2Fabc" {
		t.Errorf("page: %d %s", r.Status, r.Header.Get("Location"))
	}
	r = u.HX("GET", "/orgs/tree?parent=abc&level=2", "", nil)
	if r.Header.Get("HX-Redirect") == "" {
		t.Errorf("htmx request without a session: %d, HX-Redirect %q", r.Status, r.Header.Get("HX-Redirect"))
	}
	u.Login(localapi.DemoAdminToken)
	if got := u.Get("/orgs"); got.Status != 200 {
		t.Errorf("after sign-in: %d", got.Status)
	}
}

func TestSignInReturnPathStaysOnSite(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	for next, want := range map[string]string{"/orgs/x": "/orgs/x", "//evil.example/": "/orgs", "https://evil.example": "/orgs", "/\\evil.example": "/orgs"} {
		u := e.NewUser()
		u.Get("/login")
		r := u.Post("/login", url.Values{"token": {localapi.DemoAdminToken}, "next": {next}})
		if got := r.Header.Get("Location"); got != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, got, want)
		}
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	old := *u.Cookie("orgboard_session")
	r := u.Post("/logout", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.Status)
	}
	replay := e.NewUser()
	cu, _ := url.Parse(e.Console.URL)
	replay.HTTP.Jar.SetCookies(cu, []*http.Cookie{&old})
	if r := replay.Get("/orgs"); r.Status != http.StatusSeeOther {
		t.Errorf("the old session cookie still works after sign-out: %d", r.Status)
	}
}

func TestSessionIDIsNewAtEverySignIn(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.NewUser()
	planted := &http.Cookie{Name: "orgboard_session", Value: "attacker-chosen-session-id-0123456789abcdefghij", Path: "/"}
	cu, _ := url.Parse(e.Console.URL)
	u.HTTP.Jar.SetCookies(cu, []*http.Cookie{planted})
	u.Login(localapi.DemoAdminToken)
	first := u.Cookie("orgboard_session").Value
	if first == planted.Value {
		t.Fatal("a session ID planted before sign-in was adopted")
	}
	u.Get("/orgs")
	u.Post("/login", url.Values{"token": {localapi.DemoViewerToken}})
	if u.Cookie("orgboard_session").Value == first {
		t.Error("signing in again kept the session ID")
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	before := profileOf(t, e, pp.ID)
	form := url.Values{"_method": {"PUT"}, "business_name": {"Hijacked"}}
	for name, token := range map[string]string{"no token": "", "wrong token": "AAAA" + u.CSRF[4:]} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if token != "" {
			f.Set("_csrf", token)
		}
		r := u.Do("POST", "/orgs/"+pp.ID+"/profile", f, nil)
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "security token") {
			t.Errorf("%s: %d", name, r.Status)
		}
		r = u.Do("DELETE", "/orgs/"+pp.ID, nil, map[string]string{"HX-Request": "true", "X-CSRF-Token": token})
		if r.Status != http.StatusForbidden {
			t.Errorf("%s, htmx delete: %d", name, r.Status)
		}
	}
	if after := profileOf(t, e, pp.ID); after != before {
		t.Errorf("a request without a valid CSRF token changed the profile: %+v", after)
	}
	other := e.SignedIn(localapi.DemoAdminToken)
	f := url.Values{"_method": {"PUT"}, "business_name": {"x"}, "_csrf": {other.CSRF}}
	if r := u.Do("POST", "/orgs/"+pp.ID+"/profile", f, nil); r.Status != http.StatusForbidden {
		t.Errorf("another session's CSRF token was accepted: %d", r.Status)
	}
}

func TestRouteParametersAreCheckedBeforeAnyUpstreamCall(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	before := e.UpstreamCalls()
	for _, p := range []string{"/orgs/..%2F..%2Fuser", "/orgs/a.b", "/orgs/" + strings.Repeat("a", 65), "/orgs/%3Cscript%3E/members",
		"/orgs/ok/members/bad%20id/remove", "/orgs/tree?parent=..&level=2", "/orgs/tree?parent=abc&level=x"} {
		if r := u.Get(p); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", p, r.Status)
		}
	}
	if n := e.UpstreamCalls() - before; n != 0 {
		t.Errorf("%d upstream calls for invalid parameters", n)
	}
}

func TestTreeByRole(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	admin := e.SignedIn(localapi.DemoAdminToken)
	r := admin.Get("/orgs")
	contains(t, "admin tree", r, `role="tree"`, "Northwind Holdings", `aria-level="1"`)
	root := e.Org("Northwind Holdings")
	kids := admin.HX("GET", "/orgs/tree?parent="+root.ID+"&level=2", "group-"+root.ID, nil)
	contains(t, "children", kids, "Northwind EMEA", "Northwind APAC", "Corporate", `aria-level="2"`, `hx-swap-oob="true">4 sub-organizations`)
	if strings.Contains(kids.Body, "<html") {
		t.Error("the children fragment is a whole page")
	}
	search := admin.HX("GET", "/orgs/search?q=paym", "tree-results", nil)
	contains(t, "search", search, "Payments Platform", "Payments Gateway", "in Payments")
	none := admin.HX("GET", "/orgs/search?q=zzzz", "tree-results", nil)
	contains(t, "no match", none, "No organization name contains")

	editor := e.SignedIn(localapi.DemoEditorToken)
	r = editor.Get("/orgs")
	contains(t, "editor tree", r, "Payments Platform")
	if strings.Contains(r.Body, "Northwind Holdings") {
		t.Error("the editor sees the root")
	}
}

func TestOrganizationPage(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoViewerToken)
	gw := e.Org("Payments Gateway")
	r := u.Get("/orgs/" + gw.ID)
	contains(t, "overview", r, "<html", "Payments Gateway", gw.ID, "Northwind Holdings", "Northwind Americas", "United States", "Payments Platform",
		`data-copy="`+gw.ID+`"`, `data-testid="hierarchy-tags"`, "Audit log", "Usage and cost")
	rootPage := u.Get("/orgs/" + e.Org("Northwind Holdings").ID)
	contains(t, "the root's flags", rootPage, "Accounts can move", "Members are managed here", "Enterprise features", "New accounts take the tenant&#39;s defaults")
	if n := strings.Count(rootPage.Body, `<li title="`); n != 8 {
		t.Errorf("%d flags on the overview, want the eight tenant flags", n)
	}
	if r.Header.Get("Vary") == "" || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("Vary: %v", r.Header.Values("Vary"))
	}
	tab := u.HX("GET", "/orgs/"+gw.ID+"/accounts", "org-body", nil)
	if strings.Contains(tab.Body, "<html") || !strings.Contains(tab.Body, `aria-selected="true">Accounts`) {
		t.Errorf("tab switch: want the tabs and panel only")
	}
	direct := u.Get("/orgs/" + gw.ID + "/accounts")
	contains(t, "accounts page", direct, "<html", `data-testid="accounts-count"`, "2FA enforced")
	contains(t, "usage tab", u.HX("GET", "/orgs/"+gw.ID+"/usage", "org-body", nil), `aria-selected="true">Usage and cost`, `id="usage-panel"`)
	if r := u.Get("/orgs/ffffffffffffffffffffffffffffffff"); r.Status != 404 || !strings.Contains(r.Body, "does not exist") {
		t.Errorf("unknown organization: %d", r.Status)
	}
	editor := e.SignedIn(localapi.DemoEditorToken)
	if r := editor.Get("/orgs/" + e.Org("Northwind Holdings").ID); r.Status != 403 || !strings.Contains(r.Body, "lacks permission") {
		t.Errorf("editor opening the root: %d", r.Status)
	}
}

func TestAccountsFilterSortAndPaging(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	all, err := e.Admin().ListAccounts(bg, pp.ID, api.ListAccountsParams{PageParams: api.PageParams{PageSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	r := u.Get("/orgs/" + pp.ID + "/accounts?sort=desc&name=prod")
	contains(t, "filtered", r, "payments-platform-prod")
	if strings.Contains(r.Body, "payments-platform-dev") {
		t.Error("the name filter let a dev account through")
	}
	if r := u.Get("/orgs/" + pp.ID + "/accounts?sort=sideways"); r.Status != 400 {
		t.Errorf("bad sort: %d", r.Status)
	}
	if len(all.Items) < 2 {
		t.Skip("too few accounts to page")
	}
}

func TestProfileEditing(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoEditorToken)
	gw := e.Org("Payments Gateway")
	base := "/orgs/" + gw.ID + "/profile"
	form := u.HX("GET", base+"/edit", "profile", nil)
	contains(t, "edit form", form, `name="business_email"`, `name="fingerprint"`, `name="external_metadata"`)
	fp := regexpValue(form.Body, "fingerprint")

	bad := url.Values{"fingerprint": {fp}, "business_name": {"Gateway <b>Ltd</b>"}, "business_email": {"not-an-email"},
		"business_phone": {"call me"}, "external_metadata": {strings.Repeat("x", 5000)}}
	r := u.HX("PUT", base, "profile", bad)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid profile: %d", r.Status)
	}
	contains(t, "validation", r, "Enter an email address", "A phone number has digits", "at most 4 KB", `value="not-an-email"`, `value="Gateway &lt;b&gt;Ltd&lt;/b&gt;"`)

	good := url.Values{"fingerprint": {fp}, "business_name": {"Gateway Ltd"}, "business_email": {"gw@northwind.example"},
		"business_phone": {"+1 (415) 555-0199"}, "business_address": {"1 Market St"}, "external_metadata": {`{"k":"v"}`}}
	r = u.HX("PUT", base, "profile", good)
	contains(t, "saved", r, "Profile saved", "gw@northwind.example")
	if p := profileOf(t, e, gw.ID); p.BusinessName != "Gateway Ltd" {
		t.Errorf("not saved upstream: %+v", p)
	}

	// a second session changes the profile between read and save
	stale := regexpValue(u.HX("GET", base+"/edit", "profile", nil).Body, "fingerprint")
	other := e.SignedIn(localapi.DemoAdminToken)
	mine := url.Values{"fingerprint": {stale}, "business_name": {"Mine"}, "business_email": {"gw@northwind.example"}}
	theirs := url.Values{"fingerprint": {regexpValue(other.HX("GET", base+"/edit", "profile", nil).Body, "fingerprint")}, "business_name": {"Theirs"}}
	if r := other.HX("PUT", base, "profile", theirs); r.Status != 200 {
		t.Fatalf("other save: %d", r.Status)
	}
	r = u.HX("PUT", base, "profile", mine)
	if r.Status != http.StatusConflict {
		t.Fatalf("conflict: %d", r.Status)
	}
	contains(t, "conflict", r, "Someone changed this profile", "Your version", "Current version", "Mine", "Theirs", "Overwrite with my version")
	if p := profileOf(t, e, gw.ID); p.BusinessName != "Theirs" {
		t.Errorf("a conflicting save overwrote: %+v", p)
	}
	overwrite := regexpValue(r.Body, "fingerprint")
	mine.Set("fingerprint", overwrite)
	if r := u.HX("PUT", base, "profile", mine); r.Status != 200 {
		t.Errorf("overwrite after conflict: %d", r.Status)
	}
	if p := profileOf(t, e, gw.ID); p.BusinessName != "Mine" {
		t.Errorf("overwrite not saved: %+v", p)
	}

	// without JavaScript: POST with _method=PUT and the hidden _csrf field
	plain := url.Values{"_method": {"PUT"}, "fingerprint": {regexpValue(u.Get(base+"/edit").Body, "fingerprint")}, "business_name": {"Plain form"}}
	if r := u.Post(base, plain); r.Status != 200 || !strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "Profile saved") {
		t.Errorf("plain form save: %d", r.Status)
	}
}

func TestViewerCannotEditProfile(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoViewerToken)
	pp := e.Org("Payments Platform")
	base := "/orgs/" + pp.ID + "/profile"
	before := profileOf(t, e, pp.ID)
	fp := regexpValue(u.HX("GET", base+"/edit", "profile", nil).Body, "fingerprint")
	r := u.HX("PUT", base, "profile", url.Values{"fingerprint": {fp}, "business_name": {"Forged"}})
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "may read this profile but not change it") {
		t.Errorf("forged PUT by a viewer: %d", r.Status)
	}
	if after := profileOf(t, e, pp.ID); after != before {
		t.Errorf("profile changed: %+v", after)
	}
	if r := u.Get(base); !strings.Contains(r.Body, "profile-readonly") || strings.Contains(r.Body, `data-testid="profile-edit"`) {
		t.Error("after a refused edit the profile should show read-only")
	}
}

func TestMembers(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoEditorToken)
	pp := e.Org("Payments Platform")
	base := "/orgs/" + pp.ID + "/members"
	r := u.Get(base + "?status=active")
	contains(t, "list", r, "priya.patel@northwind.example", "members</p>", "2FA")
	if r := u.Get(base + "?status=deleted"); r.Status != 400 {
		t.Errorf("bad status filter: %d", r.Status)
	}
	r = u.HX("POST", base, "add-member", url.Values{"email": {"not an email"}, "status": {"active"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `value="not an email"`) {
		t.Errorf("invalid email: %d", r.Status)
	}
	before := u.Get(base)
	r = u.HX("POST", base, "add-member", url.Values{"email": {"new.person@example.com"}, "status": {"active"}})
	contains(t, "added", r, "new.person@example.com was added", `id="members-list" hx-swap-oob="true"`, ">new.person@example.com</td>")
	if n, rows := membersCount(t, r.Body), strings.Count(r.Body, `data-testid="member-row"`); n != rows || n != membersCount(t, before.Body)+1 {
		t.Errorf("after adding: the count says %d with %d rows (was %d)", n, rows, membersCount(t, before.Body))
	}
	r = u.HX("POST", base, "add-member", url.Values{"email": {"new.person@example.com"}, "status": {"active"}})
	contains(t, "duplicate", r, "already a member")
	list := u.Get(base + "?email=@example.com")
	contains(t, "filtered list", list, "new.person@example.com")
	var member api.Member
	for m, err := range e.Admin().Members(bg, pp.ID, api.ListMembersParams{UserEmail: "new.person@example.com"}) {
		if err != nil {
			t.Fatal(err)
		}
		member = m
	}
	confirm := u.HX("GET", base+"/"+member.ID+"/remove", "member-"+member.ID, nil)
	contains(t, "confirm", confirm, "Remove?", `aria-label="Remove new.person@example.com"`)
	removed := u.HX("DELETE", base+"/"+member.ID, "members-list", nil)
	if removed.Status != 200 || strings.Contains(removed.Body, "new.person@example.com") || !strings.Contains(removed.Body, `id="members-list"`) {
		t.Errorf("remove: %d %q", removed.Status, removed.Body)
	}
	if n, rows := membersCount(t, removed.Body), strings.Count(removed.Body, `data-testid="member-row"`); n != rows || n != membersCount(t, before.Body) {
		t.Errorf("after removing: the count says %d with %d rows", n, rows)
	}
	if _, err := e.Admin().GetMember(bg, pp.ID, member.ID); !api.IsNotFound(err) {
		t.Errorf("member still there: %v", err)
	}
}

func TestOrganizationAdministration(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp, dp := e.Org("Payments Platform"), e.Org("Data Platform") // sub-organizations may be created under Data Platform
	r := u.HX("POST", "/orgs/"+dp.ID+"/children", "create-form", url.Values{"name": {`Ledger <script>alert(1)</script>`}, "business_email": {"bad"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter an email address") {
		t.Fatalf("invalid create: %d", r.Status)
	}
	r = u.HX("POST", "/orgs/"+dp.ID+"/children", "create-form", url.Values{"name": {`Ledger <script>alert(1)</script>`}})
	to := r.Header.Get("HX-Redirect")
	if !strings.HasPrefix(to, "/orgs/") {
		t.Fatalf("create: %d, HX-Redirect %q", r.Status, to)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(to, "/orgs/"), "?")
	page := u.Get(to)
	contains(t, "new org", page, "Ledger &lt;script&gt;alert(1)&lt;/script&gt;", "Data Platform", `role="status" data-testid="done">Created “Ledger &lt;script&gt;alert(1)&lt;/script&gt;” under “Data Platform”.<`)
	if strings.Contains(page.Body, "<script>alert(1)") {
		t.Fatal("an organization name was rendered as HTML")
	}
	r = u.HX("PUT", "/orgs/"+id, "rename-form", url.Values{"name": {"Ledger"}, "fingerprint": {formFingerprint(t, page.Body, "rename-form")}})
	contains(t, "rename", r, "Renamed to “Ledger”", `<h1 id="org-name" data-testid="org-name" hx-swap-oob="true">Ledger</h1>`, "<title>Ledger · Orgboard</title>")
	if o := orgOf(t, e, id); o.Name != "Ledger" || o.Parent.ID != dp.ID {
		t.Errorf("after rename: %+v", o)
	}
	r = u.HX("POST", "/orgs/"+dp.ID+"/move", "move-form", url.Values{"parent_id": {id}})
	contains(t, "move under own child", r, "cannot be moved under itself")
	risk := e.Org("Payments Risk")
	cands := u.HX("GET", "/orgs/"+id+"/move?q=risk", "move-candidates", nil)
	contains(t, "candidates", cands, risk.ID)
	r = u.HX("POST", "/orgs/"+id+"/move", "move-form", url.Values{"parent_id": {risk.ID}, "fingerprint": {formFingerprint(t, u.Get(to).Body, "move-form")}})
	if r.Header.Get("HX-Redirect") != "/orgs/"+id+"?done=moved" {
		t.Errorf("move: %d %q", r.Status, r.Body)
	}
	if o := orgOf(t, e, id); o.Parent.ID != risk.ID {
		t.Errorf("not moved: %+v", o.Parent)
	}
	r = u.HX("DELETE", "/orgs/"+pp.ID, "delete-form", nil)
	contains(t, "refused delete", r, "Not deleted", "not empty")
	contains(t, "confirm", u.HX("GET", "/orgs/"+id+"/delete", "delete-form", nil), "Delete for good")
	r = u.HX("DELETE", "/orgs/"+id, "delete-form", nil)
	if r.Header.Get("HX-Redirect") != "/orgs/"+risk.ID+"?deleted=Ledger" {
		t.Errorf("delete: %d %q", r.Status, r.Header.Get("HX-Redirect"))
	}
	if _, err := e.Admin().GetOrganization(bg, id); !api.IsNotFound(err) {
		t.Errorf("still there: %v", err)
	}
	viewer := e.SignedIn(localapi.DemoViewerToken)
	r = viewer.HX("PUT", "/orgs/"+pp.ID, "rename-form", url.Values{"name": {"Nope"}, "fingerprint": {formFingerprint(t, u.Get("/orgs/"+pp.ID).Body, "rename-form")}}) // the viewer is offered no form: a forged post
	if r.Status != 403 || !strings.Contains(r.Body, "may read this organization but not change it") || strings.Contains(r.Body, "Unauthorized") {
		t.Errorf("viewer rename: %d %s", r.Status, r.Body)
	}
}

func TestRepeatViewsComeFromTheCache(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	gw := e.Org("Payments Gateway")
	u.Get("/orgs/" + gw.ID)
	before := e.UpstreamCalls()
	u.Get("/orgs/" + gw.ID)
	if n := e.UpstreamCalls() - before; n != 0 {
		t.Errorf("a repeat view made %d upstream calls", n)
	}
	u.HX("PUT", "/orgs/"+gw.ID, "rename-form", url.Values{"name": {"Gateway"}, "fingerprint": {formFingerprint(t, u.Get("/orgs/"+gw.ID).Body, "rename-form")}})
	before = e.UpstreamCalls()
	r := u.Get("/orgs/" + gw.ID)
	if n := e.UpstreamCalls() - before; n == 0 || !strings.Contains(r.Body, ">Gateway<") {
		t.Errorf("after the user's write the view was not read again (%d calls)", n)
	}
	other := e.SignedIn(localapi.DemoViewerToken)
	before = e.UpstreamCalls()
	other.Get("/orgs/" + gw.ID)
	if e.UpstreamCalls() == before {
		t.Error("another user was served from the first user's cache")
	}
}

// With the cache off, a page still reads each thing once: the ancestors
// the breadcrumbs show are the hierarchy tags' names too.
func TestAPageReadsEachThingOnce(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{CacheTTL: -1})
	u := e.SignedIn(localapi.DemoAdminToken)
	gw := e.Org("Payments Gateway")
	depth := 0
	for p := gw.Parent; p != nil; depth++ {
		o, err := e.Admin().GetOrganization(bg, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		p = o.Parent
	}
	before := e.UpstreamCalls()
	if r := u.Get("/orgs/" + gw.ID); r.Status != 200 || !strings.Contains(r.Body, "Northwind Holdings") {
		t.Fatalf("overview: %d", r.Status)
	}
	// the organization, each ancestor, its children, and the token's own
	// permissions (what the page offers; read once for the user's reads)
	if n, want := e.UpstreamCalls()-before, int64(1+depth+1+1); n != want {
		t.Errorf("the overview made %d upstream calls, want %d", n, want)
	}
}

func TestUpstreamFailuresAreShownInPlace(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	gw, root := e.Org("Payments Gateway"), e.Org("Northwind Holdings")
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Rate500: 1})
	r := u.Get("/orgs/" + gw.ID + "/members")
	if r.Status != http.StatusBadGateway || !strings.Contains(r.Body, "The API is unavailable") || !strings.Contains(r.Body, "Try again") {
		t.Errorf("page on 500s: %d", r.Status)
	}
	r = u.HX("GET", "/orgs/"+gw.ID+"/accounts", "org-body", nil)
	if r.Header.Get("HX-Retarget") != "#error-region" || !strings.Contains(r.Body, "The API is unavailable") {
		t.Errorf("htmx on 500s: %d %v", r.Status, r.Header)
	}
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Rate429: 1, RetryAfter: 120e9})
	r = u.Get("/orgs/" + gw.ID + "/profile")
	contains(t, "429", r, "Cloudflare is limiting requests", "in 120 seconds")
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Malformed: 1})
	r = u.Get("/orgs/" + root.ID + "/accounts")
	if r.Status != http.StatusBadGateway || !strings.Contains(r.Body, "did not give a usable answer") {
		t.Errorf("malformed: %d", r.Status)
	}
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	if strings.Contains(e.Logs.String(), localapi.DemoAdminToken) {
		t.Error("the token appears in the logs")
	}
}

func TestRevokedTokenEndsTheSession(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoViewerToken)
	if err := e.Store.SetTokenStatus(localapi.DemoViewerToken, "disabled"); err != nil {
		t.Fatal(err)
	}
	r := u.Get("/orgs?q=pay") // not cached yet: the next upstream call meets the revoked token
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?expired=1" {
		t.Fatalf("after revocation: %d %s", r.Status, r.Header.Get("Location"))
	}
	contains(t, "notice", u.Get("/login?expired=1"), "no longer accepts your token")
	if r := u.Get("/orgs"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Errorf("the session survived: %d", r.Status)
	}
}

func TestSignInAttemptsAreLimited(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{LoginRate: 3})
	u := e.NewUser()
	for i := 0; i < 3; i++ {
		u.Login("wrong-token")
	}
	r := u.Login(localapi.DemoAdminToken)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Too many sign-in attempts") {
		t.Errorf("fourth attempt: %d", r.Status)
	}
	spoof := e.NewUser()
	spoof.Get("/login")
	resp := spoof.Do("POST", "/login", url.Values{"token": {localapi.DemoAdminToken}, "_csrf": {spoof.CSRF}}, map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if resp.Status != http.StatusTooManyRequests {
		t.Errorf("X-Forwarded-For reset the limit: %d", resp.Status)
	}
}

func TestSecurityHeadersAndStaticAssets(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.NewUser()
	r := u.Get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
		t.Errorf("headers %v", r.Header)
	}
	if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") || strings.Contains(r.Body, " onclick=") {
		t.Error("inline script, style or handler in the page")
	}
	js := regexpAttr(r.Body, `src="(/static/vendor/htmx\.min\.[0-9a-f]+\.js)"`)
	if js == "" {
		t.Fatal("no hashed htmx URL")
	}
	a := u.Get(js)
	if a.Status != 200 || !strings.Contains(a.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %q", a.Status, a.Header.Get("Cache-Control"))
	}
	gz := u.Do("GET", "/login", nil, map[string]string{"Accept-Encoding": "gzip"})
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("HTML not gzip-compressed: %v", gz.Header)
	}
}

func TestAccountsLoadMore(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	pp := e.Org("Payments Platform")
	for i := range 60 {
		e.Exec(`INSERT INTO accounts(id, org_id, name, pubname, type, created_on, settings, region, usage_seed, currency, has_cost)
			VALUES (?, ?, ?, 'Bulk', 'standard', '2026-01-01T00:00:00Z', '{"enforce_twofactor":true}', 'wnam', 1, 'USD', 1)`,
			fmt.Sprintf("bulk%028d", i), pp.ID, fmt.Sprintf("bulk-%02d", i))
	}
	u := e.SignedIn(localapi.DemoViewerToken)
	r := u.Get("/orgs/" + pp.ID + "/accounts?sort=asc&name=bulk")
	contains(t, "first page", r, "60 accounts", "bulk-00", "bulk-24", `data-testid="accounts-more"`)
	if strings.Contains(r.Body, "bulk-25") {
		t.Error("the first page holds more than 25")
	}
	seen := strings.Count(r.Body, `data-testid="account-row"`)
	more := html.UnescapeString(regexpAttr(r.Body, `hx-get="([^"]*page_token[^"]*)"`))
	for page := 2; more != ""; page++ {
		r = u.HX("GET", more, "accounts-more", nil)
		if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "bulk-") {
			t.Fatalf("page %d is not a fragment of rows", page)
		}
		seen += strings.Count(r.Body, `data-testid="account-row"`)
		more = html.UnescapeString(regexpAttr(r.Body, `hx-get="([^"]*page_token[^"]*)"`))
		if page > 5 {
			t.Fatal("load more never ends")
		}
	}
	if !strings.Contains(r.Body, "bulk-59") || seen != 60 {
		t.Errorf("saw %d rows, the last page lacks bulk-59", seen)
	}
}

// membersCount reads the members tab's count ("3 members", "1 member").
func membersCount(t *testing.T, body string) int {
	t.Helper()
	m := regexp.MustCompile(`data-testid="members-count">([0-9,]+) members?<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no member count in %q", snippet(body, "members-count"))
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n
}

// formFingerprint is the fingerprint field of the form marked testid.
func formFingerprint(t *testing.T, body, testid string) string {
	t.Helper()
	i := strings.Index(body, `data-testid="`+testid+`"`)
	if i < 0 {
		t.Fatalf("no form %s", testid)
	}
	fp := regexpValue(body[i:], "fingerprint")
	if fp == "" {
		t.Fatalf("form %s has no fingerprint", testid)
	}
	return fp
}

// Rename and move write only what the user changed, after a fresh read:
// another person's profile change or move, made while the form was open,
// is never undone, and a rename or move that meets another person's rename
// or move shows both instead of writing.
func TestRenameAndMoveNeverUndoOthersChanges(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	admin := e.SignedIn(localapi.DemoAdminToken)
	gw, risk, pp := e.Org("Payments Gateway"), e.Org("Payments Risk"), e.Org("Payments Platform")
	page := admin.Get("/orgs/" + gw.ID).Body // the admin's view, cached for up to 30 s

	// meanwhile an editor changes the profile, and someone moves it
	profile := api.Profile{BusinessName: "Gateway GmbH", BusinessEmail: "gw@example.com"}
	if err := e.Admin().UpdateProfile(bg, gw.ID, profile); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Admin().UpdateOrganization(bg, gw.ID, api.OrganizationInput{Name: gw.Name, Parent: &api.OrganizationRef{ID: risk.ID}}); err != nil {
		t.Fatal(err)
	}
	// the admin renames keeping the same name: nothing of the others' is undone
	r := admin.HX("PUT", "/orgs/"+gw.ID, "rename-form", url.Values{"name": {gw.Name}, "fingerprint": {formFingerprint(t, page, "rename-form")}})
	contains(t, "rename", r, "Renamed")
	o := orgOf(t, e, gw.ID)
	if o.Parent == nil || o.Parent.ID != risk.ID {
		t.Errorf("the rename moved the organization back: parent %+v", o.Parent)
	}
	if got := profileOf(t, e, gw.ID); got != profile {
		t.Errorf("the rename undid the profile: %+v", got)
	}

	// a move from the old view meets the other move: both are shown, nothing moves
	r = admin.HX("POST", "/orgs/"+gw.ID+"/move", "move-form", url.Values{"parent_id": {pp.ID}, "fingerprint": {formFingerprint(t, page, "move-form")}})
	if r.Status != http.StatusConflict {
		t.Fatalf("a move over another's move: %d", r.Status)
	}
	contains(t, "move conflict", r, "Someone moved this organization", "under Payments Platform", "under Payments Risk", "Move under Payments Platform anyway")
	if o := orgOf(t, e, gw.ID); o.Parent.ID != risk.ID {
		t.Errorf("a conflicting move was written: %+v", o.Parent)
	}
	// moving anyway, with the fingerprint of what was shown side by side
	r = admin.HX("POST", "/orgs/"+gw.ID+"/move", "move-form", url.Values{"parent_id": {pp.ID}, "fingerprint": {formFingerprint(t, r.Body, "move-anyway")}})
	if r.Header.Get("HX-Redirect") != "/orgs/"+gw.ID+"?done=moved" || orgOf(t, e, gw.ID).Parent.ID != pp.ID {
		t.Errorf("move anyway: %d", r.Status)
	}
	if got := profileOf(t, e, gw.ID); got != profile {
		t.Errorf("the move undid the profile: %+v", got)
	}

	// a rename over another's rename
	page = admin.Get("/orgs/" + gw.ID).Body
	if _, err := e.Admin().UpdateOrganization(bg, gw.ID, api.OrganizationInput{Name: "Gateway (renamed by Bo)"}); err != nil {
		t.Fatal(err)
	}
	r = admin.HX("PUT", "/orgs/"+gw.ID, "rename-form", url.Values{"name": {"Gateway (Ann)"}, "fingerprint": {formFingerprint(t, page, "rename-form")}})
	if r.Status != http.StatusConflict {
		t.Fatalf("a rename over another's rename: %d", r.Status)
	}
	contains(t, "rename conflict", r, "Someone renamed this organization", "Gateway (Ann)", "Gateway (renamed by Bo)")
	if o := orgOf(t, e, gw.ID); o.Name != "Gateway (renamed by Bo)" {
		t.Errorf("a conflicting rename was written: %q", o.Name)
	}
	r = admin.HX("PUT", "/orgs/"+gw.ID, "rename-form", url.Values{"name": {"Gateway (Ann)"}, "fingerprint": {formFingerprint(t, r.Body, "rename-anyway")}})
	contains(t, "rename anyway", r, "Renamed")
	if o := orgOf(t, e, gw.ID); o.Name != "Gateway (Ann)" || o.Parent.ID != pp.ID {
		t.Errorf("after renaming anyway: %+v", o)
	}
}

// External metadata meant as JSON must be valid JSON: a typo is said in the
// form, with what was typed kept, and nothing is saved; plain text is fine.
func TestProfileMetadataJSONIsChecked(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	gw := e.Org("Payments Gateway")
	base := "/orgs/" + gw.ID + "/profile"
	before := profileOf(t, e, gw.ID)
	edit := u.HX("GET", base+"/edit", "profile", nil)
	contains(t, "the form says what the field holds", edit, "which is checked before it is saved")
	fp := regexpValue(edit.Body, "fingerprint")
	bad := u.HX("PUT", base, "profile", url.Values{"fingerprint": {fp}, "business_name": {before.BusinessName}, "external_metadata": {`{"cost_center": 42,}`}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "not valid JSON at character") || !strings.Contains(bad.Body, "cost_center&#34;: 42,}") {
		t.Errorf("invalid JSON: %d %s", bad.Status, snippet(bad.Body, "error-external_metadata"))
	}
	if got := profileOf(t, e, gw.ID); got != before {
		t.Errorf("saved anyway: %+v", got)
	}
	for _, ok := range []string{`{"cost_center":"42","tags":["a"]}`, "owned by the payments team", ""} {
		fp = regexpValue(u.HX("GET", base+"/edit", "profile", nil).Body, "fingerprint")
		r := u.HX("PUT", base, "profile", url.Values{"fingerprint": {fp}, "business_name": {before.BusinessName}, "external_metadata": {ok}})
		if r.Status != 200 || profileOf(t, e, gw.ID).ExternalMetadata != ok {
			t.Errorf("metadata %q: %d", ok, r.Status)
		}
	}
}

// With the cache off (--cache-ttl 0), a rename made at the API shows on
// the next view at once; with it on, the view is the cached one.
func TestCacheOffShowsAChangeAtOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ttl  time.Duration
		want string
	}{{-1, "Gateway renamed at the API"}, {0, "Payments Gateway"}} {
		e := testenv.New(t, testenv.Options{CacheTTL: c.ttl})
		u := e.SignedIn(localapi.DemoAdminToken)
		gw := e.Org("Payments Gateway")
		u.Get("/orgs/" + gw.ID)
		if _, err := e.Admin().UpdateOrganization(bg, gw.ID, api.OrganizationInput{Name: "Gateway renamed at the API"}); err != nil {
			t.Fatal(err)
		}
		if r := u.Get("/orgs/" + gw.ID); !strings.Contains(r.Body, `data-testid="org-name">`+c.want+`<`) {
			t.Errorf("cache %v: the heading is not %q", c.ttl, c.want)
		}
	}
}
