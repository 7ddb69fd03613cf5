package browsertest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// A rule from a saved search: made on the alerts page, a test sent and
// answered, then an organization created fires it, and its delivery shows
// in the rule's log.
func TestAlertRuleJourney(t *testing.T) {
	env := testenv.New(t)
	var mu sync.Mutex
	var bodies []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	b := newBrowser(t, env)
	b.signIn("admin")
	root := env.Org("Northwind Holdings")
	// while the first sync runs, the page polls for its progress and a
	// busy machine always has one of those requests in flight: wait for it
	// to end, as a user would see the results first
	b.open("/audit")
	b.waitTextFor(`[data-testid="audit-status"]`, "Index up to date", 2*time.Minute)
	b.open("/audit?q=" + url.QueryEscape("action:create product:organizations"))
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="save-search"]`)))
	b.fill(`#save-name`, "New organizations")
	b.click(`[data-testid="save-search"] button`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="saved-to-rule"]`)))
	b.click(`[data-testid="saved-to-rule"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-form"]`)))
	if v := b.value(`#a-q`); v != "action:create product:organizations" {
		t.Errorf("the rule's query came as %q", v)
	}
	if v := b.value(`#a-name`); v != "New organizations" {
		t.Errorf("the rule's name came as %q", v)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`#a-org`), root.ID),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="sub"]').checked = true`))
	b.fill(`#a-dest`, hook.URL+"/orgboard")
	b.fill(`#a-token`, localapi.DemoViewerToken)
	b.click(`[data-testid="alert-create"]`)
	b.waitText(`[data-testid="alert-secret"]`, "shown this once")
	b.accessibleAs("alerts page")
	b.screenshot("alerts")
	rule := b.eval(`document.querySelector('[data-testid="alert-row"] th a').getAttribute('href')`)
	b.open(rule)
	b.click(`[data-testid="alert-test"]`)
	b.waitText(`[data-testid="alert-test-result"]`, "the receiver answered 200")

	if _, err := env.Admin().CreateOrganization(context.Background(), api.OrganizationInput{Name: "Alerting Labs", Parent: &api.OrganizationRef{ID: root.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Alerts.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.open(rule)
	b.waitText(`[data-testid="table-deliveries"]`, "delivered")
	b.screenshot("alert-log")
	// the rule is edited on its page
	b.click(`[data-testid="alert-edit"]`)
	b.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="alert-save"]`)))
	b.accessibleAs("alert edit page")
	if v := b.value(`#a-q`); v != "action:create product:organizations" {
		t.Errorf("the edit form shows the query %q", v)
	}
	b.fill(`#a-quiet`, "5")
	b.click(`[data-testid="alert-save"]`)
	b.waitText(`[data-testid="alert-saved"]`, "Saved")
	b.waitText(`.facts`, "5m0s")
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || !strings.Contains(bodies[1], "Alerting Labs") && !strings.Contains(bodies[1], `"type":"create"`) {
		t.Errorf("the receiver got %d messages: %v", len(bodies), bodies)
	}
	b.clean()
}
