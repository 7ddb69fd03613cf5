package browsertest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"orgboard/internal/api"
	"orgboard/internal/testenv"
)

// Markup in every field the API returns, and in a search query, is shown as
// text: no script runs on any page that shows it.
func TestMarkupFromTheAPIIsShownAsText(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	pp := env.Org("Data Platform") // sub-organizations may be created under it
	name := `<img src=x onerror="window.__xss='org name'">Evil & Co`
	evil, err := env.Admin().CreateOrganization(ctx, api.OrganizationInput{Name: name, Parent: &api.OrganizationRef{ID: pp.ID}})
	if err != nil {
		t.Fatal(err)
	}
	prof := api.Profile{BusinessName: `<script>window.__xss='business name'</script>`, BusinessAddress: `"><svg onload="window.__xss='address'">`,
		BusinessEmail: "billing@evil.example", BusinessPhone: "+1 555 0100", ExternalMetadata: `{"x":"</script><script>window.__xss='metadata'</script>"}`}
	if err := env.Admin().UpdateProfile(ctx, evil.ID, prof); err != nil {
		t.Fatal(err)
	}
	// an account of the team with a hostile name (the API has no endpoint to rename accounts)
	env.Exec(`UPDATE accounts SET name = ? WHERE id = (SELECT id FROM accounts WHERE org_id = ? ORDER BY id LIMIT 1)`,
		`<img src=x onerror="window.__xss='account'">acct`, pp.ID)

	// neither the API nor the console's form accepts markup in an email, so
	// the stored address is changed underneath, as a hostile upstream might
	if _, err := env.Admin().AddMember(ctx, evil.ID, api.MemberInput{Email: "victim@evil.example"}); err != nil {
		t.Fatal(err)
	}
	env.Exec(`UPDATE users SET email = ? WHERE email = 'victim@evil.example'`, `<img src=x onerror=window.__xss='member'>@evil.example`)

	b := newBrowser(t, env)
	b.signIn("admin")
	pages := []struct{ path, shows string }{
		{"/orgs/" + evil.ID, "Evil & Co"},
		{"/orgs/" + evil.ID + "/profile", "<script>window.__xss='business name'</script>"},
		{"/orgs/" + pp.ID + "/accounts", `onerror="window.__xss='account'"`},
		{"/orgs/" + evil.ID + "/members", `<img src=x onerror=window.__xss='member'>`},
		{"/orgs/" + pp.ID + "/usage?scope=org&group=account", "acct"},
		{"/orgs/" + evil.ID + "/audit", "Evil & Co"},
		{"/audit?q=" + url.QueryEscape(`"<script>window.__xss='query'</script>"`), ""},
		{"/orgs?q=" + url.QueryEscape("Evil"), ""},
	}
	for _, p := range pages {
		b.open(p.path)
		b.do(settled)
		if p.shows != "" && !strings.Contains(b.eval(`document.body.innerText`), p.shows) {
			t.Errorf("%s does not show %q as text", p.path, p.shows)
		}
		if got := b.eval(`String(window.__xss)`); got != "undefined" {
			t.Errorf("%s ran a script from the %s", p.path, got)
		}
	}
	b.open("/audit?q=" + url.QueryEscape(`"<script>window.__xss='query'</script>"`))
	if v := b.value(`#audit-q`); v != `"<script>window.__xss='query'</script>"` {
		t.Errorf("the query came back as %q", v)
	}
	// the audit entry of the profile change: its request body holds the markup
	b.open("/orgs/" + evil.ID + "/audit")
	b.waitText(`[data-testid="audit-results"]`, "Details")
	b.click(`[data-testid="audit-detail-link"]`)
	b.waitText(`[data-testid="audit-detail"]`, "Time (UTC)")
	b.do(chromedp.Sleep(200e6))
	if got := b.eval(`String(window.__xss)`); got != "undefined" {
		t.Errorf("the audit detail ran a script from the %s", got)
	}
	b.clean()
}
