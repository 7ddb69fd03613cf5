// usage_views.go is the view structs of the usage tab.

package templates

// UsageView is the usage and cost tab of an organization.
type UsageView struct {
	PanelURL     string // the panel's own URL with the current query (polling, htmx)
	Form         UsageForm
	Filters      []UsageFilter
	Loading      *UsageProgress
	Partial      bool          // the report holds what has arrived so far, under the progress
	Mover        string        // the top mover's group
	MoverChanges *UsageChanges // the audit entries on it in the range
	Confirm      *UsageConfirm // a large fetch waits for the user's go
	Notices      []string
	BudgetAlert  string // an overrun, said plainly
	Gaps         []string
	RetryURL     string
	CSRF         string
	KPIs         []UsageKPI
	Charts       []UsageChart
	Anomalies    []UsageAnomaly
	MoM          *UsageMoM
	PoP          *UsageMoM // each group against the period before
	Rest         *UsageMoM // the groups the chart leaves out
	Budget       UsageBudgetForm
	ExportCSV    string
	ExportJSON   string
	ExportFOCUS  string // the stored records as FOCUS 1.3 rows
	AlertURL     string // a new cost rule on this organization
	Empty        bool   // no usage in the range
	EmptyNote    string // what that means (on the 1st of a month: the forecast still stands)
	Methods      []string
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// UsageForm is the range and grouping controls.
type UsageForm struct {
	Action                                   string
	From, To                                 string
	Presets, Scopes, Groups, Steps, Measures []Option
	Reports                                  []Option // the reporting currency: each as billed, or one
	Denoms, Styles                           []Option
	Hidden                                   []UsageFilter // drill-down filters carried by the form
	Error                                    string
}

// UsageFilter is one drill-down filter.
type UsageFilter struct {
	Param, Value, Label, RemoveURL string
}

// UsageProgress is a fetch still running.
type UsageProgress struct {
	Done, Total, Failed int
	Records             string
	Time                string // what the calls left take at the token's budget
	PollURL             string
}

// UsageConfirm asks before a fetch of many calls.
type UsageConfirm struct {
	Calls  string // "1,040 calls"
	Time   string // at the token's budget
	Action string // POST here to start it
}

// UsageKPI is one tile.
type UsageKPI struct {
	Label, Value, Note, TestID string
}

// UsageChart is one chart with its table view.
type UsageChart struct {
	Name, Title, Options, Drill, CSVURL string
	Wide                                bool
	Tall                                bool // many parts: a taller chart
	Note                                string
	Head                                []string
	Rows                                []UsageRow
	Foot                                []string // the totals row, or none
	Unit                                string   // what the chart's numbers are in (its tooltips say it)
}

// UsageRow is one row of a chart's table; Link drills down on its first cell.
type UsageRow struct {
	Cells []string
	Link  string
}

// UsageAnomaly is one listed anomaly.
type UsageAnomaly struct {
	Day, Label, Value, Baseline, Jump, Link string
	Changes                                 UsageChanges
}

// UsageChanges are the audit entries near a cost change.
type UsageChanges struct {
	Entries    []UsageChange
	More       bool   // more than listed: the search has them all
	SearchURL  string // the audit search of them
	NotIndexed bool   // the audit index does not reach those days yet
	Failed     bool
	// Unexplained names a product family no audit product is known to
	// move: the index holds nothing that could explain it.
	Unexplained string
}

// UsageChange is one audit entry near a cost change.
type UsageChange struct {
	TimeISO, TimeUTC        string // shown in the reader's zone
	What, Who, Product, URL string
}

// UsageMoM is the month-over-month table.
type UsageMoM struct {
	Title string
	Head  []string
	Rows  []UsageRow
	Foot  []string
}

// UsageBudgetForm sets the organization's monthly budget.
type UsageBudgetForm struct {
	Action, CSRF, Amount, Currency, Error, Saved string
	Currencies                                   []string
	Note                                         string
	ReadOnly                                     string // why the budget is shown but not offered for change
}
