// fold.go folds records into per-day sums by grouping and denomination.

package usage

import (
	"cmp"
	"fmt"
	"sync"
	"time"

	"orgboard/internal/api"
)

// Dim is a way of grouping records.
type Dim uint8

const (
	DimTotal Dim = iota
	DimFamily
	DimMetric
	DimAccount
	DimZone
	DimRegion
	DimSubscription
	nDims
)

// Dims are the groupings the page offers, by their URL names.
var Dims = []struct {
	Dim   Dim
	Name  string
	Label string
}{
	{DimFamily, "product_family", "Product family"}, {DimMetric, "metric", "Metric"}, {DimAccount, "account", "Account"},
	{DimZone, "zone", "Zone"}, {DimRegion, "region", "Region"}, {DimSubscription, "subscription", "Subscription"},
}

// ParseDim reads a grouping's URL name.
func ParseDim(s string) (Dim, bool) {
	for _, d := range Dims {
		if d.Name == s {
			return d.Dim, true
		}
	}
	return 0, false
}

func (d Dim) String() string {
	for _, x := range Dims {
		if x.Dim == d {
			return x.Name
		}
	}
	return "total"
}

// Label is the grouping's name for people.
func (d Dim) Label() string {
	for _, x := range Dims {
		if x.Dim == d {
			return x.Label
		}
	}
	return "Total"
}

// Measure is the number a record contributes.
type Measure string

const (
	Effective  Measure = "effective"
	Billed     Measure = "billed"
	List       Measure = "list"
	Contracted Measure = "contracted"
	Quantity   Measure = "quantity"
	// Estimated is the quantities priced by the rate card: never a cost
	// Cloudflare billed, and never added to one.
	Estimated Measure = "estimated"
)

// Measures in the order the page offers them.
var Measures = []struct {
	Measure Measure
	Label   string
}{
	{Effective, "Effective cost"}, {Billed, "Billed cost"}, {List, "List cost"}, {Contracted, "Contracted cost"}, {Estimated, "Estimated cost (rate card)"}, {Quantity, "Consumed quantity"},
}

// ParseMeasure reads a measure's URL name.
func ParseMeasure(s string) (Measure, bool) {
	for _, m := range Measures {
		if string(m.Measure) == s {
			return m.Measure, true
		}
	}
	return "", false
}

// Label is the measure's name for people.
func (m Measure) Label() string {
	for _, x := range Measures {
		if x.Measure == m {
			return x.Label
		}
	}
	return string(m)
}

// costIndex is m's place in a Sum's costs, or -1.
func (m Measure) costIndex() int {
	for i, c := range costMeasures {
		if c == m {
			return i
		}
	}
	return -1
}

// A denomination is what a sum is counted in: a currency ("USD") or, for
// records without the chosen cost, a unit of consumed quantity. Sums of
// different denominations are never added together.
const unitPrefix = "qty:"

// IsUnit reports whether a denomination is a quantity unit.
func IsUnit(denom string) bool {
	return len(denom) > len(unitPrefix) && denom[:len(unitPrefix)] == unitPrefix
}

// An estimate's denomination is its currency after estPrefix: an
// estimated USD is never added to a billed USD.
const estPrefix = "est:"

// IsEstimate reports whether a denomination is a rate-card estimate.
func IsEstimate(denom string) bool {
	return len(denom) > len(estPrefix) && denom[:len(estPrefix)] == estPrefix
}

// A converted amount's denomination is the reporting currency after
// fxPrefix: reported costs of every currency, each converted at its day's
// rate, add up there, apart from what was billed in that currency alone.
const fxPrefix = "fx:"

// IsConverted reports whether a denomination is a reporting currency.
func IsConverted(denom string) bool {
	return len(denom) > len(fxPrefix) && denom[:len(fxPrefix)] == fxPrefix
}

// Converted is the denomination of reported costs converted into cur.
func Converted(cur string) string { return fxPrefix + cur }

// Currency is a money denomination's currency ("USD" of "est:USD" and of
// "fx:USD").
func Currency(denom string) string {
	switch {
	case IsEstimate(denom):
		return denom[len(estPrefix):]
	case IsConverted(denom):
		return denom[len(fxPrefix):]
	}
	return denom
}

// DenomLabel writes a denomination for people.
func DenomLabel(denom string) string {
	switch {
	case IsUnit(denom):
		return denom[len(unitPrefix):]
	case IsEstimate(denom):
		return denom[len(estPrefix):] + ", estimated"
	case IsConverted(denom):
		return denom[len(fxPrefix):] + ", converted"
	}
	return denom
}

// Filter keeps the records whose value of Dim is Key (a drill-down).
type Filter struct {
	Dim Dim
	Key string
}

// value is one interned group value, with its numbers by day in each
// denomination.
type value struct {
	key, label string
	series     []denomSeries
}

type denomSeries struct {
	di   int32
	days []float64
}

type seriesKey struct {
	dim   Dim
	val   int32
	denom int32
}

// Agg holds the sums of a range: per grouping, per value, per
// denomination, one number per day. Its size follows the number of
// distinct values and days, never the number of records.
type Agg struct {
	From, To time.Time
	Measure  Measure
	Filters  []Filter
	// Collapsed keeps one number per series instead of one per day: the
	// period before the range needs only its totals.
	Collapsed bool
	// Rates price quantities: the Estimated measure, and records without
	// the chosen cost (as estimates, in their own denomination).
	Rates *RateCard
	// Coarse: the sums come without accounts, zones, regions and
	// subscriptions (the store's daily rollup); those groupings stay empty.
	Coarse bool

	mu      sync.Mutex
	days    int
	vals    [nDims][]value
	index   [nDims]map[string]int32
	denoms  []string
	denomIx map[string]int32
	// lastDenom is the denomination denom found last
	lastDenom int32
	corr      map[int32][]float64 // corrections per denomination per day
	texts     textSeries          // AddBlock's lookups of the block it folds

	Records     int64             // records folded
	NoCost      int64             // records that had no value for the chosen cost
	Estimated   int64             // records priced by the rate card
	Unpriced    map[string]string // metrics the rate card has no price for (ID: name), of records left as quantities
	Corrections int64             // records of ChargeClass Correction
	Outside     int64             // records whose day is outside the range (ignored)
}

// NewAgg is an empty aggregate of [from, to].
func NewAgg(from, to time.Time, m Measure, filters []Filter) *Agg {
	a := &Agg{From: Civil(from), To: Civil(to), Measure: m, Filters: filters, days: Days(from, to),
		denomIx: map[string]int32{}, corr: map[int32][]float64{}, Unpriced: map[string]string{}}
	for d := range a.index {
		a.index[d] = map[string]int32{}
	}
	a.intern(DimTotal, "", "Total")
	return a
}

// NewTotals is an aggregate of [from, to] that keeps totals only.
func NewTotals(from, to time.Time, m Measure, filters []Filter) *Agg {
	a := NewAgg(from, to, m, filters)
	a.Collapsed, a.days = true, 1
	return a
}

func (a *Agg) intern(d Dim, k, label string) int32 {
	if i, ok := a.index[d][k]; ok {
		return i
	}
	i := int32(len(a.vals[d]))
	a.vals[d] = append(a.vals[d], value{key: k, label: label})
	a.index[d][k] = i
	return i
}

func (a *Agg) denom(s string) int32 {
	if n := len(a.denoms); n > 0 && a.denoms[a.lastDenom] == s {
		return a.lastDenom // sums in a row are mostly of one denomination
	}
	i, ok := a.denomIx[s]
	if !ok {
		i = int32(len(a.denoms))
		a.denoms = append(a.denoms, s)
		a.denomIx[s] = i
	}
	a.lastDenom = i
	return i
}

func (a *Agg) add(k seriesKey, day int, v float64) { a.seriesOf(k)[day] += v }

// seriesAt is k's numbers by day, nil when it has none.
func (a *Agg) seriesAt(k seriesKey) []float64 {
	for _, s := range a.vals[k.dim][k.val].series {
		if s.di == k.denom {
			return s.days
		}
	}
	return nil
}

// seriesOf is k's numbers by day, made when k has none yet.
func (a *Agg) seriesOf(k seriesKey) []float64 {
	if s := a.seriesAt(k); s != nil {
		return s
	}
	s := make([]float64, a.days)
	v := &a.vals[k.dim][k.val]
	v.series = append(v.series, denomSeries{k.denom, s})
	return s
}

// Add folds one record in. It is not safe for concurrent use: fold a
// window into its own Agg and Merge it.
func (a *Agg) Add(r *api.UsageRecord) {
	sum := SumOf(r)
	a.AddSum(&sum)
}

// AddSum folds summed records in (not safe for concurrent use).
func (a *Agg) AddSum(s *Sum) {
	day, ok := a.dayOf(s.Day)
	if !ok {
		a.Outside += s.Records
		return
	}
	for _, f := range a.Filters {
		if k, _ := keyOf(s, f.Dim); k != f.Key {
			return
		}
	}
	a.fold(s, day, nil)
}

// dayOf is day's place in a's numbers; false when it is outside a's range.
func (a *Agg) dayOf(day time.Time) (int, bool) {
	if day.Before(a.From) || day.After(a.To) {
		return 0, false
	}
	if a.Collapsed {
		return 0, true
	}
	return int(day.Sub(a.From).Hours() / 24), true
}

// fold adds s (within the range, past the filters) into the day's numbers
// of each grouping; texts, when given, finds the series of s's values.
func (a *Agg) fold(s *Sum, day int, texts *textSeries) {
	a.Records += s.Records
	v, denom := a.value(s)
	di := a.denom(denom)
	if s.Correction {
		a.Corrections += s.Records
		c := a.corr[di]
		if c == nil {
			c = make([]float64, a.days)
			a.corr[di] = c
		}
		c[day] += v
	}
	if texts != nil {
		for _, series := range texts.all(a, di) {
			if series != nil {
				series[day] += v
			}
		}
		return
	}
	for d := DimTotal; d < nDims; d++ {
		if a.Coarse && fineDim(d) {
			continue
		}
		k, label := keyOf(s, d)
		a.add(seriesKey{d, a.intern(d, k, label), di}, day, v)
	}
}

// fineDim reports whether d is a grouping only the fine sums have.
func fineDim(d Dim) bool {
	return d == DimAccount || d == DimZone || d == DimRegion || d == DimSubscription
}

// Basis is how an amount was reached.
type Basis uint8

const (
	Reported Basis = iota // a cost Cloudflare sent
	Estimate              // a quantity priced by the rate card
	Unpriced              // a quantity the card has no price for, in its unit
	Consumed              // a consumed quantity, as asked
)

// Value is what s contributes to measure m priced by rates, in what
// denomination, and how: the chosen cost in its currency; else the rate
// card's estimate (in a denomination of its own); else the consumed
// quantity in its unit.
func Value(m Measure, rates *RateCard, s *Sum) (float64, string, Basis) {
	if m == Quantity {
		return s.Qty, unitPrefix + cmp.Or(s.Unit, "units"), Consumed
	}
	if i := m.costIndex(); i >= 0 && s.Costs&(1<<i) != 0 {
		if v, ok := rates.convert(s.Cost[i], s.Currency, s.Day); ok {
			return v, fxPrefix + rates.Report, Reported
		}
		return s.Cost[i], cmp.Or(s.Currency, "(no currency)"), Reported
	}
	if p, cur, ok := rates.Price(s.Metric, s.Day); ok {
		if v, ok := rates.convert(s.Qty*p, cur, s.Day); ok {
			return v, estPrefix + rates.Report, Estimate
		}
		return s.Qty * p, estPrefix + cur, Estimate
	}
	return s.Qty, unitPrefix + cmp.Or(s.Unit, "units"), Unpriced
}

// value is Value, counted into a's records without cost, estimated, unpriced.
func (a *Agg) value(s *Sum) (float64, string) {
	v, denom, basis := Value(a.Measure, a.Rates, s)
	if basis == Estimate || basis == Unpriced {
		if a.Measure != Estimated {
			a.NoCost += s.Records
		}
		if basis == Estimate {
			a.Estimated += s.Records
		} else {
			a.Unpriced[s.Metric] = cmp.Or(s.MetricName, s.Metric)
		}
	}
	return v, denom
}

// Merge adds b (of a range within a's) into a. Safe for concurrent use.
func (a *Agg) Merge(b *Agg) error {
	off := Days(a.From, b.From) - 1
	if a.Collapsed != b.Collapsed {
		return fmt.Errorf("merge: totals and daily sums do not mix")
	}
	if a.Collapsed {
		off = 0
	}
	if b.From.Before(a.From) || b.To.After(a.To) || off+b.days > a.days {
		return fmt.Errorf("merge: %s..%s is not within %s..%s", b.From.Format(time.DateOnly), b.To.Format(time.DateOnly),
			a.From.Format(time.DateOnly), a.To.Format(time.DateOnly))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for d := range b.vals {
		for _, v := range b.vals[d] {
			for _, s := range v.series {
				into := a.seriesOf(seriesKey{Dim(d), a.intern(Dim(d), v.key, v.label), a.denom(b.denoms[s.di])})
				for i, x := range s.days {
					into[off+i] += x
				}
			}
		}
	}
	for di, c := range b.corr {
		nd := a.denom(b.denoms[di])
		if a.corr[nd] == nil {
			a.corr[nd] = make([]float64, a.days)
		}
		for i, x := range c {
			a.corr[nd][off+i] += x
		}
	}
	a.Records += b.Records
	a.NoCost += b.NoCost
	a.Estimated += b.Estimated
	for k, v := range b.Unpriced {
		a.Unpriced[k] = v
	}
	a.Corrections += b.Corrections
	a.Outside += b.Outside
	return nil
}
