package server_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/clock/clocktest"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// ruleID is the newest rule's ID on the user's list.
func ruleID(t *testing.T, u *testenv.User) string {
	t.Helper()
	ids := regexp.MustCompile(`href="/alerts/([0-9]+)"`).FindAllStringSubmatch(u.Get("/alerts").Body, -1)
	if len(ids) == 0 {
		t.Fatal("no rule on the list")
	}
	return ids[len(ids)-1][1]
}

// Cost rules fire on a seeded budget crossing, the seeded anomaly and the
// daily moves around it; each finding is sent once (to the webhook, and
// by e-mail through a real SMTP server over STARTTLS). The stack runs at
// noon: the hour it steps stays in the day (a new day, or month, may
// hold new findings; TestCostRulesAcrossMidnight steps over one).
func TestCostRulesFireOnBudgetAndAnomaly(t *testing.T) {
	t.Parallel()
	mail := testenv.StartSMTP(t)
	e := testenv.New(t, testenv.Options{Mailer: mail.Mailer, Now: atHour(12)})
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	spike := e.ArrangeSpike(team.ID)
	if r := u.HX("POST", "/orgs/"+team.ID+"/usage/budget?preset=this_month&scope=org", "usage-panel", url.Values{"amount": {"200"}, "currency": {"USD"}}); r.Status != http.StatusOK {
		t.Fatalf("set the budget: %d", r.Status)
	}
	base := url.Values{"kind": {"cost"}, "org": {team.ID}, "destination": {rec.URL}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	makeRule(t, u, with("name", "Budget", "cond", "budget", "emails", "finance@northwind.example"))
	makeRule(t, u, with("name", "Anomalies", "cond", "anomaly"))
	makeRule(t, u, with("name", "Moves", "cond", "move", "pct", "50"))
	ctx := context.Background()
	e.Alerts.RunOnce(ctx)
	by := map[string]alerts.Message{}
	for _, m := range rec.messages() {
		by[m.msg.Rule.Name] = m.msg
	}
	if m := by["Budget"]; len(m.Cost) != 1 || !strings.HasPrefix(m.Cost[0].Type, "budget_") || m.Cost[0].Baseline != 200 || m.Cost[0].Currency != "USD" {
		t.Errorf("the budget rule sent %+v", m.Cost)
	}
	day := spike.Day.Format(time.DateOnly)
	if m := by["Anomalies"]; len(m.Cost) != 1 || m.Cost[0].Day != day || m.Cost[0].Family != "Workers" || m.Cost[0].Value != 100 {
		t.Errorf("the anomaly rule sent %+v", m.Cost)
	}
	var moved []string
	for _, c := range by["Moves"].Cost {
		moved = append(moved, c.Day)
	}
	if after := spike.Day.AddDate(0, 0, 1).Format(time.DateOnly); !slices.Equal(moved, []string{day, after}) {
		t.Errorf("the moves sent are of %v, want the spike's day and the day after", moved)
	}
	got := mail.Messages()
	if len(got) != 1 || !got[0].TLS || !slices.Equal(got[0].To, []string{"finance@northwind.example"}) {
		t.Fatalf("mail: %+v", got)
	}
	for _, want := range []string{"Subject: =?utf-8?q?Cost_alert", "Content-Type: text/plain; charset=utf-8", "Content-Type: text/html; charset=utf-8", "budget", "Checkout"} {
		if !strings.Contains(got[0].Data, want) {
			t.Errorf("the e-mail lacks %q:\n%s", want, got[0].Data)
		}
	}
	// the next hour's run finds the same: nothing new is sent
	e.Clock.Advance(61 * time.Minute)
	e.Alerts.RunOnce(ctx)
	if n := len(rec.messages()); n != 3 {
		t.Errorf("%d messages after a second run, want the first 3", n)
	}
	if n := len(mail.Messages()); n != 1 {
		t.Errorf("%d e-mails after a second run, want 1", n)
	}
	u = e.SignedIn(localapi.DemoAdminToken) // the hour ended the session
	id := ruleID(t, u)
	contains(t, "the cost rule's page", u.Get("/alerts/"+id), "daily cost moves more than 50%", `data-testid="delivery-status">delivered<`,
		`data-testid="alert-checked">Checked at`, "none new. Next check at about")
}

// atHour is the test process's day at hour h (UTC).
func atHour(h int) time.Time {
	return clocktest.Now().UTC().Truncate(24 * time.Hour).Add(time.Duration(h) * time.Hour)
}

// A day ends, and Cloudflare reports it some hours later: the cost rules
// run after midnight see the day just ended as no usage at all, which is
// no anomaly and no drop; once it is reported, it is an ordinary day.
func TestCostRulesAcrossMidnight(t *testing.T) {
	t.Parallel()
	start := atHour(23).Add(30 * time.Minute)
	e := testenv.New(t, testenv.Options{Now: start})
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	e.ArrangeSpikeReportedAfter(team.ID, 3*time.Hour)
	base := url.Values{"kind": {"cost"}, "org": {team.ID}, "destination": {rec.URL}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}}
	for name, cond := range map[string]string{"Anomalies": "anomaly", "Moves": "move"} {
		v := url.Values{"name": {name}, "cond": {cond}, "pct": {"50"}}
		for k, x := range base {
			v[k] = x
		}
		makeRule(t, u, v)
	}
	ctx := context.Background()
	e.Alerts.RunOnce(ctx)
	if n := len(rec.messages()); n != 2 {
		t.Fatalf("%d messages before midnight, want one of each rule", n)
	}
	for _, step := range []time.Duration{61 * time.Minute, 3 * time.Hour} { // past midnight, then past the day's report
		e.Clock.Advance(step)
		e.Alerts.RunOnce(ctx)
		for _, m := range rec.messages()[2:] {
			t.Errorf("at %s the %s rule sent %+v", e.Clock.Now().Format(time.DateTime), m.msg.Rule.Name, m.msg.Cost)
		}
	}
}

// A digest rule sends last week's digest once, and the next week's after
// the week turns: cost (its total against the week before) and audit
// (failures, a new actor, member changes). The stack runs at noon: the
// hours it steps stay in the week.
func TestWeeklyDigestOncePerWeek(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{Now: atHour(12)})
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	spike := e.ArrangeSpike(team.ID)
	from, to := alerts.LastWeek(e.Clock.Now())
	newcomer := entry(team.ID, "77777777777777777777777777777777", "create", "organizations", from.Add(34*time.Hour))
	newcomer.Actor.Email, newcomer.Resource.Type, newcomer.Action.Result = "newcomer@northwind.example", "member", "failure"
	if err := e.Store.AddAuditEntry(newcomer); err != nil {
		t.Fatal(err)
	}
	makeRule(t, u, url.Values{"kind": {"digest"}, "name": {"Weekly"}, "org": {team.ID}, "destination": {rec.URL}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
	ctx := context.Background()
	e.Alerts.RunOnce(ctx)
	msgs := rec.messages()
	if len(msgs) != 1 || msgs[0].msg.Digest == nil {
		t.Fatalf("%d messages, want one digest", len(msgs))
	}
	d := msgs[0].msg.Digest
	for _, list := range []string{`"anomalies":[`, `"top_movers":[`, `"new_actors":[`} {
		if !strings.Contains(string(msgs[0].body), list) { // a list is a list, empty or not, never null
			t.Errorf("the digest's JSON lacks %s", list)
		}
	}
	week := func(a, b time.Time) float64 {
		t := 0.0
		for x := a; !x.After(b); x = x.AddDate(0, 0, 1) {
			t += map[bool]float64{true: 100, false: 10}[x.Equal(spike.Day)]
		}
		return t
	}
	if !d.From.Equal(from) || !d.To.Equal(to) || d.Cost == nil || d.Cost.Total != week(from, to) || d.Cost.Before != week(from.AddDate(0, 0, -7), to.AddDate(0, 0, -7)) {
		t.Errorf("the digest's week and cost: %v–%v %+v", d.From, d.To, d.Cost)
	}
	if a := d.Audit; a == nil || a.Failures < 1 || a.MemberChanges < 1 || !slices.Contains(a.NewActors, "newcomer@northwind.example") {
		t.Errorf("the digest's audit: %+v", d.Audit)
	}
	e.Clock.Advance(2 * time.Hour)
	e.Alerts.RunOnce(ctx)
	if n := len(rec.messages()); n != 1 {
		t.Errorf("%d digests in the same week, want 1", n)
	}
	e.Clock.Advance(7 * 24 * time.Hour)
	e.Alerts.RunOnce(ctx)
	if msgs := rec.messages(); len(msgs) != 2 || !msgs[1].msg.Digest.From.Equal(from.AddDate(0, 0, 7)) {
		t.Errorf("after a week: %d digests", len(msgs))
	}
}

// An audit rule sends by e-mail alone; a refusal by the SMTP server is
// logged failed; the rule is edited on its page (bad input keeps what was
// typed), and a stopped rule starts again with a new token.
func TestRuleEmailAndEdit(t *testing.T) {
	t.Parallel()
	mail := testenv.StartSMTP(t)
	e := testenv.New(t, testenv.Options{Mailer: mail.Mailer})
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	token := "orgboard-test-mail-token"
	if err := e.Store.AddToken(token, "alerts", localapi.RoleViewer, e.Org("Northwind Holdings").ID); err != nil {
		t.Fatal(err)
	}
	makeRule(t, u, url.Values{"name": {"DNS by mail"}, "org": {team.ID}, "q": {"action:delete product:dns"}, "emails": {"secops@northwind.example, oncall@northwind.example"},
		"quiet": {"0"}, "token": {token}})
	id := ruleID(t, u)
	ctx := context.Background()
	e.Store.AddAuditEntry(entry(team.ID, "33333333333333333333333333333333", "delete", "dns", e.Clock.Now().Add(time.Second)))
	e.Clock.Advance(2 * time.Second)
	e.Alerts.RunOnce(ctx)
	got := mail.Messages()
	if len(got) != 1 || len(got[0].To) != 2 || !strings.Contains(got[0].Data, "1 new audit entry matches") || !strings.Contains(got[0].Data, "<li>") {
		t.Fatalf("mail: %+v", got)
	}
	mail.Reject(errors.New("mailbox unavailable"))
	e.Store.AddAuditEntry(entry(team.ID, "44444444444444444444444444444444", "delete", "dns", e.Clock.Now().Add(time.Second)))
	e.Clock.Advance(2 * time.Second)
	e.Alerts.RunOnce(ctx)
	contains(t, "a refused e-mail", u.Get("/alerts/"+id), `data-testid="delivery-status">failed<`, "mailbox unavailable", "mailto:secops@northwind.example")
	mail.Reject(nil)

	contains(t, "the edit form", u.Get("/alerts/"+id+"/edit"), `value="DNS by mail"`, `value="action:delete product:dns"`, "secops@northwind.example, oncall@northwind.example",
		"Leave it empty to keep the rule's token")
	bad := u.Post("/alerts/"+id, url.Values{"name": {"DNS by mail"}, "org": {team.ID}, "q": {"action:delete product:dns"}, "emails": {"not-an-address"}, "quiet": {"0"}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad address: %d", bad.Status)
	}
	contains(t, "a bad address", bad, `data-testid="a-emails-err"`, `value="not-an-address"`)
	rec := newReceiver(t)
	ok := u.Post("/alerts/"+id, url.Values{"name": {"DNS deletions"}, "org": {team.ID}, "q": {"action:delete product:dns"}, "emails": {"secops@northwind.example"},
		"destination": {rec.URL}, "quiet": {"5"}})
	if ok.Status != http.StatusSeeOther {
		t.Fatalf("a good edit: %d %.500s", ok.Status, between(ok.Body, `data-testid="alert-form"`, "</form>"))
	}
	edited := u.Get(ok.Header.Get("Location"))
	contains(t, "the edited rule", edited, `data-testid="alert-saved"`, "DNS deletions", "5m0s", rec.URL)
	if !secretShown.MatchString(edited.Body) { // the rule has a webhook for the first time: its secret, once
		t.Error("the webhook given in an edit came without its secret")
	}
	if secretShown.MatchString(u.Get("/alerts/" + id).Body) {
		t.Error("the secret is shown twice")
	}

	// the token is revoked: the rule stops; an edit without a new token is refused, one with it starts it again
	e.Store.SetTokenStatus(token, "disabled")
	e.Alerts.RunOnce(ctx)
	form := url.Values{"name": {"DNS deletions"}, "org": {team.ID}, "q": {"action:delete product:dns"}, "emails": {"secops@northwind.example"}, "quiet": {"0"}}
	contains(t, "a stopped rule's edit", u.Post("/alerts/"+id, form), `data-testid="a-token-err"`, "stopped because its token no longer works")
	form.Set("token", localapi.DemoViewerToken)
	if r := u.Post("/alerts/"+id, form); r.Status != http.StatusSeeOther {
		t.Fatalf("a new token: %d", r.Status)
	}
	if page := u.Get("/alerts/" + id); strings.Contains(page.Body, `data-testid="alert-stopped"`) {
		t.Error("the rule still says it stopped after a new token")
	}
	e.Store.AddAuditEntry(entry(team.ID, "55555555555555555555555555555555", "delete", "dns", e.Clock.Now().Add(time.Second)))
	e.Clock.Advance(2 * time.Second)
	e.Alerts.RunOnce(ctx)
	if n := len(mail.Messages()); n != 2 {
		t.Errorf("%d e-mails after the rule started again, want 2", n)
	}
}

// Without SMTP settings, a rule with addresses is refused with a message
// saying so; a rule needs one destination at least; a cost rule needs its
// condition.
func TestAlertFormDestinations(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	r := u.Post("/alerts", url.Values{"name": {"x"}, "org": {team.ID}, "q": {"action:delete"}, "emails": {"a@example.com"}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
	contains(t, "no SMTP", r, `data-testid="a-emails-err"`, "no SMTP server")
	r = u.Post("/alerts", url.Values{"name": {"x"}, "org": {team.ID}, "q": {"action:delete"}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
	contains(t, "no destination", r, `data-testid="a-dest-err"`, "a webhook URL, e-mail addresses, or both")
	r = u.Post("/alerts", url.Values{"kind": {"cost"}, "name": {"x"}, "org": {team.ID}, "cond": {"move"}, "pct": {"0"}, "destination": {"https://hooks.example.com/x"}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
	contains(t, "a bad percentage", r, `data-testid="a-pct-err"`, `value="0"`)
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad percentage: %d", r.Status)
	}
}

// A cost rule in a reporting currency: the seeded anomaly of a team that
// spends in US dollars is sent in euros, converted at its month's rate and
// said to be; a currency the exchange-rate table lacks is refused on the form.
func TestCostRulesInAReportingCurrency(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{Now: atHour(12)})
	rec := newReceiver(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	spike := e.ArrangeSpike(team.ID)
	form := url.Values{"kind": {"cost"}, "org": {team.ID}, "destination": {rec.URL}, "quiet": {"0"}, "token": {localapi.DemoViewerToken},
		"name": {"Anomalies in euros"}, "cond": {"anomaly"}, "report_currency": {"XYZ"}}
	r := u.Post("/alerts", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "has no rate for XYZ") || !strings.Contains(r.Body, `value="Anomalies in euros"`) {
		t.Errorf("a currency without rates: %d %s", r.Status, snippet(r.Body, "a-report-err"))
	}
	form.Set("report_currency", "eur")
	makeRule(t, u, form)
	e.Alerts.RunOnce(context.Background())
	msgs := rec.messages()
	if len(msgs) != 1 || len(msgs[0].msg.Cost) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := msgs[0].msg.Cost[0]
	want, _, _ := usage.DefaultFX().Convert(100, "USD", "EUR", spike.Day)
	if got.Currency != "EUR" || !got.Converted || math.Abs(got.Value-want) > 0.005 || got.Day != spike.Day.Format(time.DateOnly) ||
		!strings.Contains(got.Text, "converted into EUR") {
		t.Errorf("the anomaly in euros: %+v, want %.2f EUR converted", got, want)
	}
	contains(t, "the rule keeps its currency", u.Get("/alerts/"+ruleID(t, u)+"/edit"), `<option value="EUR" selected>`)
}
