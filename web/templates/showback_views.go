// showback_views.go is the view structs of the showback tab and the
// chargeback report.

package templates

// ShowbackView is an organization's month split down its hierarchy.
type ShowbackView struct {
	Month   string // "November 2026"
	Form    ShowbackForm
	Confirm *UsageConfirm
	Loading *UsageProgress
	// TreeWait is the URL asked again while the audit log's moves since
	// the month began are read ("" when they are in)
	TreeWait   string
	Method     string // how the month is charged to the hierarchy
	Restated   bool   // with today's tree, not the month's
	CSRF       string
	Empty      string // why there is nothing to show
	Notices    []string
	Denom      string // what the figures are in, for people
	Chart      string // the treemap's options
	Children   []ShowbackRow
	Total      ShowbackRow
	Tags       []ShowbackRow // every organization of the subtree by its hierarchy tags
	ExportCSV  string
	Chargeback string // the month's chargeback report
	ChargeCSV  string
	Gaps       []string
	RetryURL   string
}

// ShowbackForm chooses the month, the measure and the denomination.
type ShowbackForm struct {
	Action   string
	Months   []Option
	Measures []Option
	Denoms   []Option
	Reports  []Option // the reporting currency: each as billed, or one
	Trees    []Option // the month's hierarchy, or today's
}

// ShowbackRow is one organization's share.
type ShowbackRow struct {
	Name, URL, Tags, Amount, Share, Own string
	Depth                               int
}

// ChargebackView is the printable monthly chargeback report.
type ChargebackView struct {
	Org, Month, Measure, Generated string
	Heads                          []string // one per denomination: "USD (billed)", "USD, estimated", "GB (no price)"
	Groups                         []ChargeGroup
	Totals                         []string
	CSV, Back                      string
	Notes                          []string
	Method                         string
	Restated                       bool
}

// ChargeGroup is one organization's accounts in a chargeback.
type ChargeGroup struct {
	Org, Path string
	Rows      []ChargeRow
	Totals    []string
}

// ChargeRow is one account's month.
type ChargeRow struct {
	Account, ID, Basis string
	Amounts            []string
}
