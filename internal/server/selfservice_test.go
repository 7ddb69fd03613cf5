package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"

	"github.com/oauth2-proxy/mockoidc"
)

// grants is the delegation file of these tests: the payments team keeps
// Payments Platform's profile and members, the CFO approves anywhere.
const grants = `{"grants": [
  {"group": "payments-team", "org": "{org:Payments Platform}", "subtree": true, "may": ["view", "profile", "members"]},
  {"email": "cfo@northwind.example", "org": "{org:Northwind Holdings}", "subtree": true, "may": ["view", "approve"]}
]}`

var (
	lead = testenv.Person{Subject: "lead-1", Email: "lead@northwind.example", Groups: []string{"payments-team"}}
	cfo  = testenv.Person{Subject: "cfo-1", Email: "cfo@northwind.example"}
)

func selfService(t *testing.T) (*testenv.Env, *testenv.IdP) {
	t.Helper()
	idp := testenv.StartIdP(t)
	return testenv.New(t, testenv.Options{SelfService: &testenv.SelfService{IdP: idp, Delegation: grants}}), idp
}

// signedInThrough signs p in through the identity provider, or fails.
func signedInThrough(t *testing.T, e *testenv.Env, idp *testenv.IdP, p testenv.Person) *testenv.User {
	t.Helper()
	u, r := e.SignInThrough(idp, p)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/orgs" {
		t.Fatalf("sign-in of %s: %d %q %s", p.Email, r.Status, r.Header.Get("Location"), snippet(r.Body, "login-oidc-error"))
	}
	return u
}

var profileFingerprint = regexp.MustCompile(`name="fingerprint" value="([^"]*)"`)

// A team lead signs in through the identity provider, sees Payments
// Platform and what is under it but not Corporate, and their profile
// change waits for approval; they may not approve it themselves; the CFO
// approves it and the console applies it at the API; the audit log holds
// the console's own entries naming both people, linked to Cloudflare's.
func TestTeamSelfServiceWithFourEyes(t *testing.T) {
	t.Parallel()
	e, idp := selfService(t)
	pp, corp, gw := e.Org("Payments Platform"), e.Org("Corporate"), e.Org("Payments Gateway")
	u := signedInThrough(t, e, idp, lead)
	tree := u.Get("/orgs")
	if !strings.Contains(tree.Body, "Payments Platform") || strings.Contains(tree.Body, ">Corporate<") {
		t.Errorf("the lead's tree: %s", snippet(tree.Body, "tree"))
	}
	contains(t, "a sub-organization of the grant", u.Get("/orgs/"+gw.ID), "Payments Gateway")
	if r := u.Get("/orgs/" + corp.ID); r.Status != http.StatusNotFound {
		t.Errorf("Corporate answered the lead %d", r.Status)
	}
	if r := u.Get("/orgs/" + corp.ID + "/members"); r.Status != http.StatusNotFound {
		t.Errorf("Corporate's members answered the lead %d", r.Status)
	}
	if r := u.Get("/audit?q=" + url.QueryEscape("org:"+corp.ID)); strings.Contains(r.Body, `data-testid="audit-row"`) {
		t.Error("the lead's audit search shows Corporate's entries")
	}
	if r := u.Get("/alerts"); r.Status != http.StatusForbidden {
		t.Errorf("alert rules answered the lead %d", r.Status)
	}
	for _, r := range []testenv.Response{tree, u.Get("/orgs/" + pp.ID + "/profile")} {
		if strings.Contains(r.Body, localapi.DemoAdminToken) {
			t.Fatal("a page holds the console's token")
		}
	}

	// the profile change waits
	before, err := e.Admin().GetProfile(context.Background(), pp.ID)
	if err != nil {
		t.Fatal(err)
	}
	edit := u.HX("GET", "/orgs/"+pp.ID+"/profile/edit", "profile", nil)
	form := url.Values{"fingerprint": {profileFingerprint.FindStringSubmatch(edit.Body)[1]}, "business_name": {"Payments Platform GmbH"},
		"business_email": {"payments@northwind.example"}, "business_phone": {before.BusinessPhone}, "business_address": {before.BusinessAddress},
		"external_metadata": {before.ExternalMetadata}}
	r := u.HX("PUT", "/orgs/"+pp.ID+"/profile", "profile", form)
	contains(t, "the proposal", r, `data-testid="change-pending"`, "waits for a second person")
	if now, _ := e.Admin().GetProfile(context.Background(), pp.ID); now != before {
		t.Fatalf("the API's profile changed before anyone approved: %+v", now)
	}
	change := regexp.MustCompile(`change #(\d+)`).FindStringSubmatch(r.Body)[1]
	mine := u.Get("/changes")
	contains(t, "the proposer's list", mine, "Your proposals", "#"+change, "Waiting for approval", "Payments Platform GmbH")
	if strings.Contains(between(mine.Body, `data-testid="changes-waiting"`, "</section>"), `data-testid="change"`) {
		t.Error("the proposer is offered their own change to approve")
	}
	if r := u.Post("/changes/"+change+"/approve", nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "You proposed this change") {
		t.Errorf("self-approval: %d %s", r.Status, snippet(r.Body, "alert"))
	}

	// the CFO approves; the console applies it with its token
	boss := signedInThrough(t, e, idp, cfo)
	waiting := boss.Get("/changes")
	contains(t, "the approver's list", waiting, "#"+change, "lead@northwind.example", "Payments Platform GmbH", `data-testid="change-approve"`)
	if r := boss.Post("/changes/"+change+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.Status, snippet(r.Body, "alert"))
	}
	after, _ := e.Admin().GetProfile(context.Background(), pp.ID)
	if after.BusinessName != "Payments Platform GmbH" || after.BusinessEmail != "payments@northwind.example" || after.BusinessPhone != before.BusinessPhone {
		t.Errorf("the API's profile after the approval: %+v", after)
	}
	contains(t, "the proposer sees it applied", u.Get("/changes/"+change), "Applied", "cfo@northwind.example")
	if r := boss.Post("/changes/"+change+"/approve", nil); r.Status != http.StatusConflict {
		t.Errorf("a second approval: %d", r.Status)
	}

	// whose change it was: the console's entries name the people; the apply links to Cloudflare's entry
	if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), pp.ID); err != nil {
		t.Fatal(err)
	}
	admin := e.SignedIn(localapi.DemoAdminToken)
	byLead := admin.Get("/audit?q=" + url.QueryEscape("actor:lead@northwind.example since:1d"))
	contains(t, "the proposer in the audit log", byLead, "propose", "orgboard")
	byCFO := admin.Get("/audit?q=" + url.QueryEscape("actor:cfo@northwind.example product:orgboard since:1d"))
	contains(t, "the approver in the audit log", byCFO, "approve", "apply")
	apply := regexp.MustCompile(`href="(/audit/entries/orgboard-change-` + change + `-apply)[^"]*"`).FindStringSubmatch(byCFO.Body)
	if apply == nil {
		t.Fatalf("no apply entry: %s", snippet(byCFO.Body, "audit-row"))
	}
	linked := regexpAttr(admin.Get(apply[1]).Body, `href="([^"]+)" data-testid="audit-linked"`)
	if linked == "" {
		t.Fatal("the apply entry does not link to Cloudflare's entry")
	}
	cf := admin.Get(strings.ReplaceAll(linked, "&amp;", "&"))
	if n := strings.Count(cf.Body, `data-testid="audit-row"`); n != 1 || !strings.Contains(cf.Body, "organization_profile") {
		t.Errorf("Cloudflare's entry of the applied write: %d rows %s", n, snippet(cf.Body, "audit-row"))
	}
}

// A rejection keeps the organization as it was and tells the proposer
// why; an approval of a profile that changed since the proposal shows
// both versions first and applies only when approved again.
func TestRejectionAndConflictAtApproval(t *testing.T) {
	t.Parallel()
	e, idp := selfService(t)
	gw := e.Org("Payments Gateway")
	u := signedInThrough(t, e, idp, lead)
	boss := signedInThrough(t, e, idp, cfo)
	propose := func(name string) string {
		t.Helper()
		edit := u.HX("GET", "/orgs/"+gw.ID+"/profile/edit", "profile", nil)
		p, _ := e.Admin().GetProfile(context.Background(), gw.ID)
		r := u.HX("PUT", "/orgs/"+gw.ID+"/profile", "profile", url.Values{"fingerprint": {profileFingerprint.FindStringSubmatch(edit.Body)[1]},
			"business_name": {name}, "business_email": {p.BusinessEmail}, "business_phone": {p.BusinessPhone}, "business_address": {p.BusinessAddress},
			"external_metadata": {p.ExternalMetadata}})
		m := regexp.MustCompile(`change #(\d+)`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("not proposed: %d %s", r.Status, snippet(r.Body, "alert"))
		}
		return m[1]
	}
	first := propose("Gateway Rejected Name")
	if r := boss.Post("/changes/"+first+"/reject", url.Values{"reason": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a rejection without a reason: %d", r.Status)
	}
	long := strings.Repeat("Too long a reason. ", 30)
	if r := boss.Post("/changes/"+first+"/reject", url.Values{"reason": {long}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, `value="`+long+`"`) || !strings.Contains(r.Body, "at most 500 characters") {
		t.Errorf("a reason too long: %d, the reason kept %v", r.Status, strings.Contains(r.Body, `value="`+long+`"`))
	}
	if r := boss.Post("/changes/"+first+"/reject", url.Values{"reason": {"The legal name is Payments Gateway Ltd"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d %s", r.Status, snippet(r.Body, "alert"))
	}
	contains(t, "the proposer reads why", u.Get("/changes"), "Rejected", "The legal name is Payments Gateway Ltd")
	if p, _ := e.Admin().GetProfile(context.Background(), gw.ID); p.BusinessName == "Gateway Rejected Name" {
		t.Error("a rejected change was applied")
	}

	second := propose("Gateway After Review")
	// someone changes the profile at Cloudflare meanwhile
	p, _ := e.Admin().GetProfile(context.Background(), gw.ID)
	p.BusinessPhone = "+44 20 7946 0000"
	if err := e.Admin().UpdateProfile(context.Background(), gw.ID, p); err != nil {
		t.Fatal(err)
	}
	r := boss.Post("/changes/"+second+"/approve", nil)
	contains(t, "the conflict", r, `data-testid="change-conflict"`, "changed since this was proposed", "+44 20 7946 0000")
	if r.Status != http.StatusConflict {
		t.Errorf("a conflict answered %d", r.Status)
	}
	if now, _ := e.Admin().GetProfile(context.Background(), gw.ID); now.BusinessName == "Gateway After Review" {
		t.Fatal("applied despite the conflict")
	}
	base := regexp.MustCompile(`name="base" value="([^"]+)"`).FindStringSubmatch(r.Body)[1]
	if r := boss.Post("/changes/"+second+"/approve", url.Values{"base": {base}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve again: %d %s", r.Status, snippet(r.Body, "alert"))
	}
	if now, _ := e.Admin().GetProfile(context.Background(), gw.ID); now.BusinessName != "Gateway After Review" || now.BusinessPhone != "+44 20 7946 0000" {
		t.Errorf("after the second approval: %+v", now)
	}
}

// A member added by the team lead waits too, and is added once approved.
func TestMemberChangesWaitForApproval(t *testing.T) {
	t.Parallel()
	e, idp := selfService(t)
	pp := e.Org("Payments Platform")
	u := signedInThrough(t, e, idp, lead)
	r := u.HX("POST", "/orgs/"+pp.ID+"/members", "add-member", url.Values{"email": {"new.analyst@northwind.example"}, "status": {"active"}})
	contains(t, "the proposal", r, `data-testid="change-pending"`, "new.analyst@northwind.example")
	members := func() string {
		page, _ := e.Admin().ListMembers(context.Background(), pp.ID, api.ListMembersParams{UserEmail: "new.analyst@northwind.example"})
		if len(page.Items) == 0 {
			return ""
		}
		return page.Items[0].User.Email
	}
	if members() != "" {
		t.Fatal("added before anyone approved")
	}
	change := regexp.MustCompile(`change #(\d+)`).FindStringSubmatch(r.Body)[1]
	boss := signedInThrough(t, e, idp, cfo)
	if r := boss.Post("/changes/"+change+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.Status, snippet(r.Body, "alert"))
	}
	if members() != "new.analyst@northwind.example" {
		t.Error("not added after the approval")
	}
}

// Sign-in through the identity provider: someone the delegation file gives
// nothing is turned away in words; a refusal from the provider, an answer
// that belongs to no sign-in started here, and an ID token dated wrong
// read as words on the sign-in page; a session ends as a token's does.
func TestSignInThroughTheIdentityProvider(t *testing.T) {
	t.Parallel()
	e, idp := selfService(t)
	contains(t, "the sign-in page", e.NewUser().Get("/login"), `data-testid="login-oidc-start"`, `data-testid="login-form"`)
	_, r := e.SignInThrough(idp, testenv.Person{Subject: "x-1", Email: "stranger@northwind.example", Groups: []string{"marketing"}})
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "gives you no organization") || !strings.Contains(r.Body, "marketing") {
		t.Errorf("a person without grants: %d %s", r.Status, snippet(r.Body, "login-oidc-error"))
	}
	// the provider refuses (the person cancelled, or may not use the console)
	u := e.NewUser()
	start := u.Get("/login/oidc")
	state := regexp.MustCompile(`state=([^&]+)`).FindStringSubmatch(start.Header.Get("Location"))[1]
	denied := u.Get("/login/oidc/callback?error=access_denied&error_description=User+cancelled&state=" + state)
	if denied.Status != http.StatusUnauthorized || !strings.Contains(denied.Body, "access denied") || !strings.Contains(denied.Body, "User cancelled") {
		t.Errorf("a refusal: %d %s", denied.Status, snippet(denied.Body, "login-oidc-error"))
	}
	// an answer to no sign-in of this browser
	if r := e.NewUser().Get("/login/oidc/callback?code=abc&state=forged"); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Start it again") {
		t.Errorf("a forged answer: %d %s", r.Status, snippet(r.Body, "login-oidc-error"))
	}
	// the provider's clock runs an hour ahead: its ID token is dated in the future
	idp.FastForward(2 * time.Hour)
	_, skew := e.SignInThrough(idp, lead)
	idp.FastForward(-2 * time.Hour)
	if skew.Status != http.StatusUnauthorized || !strings.Contains(skew.Body, "clock") {
		t.Errorf("an ID token from a provider whose clock is off: %d %s", skew.Status, snippet(skew.Body, "login-oidc-error"))
	}
	// a session ends after its idle time, as a token's does
	lu := signedInThrough(t, e, idp, lead)
	e.Clock.Advance(31 * time.Minute)
	if r := lu.Get("/orgs"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("an idle person's session: %d %q", r.Status, r.Header.Get("Location"))
	}
}

// With --oidc-only the token's sign-in is neither offered nor taken.
func TestOnlyTheIdentityProvider(t *testing.T) {
	t.Parallel()
	idp := testenv.StartIdP(t)
	e := testenv.New(t, testenv.Options{SelfService: &testenv.SelfService{IdP: idp, Delegation: grants, Only: true}})
	page := e.NewUser().Get("/login")
	if strings.Contains(page.Body, `data-testid="login-form"`) || strings.Contains(page.Body, `data-testid="demo-admin"`) || !strings.Contains(page.Body, "login-oidc-start") {
		t.Errorf("the sign-in page offers: %s", snippet(page.Body, "login"))
	}
	if r := e.NewUser().Login(localapi.DemoAdminToken); r.Status != http.StatusForbidden {
		t.Errorf("a token's sign-in answered %d", r.Status)
	}
}

// Only a person with the approve right on the change's organization
// decides it: not a token's session (even an administrator's), not a
// person who may view or edit it, not the proposer; nothing changes.
func TestOnlyApproversDecide(t *testing.T) {
	t.Parallel()
	idp := testenv.StartIdP(t)
	e := testenv.New(t, testenv.Options{SelfService: &testenv.SelfService{IdP: idp, Delegation: `{"grants": [
  {"group": "payments-team", "org": "{org:Payments Platform}", "subtree": true, "may": ["view", "members"]},
  {"group": "auditors", "org": "{org:Northwind Holdings}", "subtree": true, "may": ["view"]},
  {"email": "cfo@northwind.example", "org": "{org:Corporate}", "subtree": true, "may": ["view", "approve"]}
]}`}})
	pp := e.Org("Payments Platform")
	u := signedInThrough(t, e, idp, lead)
	r := u.HX("POST", "/orgs/"+pp.ID+"/members", "add-member", url.Values{"email": {"someone@northwind.example"}, "status": {"active"}})
	change := regexp.MustCompile(`change #(\d+)`).FindStringSubmatch(r.Body)
	if change == nil {
		t.Fatalf("not proposed: %d %s", r.Status, snippet(r.Body, "add-member"))
	}
	auditor := signedInThrough(t, e, idp, testenv.Person{Subject: "aud-1", Email: "auditor@northwind.example", Groups: []string{"auditors"}})
	for name, who := range map[string]*testenv.User{
		"the proposer": u, "a viewer": auditor, "the token administrator": e.SignedIn(localapi.DemoAdminToken),
		"an approver of another subtree": signedInThrough(t, e, idp, cfo),
	} {
		for _, action := range []string{"approve", "reject"} {
			got := who.Post("/changes/"+change[1]+"/"+action, url.Values{"reason": {"no"}})
			if got.Status != http.StatusForbidden && got.Status != http.StatusNotFound {
				t.Errorf("%s may %s: %d", name, action, got.Status)
			}
		}
	}
	page, _ := e.Admin().ListMembers(context.Background(), pp.ID, api.ListMembersParams{UserEmail: "someone@northwind.example"})
	if len(page.Items) != 0 {
		t.Error("a refused decision added the member")
	}
	contains(t, "still waiting", u.Get("/changes/"+change[1]), "Waiting for approval")
}

// An audit rule on the console's own entries delivers the proposals and
// decisions, naming the people.
func TestAnAlertRuleDeliversProposalsAndDecisions(t *testing.T) {
	t.Parallel()
	e, idp := selfService(t)
	pp := e.Org("Payments Platform")
	rec := newReceiver(t)
	admin := e.SignedIn(localapi.DemoAdminToken)
	makeRule(t, admin, url.Values{"kind": {"audit"}, "name": {"Changes"}, "org": {pp.ID}, "sub": {"1"}, "q": {"product:orgboard"},
		"destination": {rec.URL}, "quiet": {"0"}, "token": {localapi.DemoAdminToken}})
	u := signedInThrough(t, e, idp, lead)
	r := u.HX("POST", "/orgs/"+pp.ID+"/members", "add-member", url.Values{"email": {"proposed@northwind.example"}, "status": {"active"}})
	change := regexp.MustCompile(`change #(\d+)`).FindStringSubmatch(r.Body)
	if change == nil {
		t.Fatalf("not proposed: %s", snippet(r.Body, "add-member"))
	}
	boss := signedInThrough(t, e, idp, cfo)
	if r := boss.Post("/changes/"+change[1]+"/reject", url.Values{"reason": {"Not this quarter"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.Status)
	}
	e.Clock.Advance(time.Second)
	e.Alerts.RunOnce(context.Background())
	var seen []string
	for _, m := range rec.messages() {
		for _, en := range m.msg.Entries {
			seen = append(seen, en.Action.Type+" by "+en.Actor.Email)
		}
	}
	if !slices.Contains(seen, "propose by lead@northwind.example") || !slices.Contains(seen, "reject by cfo@northwind.example") {
		t.Errorf("the rule delivered %v", seen)
	}
}

// A code the provider no longer accepts (expired, or used already) reads
// as words on the sign-in page.
func TestAnExpiredCodeReadsAsWords(t *testing.T) {
	t.Parallel()
	e, idp := selfService(t)
	u := e.NewUser()
	idp.Queue(lead)
	start := u.Get("/login/oidc")
	resp, err := u.HTTP.Get(start.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	for range 2 { // the client tries both ways of sending its secret before it gives up
		idp.QueueError(&mockoidc.ServerError{Code: http.StatusBadRequest, Error: "invalid_grant", Description: "the code expired"})
	}
	r := u.Get(back.RequestURI())
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "no longer accepts this sign-in") {
		t.Errorf("an expired code: %d %s", r.Status, snippet(r.Body, "login-oidc-error"))
	}
}
