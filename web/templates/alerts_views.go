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
	ID, Name, Org, OrgURL, Query, Webhook, Quiet, Status, LastSent string
	Paused, Stopped, Slack, Descendants                            bool
	URL, PauseURL, ResumeURL, DeleteURL, TestURL                   string
}

// AlertForm is a new rule as typed, with its mistakes by field.
type AlertForm struct {
	Action, Name, Org, Query, Destination, Quiet string
	Slack, Descendants                           bool
	Orgs                                         []Option
	Errors                                       FieldErrors
}

// AlertSecret is a new rule's webhook secret, shown once.
type AlertSecret struct {
	Rule, Secret string
}

// AlertRuleView is one rule with its delivery log.
type AlertRuleView struct {
	Rule       AlertRuleRow
	Deliveries []AlertDelivery
	Test       *AlertDelivery // the answer to "send a test"
	CSRF       string
}

// AlertDelivery is one line of a rule's delivery log.
type AlertDelivery struct {
	AtISO, AtUTC, Status, Code, Error, Attempts, Entries string
	Failed                                               bool
}
