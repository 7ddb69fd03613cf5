package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"orgboard/internal/api"
	"orgboard/internal/testenv"
)

// waitShowback waits for the showback's figures, fetching the month when
// the page asks to confirm.
func (b *browser) waitShowback() {
	b.t.Helper()
	b.do(chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="showback-chart"], [data-testid="usage-confirm"]')`))
	if b.eval(`String(!!document.querySelector('[data-testid="usage-confirm"]'))`) == "true" {
		b.click(`[data-testid="usage-fetch"]`)
	}
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="total-showback"]`)), settled)
}

// choose picks a value of a select as a person does: the change is what
// the form listens to.
func (b *browser) choose(sel, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.CSS(sel), value),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(sel)+`).dispatchEvent(new Event('change', {bubbles: true}))`))
}

// A finance reviewer's last month across a move and a currency: an
// account moved away today (by someone else, at the API) stays in last
// month's showback of its organization, with the same total; restated
// with today's tree it leaves, and the page says it is a restatement; in
// euros every figure is converted and says so; the chargeback says where
// the tree's history comes from.
func TestFinanceReviewerAcrossAMoveAndACurrency(t *testing.T) {
	env := testenv.New(t)
	b := newBrowser(t, env)
	b.do(chromedp.EmulateViewport(1366, 900))
	b.signIn("admin")
	ctx := context.Background()
	var from, to api.Organization
	for o, err := range env.Admin().Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		accts, _ := env.Admin().ListAccounts(ctx, o.ID, api.ListAccountsParams{})
		if f := o.Meta.TenantFlags; f != nil && f.AccountMobility == "enabled" && len(accts.Items) > 1 && from.ID == "" {
			from = o
		} else if to.ID == "" && f != nil {
			to = o
		}
	}
	accts, _ := env.Admin().ListAccounts(ctx, from.ID, api.ListAccountsParams{OrderBy: "account_name", Direction: "asc"})
	acct := accts.Items[0]

	b.open("/orgs/" + from.ID + "/showback")
	b.waitShowback()
	before := b.text(`[data-testid="total-showback"]`)
	b.shot("finance-1-last-month")

	if _, err := env.Admin().MoveAccount(ctx, acct.ID, to.ID); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Minute) // the reviewer comes back a minute later: the audit log is read again
	b.open("/orgs/" + from.ID + "/showback")
	b.waitShowback()
	if after := b.text(`[data-testid="total-showback"]`); after != before {
		t.Errorf("last month's total changed with today's move: %q, before %q", after, before)
	}
	if m := b.text(`[data-testid="showback-method"]`); !strings.Contains(m, "belonged to when each day began") || !strings.Contains(m, "moved between organizations") {
		t.Errorf("the method does not say how the month is charged: %q", m)
	}
	b.eval(`document.querySelector('[data-testid="showback-children"]').scrollIntoView({block: "center"}), ""`)
	b.shot("finance-2-after-the-move")

	// restated with today's tree: the account has left, and the page says so
	b.choose(`#s-tree`, "today")
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("tree=today")`))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="showback-restated"]`)), settled)
	if restated := b.text(`[data-testid="total-showback"]`); restated == before {
		t.Errorf("restated with today's tree, the total is still %q", restated)
	}
	b.eval(`document.querySelector('[data-testid="showback-children"]').scrollIntoView({block: "center"}), ""`)
	b.shot("finance-3-restated")

	// back to the month's tree, in euros
	b.choose(`#s-tree`, "then")
	b.do(chromedp.Poll[chromedp.Void](`!location.search.includes("tree=today")`), settled)
	b.choose(`#s-report`, "EUR")
	b.do(chromedp.Poll[chromedp.Void](`location.search.includes("report_currency=EUR")`))
	b.waitText(`[data-testid="table-showback"] thead`, "EUR, converted")
	if n := b.text(`[data-testid="showback"]`); !strings.Contains(n, "converted into EUR") {
		t.Error("the page does not say how the euros were reached")
	}
	b.accessibleAs("showback in a reporting currency")
	b.eval(`document.querySelector('[data-testid="showback-children"]').scrollIntoView({block: "center"}), ""`)
	b.shot("finance-4-in-euros")

	// the chargeback keeps the account where it was, and says why
	b.click(`[data-testid="chargeback-link"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="table-chargeback"]`)), settled)
	if !strings.Contains(b.text(`[data-testid="table-chargeback"]`), acct.ID) {
		t.Errorf("the chargeback of %s lacks the account moved out today (%s)", from.Name, acct.ID)
	}
	b.waitText(`[data-testid="chargeback-method"]`, "audit log")
	b.shot("finance-5-chargeback")
	b.clean()
}
