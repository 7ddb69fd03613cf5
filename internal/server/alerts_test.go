package server_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// receiver is a real webhook receiver: it keeps what it is sent and
// answers status (200 unless set).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
}

type received struct {
	body []byte
	sig  string
	msg  alerts.Message
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{status: 200}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var m alerts.Message
		json.Unmarshal(b, &m)
		r.mu.Lock()
		r.got = append(r.got, received{b, req.Header.Get(alerts.SignatureHeader), m})
		st := r.status
		r.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

var secretShown = regexp.MustCompile(`<code class="mono">([0-9a-f]{48})</code>`)

// makeRule posts the form and returns the rule's secret: the post
// redirects to the list, which shows it once (a reload does not).
func makeRule(t testing.TB, u *testenv.User, form url.Values) string {
	t.Helper()
	r := u.Post("/alerts", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("make the rule: %d %.600s", r.Status, between(r.Body, `data-testid="alert-form"`, "</form>"))
	}
	list := u.Get(r.Header.Get("Location"))
	if strings.Contains(list.Body, form.Get("token")) {
		t.Error("the rule's token is in the page")
	}
	if form.Get("destination") == "" {
		return ""
	}
	m := secretShown.FindStringSubmatch(list.Body)
	if m == nil {
		t.Fatalf("the secret is not shown once: %.400s", between(list.Body, "<main", `data-testid="alert-rules"`))
	}
	if again := u.Get(r.Header.Get("Location")); secretShown.MatchString(again.Body) {
		t.Error("a reload shows the secret again")
	}
	return m[1]
}

func entry(org, id, action, product string, at time.Time) api.AuditEntry {
	return api.AuditEntry{ID: id, Action: api.AuditAction{Description: product + " " + action, Result: "success", Time: at, Type: action},
		Actor: api.AuditActor{ID: "u9", Context: "api_token", Email: "someone@northwind.example", Type: "user"}, Organization: api.OrganizationRef{ID: org},
		Raw: api.AuditRaw{Method: "DELETE", StatusCode: 200, URI: "/client/v4/zones/z/dns_records/" + id}, Resource: api.AuditResource{ID: id, Product: product, Type: "dns_record"}}
}

// An audit rule sends every new matching entry once: across two syncs of
// the same range, across a restart; signed with the secret shown once;
// a viewer's rule never sends what its token cannot read.
func TestAuditRuleSendsEachNewEntryOnce(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	secret := makeRule(t, u, url.Values{"name": {"DNS deletions"}, "org": {team.ID}, "q": {"action:delete product:dns"},
		"destination": {rec.URL + "/hook"}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
	ctx := context.Background()
	now := e.Clock.Now()
	e.Store.AddAuditEntry(entry(team.ID, "11111111111111111111111111111111", "delete", "dns", now.Add(time.Second)))
	e.Store.AddAuditEntry(entry(team.ID, "22222222222222222222222222222222", "update", "dns", now.Add(time.Second))) // no match
	e.Clock.Advance(2 * time.Second)
	if err := e.Alerts.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := rec.messages()
	if len(got) != 1 || got[0].msg.Count != 1 || got[0].msg.Entries[0].ID != "11111111111111111111111111111111" || got[0].msg.Rule.Name != "DNS deletions" {
		t.Fatalf("after the first sync: %d messages %+v", len(got), got)
	}
	if want := alerts.Sign([]byte(secret), got[0].body); !hmac.Equal([]byte(want), []byte(got[0].sig)) {
		t.Errorf("signature %q, want %q", got[0].sig, want)
	}
	// the same range again: nothing new
	e.Clock.Advance(time.Minute)
	e.Alerts.RunOnce(ctx)
	if n := len(rec.messages()); n != 1 {
		t.Fatalf("a second sync of the same range sent %d messages", n-1)
	}
	// a restart, then a new entry: only it
	e.RestartConsole()
	e.Store.AddAuditEntry(entry(team.ID, "33333333333333333333333333333333", "delete", "dns", e.Clock.Now()))
	e.Clock.Advance(2 * time.Second)
	e.Alerts.RunOnce(ctx)
	got = rec.messages()
	if len(got) != 2 || got[1].msg.Count != 1 || got[1].msg.Entries[0].ID != "33333333333333333333333333333333" {
		t.Fatalf("after a restart: %+v", got)
	}
	// the rule's page logs both deliveries
	u = e.SignedIn(localapi.DemoAdminToken)
	list := u.Get("/alerts")
	id := regexp.MustCompile(`href="/alerts/([0-9]+)"`).FindStringSubmatch(list.Body)
	if id == nil {
		t.Fatalf("no rule in the list: %.400s", list.Body)
	}
	page := u.Get("/alerts/" + id[1])
	if n := strings.Count(page.Body, `data-testid="delivery-status">delivered<`); n != 2 {
		t.Errorf("%d deliveries logged, want 2", n)
	}
	// an entry of an organization the rule's token cannot read is never sent: the editor's token
	editor := e.SignedIn(localapi.DemoEditorToken)
	orgID := regexp.MustCompile(`<option value="([0-9a-f]{32})"`).FindStringSubmatch(editor.Get("/alerts").Body)
	if orgID == nil {
		t.Fatal("the editor reads no organization")
	}
	makeRule(t, editor, url.Values{"name": {"Everything"}, "org": {orgID[1]}, "sub": {"1"}, "q": {"product:dns"}, "destination": {rec.URL + "/editor"},
		"quiet": {"0"}, "token": {localapi.DemoEditorToken}})
	root := e.Org("Northwind Holdings")
	e.Store.AddAuditEntry(entry(root.ID, "44444444444444444444444444444444", "delete", "dns", e.Clock.Now()))
	e.Clock.Advance(2 * time.Second)
	e.Alerts.RunOnce(ctx)
	for _, m := range rec.messages() {
		for _, en := range m.msg.Entries {
			if en.ID == "44444444444444444444444444444444" && m.msg.Rule.Name == "Everything" {
				t.Error("the editor's rule sent an entry of an organization its token cannot read")
			}
		}
	}
}

// Matches within a rule's quiet period are sent together after it, counted;
// a receiver's 500 is retried, then the delivery is logged failed; a revoked
// token stops its rule, which says so.
func TestAuditRuleBatchesRetriesAndStops(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	token := "orgboard-test-alert-token"
	if err := e.Store.AddToken(token, "alerts", localapi.RoleViewer, e.Org("Northwind Holdings").ID); err != nil {
		t.Fatal(err)
	}
	makeRule(t, u, url.Values{"name": {"Quiet"}, "org": {team.ID}, "q": {"action:delete"}, "destination": {rec.URL}, "quiet": {"10"}, "token": {token}, "slack": {"1"}})
	e.Alerts.Retries = alerts.Retries{Attempts: 3, First: 10 * time.Millisecond}
	ctx := context.Background()
	add := func(n int) {
		e.Store.AddAuditEntry(entry(team.ID, strings.Repeat(strconv.Itoa(n), 32)[:32], "delete", "dns", e.Clock.Now()))
		e.Clock.Advance(2 * time.Second)
	}
	add(5)
	e.Alerts.RunOnce(ctx) // the first is sent at once
	add(6)
	add(7)
	e.Alerts.RunOnce(ctx) // within the quiet period: held
	if n := len(rec.messages()); n != 1 {
		t.Fatalf("%d messages within the quiet period, want 1", n)
	}
	e.Clock.Advance(11 * time.Minute)
	e.Alerts.RunOnce(ctx)
	got := rec.messages()
	if len(got) != 2 {
		t.Fatalf("%d messages after the quiet period, want 2", len(got))
	}
	var slack struct{ Text string }
	json.Unmarshal(got[1].body, &slack)
	if !strings.Contains(slack.Text, "2 new audit entries match") {
		t.Errorf("the batch says %q", slack.Text)
	}
	// the receiver fails: retried, then failed in the log
	rec.mu.Lock()
	rec.status = 500
	rec.mu.Unlock()
	e.Clock.Advance(11 * time.Minute)
	add(8)
	e.Alerts.RunOnce(ctx)
	if n := len(rec.messages()); n != 2+3 {
		t.Errorf("%d attempts at a failing receiver, want 3", n-2)
	}
	id := regexp.MustCompile(`href="/alerts/([0-9]+)"`).FindStringSubmatch(u.Get("/alerts").Body)[1]
	contains(t, "the log", u.Get("/alerts/"+id), `data-testid="delivery-status">failed<`, "the receiver answered 500")
	// the token is revoked: the rule stops and says so
	if err := e.Store.SetTokenStatus(token, "disabled"); err != nil {
		t.Fatal(err)
	}
	e.Alerts.RunOnce(ctx)
	page := u.Get("/alerts/" + id)
	contains(t, "a revoked token", page, `data-testid="alert-stopped"`, "Give the rule a new token", `data-testid="delivery-status">stopped<`,
		"Cloudflare refused the rule&#39;s token (HTTP 401: ")
	if strings.Contains(page.Body, "token ()") {
		t.Error("the stopped rule's reason is empty")
	}
}

// The form says each mistake beside its field and keeps what was typed,
// never the token; a webhook to a private address is refused.
func TestAlertFormMistakes(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	r := u.Post("/alerts", url.Values{"name": {""}, "org": {team.ID}, "q": {"since:soon"}, "destination": {"ftp://example.com"}, "quiet": {"-3"}, "token": {"secret-typed"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a form of mistakes: %d", r.Status)
	}
	contains(t, "the summary at the top", r, `data-testid="alert-error-summary"`, `href="#a-q"`, `href="#a-dest"`, `href="#a-token"`, "need a change")
	contains(t, "mistakes", r, `data-testid="a-name-err"`, `data-testid="a-q-err"`, `data-testid="a-dest-err"`, `data-testid="a-quiet-err"`, `data-testid="a-token-err"`,
		`value="since:soon"`, `value="ftp://example.com"`)
	if strings.Contains(r.Body, "secret-typed") {
		t.Error("the typed token came back in the page")
	}
	bad := u.Post("/alerts", url.Values{"name": {"x"}, "org": {team.ID}, "q": {"action:delete"}, "destination": {"https://hooks.example.com/x"},
		"quiet": {"0"}, "token": {"not-a-token"}})
	contains(t, "a bad token", bad, "Cloudflare does not accept this token")
}

// A rule's test message has the shape of a real delivery: the organization's
// name included.
func TestTestMessageHasTheRealShape(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	makeRule(t, u, url.Values{"name": {"Shape"}, "org": {team.ID}, "q": {"action:delete"}, "destination": {rec.URL + "/hook"}, "quiet": {"0"}, "token": {localapi.DemoAdminToken}})
	id := regexp.MustCompile(`href="/alerts/([0-9]+)"`).FindStringSubmatch(u.Get("/alerts").Body)[1]
	if r := u.Post("/alerts/"+id+"/test", nil); r.Status >= 400 {
		t.Fatalf("test: %d", r.Status)
	}
	got := rec.messages()
	if len(got) != 1 || !got[0].msg.Test || got[0].msg.OrganizationName != "Checkout" || got[0].msg.Organization != team.ID {
		t.Errorf("the test message: %+v", got)
	}
}
