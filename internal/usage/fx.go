// fx.go converts amounts into one reporting currency with dated exchange
// rates: euro reference rates (so many units of a currency for one euro,
// as the European Central Bank publishes them), each amount at the rate of
// its own day or month, rounded only where it is shown.

package usage

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FX is a table of dated euro reference rates.
type FX struct {
	// Source says where the rates come from, for the page.
	Source string
	// Days are the dates of the rates, oldest first; Rates[i] holds each
	// currency's units for one euro on Days[i].
	Days  []time.Time
	Rates []map[string]float64
}

// FXRate is one dated rate: so many units of Currency for one euro.
type FXRate struct {
	Day      time.Time `json:"day"`
	Currency string    `json:"currency"`
	PerEUR   float64   `json:"per_eur"`
}

//go:embed fx_ecb.csv
var defaultFXCSV string

// DefaultFXSource names the shipped table.
const DefaultFXSource = "European Central Bank euro foreign exchange reference rates of each month's last business day, " +
	"December 2024 to April 2025, and of 9 May 2025 (the newest in the table)"

// DefaultFX is the table shipped with the console (fx_ecb.csv).
func DefaultFX() *FX {
	rates, err := ReadFXCSV(strings.NewReader(defaultFXCSV))
	if err != nil {
		panic("usage: the shipped exchange rates do not parse: " + err.Error())
	}
	return NewFX(rates, DefaultFXSource)
}

// NewFX makes a table of rates.
func NewFX(rates []FXRate, source string) *FX {
	by := map[time.Time]map[string]float64{}
	for _, r := range rates {
		d := Civil(r.Day)
		if by[d] == nil {
			by[d] = map[string]float64{"EUR": 1}
		}
		by[d][strings.ToUpper(r.Currency)] = r.PerEUR
	}
	fx := &FX{Source: source}
	for d := range by {
		fx.Days = append(fx.Days, d)
	}
	slices.SortFunc(fx.Days, func(a, b time.Time) int { return a.Compare(b) })
	for _, d := range fx.Days {
		fx.Rates = append(fx.Rates, by[d])
	}
	return fx
}

// List is the table's rates, oldest first.
func (fx *FX) List() []FXRate {
	var out []FXRate
	for i, d := range fx.Days {
		curs := make([]string, 0, len(fx.Rates[i]))
		for c := range fx.Rates[i] {
			if c != "EUR" {
				curs = append(curs, c)
			}
		}
		slices.Sort(curs)
		for _, c := range curs {
			out = append(out, FXRate{Day: d, Currency: c, PerEUR: fx.Rates[i][c]})
		}
	}
	return out
}

// Currencies are the currencies the table converts between.
func (fx *FX) Currencies() []string {
	seen := map[string]bool{}
	for _, r := range fx.Rates {
		for c := range r {
			seen[c] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Last is the date of the newest rate (zero for an empty table).
func (fx *FX) Last() time.Time {
	if fx == nil || len(fx.Days) == 0 {
		return time.Time{}
	}
	return fx.Days[len(fx.Days)-1]
}

// Fingerprint identifies the table's content (a report's cache key).
func (fx *FX) Fingerprint() string {
	if fx == nil {
		return ""
	}
	b, _ := json.Marshal(fx.List())
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// Convert is amount in from as to on day: at the rate dated day, else of
// day's month (its newest before the month's end), else the newest before
// day, else the oldest; at is the date of the rate used. ok is false when
// the table lacks either currency on that date.
func (fx *FX) Convert(amount float64, from, to string, day time.Time) (v float64, at time.Time, ok bool) {
	if from == to {
		return amount, day, true
	}
	i := fx.rateFor(Civil(day), from, to)
	if i < 0 {
		return 0, time.Time{}, false
	}
	r := fx.Rates[i]
	return amount / r[from] * r[to], fx.Days[i], true
}

// rateFor is the index of the rates that convert from and to on day.
func (fx *FX) rateFor(day time.Time, from, to string) int {
	best := -1
	for i, d := range fx.Days {
		if fx.Rates[i][from] <= 0 || fx.Rates[i][to] <= 0 {
			continue
		}
		switch {
		case d.Equal(day):
			return i
		case !d.After(day), d.Year() == day.Year() && d.Month() == day.Month():
			best = i // the newest so far on or before day, or in its month
		case best >= 0:
			return best
		default:
			return i // before the table: its oldest rate
		}
	}
	return best
}

// Describe says which rates converted a range's amounts, for the page.
func (fx *FX) Describe(report string, from, to time.Time) string {
	s := fmt.Sprintf("Amounts in other currencies are converted into %s at the rate of each record's day, or of its month (%s).", report, fx.Source)
	if last := fx.Last(); !last.IsZero() && to.After(last) {
		s += fmt.Sprintf(" The table's newest rate is of %s: later days are converted at it. Import newer rates on the Rate card tab.",
			last.Format("2 January 2006"))
	}
	if first := fx.firstDay(); !first.IsZero() && from.Before(first) {
		s += fmt.Sprintf(" Days before %s are converted at its oldest rate.", first.Format("2 January 2006"))
	}
	return s
}

func (fx *FX) firstDay() time.Time {
	if len(fx.Days) == 0 {
		return time.Time{}
	}
	return fx.Days[0]
}

// ValidCurrency reports an ISO 4217 code's shape: three capital letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
