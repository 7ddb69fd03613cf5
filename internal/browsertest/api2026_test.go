package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"orgboard/internal/api"
	"orgboard/internal/testenv"
	"orgboard/web/templates"
)

// Move an account to another organization: find it by name, confirm, and
// see the account under its new organization.
func TestMoveAnAccountJourney(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.signIn("admin")
	ctx := context.Background()
	var from, to api.Organization
	for o, err := range env.Admin().Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		accts, _ := env.Admin().ListAccounts(ctx, o.ID, api.ListAccountsParams{})
		if f := o.Meta.TenantFlags; f != nil && f.AccountMobility == "enabled" && len(accts.Items) > 0 && from.ID == "" {
			from = o
		} else if to.ID == "" && f != nil && !strings.Contains(o.Name, from.Name) {
			to = o
		}
	}
	accts, _ := env.Admin().ListAccounts(ctx, from.ID, api.ListAccountsParams{OrderBy: "account_name", Direction: "asc"})
	acct := accts.Items[0]
	b.open("/orgs/" + from.ID + "/accounts")
	b.click(`#account-` + acct.ID + ` [data-testid="account-move"]`)
	b.fill(`#move-q-`+acct.ID, to.Name)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#dest-` + acct.ID + `-` + to.ID)))
	b.click(`#dest-` + acct.ID + `-` + to.ID)
	b.click(`[data-testid="account-move-form"] button[type=submit]`)
	b.waitText(`[data-testid="account-move-confirm"]`, "Move this account from “"+from.Name+"” to “"+to.Name+"”?")
	b.click(`[data-testid="account-move-confirm"] button[type=submit]`)
	b.waitText(`[data-testid="account-moved"]`, to.Name)
	// the list and its count follow in place: the row and its Move… are gone
	if b.eval(`String(!!document.getElementById("account-`+acct.ID+`"))`) == "true" {
		t.Errorf("the moved account's row is still in the list")
	}
	b.waitText(`[data-testid="accounts-count"]`, templates.Count(int64(accts.TotalSize-1), "account", "accounts"))
	b.click(`[data-testid="account-moved"] a`)
	b.waitLocation("/orgs/" + to.ID + "/accounts")
	b.waitText(`[data-testid="org-name"]`, to.Name)
	b.do(chromedp.WaitVisible(chromedp.CSS(`#account-` + acct.ID)))
	b.open("/orgs/" + from.ID + "/accounts")
	if b.eval(`String(!!document.getElementById("account-`+acct.ID+`"))`) == "true" {
		t.Fatalf("account %s is still listed under %s", acct.ID, from.Name)
	}
	b.clean()
}

// The history of a resource older than the index's window: the drawer's
// link shows entries from the index and from Cloudflare's history, each said.
func TestHistoryOlderThanTheWindowJourney(t *testing.T) {
	env := testenv.New(t, testenv.Options{AuditWindow: 7 * 24 * time.Hour})
	b := newBrowser(t, env)
	b.signIn("admin")
	org := env.Org("Checkout")
	b.open("/orgs/" + org.ID + "/audit?q=action%3Aupdate")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"]`)), chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="audit-indexing"]`)))
	b.click(`[data-testid="audit-detail-link"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-history-link"]`)))
	b.click(`[data-testid="audit-history-link"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-history"]`)))
	b.waitText(`[data-testid="history-source"]`, "The index holds this organization's entries from")
	b.accessibleAs("resource history with older entries")
	if n := b.eval(`String(document.querySelectorAll('[data-testid="history-step-source"]').length)`); n == "0" {
		t.Fatal("no steps")
	}
	b.click(`[data-testid="history-back"]`)
	b.waitLocation("/orgs/" + org.ID + "/audit?q=action")
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"]`)))
	b.clean()
}
