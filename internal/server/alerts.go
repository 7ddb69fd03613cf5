// alerts.go is the alerts page: the signed-in user's rules, made from a
// form (or a saved search), paused, resumed, deleted, tested, and each
// rule's delivery log.

package server

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

// Sealing purposes of a rule's secrets.
const (
	SealToken  = "alert rule token"
	SealSecret = "alert rule webhook secret"
)

// alertURL is a rule's page, or one of its actions ("edit", "pause",
// "resume", "delete", "test").
func alertURL(id int64, action string) string {
	r, ok := alertActions[action]
	if !ok {
		r = route.Alert
	}
	return route.Path(r, strconv.FormatInt(id, 10))
}

var alertActions = map[string]string{"edit": route.AlertEdit, "pause": route.AlertPause, "resume": route.AlertResume,
	"delete": route.AlertDelete, "test": route.AlertTest}

// ruleOwner is the name rules are kept under: the signed-in user's e-mail, or
// their token's key when the token may not read the user.
func (s *Server) ruleOwner(c echo.Context) string {
	if id := identity(c); id.Email != "" {
		return id.Email
	}
	return s.user(c)
}

func (s *Server) showAlerts(c echo.Context) error {
	f := templates.AlertForm{Kind: cmp.Or(c.QueryParam("kind"), string(alerts.KindAudit)), Name: c.QueryParam("name"), Org: c.QueryParam("org"),
		Query: c.QueryParam("q"), Quiet: "0", Descendants: c.QueryParam("sub") == "1"}
	var secret *templates.AlertSecret
	flash := ""
	if n := c.QueryParam("deleted"); n != "" {
		flash = "Rule “" + n + "” deleted."
	}
	if id, err := strconv.ParseInt(c.QueryParam("made"), 10, 64); err == nil {
		r, ok, err := s.alerts.Store.Get(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if ok && r.Owner == s.ruleOwner(c) {
			flash = "Rule “" + r.Name + "” made: it sends what it finds from now on."
			if secret, err = s.takeSecret(c, r); err != nil {
				return err
			}
		}
	}
	return s.alertsPage(c, http.StatusOK, f, secret, flash)
}

// takeSecret is a rule's webhook secret the first time it is asked for
// once the rule has a webhook (nil after: it is shown once).
func (s *Server) takeSecret(c echo.Context, r alerts.Rule) (*templates.AlertSecret, error) {
	if r.Webhook == "" {
		return nil, nil // kept for the webhook the rule may be given later
	}
	sealed, ok, err := s.alerts.Store.TakeSecret(c.Request().Context(), r.ID)
	if err != nil || !ok {
		return nil, err
	}
	_, secret, err := s.alerts.Engine.Open(alerts.Rule{Token: r.Token, Secret: sealed})
	if err != nil {
		return nil, err
	}
	return &templates.AlertSecret{Rule: r.Name, Secret: secret}, nil
}

// orgOptions fills the form's choice of organizations: each by its path
// from the top, in the tree's order, so that typing part of a name finds
// it where it sits (app.js filters the list as one types).
func (s *Server) orgOptions(c echo.Context, f *templates.AlertForm) error {
	orgs, err := s.readableOrgs(c)
	if err != nil {
		return err
	}
	byID := make(map[string]api.Organization, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	path := func(o api.Organization) []string {
		out := []string{o.Name}
		for p, n := o.Parent, 0; p != nil && n < maxCrumbs; n++ {
			parent, ok := byID[p.ID]
			if !ok {
				break
			}
			out, p = append([]string{parent.Name}, out...), parent.Parent
		}
		return out
	}
	type entry struct {
		id   string
		path []string
	}
	list := make([]entry, 0, len(orgs))
	for _, o := range orgs {
		list = append(list, entry{o.ID, path(o)})
	}
	slices.SortFunc(list, func(a, b entry) int { return slices.Compare(a.path, b.path) })
	for _, e := range list {
		f.Orgs = append(f.Orgs, templates.Option{Value: e.id, Label: strings.Join(e.path, " › "), Selected: e.id == f.Org})
	}
	f.Reports = reportOptions(f.Report)
	return nil
}

func (s *Server) alertsPage(c echo.Context, status int, f templates.AlertForm, secret *templates.AlertSecret, flash string) error {
	rules, err := s.alerts.Store.List(c.Request().Context())
	if err != nil {
		return err
	}
	f.Action, f.Mail = route.Alerts, s.alerts.Engine.Mailer != nil
	if err := s.orgOptions(c, &f); err != nil {
		return err
	}
	names := map[string]string{}
	for _, o := range f.Orgs {
		names[o.Value] = o.Label
	}
	v := templates.AlertsView{Form: f, Secret: secret, Flash: flash, CSRF: s.csrf(c)}
	me := s.ruleOwner(c)
	for _, r := range rules {
		if r.Owner == me {
			v.Rules = append(v.Rules, s.ruleRow(r, names))
		}
	}
	return render(c, status, templates.Alerts(s.page(c, "Alerts"), v))
}

// watches says what a rule watches.
func watches(r alerts.Rule) string {
	switch r.KindOrAudit() {
	case alerts.KindCost:
		switch r.Condition {
		case alerts.CondBudget:
			return "Cost: the month's total or forecast reaches the budget"
		case alerts.CondAnomaly:
			return "Cost: an anomaly in a product family"
		case alerts.CondMove:
			return "Cost: a product family's daily cost moves more than " + strconv.FormatFloat(r.Threshold, 'f', -1, 64) + "%"
		}
		return "Cost"
	case alerts.KindDigest:
		return "Weekly digest of cost and audit"
	}
	return r.Query
}

func (s *Server) ruleRow(r alerts.Rule, names map[string]string) templates.AlertRuleRow {
	name := names[r.Org]
	if name == "" {
		name = r.Org
	}
	quiet := "none"
	if r.Quiet > 0 {
		quiet = r.Quiet.String()
	}
	last := "never"
	if !r.LastSent.IsZero() {
		last = r.LastSent.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	return templates.AlertRuleRow{ID: strconv.FormatInt(r.ID, 10), Name: r.Name, Org: name, OrgURL: route.Path(route.Org, r.Org), Query: r.Query, Webhook: r.Webhook,
		Emails: strings.Join(r.Emails, ", "), Watches: watches(r), Audit: r.KindOrAudit() == alerts.KindAudit,
		Quiet: quiet, Status: r.Status, LastSent: last, Paused: r.Paused, Stopped: r.Status != "", Slack: r.Slack, Descendants: r.Descendants,
		URL: alertURL(r.ID, ""), PauseURL: alertURL(r.ID, "pause"), ResumeURL: alertURL(r.ID, "resume"), DeleteURL: alertURL(r.ID, "delete"),
		TestURL: alertURL(r.ID, "test"), EditURL: alertURL(r.ID, "edit"), Checked: s.checkedText(r)}
}

// checkedText says when a cost rule was last checked, what it found and
// when it is checked next ("" for an audit rule, checked at every run).
func (s *Server) checkedText(r alerts.Rule) string {
	if r.KindOrAudit() == alerts.KindAudit || r.Paused || r.Status != "" {
		return ""
	}
	ch, ok := s.alerts.Engine.LastCheck(r.ID)
	if !ok {
		return "Not checked yet since the console started: the first check comes within " + alerts.DefaultInterval.String() + " of it."
	}
	at, next := ch.At.UTC().Format("15:04 UTC"), ch.Next.UTC().Format("15:04 UTC")
	switch {
	case ch.Err != "":
		return "Checked at " + at + ", which failed (" + ch.Err + "); checked again at about " + next + "."
	case ch.Found == 0:
		return "Checked at " + at + ": nothing found. Next check at about " + next + "."
	}
	sent := "none new"
	if ch.New > 0 {
		sent = templates.Count(int64(ch.New), "new one sent", "new ones sent")
	}
	return "Checked at " + at + ": " + templates.Count(int64(ch.Found), "finding", "findings") + ", " + sent + ". Next check at about " + next + "."
}

// createAlert makes a rule from the form: every field checked, the token
// verified against Cloudflare and the rule's organization; on a mistake
// the form comes back as typed (but the token, which is never shown).
// Made, it redirects to the list, which shows the webhook's secret once.
func (s *Server) createAlert(c echo.Context) error {
	f := alertForm(c)
	token := strings.TrimSpace(c.FormValue("token"))
	r := alerts.Rule{Owner: s.ruleOwner(c), Created: s.now()}
	s.checkAlertForm(c, &f, &r)
	s.checkToken(c, &f, token, false)
	if len(f.Errors) > 0 {
		return s.alertsPage(c, http.StatusUnprocessableEntity, f, nil, "")
	}
	ts, _ := s.api.WithToken(token).VerifyToken(c.Request().Context())
	secret := make([]byte, 24)
	rand.Read(secret)
	r.Token, r.TokenID, r.Secret = s.alerts.Seal(SealToken, token), ts.ID, s.alerts.Seal(SealSecret, hex.EncodeToString(secret))
	r.Cursor = alerts.Cursor{Time: s.now().UnixMicro()} // entries from now on
	id, err := s.alerts.Store.Create(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, route.Alerts+"?made="+strconv.FormatInt(id, 10))
}

// checkRuleToken verifies a rule's token: active, and able to read the
// rule's organization.
func (s *Server) checkRuleToken(c echo.Context, token, org string, descendants bool) string {
	client := s.clientFor(token)
	ts, err := client.VerifyToken(c.Request().Context())
	var ae *api.Error
	switch {
	case errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden):
		return "Cloudflare does not accept this token."
	case err != nil:
		return "The token could not be checked now (Cloudflare did not answer): try again."
	case ts.Status != "active":
		return "This token is " + ts.Status + ": give an active one."
	}
	if _, err := alerts.Readable(c.Request().Context(), client, org, descendants); err != nil {
		return "This token may not read the rule's organization."
	}
	return ""
}

func firstUpper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ownRule is the rule of the path, when the signed-in user owns it.
func (s *Server) ownRule(c echo.Context) (alerts.Rule, error) {
	id, err := strconv.ParseInt(c.Param("rule"), 10, 64)
	if err != nil {
		return alerts.Rule{}, &userError{status: http.StatusNotFound, title: "No such rule", message: "That alert rule does not exist."}
	}
	r, ok, err := s.alerts.Store.Get(c.Request().Context(), id)
	if err != nil {
		return r, err
	}
	if !ok || r.Owner != s.ruleOwner(c) {
		return r, &userError{status: http.StatusNotFound, title: "No such rule", message: "That alert rule does not exist, or it is someone else's."}
	}
	return r, nil
}

// showAlertRule is a rule's page; after "send a test" (?tested=1) it says
// the newest test's answer.
func (s *Server) showAlertRule(c echo.Context) error {
	r, err := s.ownRule(c)
	if err != nil {
		return err
	}
	ds, err := s.alerts.Store.Deliveries(c.Request().Context(), r.ID, 200)
	if err != nil {
		return err
	}
	var tests []alerts.Delivery // the newest test's answers
	if c.QueryParam("tested") == "1" {
		for _, d := range ds {
			if strings.HasPrefix(d.Status, "test") && (len(tests) == 0 || d.At.Equal(tests[0].At)) {
				tests = append(tests, d)
			}
		}
	}
	names := map[string]string{}
	if o, err := s.getOrg(c, r.Org); err == nil {
		names[o.ID] = o.Name
	}
	v := templates.AlertRuleView{Rule: s.ruleRow(r, names), CSRF: s.csrf(c), Saved: c.QueryParam("saved") == "1"}
	if v.Secret, err = s.takeSecret(c, r); err != nil { // a webhook given since the rule was made
		return err
	}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryRow(d))
	}
	for _, t := range tests {
		v.Tests = append(v.Tests, deliveryRow(t))
	}
	return render(c, http.StatusOK, templates.AlertRule(s.page(c, r.Name), v))
}

func deliveryRow(d alerts.Delivery) templates.AlertDelivery {
	code := ""
	if d.Code != 0 {
		code = strconv.Itoa(d.Code)
	}
	return templates.AlertDelivery{AtISO: d.At.UTC().Format(time.RFC3339), AtUTC: d.At.UTC().Format("2 Jan 2006 15:04:05 UTC"), Destination: d.Destination, Status: d.Status,
		Code: code, Error: d.Error, Attempts: strconv.Itoa(d.Attempts), Entries: strconv.Itoa(d.Entries),
		Failed: d.Status == "failed" || d.Status == "test failed" || d.Status == "stopped"}
}

// setPaused pauses or resumes a rule (a stopped rule resumes only with a
// new token: its status stays until then).
func (s *Server) setPaused(paused bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := s.ownRule(c)
		if err != nil {
			return err
		}
		r.Paused, r.Token = paused, nil
		if err := s.alerts.Store.Update(c.Request().Context(), r); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, route.Alerts)
	}
}

func (s *Server) deleteAlert(c echo.Context) error {
	r, err := s.ownRule(c)
	if err != nil {
		return err
	}
	if err := s.alerts.Store.Delete(c.Request().Context(), r.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, route.Alerts+"?"+url.Values{"deleted": {r.Name}}.Encode())
}

// testAlert sends a sample message at once and shows the answer.
func (s *Server) testAlert(c echo.Context) error {
	r, err := s.ownRule(c)
	if err != nil {
		return err
	}
	if _, err := s.alerts.Engine.Test(c.Request().Context(), r); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, alertURL(r.ID, "")+"?tested=1") // a reload shows the answer, and sends nothing
}
