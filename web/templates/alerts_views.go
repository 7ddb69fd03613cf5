// alerts_views.go is the view structs of the alerts page.

package templates

// AlertsView is the signed-in user's alert rules and the form for a new one.
type AlertsView struct {
	Rules  []AlertRuleRow
	Form   AlertForm
	Secret *AlertSecret // shown once, after a rule is made
	Flash  string
	CSRF   string
}

// AlertRuleRow is one rule in the list.
type AlertRuleRow struct {
	ID, Name, Org, OrgURL, Query, Webhook, Emails, Quiet, Status, LastSent string
	Watches                                                                string // what the rule watches, in words
	Checked                                                                string // a cost rule's last check and next one, in words
	Audit, Paused, Stopped, Slack, Descendants                             bool
	URL, PauseURL, ResumeURL, DeleteURL, TestURL, EditURL                  string
}

// AlertForm is a new rule as typed, with its mistakes by field.
type AlertForm struct {
	Action, Kind, Name, Org, Query, Cond, Pct, Destination, Emails, Quiet, Report string
	Slack, Descendants                                                            bool
	Edit                                                                          bool // the form edits a rule (its kind stays; the token is optional)
	TokenNeeded                                                                   bool // the rule stopped: a new token is needed
	Mail                                                                          bool // the console can send e-mail
	Orgs                                                                          []Option
	Reports                                                                       []Option // a cost rule's reporting currency
	Errors                                                                        FieldErrors
}

// AlertEditView is a rule's edit form.
type AlertEditView struct {
	Form AlertForm
	CSRF string
	Back string
}

// AlertSecret is a new rule's webhook secret, shown once.
type AlertSecret struct {
	Rule, Secret string
}

// AlertRuleView is one rule with its delivery log.
type AlertRuleView struct {
	Rule       AlertRuleRow
	Saved      bool         // the rule was just edited
	Secret     *AlertSecret // shown once, when the rule first has a webhook
	Deliveries []AlertDelivery
	Tests      []AlertDelivery // the answers to "send a test", one per destination
	CSRF       string
}

// AlertDelivery is one line of a rule's delivery log.
type AlertDelivery struct {
	AtISO, AtUTC, Destination, Status, Code, Error, Attempts, Entries string
	Failed                                                            bool
}

// FieldProblem is one mistake of a form: the field's element ID and the message.
type FieldProblem struct{ Field, Message string }

// ErrorList is the form's mistakes in the order of its fields, each with the
// ID of the field it is about, for the summary at the top.
func (f AlertForm) ErrorList() []FieldProblem {
	order := []struct{ key, id string }{{"kind", "a-name"}, {"name", "a-name"}, {"org", "a-org"}, {"q", "a-q"}, {"cond", "a-pct"}, {"pct", "a-pct"},
		{"destination", "a-dest"}, {"emails", "a-emails"}, {"quiet", "a-quiet"}, {"token", "a-token"}}
	var out []FieldProblem
	seen := map[string]bool{}
	for _, o := range order {
		if m := f.Errors[o.key]; m != "" {
			out = append(out, FieldProblem{Field: o.id, Message: m})
			seen[o.key] = true
		}
	}
	for k, m := range f.Errors { // any other, last
		if !seen[k] {
			out = append(out, FieldProblem{Field: "a-name", Message: m})
		}
	}
	return out
}
