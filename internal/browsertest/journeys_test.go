package browsertest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"orgboard/internal/api"
	"orgboard/internal/testenv"
)

func TestTreeSearchAndTabs(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	root := env.Org("Northwind Holdings")
	b.waitText(`[role="tree"]`, "Northwind Holdings")

	// expand with the mouse, then walk with the keyboard
	b.click(`[data-id="` + root.ID + `"] > .node .twisty`)
	b.waitText(`#group-`+root.ID, "Northwind EMEA")
	if got := b.eval(`document.querySelector('[data-id="` + root.ID + `"]').getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("aria-expanded after expanding: %q", got)
	}
	b.do(settled, chromedp.Focus(chromedp.CSS(`[data-id="`+root.ID+`"]`)), chromedp.KeyEvent(kb.ArrowDown))
	if got := b.eval(`document.activeElement.querySelector("a").textContent`); got != "Corporate" {
		t.Errorf("ArrowDown moved to %q, want the first child", got)
	}
	b.do(settled, chromedp.KeyEvent(kb.ArrowRight))
	b.waitText(`[data-id="`+env.Org("Corporate").ID+`"]`, "Security")
	b.do(chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
	if got := b.eval(`document.activeElement.getAttribute("data-id")`); got != root.ID {
		t.Errorf("ArrowLeft twice should reach the root, got %q", got)
	}
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitText(`[data-testid="org-name"]`, "Northwind Holdings")

	// search as you type
	b.open("/orgs")
	b.fill(`#tree-q`, "payments plat")
	b.waitText(`#tree-results`, "Payments Platform")
	b.click(`[data-testid="tree-search-results"] a`)
	b.waitText(`[data-testid="org-name"]`, "Payments Platform")
	b.waitText(`[data-testid="breadcrumbs"]`, "Payments")

	// tabs swap in place and push the URL
	pp := env.Org("Payments Platform")
	b.click(`[data-testid="tab-accounts"]`)
	b.waitText(`[data-testid="accounts-count"]`, "accounts")
	if loc := b.location(); loc != "/orgs/"+pp.ID+"/accounts" {
		t.Errorf("URL after the tab switch: %s", loc)
	}
	b.click(`[data-testid="tab-members"]`)
	b.waitText(`[data-testid="members"]`, "@northwind.example")
	b.click(`[data-testid="tab-usage"]`)
	b.waitText(`[data-testid="kpi-total"]`, "Period total")
	b.do(chromedp.NavigateBack())
	b.waitText(`[data-testid="members"]`, "@northwind.example")
	b.clean()
}

func TestProfileEditing(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("editor")
	gw := env.Org("Payments Gateway")
	b.open("/orgs/" + gw.ID + "/profile")
	b.click(`[data-testid="profile-edit"]`)
	b.fill(`#profile-business_email`, "not an email")
	b.fill(`#profile-business_name`, `Gateway <img src=x onerror=alert(1)>`)
	b.click(`[data-testid="profile-save"]`)
	b.waitText(`[data-testid="error-business_email"]`, "Enter an email address")
	if v := b.value(`#profile-business_name`); v != `Gateway <img src=x onerror=alert(1)>` {
		t.Errorf("the form lost what was typed: %q", v)
	}
	b.fill(`#profile-business_email`, "gateway@northwind.example")
	b.click(`[data-testid="profile-save"]`)
	b.waitText(`[data-testid="profile-saved"]`, "Profile saved")
	b.waitText(`[data-testid="profile"]`, "Gateway <img src=x onerror=alert(1)>")
	if p, _ := env.Admin().GetProfile(context.Background(), gw.ID); p.BusinessEmail != "gateway@northwind.example" {
		t.Errorf("not saved: %+v", p)
	}

	// a second session saves while this one edits
	b.click(`[data-testid="profile-edit"]`)
	b.fill(`#profile-business_phone`, "+1 415 555 0101")
	other := b.tab()
	other.signIn("admin")
	other.open("/orgs/" + gw.ID + "/profile")
	other.click(`[data-testid="profile-edit"]`)
	other.fill(`#profile-business_phone`, "+44 20 7946 0000")
	other.click(`[data-testid="profile-save"]`)
	other.waitText(`[data-testid="profile-saved"]`, "Profile saved")

	b.click(`[data-testid="profile-save"]`)
	b.waitText(`[data-testid="profile-conflict"]`, "Someone changed this profile")
	b.waitText(`[data-testid="profile"]`, "+44 20 7946 0000")
	if p, _ := env.Admin().GetProfile(context.Background(), gw.ID); p.BusinessPhone != "+44 20 7946 0000" {
		t.Errorf("the conflicting save overwrote: %+v", p)
	}
	b.click(`[data-testid="conflict-overwrite"]`)
	b.waitText(`[data-testid="profile-saved"]`, "Profile saved")
	if p, _ := env.Admin().GetProfile(context.Background(), gw.ID); p.BusinessPhone != "+1 415 555 0101" {
		t.Errorf("overwrite not saved: %+v", p)
	}
	b.clean()
	other.clean()
}

func TestMembers(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("editor")
	pp := env.Org("Payments Platform")
	b.open("/orgs/" + pp.ID + "/members")
	b.fill(`#add-email`, "nope")
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#add-email').type='text'`)) // let the server judge it
	b.click(`[data-testid="add-member-form"] button[type=submit]`)
	b.waitText(`[data-testid="add-member-error"]`, "Enter an email address")
	rowsBefore := b.eval(`String(document.querySelectorAll('[data-testid="member-row"]').length)`)
	b.fill(`#add-email`, "browser.member@example.com")
	b.click(`[data-testid="add-member-form"] button[type=submit]`)
	b.waitText(`[data-testid="member-added"]`, "browser.member@example.com was added")
	// the list and its count change in place, without a reload
	b.waitText(`[data-testid="members"]`, "browser.member@example.com")
	countAgrees := `(() => { const n = document.querySelectorAll('[data-testid="member-row"]').length;
		return document.querySelector('[data-testid="members-count"]').textContent.trim() === n + (n === 1 ? " member" : " members") ? String(n) : "count " + document.querySelector('[data-testid="members-count"]').textContent + " with " + n + " rows"; })()`
	if got := b.eval(countAgrees); got != fmt.Sprint(atoi(rowsBefore)+1) {
		t.Errorf("after adding: %s (there were %s rows)", got, rowsBefore)
	}
	added := ""
	for m, err := range env.Admin().Members(context.Background(), pp.ID, api.ListMembersParams{UserEmail: "browser.member@example.com"}) {
		if err != nil {
			t.Fatal(err)
		}
		added = m.ID
	}
	b.open("/orgs/" + pp.ID + "/members?email=%40example.com")
	b.waitText(`#member-`+added, "browser.member@example.com")
	b.click(`#member-` + added + ` [data-testid="member-remove"]`)
	b.click(`#member-` + added + ` [data-testid="member-remove-confirm"]`)
	b.do(chromedp.WaitNotPresent(chromedp.CSS(`#member-`+added)), settled)
	if got := b.eval(countAgrees); strings.HasPrefix(got, "count") {
		t.Errorf("after removing: %s", got)
	}
	if _, err := env.Admin().GetMember(context.Background(), pp.ID, added); !api.IsNotFound(err) {
		t.Errorf("the member was not removed: %v", err)
	}
	b.clean()
}

func TestOrganizationLifecycle(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	pp, risk, dp := env.Org("Payments Platform"), env.Org("Payments Risk"), env.Org("Data Platform")
	b.open("/orgs/" + dp.ID) // sub-organizations may be created here (not under Payments Platform)
	b.click(`#create-form summary`)
	b.fill(`#create-name`, "Browser Squad")
	b.fill(`#create-business_email`, "squad@northwind.example")
	b.click(`[data-testid="create-form"] button[type=submit]`)
	b.waitText(`[data-testid="org-name"]`, "Browser Squad")
	b.waitText(`[data-testid="breadcrumbs"]`, "Data Platform")
	b.waitText(`[data-testid="done"]`, "Created “Browser Squad” under “Data Platform”.")
	id, _, _ := strings.Cut(strings.TrimPrefix(b.location(), "/orgs/"), "?")

	b.fill(`#rename-name`, "Browser Squadron")
	b.click(`[data-testid="rename-form"] button[type=submit]`)
	b.waitText(`#rename-form`, "Renamed to “Browser Squadron”")
	// the heading and the page's title show the new name without a reload
	b.waitText(`[data-testid="org-name"]`, "Browser Squadron")
	if title := b.eval(`document.title`); !strings.Contains(title, "Browser Squadron") {
		t.Errorf("the page's title after a rename: %q", title)
	}
	if n := b.number(`document.querySelectorAll('#org-name').length`); n != 1 {
		t.Errorf("%d headings after the rename", n)
	}

	b.click(`#move-form summary`)
	b.fill(`#move-q`, "payments risk")
	b.click(`#parent-` + risk.ID)
	b.click(`[data-testid="move-form"] button[type=submit]`)
	b.waitText(`[data-testid="breadcrumbs"]`, "Payments Risk")
	b.waitText(`[data-testid="org-name"]`, "Browser Squadron")
	b.waitText(`[data-testid="done"]`, "Moved “Browser Squadron” under “Payments Risk”.")

	b.open("/orgs/" + pp.ID)
	b.click(`[data-testid="delete-start"]`)
	b.click(`[data-testid="delete-confirm"] button[type=submit]`)
	b.waitText(`#delete-form`, "not empty")

	b.open("/orgs/" + id)
	b.click(`[data-testid="delete-start"]`)
	b.click(`[data-testid="delete-confirm"] button[type=submit]`)
	b.waitText(`[data-testid="org-name"]`, "Payments Risk")
	b.waitText(`[data-testid="done"]`, "Deleted “Browser Squadron”.")
	if _, err := env.Admin().GetOrganization(context.Background(), id); !api.IsNotFound(err) {
		t.Errorf("not deleted: %v", err)
	}
	deletes := 0
	for _, r := range env.ConsoleRequests() {
		if strings.HasPrefix(r, "DELETE ") {
			deletes++
			if strings.Contains(r, "?") { // the CSRF token travels in a header, never in a URL (logs, proxies, history)
				t.Errorf("a delete carries parameters in its URL: %s", r)
			}
		}
	}
	if deletes != 2 {
		t.Errorf("%d deletes reached the console, want 2", deletes)
	}
	b.clean()
}

func TestSignInWithEachTokenAndOut(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	for role, who := range map[string]string{"admin": "alex.morgan@", "editor": "priya.patel@", "viewer": "vera.holm@"} {
		b.signIn(role)
		b.waitText(`[data-testid="who"]`, who)
		b.click(`[data-testid="sign-out"]`)
		b.waitText(`main`, "You are signed out")
	}
	b.open("/login")
	b.click(`[data-testid="demo-expired"]`)
	b.waitText(`[data-testid="login-error"]`, "expired")
	b.open("/orgs")
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		t.Errorf("signed out, /orgs went to %s", loc)
	}
	b.clean()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
