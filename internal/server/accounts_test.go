package server_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// mobilityPair finds an organization with accounts that may move and one
// whose accounts may not.
func mobilityPair(t *testing.T, e *testenv.Env) (mobile, fixed api.Organization) {
	t.Helper()
	for o, err := range e.Admin().Organizations(context.Background(), api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		accts, _ := e.Admin().ListAccounts(context.Background(), o.ID, api.ListAccountsParams{})
		f := o.Meta.TenantFlags
		if f == nil || len(accts.Items) == 0 {
			continue
		}
		if f.AccountMobility == "enabled" && mobile.ID == "" {
			mobile = o
		} else if f.AccountMobility != "enabled" && fixed.ID == "" {
			fixed = o
		}
	}
	if mobile.ID == "" || fixed.ID == "" {
		t.Fatal("the seed lacks the two kinds of organization")
	}
	return mobile, fixed
}

// Moving an account: find the destination by name, confirm with both
// named, and the API has it there; out of an organization that does not
// allow it, the refusal is said in place, in the console's words.
func TestMoveAnAccount(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	mobile, fixed := mobilityPair(t, e)
	accts, _ := e.Admin().ListAccounts(bg, mobile.ID, api.ListAccountsParams{})
	acct := accts.Items[0]
	move := "/orgs/" + mobile.ID + "/accounts/" + acct.ID + "/move"
	form := u.HX("GET", move, "move-"+acct.ID, nil)
	contains(t, "the move row", form, `data-testid="account-move-form"`, "Move to the organization named")
	cands := u.HX("GET", move+"?q="+url.QueryEscape(fixed.Name), "move-candidates-"+acct.ID, nil)
	contains(t, "candidates", cands, fixed.ID)
	if strings.Contains(cands.Body, `value="`+mobile.ID+`"`) {
		t.Error("the account's own organization is offered")
	}
	confirm := u.HX("POST", move, "move-"+acct.ID, url.Values{"destination": {fixed.ID}})
	contains(t, "confirmation", confirm, "Move this account from “"+mobile.Name+"” to “"+fixed.Name+"”?")
	if in, _ := e.Admin().ListAccounts(bg, mobile.ID, api.ListAccountsParams{PageParams: api.PageParams{PageSize: 1000}}); !hasAccount(in.Items, acct.ID) {
		t.Fatal("the account moved before it was confirmed")
	}
	done := u.HX("POST", move, "move-"+acct.ID, url.Values{"destination": {fixed.ID}, "confirm": {"1"}})
	contains(t, "moved", done, "The account now belongs to", fixed.Name)
	if in, _ := e.Admin().ListAccounts(bg, fixed.ID, api.ListAccountsParams{PageParams: api.PageParams{PageSize: 1000}}); !hasAccount(in.Items, acct.ID) {
		t.Error("the account is not in its new organization")
	}
	// back out of an organization that does not let its accounts move
	back := "/orgs/" + fixed.ID + "/accounts/" + acct.ID + "/move"
	refused := u.HX("POST", back, "move-"+acct.ID, url.Values{"destination": {mobile.ID}, "confirm": {"1"}})
	if refused.Status != http.StatusForbidden || !strings.Contains(refused.Body, "does not let its accounts move") || strings.Contains(refused.Body, "Unauthorized to access") {
		t.Errorf("a refused move: %d %s", refused.Status, snippet(refused.Body, "account-move-error"))
	}
	// a viewer is refused in the console's words
	viewer := e.SignedIn(localapi.DemoViewerToken)
	v := viewer.HX("POST", back, "move-"+acct.ID, url.Values{"destination": {mobile.ID}, "confirm": {"1"}})
	if v.Status != http.StatusForbidden || !strings.Contains(v.Body, "may not move this account") {
		t.Errorf("a viewer's move: %d %s", v.Status, snippet(v.Body, "account-move-error"))
	}
	if bad := u.HX("POST", move, "move-"+acct.ID, url.Values{"destination": {"../x"}}); bad.Status != http.StatusUnprocessableEntity {
		t.Errorf("a forged destination: %d", bad.Status)
	}
}

func hasAccount(as []api.Account, id string) bool {
	for _, a := range as {
		if a.ID == id {
			return true
		}
	}
	return false
}

// The accounts tab sorts by name by default, and with "include
// sub-organizations" lists the whole subtree with each account's organization.
func TestAccountsOfTheSubtree(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	own := u.Get("/orgs/" + root.ID + "/accounts")
	names := regexpAll(own.Body, `<tr id="account-[^"]+" data-testid="account-row"><td>([^<]+)</td>`)
	if !sort.SliceIsSorted(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) }) || len(names) == 0 {
		t.Errorf("the default order is not by name: %v", names)
	}
	sub := u.Get("/orgs/" + root.ID + "/accounts?sub=1")
	contains(t, "subtree", sub, `data-testid="account-org"`, "<th scope=\"col\">Organization</th>", " (one API call each")
	total := 0
	for _, id := range e.AllOrgIDs() {
		page, _ := e.Admin().ListAccounts(bg, id, api.ListAccountsParams{})
		total += page.TotalSize
	}
	if got := membersLike(t, sub.Body); got != total {
		t.Errorf("the subtree lists %d accounts, the API has %d", got, total)
	}
	more := regexpAttr(sub.Body, `hx-get="([^"]*page_token=25[^"]*)"`)
	if more == "" {
		t.Fatal("no next page of the subtree")
	}
	before := e.UpstreamCalls()
	next := u.HX("GET", strings.ReplaceAll(more, "&amp;", "&"), "accounts-more", nil)
	if n := strings.Count(next.Body, `data-testid="account-row"`); n == 0 || e.UpstreamCalls()-before > 2 {
		t.Errorf("the next page: %d rows, %d upstream calls (the subtree is kept)", n, e.UpstreamCalls()-before)
	}
}

// membersLike reads the accounts tab's count.
func membersLike(t *testing.T, body string) int {
	t.Helper()
	m := regexpAttr(body, `data-testid="accounts-count">\s*([0-9,]+) accounts?`)
	n := 0
	for _, c := range m {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	return n
}

// Two people move one account out of Marketing at the same moment, to two
// places: at most one is told it succeeded, the other meets a conflict
// naming where the account went, and the account is where the winner said.
func TestSimultaneousAccountMovesConflict(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	mkt, sec, dp := e.Org("Marketing"), e.Org("Security"), e.Org("Data Platform")
	accts, _ := e.Admin().ListAccounts(bg, mkt.ID, api.ListAccountsParams{})
	acct := accts.Items[0]
	move := "/orgs/" + mkt.ID + "/accounts/" + acct.ID + "/move"
	a, b := e.SignedIn(localapi.DemoAdminToken), e.SignedIn(localapi.DemoAdminToken)
	for i := range 3 { // a few rounds: the race must be lost the same way every time
		if i > 0 { // put it back
			back := e.Org("Marketing")
			cur := orgHolding(t, e, acct.ID)
			r := a.HX("POST", "/orgs/"+cur+"/accounts/"+acct.ID+"/move", "move-"+acct.ID, url.Values{"destination": {back.ID}, "confirm": {"1"}})
			if r.Status != http.StatusOK {
				t.Fatalf("moving it back: %d %s", r.Status, snippet(r.Body, "account-move-error"))
			}
		}
		var wg sync.WaitGroup
		got := make([]testenv.Response, 2)
		for j, p := range []struct {
			u    *testenv.User
			dest string
		}{{a, sec.ID}, {b, dp.ID}} {
			wg.Go(func() {
				got[j] = p.u.HX("POST", move, "move-"+acct.ID, url.Values{"destination": {p.dest}, "confirm": {"1"}})
			})
		}
		wg.Wait()
		won := 0
		var winner string
		for j, r := range got {
			switch {
			case r.Status == http.StatusOK && strings.Contains(r.Body, "The account now belongs to"):
				won++
				winner = []string{sec.ID, dp.ID}[j]
			case r.Status == http.StatusConflict && strings.Contains(r.Body, "was moved to"):
			default:
				t.Errorf("round %d, mover %d: %d %.600s", i, j, r.Status, r.Body)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d movers were told they succeeded", i, won)
		}
		if at := orgHolding(t, e, acct.ID); at != winner {
			t.Errorf("round %d: the account is in %s, the winner moved it to %s", i, at, winner)
		}
	}
}

// orgHolding is the organization an account belongs to, as the API says.
func orgHolding(t *testing.T, e *testenv.Env, account string) string {
	t.Helper()
	page, err := e.Admin().ListOrganizations(bg, api.ListOrganizationsParams{ContainingAccount: account, PageParams: api.PageParams{PageSize: 50}})
	if err != nil {
		t.Fatal(err)
	}
	holder := api.Innermost(page.Items) // the organization and each above it are listed
	if holder == nil {
		t.Fatal("no organization holds the account")
	}
	return holder.ID
}
