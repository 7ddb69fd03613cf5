// rates_views.go is the view structs of the rate card tab.

package templates

// RatesView is an organization's rate card: where it comes from, its
// prices as an editable table, and the import, export and reset.
type RatesView struct {
	Origin       string // what the card is and where it comes from, in words
	InheritedURL string // the organization whose card this is, when inherited
	Own          bool   // the organization has a card of its own (reset removes it)
	Rows         []RateRow
	Errors       []string // mistakes of the whole form or file
	Saved        string
	ReadOnly     bool   // the person may not change the card: no form
	ReadOnlyNote string // why
	CSRF         string
	SaveURL      string
	ImportURL    string
	ExportURL    string
	ResetURL     string
	UsageURL     string
	FX           FXView // the exchange rates of the reporting currency
}

// FXView is the exchange-rate table that converts an organization's usage
// into a reporting currency.
type FXView struct {
	Origin       string // what the table is and where it comes from, in words
	InheritedURL string
	Own          bool
	Summary      string // how many rates, of which currencies, from when to when
	Source       string
	Last         string // the newest rate's date
	ImportURL    string
	ExportURL    string
	ResetURL     string
}

// RateRow is one price as typed (or stored), and its mistake.
type RateRow struct {
	Metric, Name, Price, Currency, PricingUnit, Per, From, Source string
	Error                                                         string
}
