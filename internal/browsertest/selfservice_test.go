package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"orgboard/internal/testenv"
)

// A team lead signs in through the company's identity provider, sees
// their team and not the rest, and proposes a profile change; the CFO
// signs in the same way, sees it waiting, and approves it: the console
// applies it at the API and both pages say what happened.
func TestTeamLeadProposesCFOApproves(t *testing.T) {
	idp := testenv.StartIdP(t)
	env := testenv.New(t, testenv.Options{SelfService: &testenv.SelfService{IdP: idp, Delegation: `{"grants": [
  {"group": "payments-team", "org": "{org:Payments Platform}", "subtree": true, "may": ["view", "profile", "members"]},
  {"email": "cfo@northwind.example", "org": "{org:Northwind Holdings}", "subtree": true, "may": ["view", "approve"]}
]}`}})
	pp := env.Org("Payments Platform")

	lead := newBrowser(t, env)
	lead.do(chromedp.EmulateViewport(1366, 900))
	idp.Queue(testenv.Person{Subject: "lead-1", Email: "lead@northwind.example", Groups: []string{"payments-team"}})
	lead.open("/login")
	lead.shot("selfservice-sign-in")
	lead.click(`[data-testid="login-oidc-start"]`)
	lead.waitLocation("/orgs")
	lead.waitText(`[data-testid="who"]`, "lead@northwind.example through your company account")
	if tree := lead.text(`main`); !strings.Contains(tree, "Payments Platform") || strings.Contains(tree, "Corporate") {
		t.Errorf("the lead's tree: %s", tree)
	}
	lead.shot("selfservice-lead-tree")
	lead.open("/orgs/" + pp.ID + "/profile")
	lead.click(`[data-testid="profile-edit"]`)
	lead.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile-form"]`)))
	lead.waitText(`[data-testid="profile-save"]`, "Propose for approval")
	lead.fill(`[data-testid="profile-form"] input[name="business_name"]`, "Payments Platform GmbH")
	lead.click(`[data-testid="profile-save"]`)
	lead.waitText(`[data-testid="change-pending"]`, "waits for a second person's approval")
	lead.accessibleAs("a proposed change")
	lead.shot("selfservice-proposed")
	if p, _ := env.Admin().GetProfile(context.Background(), pp.ID); p.BusinessName == "Payments Platform GmbH" {
		t.Fatal("the profile changed before anyone approved")
	}

	cfo := newBrowser(t, env)
	cfo.do(chromedp.EmulateViewport(1366, 900))
	idp.Queue(testenv.Person{Subject: "cfo-1", Email: "cfo@northwind.example"})
	cfo.open("/login")
	cfo.click(`[data-testid="login-oidc-start"]`)
	cfo.waitLocation("/orgs")
	cfo.click(`[data-testid="nav-changes"]`)
	cfo.waitText(`[data-testid="changes-waiting"]`, "lead@northwind.example")
	cfo.waitText(`[data-testid="changes-waiting"]`, "Payments Platform GmbH")
	cfo.accessibleAs("changes waiting for approval")
	cfo.shot("selfservice-approver")
	cfo.click(`[data-testid="changes-waiting"] [data-testid="change-approve"]`)
	cfo.waitText(`[data-testid="change-flash"]`, "applied at Cloudflare")
	cfo.waitText(`[data-testid="change-state"]`, "Applied")
	cfo.shot("selfservice-approved")
	if p, _ := env.Admin().GetProfile(context.Background(), pp.ID); p.BusinessName != "Payments Platform GmbH" {
		t.Errorf("after the approval the API's profile is %+v", p)
	}

	lead.open("/changes")
	lead.waitText(`[data-testid="changes-mine"]`, "Applied")
	lead.shot("selfservice-lead-sees-applied")
	lead.clean()
	cfo.clean()
}
