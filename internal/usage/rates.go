// rates.go is the rate card: a price per unit for each billable metric,
// which turns consumed quantities into estimated costs where Cloudflare
// sends none.

package usage

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"orgboard/internal/plaintext"
)

// Rate is the price of one billable metric from a day on.
type Rate struct {
	Metric      string    // the billable metric's ID (x_BillableMetricId)
	Name        string    // the metric's name, for people
	Price       float64   // per pricing unit
	Per         float64   // consumed units in one pricing unit (1,000,000: a price per million)
	PricingUnit string    // the pricing unit's name ("Million Requests")
	Currency    string    // ISO 4217
	From        time.Time // the first day the price applies (UTC)
	Source      string    // where the price comes from
}

// RateCard prices quantities by metric and day.
type RateCard struct {
	Rates []Rate // by metric, then by From
	// Default: the card is the shipped one, not one an administrator set.
	Default bool
	// Report, when set, is the reporting currency: reported costs and
	// estimates of other currencies are converted into it with FX.
	Report string
	FX     *FX
}

// Reporting is the card that converts into the reporting currency cur
// with fx (c may be nil: no prices, conversion alone).
func (c *RateCard) Reporting(cur string, fx *FX) *RateCard {
	out := &RateCard{}
	if c != nil {
		*out = *c
	}
	out.Report, out.FX = cur, fx
	return out
}

// convert is v in cur as the reporting currency on day; false when the
// card reports in no currency or the table cannot convert cur.
func (c *RateCard) convert(v float64, cur string, day time.Time) (float64, bool) {
	if c == nil || c.Report == "" || c.FX == nil || cur == "" {
		return 0, false
	}
	out, _, ok := c.FX.Convert(v, cur, c.Report, day)
	return out, ok
}

// NewRateCard sorts rates into a card.
func NewRateCard(rates []Rate) *RateCard {
	rs := slices.Clone(rates)
	slices.SortStableFunc(rs, func(a, b Rate) int {
		if c := strings.Compare(a.Metric, b.Metric); c != 0 {
			return c
		}
		return a.From.Compare(b.From)
	})
	return &RateCard{Rates: rs}
}

// Price is the card's price of one consumed unit of metric on day, and its
// currency: the rate with the latest From on or before day.
func (c *RateCard) Price(metric string, day time.Time) (float64, string, bool) {
	if c == nil {
		return 0, "", false
	}
	i, _ := slices.BinarySearchFunc(c.Rates, metric, func(r Rate, m string) int { return strings.Compare(r.Metric, m) })
	var best *Rate
	for ; i < len(c.Rates) && c.Rates[i].Metric == metric; i++ {
		if !c.Rates[i].From.After(day) {
			best = &c.Rates[i]
		}
	}
	if best == nil || !(best.Per >= MinPer) {
		return 0, "", false
	}
	if p := best.Price / best.Per; p >= 0 && p <= MaxPrice { // a card stored before the bounds held never prices at Inf
		return p, best.Currency, true
	}
	return 0, "", false
}

// Fingerprint names the card's content (sums priced by it are cached by it).
func (c *RateCard) Fingerprint() string {
	if c == nil {
		return "none"
	}
	var b strings.Builder
	for _, r := range c.Rates {
		fmt.Fprintf(&b, "%s|%g|%g|%s|%s;", r.Metric, r.Price, r.Per, r.Currency, r.From.Format(time.DateOnly))
	}
	if c.Report != "" {
		fmt.Fprintf(&b, "report %s %s;", c.Report, c.FX.Fingerprint())
	}
	return b.String()
}

// RateError is a rate card's mistake: the line (1 is the header; 0: the
// card as a whole), the field, and what is wrong in the user's words.
type RateError struct {
	Line    int
	Field   string
	Message string
}

func (e RateError) Error() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message)
}

// MaxRates bounds a card.
const MaxRates = 2000

// Check finds a card's mistakes: each rate needs a metric ID, a price of
// zero or more, a pricing unit of a positive number of consumed units, a
// three-letter currency and a day; a metric has one price per day.
func Check(rates []Rate) []RateError {
	var errs []RateError
	if len(rates) > MaxRates {
		return []RateError{{Message: fmt.Sprintf("A rate card holds at most %d prices; this one has %d.", MaxRates, len(rates))}}
	}
	seen := map[string]int{}
	for i, r := range rates {
		line := i + 2
		switch {
		case r.Metric == "" || len(r.Metric) > 200 || !plaintext.Line(r.Metric):
			errs = append(errs, RateError{line, "metric_id", "give the billable metric's ID, for example workers_standard_requests"})
		case !(r.Price >= 0 && r.Price <= MaxPrice): // NaN fails both
			errs = append(errs, RateError{line, "price", "a price is a number from 0 to 1,000,000,000,000, for example 0.30"})
		case !(r.Per >= MinPer && r.Per <= MaxPer):
			errs = append(errs, RateError{line, "units_per_pricing_unit", "how many consumed units one price buys: a number from 0.000001 to 1,000,000,000,000,000, for example 1000000"})
		case r.Price/r.Per > MaxPrice:
			errs = append(errs, RateError{line, "units_per_pricing_unit", "the price of one consumed unit (the price divided by the units it buys) must be at most 1,000,000,000,000"})
		case !isCurrency(r.Currency):
			errs = append(errs, RateError{line, "currency", "a currency is three capital letters, for example USD"})
		case r.From.IsZero():
			errs = append(errs, RateError{line, "effective_from", "the first day the price applies, written YYYY-MM-DD"})
		case len(r.Name) > 200 || len(r.PricingUnit) > 100 || len(r.Source) > 500:
			errs = append(errs, RateError{line, "metric_name", "names are at most 200 characters, sources 500"})
		case !plaintext.Line(r.Name) || !plaintext.Line(r.PricingUnit) || !plaintext.Line(r.Source):
			errs = append(errs, RateError{line, "metric_name", "names, units and sources are one line of text, without control or text-direction characters"})
		}
		k := r.Metric + "|" + r.From.Format(time.DateOnly)
		if prev, dup := seen[k]; dup && r.Metric != "" {
			errs = append(errs, RateError{line, "effective_from", fmt.Sprintf("line %d already prices %s from %s", prev, r.Metric, r.From.Format(time.DateOnly))})
		}
		seen[k] = line
	}
	return errs
}

// The bounds of a rate: a price per pricing unit, the consumed units a
// pricing unit holds, and so the price of one consumed unit (at most
// MaxPrice / MinPer, always finite).
const (
	MaxPrice = 1e12
	MinPer   = 1e-6
	MaxPer   = 1e15
)

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
