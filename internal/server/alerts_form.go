// alerts_form.go reads a rule's form (to make a rule, or to edit one):
// every field checked, with a message per field, and the form kept as
// typed (but the token, which is never shown back).

package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// maxEmails is how many addresses a rule sends to.
const maxEmails = 10

// alertForm is the form as typed.
func alertForm(c echo.Context) templates.AlertForm {
	f := templates.AlertForm{Kind: c.FormValue("kind"), Name: strings.TrimSpace(c.FormValue("name")), Org: c.FormValue("org"),
		Query: strings.TrimSpace(c.FormValue("q")), Cond: c.FormValue("cond"), Pct: strings.TrimSpace(c.FormValue("pct")),
		Destination: strings.TrimSpace(c.FormValue("destination")), Emails: strings.TrimSpace(c.FormValue("emails")), Report: strings.ToUpper(strings.TrimSpace(c.FormValue("report_currency"))),
		Quiet: strings.TrimSpace(c.FormValue("quiet")), Slack: c.FormValue("slack") == "1", Descendants: c.FormValue("sub") == "1",
		Errors: templates.FieldErrors{}}
	if f.Kind == "" {
		f.Kind = string(alerts.KindAudit)
	}
	if f.Quiet == "" {
		f.Quiet = "0"
	}
	return f
}

// formOf is a rule's settings as its edit form shows them.
func formOf(r alerts.Rule) templates.AlertForm {
	f := templates.AlertForm{Kind: string(r.KindOrAudit()), Name: r.Name, Org: r.Org, Query: r.Query, Cond: string(r.Condition),
		Destination: r.Webhook, Emails: strings.Join(r.Emails, ", "), Quiet: strconv.Itoa(int(r.Quiet / time.Minute)), Slack: r.Slack,
		Descendants: r.Descendants, Edit: true, TokenNeeded: r.Status != "", Report: r.Report}
	if r.Threshold > 0 {
		f.Pct = strconv.FormatFloat(r.Threshold, 'f', -1, 64)
	}
	return f
}

// checkAlertForm checks f into r (whose kind, owner and token it keeps),
// writing a message per mistake into f.Errors.
func (s *Server) checkAlertForm(c echo.Context, f *templates.AlertForm, r *alerts.Rule) {
	r.Name, r.Org, r.Descendants, r.Webhook, r.Slack = f.Name, f.Org, f.Descendants, f.Destination, f.Slack
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
	switch alerts.Kind(f.Kind) {
	case alerts.KindAudit:
		r.Kind, r.Query = alerts.KindAudit, f.Query
		if f.Query == "" {
			f.Errors["q"] = "Give the query whose new entries the rule sends, for example action:delete."
		} else if _, err := audit.Parse(f.Query, s.now()); err != nil {
			f.Errors["q"] = "The query is not valid: " + err.Error()
		}
	case alerts.KindCost:
		r.Kind, r.Query, r.Condition = alerts.KindCost, "", alerts.Condition(f.Cond)
		s.checkCondition(f, r)
		s.checkReport(c, f, r)
	case alerts.KindDigest:
		r.Kind, r.Query = alerts.KindDigest, ""
		s.checkReport(c, f, r)
	default:
		f.Errors["kind"] = "Choose what the rule watches."
	}
	s.checkDestinations(f, r)
	if m, err := strconv.Atoi(f.Quiet); err != nil || m < 0 || m > 24*60 {
		f.Errors["quiet"] = "Minutes from 0 to 1440 (a day)."
	} else {
		r.Quiet = time.Duration(m) * time.Minute
	}
}

// checkCondition checks a cost rule's condition and percentage.
func (s *Server) checkCondition(f *templates.AlertForm, r *alerts.Rule) {
	r.Threshold = 0
	switch r.Condition {
	case alerts.CondBudget, alerts.CondAnomaly:
	case alerts.CondMove:
		p, err := strconv.ParseFloat(strings.TrimSuffix(f.Pct, "%"), 64)
		if err != nil || p < 1 || p > 1000 {
			f.Errors["pct"] = "A percentage from 1 to 1000, for example 25."
			return
		}
		r.Threshold = p
	default:
		f.Errors["cond"] = "Choose what the cost rule watches."
	}
}

// checkReport checks a cost rule's reporting currency: one the
// organization's exchange-rate table converts.
func (s *Server) checkReport(c echo.Context, f *templates.AlertForm, r *alerts.Rule) {
	r.Report = ""
	if f.Report == "" {
		return
	}
	if !usage.ValidCurrency(f.Report) {
		f.Errors["report_currency"] = "A currency code, such as USD or EUR."
		return
	}
	if f.Errors["org"] == "" {
		if _, err := s.pricing(c, f.Org, f.Report); err != nil {
			f.Errors["report_currency"] = "The organization's exchange-rate table has no rate for " + f.Report + "."
			return
		}
	}
	r.Report = f.Report
}

// checkDestinations checks the webhook and the e-mail addresses: one of
// them at least.
func (s *Server) checkDestinations(f *templates.AlertForm, r *alerts.Rule) {
	if f.Destination != "" {
		if err := s.alerts.Engine.Guard.Check(f.Destination); err != nil {
			f.Errors["destination"] = firstUpper(err.Error()) + "."
		}
	}
	r.Emails = nil
	for _, a := range strings.FieldsFunc(f.Emails, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		addr, err := alerts.CheckAddress(a)
		if err != nil {
			f.Errors["emails"] = firstUpper(err.Error()) + "."
			break
		}
		if !slices.Contains(r.Emails, addr) {
			r.Emails = append(r.Emails, addr)
		}
	}
	switch {
	case f.Errors["emails"] != "":
	case len(r.Emails) > maxEmails:
		f.Errors["emails"] = "At most " + strconv.Itoa(maxEmails) + " addresses (a list address reaches more)."
	case len(r.Emails) > 0 && s.alerts.Engine.Mailer == nil:
		f.Errors["emails"] = "This console has no SMTP server to send e-mail with: its operator sets --smtp-host."
	case f.Destination == "" && len(r.Emails) == 0:
		f.Errors["destination"] = "Give a webhook URL, e-mail addresses, or both."
	}
}

// checkToken checks the token typed (required unless optional) against
// the rule's organization; on another mistake it asks for it again.
func (s *Server) checkToken(c echo.Context, f *templates.AlertForm, token string, optional bool) {
	switch {
	case token == "" && optional:
	case token == "":
		f.Errors["token"] = "Give the rule a token of its own (a read-only one is enough)."
		if f.TokenNeeded {
			f.Errors["token"] = "The rule stopped because its token no longer works: give it a new one."
		}
	case len(f.Errors) > 0:
		f.Errors["token"] = "Enter the token again: it is never shown back."
	default:
		if msg := s.checkRuleToken(c, token, f.Org, f.Descendants); msg != "" {
			f.Errors["token"] = msg
		}
	}
}

// editAlertPage is a rule's edit form.
func (s *Server) editAlertPage(c echo.Context, status int, r alerts.Rule, f templates.AlertForm) error {
	f.Action, f.Edit, f.TokenNeeded = alertURL(r.ID, ""), true, r.Status != ""
	if err := s.orgOptions(c, &f); err != nil {
		return err
	}
	f.Mail = s.alerts.Engine.Mailer != nil
	return render(c, status, templates.AlertEdit(s.page(c, "Edit “"+r.Name+"”"), templates.AlertEditView{Form: f, CSRF: s.csrf(c), Back: alertURL(r.ID, "")}))
}

func (s *Server) showEditAlert(c echo.Context) error {
	r, err := s.ownRule(c)
	if err != nil {
		return err
	}
	return s.editAlertPage(c, http.StatusOK, r, formOf(r))
}

// updateAlert saves an edited rule: its kind stays; a new token (needed
// when the rule stopped) is checked, and starts the rule again.
func (s *Server) updateAlert(c echo.Context) error {
	r, err := s.ownRule(c)
	if err != nil {
		return err
	}
	f := alertForm(c)
	f.Kind, f.TokenNeeded = string(r.KindOrAudit()), r.Status != ""
	token := strings.TrimSpace(c.FormValue("token"))
	before := r
	s.checkAlertForm(c, &f, &r)
	moved := r.Org != before.Org || r.Descendants != before.Descendants
	s.checkToken(c, &f, token, !f.TokenNeeded && !moved)
	if token == "" && moved && f.Errors["token"] != "" {
		f.Errors["token"] = "The rule's organization changed: give its token again, to check it may read it."
	}
	if len(f.Errors) > 0 {
		return s.editAlertPage(c, http.StatusUnprocessableEntity, before, f)
	}
	r.Token = nil
	if token != "" {
		ts, _ := s.api.WithToken(token).VerifyToken(c.Request().Context())
		r.Token, r.TokenID, r.Status = s.alerts.Seal(SealToken, token), ts.ID, ""
	}
	if err := s.alerts.Store.Update(c.Request().Context(), r); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, alertURL(r.ID, "")+"?saved=1")
}
