// alerts.go is the alerts page: the signed-in user's rules, made from a
// form (or a saved search), paused, resumed, deleted, tested, and each
// rule's delivery log.

package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/web/templates"
)

// Alerts is what the alerts page needs.
type Alerts struct {
	Store  alerts.Store
	Engine *alerts.Engine
	// Seal keeps a secret with the console's key (a rule's token).
	Seal func(purpose, secret string) []byte
}

// Sealing purposes of a rule's secrets.
const (
	SealToken  = "alert rule token"
	SealSecret = "alert rule webhook secret"
)

const pathAlerts = "/alerts"

func alertURL(id int64, action string) string {
	u := pathAlerts + "/" + strconv.FormatInt(id, 10)
	if action != "" {
		u += "/" + action
	}
	return u
}

// ruleOwner is the name rules are kept under: the signed-in user's e-mail, or
// their token's key when the token may not read the user.
func (s *Server) ruleOwner(c echo.Context) string {
	if id := identity(c); id.Email != "" {
		return id.Email
	}
	return s.user(c)
}

func (s *Server) showAlerts(c echo.Context) error {
	f := templates.AlertForm{Name: c.QueryParam("name"), Org: c.QueryParam("org"), Query: c.QueryParam("q"), Quiet: "0",
		Descendants: c.QueryParam("sub") == "1"}
	return s.alertsPage(c, http.StatusOK, f, nil, "")
}

func (s *Server) alertsPage(c echo.Context, status int, f templates.AlertForm, secret *templates.AlertSecret, flash string) error {
	rules, err := s.alerts.Store.List(c.Request().Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	orgs, err := s.readableOrgs(c)
	if err != nil {
		return err
	}
	f.Action = pathAlerts
	for _, o := range orgs {
		names[o.ID] = o.Name
		f.Orgs = append(f.Orgs, templates.Option{Value: o.ID, Label: o.Name, Selected: o.ID == f.Org})
	}
	slices.SortFunc(f.Orgs, func(a, b templates.Option) int { return strings.Compare(a.Label, b.Label) })
	v := templates.AlertsView{Form: f, Secret: secret, Flash: flash, CSRF: s.csrf(c)}
	me := s.ruleOwner(c)
	for _, r := range rules {
		if r.Owner == me {
			v.Rules = append(v.Rules, ruleRow(r, names))
		}
	}
	return render(c, status, templates.Alerts(s.page(c, "Alerts"), v))
}

func ruleRow(r alerts.Rule, names map[string]string) templates.AlertRuleRow {
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
	return templates.AlertRuleRow{ID: strconv.FormatInt(r.ID, 10), Name: r.Name, Org: name, OrgURL: orgURL(r.Org), Query: r.Query, Webhook: r.Webhook,
		Quiet: quiet, Status: r.Status, LastSent: last, Paused: r.Paused, Stopped: r.Status != "", Slack: r.Slack, Descendants: r.Descendants,
		URL: alertURL(r.ID, ""), PauseURL: alertURL(r.ID, "pause"), ResumeURL: alertURL(r.ID, "resume"), DeleteURL: alertURL(r.ID, "delete"),
		TestURL: alertURL(r.ID, "test")}
}

// createAlert makes a rule from the form: every field checked, the token
// verified against Cloudflare and the rule's organization; on a mistake
// the form comes back as typed (but the token, which is never shown).
func (s *Server) createAlert(c echo.Context) error {
	f := templates.AlertForm{Name: strings.TrimSpace(c.FormValue("name")), Org: c.FormValue("org"), Query: strings.TrimSpace(c.FormValue("q")),
		Destination: strings.TrimSpace(c.FormValue("destination")), Quiet: strings.TrimSpace(c.FormValue("quiet")),
		Slack: c.FormValue("slack") == "1", Descendants: c.FormValue("sub") == "1", Errors: templates.FieldErrors{}}
	token := strings.TrimSpace(c.FormValue("token"))
	r := alerts.Rule{Name: f.Name, Owner: s.ruleOwner(c), Org: f.Org, Descendants: f.Descendants, Query: f.Query, Webhook: f.Destination, Slack: f.Slack,
		Created: s.now()}
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		f.Errors["name"] = "Give the rule a name, for example “DNS deletions”."
	case n > 100 || strings.ContainsFunc(f.Name, func(r rune) bool { return r < ' ' }):
		f.Errors["name"] = "A name is at most 100 characters, on one line."
	}
	if !api.ValidID(f.Org) {
		f.Errors["org"] = "Choose an organization."
	} else if _, err := s.getOrg(c, f.Org); err != nil {
		f.Errors["org"] = "Your token may not read that organization."
	}
	if f.Query == "" {
		f.Errors["q"] = "Give the query whose new entries the rule sends, for example action:delete."
	} else if _, err := audit.Parse(f.Query, s.now()); err != nil {
		f.Errors["q"] = "The query is not valid: " + err.Error()
	}
	if err := s.alerts.Engine.Guard.Check(f.Destination); err != nil {
		f.Errors["destination"] = firstUpper(err.Error()) + "."
	}
	if f.Quiet == "" {
		f.Quiet = "0"
	}
	if m, err := strconv.Atoi(f.Quiet); err != nil || m < 0 || m > 24*60 {
		f.Errors["quiet"] = "Minutes from 0 to 1440 (a day)."
	} else {
		r.Quiet = time.Duration(m) * time.Minute
	}
	if token == "" {
		f.Errors["token"] = "Give the rule a token of its own (a read-only one is enough)."
	} else if len(f.Errors) == 0 {
		if msg := s.checkRuleToken(c, token, f.Org, f.Descendants); msg != "" {
			f.Errors["token"] = msg
		}
	} else {
		f.Errors["token"] = "Enter the token again: it is never shown back."
	}
	if len(f.Errors) > 0 {
		return s.alertsPage(c, http.StatusUnprocessableEntity, f, nil, "")
	}
	ts, _ := s.api.WithToken(token).VerifyToken(c.Request().Context())
	secret := make([]byte, 24)
	rand.Read(secret)
	hexSecret := hex.EncodeToString(secret)
	r.Token, r.TokenID, r.Secret = s.alerts.Seal(SealToken, token), ts.ID, s.alerts.Seal(SealSecret, hexSecret)
	r.Cursor = alerts.Cursor{Time: s.now().UnixMicro()} // entries from now on
	if _, err := s.alerts.Store.Create(c.Request().Context(), r); err != nil {
		return err
	}
	return s.alertsPage(c, http.StatusCreated, templates.AlertForm{Quiet: "0"}, &templates.AlertSecret{Rule: r.Name, Secret: hexSecret},
		"Rule “"+r.Name+"” made: it sends the matches found after each sync, from now on.")
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
	var test *alerts.Delivery
	if c.QueryParam("tested") == "1" {
		for i := range ds {
			if strings.HasPrefix(ds[i].Status, "test") {
				test = &ds[i]
				break
			}
		}
	}
	names := map[string]string{}
	if o, err := s.getOrg(c, r.Org); err == nil {
		names[o.ID] = o.Name
	}
	v := templates.AlertRuleView{Rule: ruleRow(r, names), CSRF: s.csrf(c)}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryRow(d))
	}
	if test != nil {
		row := deliveryRow(*test)
		v.Test = &row
	}
	return render(c, http.StatusOK, templates.AlertRule(s.page(c, r.Name), v))
}

func deliveryRow(d alerts.Delivery) templates.AlertDelivery {
	code := ""
	if d.Code != 0 {
		code = strconv.Itoa(d.Code)
	}
	return templates.AlertDelivery{AtISO: d.At.UTC().Format(time.RFC3339), AtUTC: d.At.UTC().Format("2 Jan 2006 15:04:05 UTC"), Status: d.Status,
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
		return c.Redirect(http.StatusSeeOther, pathAlerts)
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
	return c.Redirect(http.StatusSeeOther, pathAlerts+"?"+url.Values{"deleted": {r.Name}}.Encode())
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
