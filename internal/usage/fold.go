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

// key is a record's value of d (an ID where there is one) and its label.
func key(r *api.UsageRecord, d Dim) (string, string) {
	switch d {
	case DimFamily:
		return cmp.Or(r.ProductFamilyName, "(no product family)"), cmp.Or(r.ProductFamilyName, "(no product family)")
	case DimMetric:
		return cmp.Or(r.BillableMetricID, r.BillableMetricName), r.BillableMetricName
	case DimAccount:
		return r.BillingAccountID, cmp.Or(r.BillingAccountName, r.BillingAccountID)
	case DimZone:
		return r.ZoneID, cmp.Or(r.ZoneName, cmp.Or(r.ZoneID, "(no zone)"))
	case DimRegion:
		return r.RegionID, cmp.Or(r.RegionName, cmp.Or(r.RegionID, "(no region)"))
	case DimSubscription:
		return r.SubAccountID, cmp.Or(r.SubAccountName, cmp.Or(r.SubAccountID, "(no subscription)"))
	}
	return "", "Total"
}

// Measure is the number a record contributes.
type Measure string

const (
	Effective  Measure = "effective"
	Billed     Measure = "billed"
	List       Measure = "list"
	Contracted Measure = "contracted"
	Quantity   Measure = "quantity"
)

// Measures in the order the page offers them.
var Measures = []struct {
	Measure Measure
	Label   string
}{
	{Effective, "Effective cost"}, {Billed, "Billed cost"}, {List, "List cost"}, {Contracted, "Contracted cost"}, {Quantity, "Consumed quantity"},
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

func (m Measure) cost(r *api.UsageRecord) *float64 {
	switch m {
	case Effective:
		return r.EffectiveCost
	case Billed:
		return r.BilledCost
	case List:
		return r.ListCost
	case Contracted:
		return r.ContractedCost
	}
	return nil
}

// A denomination is what a sum is counted in: a currency ("USD") or, for
// records without the chosen cost, a unit of consumed quantity. Sums of
// different denominations are never added together.
const unitPrefix = "qty:"

// IsUnit reports whether a denomination is a quantity unit.
func IsUnit(denom string) bool {
	return len(denom) > len(unitPrefix) && denom[:len(unitPrefix)] == unitPrefix
}

// DenomLabel writes a denomination for people.
func DenomLabel(denom string) string {
	if IsUnit(denom) {
		return denom[len(unitPrefix):]
	}
	return denom
}

// Filter keeps the records whose value of Dim is Key (a drill-down).
type Filter struct {
	Dim Dim
	Key string
}

// value is one interned group value.
type value struct{ key, label string }

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

	mu      sync.Mutex
	days    int
	vals    [nDims][]value
	index   [nDims]map[string]int32
	denoms  []string
	denomIx map[string]int32
	series  map[seriesKey][]float64
	corr    map[int32][]float64 // corrections per denomination per day

	Records     int64 // records folded
	NoCost      int64 // records that had no value for the chosen cost
	Corrections int64 // records of ChargeClass Correction
	Outside     int64 // records whose day is outside the range (ignored)
}

// NewAgg is an empty aggregate of [from, to].
func NewAgg(from, to time.Time, m Measure, filters []Filter) *Agg {
	a := &Agg{From: Civil(from), To: Civil(to), Measure: m, Filters: filters, days: Days(from, to),
		denomIx: map[string]int32{}, series: map[seriesKey][]float64{}, corr: map[int32][]float64{}}
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

// DayCount is the number of days in the range.
func (a *Agg) DayCount() int { return a.days }

func (a *Agg) intern(d Dim, k, label string) int32 {
	if i, ok := a.index[d][k]; ok {
		return i
	}
	i := int32(len(a.vals[d]))
	a.vals[d] = append(a.vals[d], value{k, label})
	a.index[d][k] = i
	return i
}

func (a *Agg) denom(s string) int32 {
	if i, ok := a.denomIx[s]; ok {
		return i
	}
	i := int32(len(a.denoms))
	a.denoms = append(a.denoms, s)
	a.denomIx[s] = i
	return i
}

func (a *Agg) add(k seriesKey, day int, v float64) {
	s := a.series[k]
	if s == nil {
		s = make([]float64, a.days)
		a.series[k] = s
	}
	s[day] += v
}

// Add folds one record in. It is not safe for concurrent use: fold a
// window into its own Agg and Merge it.
func (a *Agg) Add(r *api.UsageRecord) {
	day := int(Civil(r.ChargePeriodStart.UTC()).Sub(a.From).Hours() / 24)
	if r.ChargePeriodStart.Before(a.From) || !r.ChargePeriodStart.Before(a.To.AddDate(0, 0, 1)) {
		a.Outside++
		return
	}
	if a.Collapsed {
		day = 0
	}
	for _, f := range a.Filters {
		if k, _ := key(r, f.Dim); k != f.Key {
			return
		}
	}
	a.Records++
	v, denom := r.ConsumedQuantity, unitPrefix+cmp.Or(r.ConsumedUnit, "units")
	if a.Measure != Quantity {
		if c := a.Measure.cost(r); c != nil {
			v, denom = *c, cmp.Or(r.BillingCurrency, "(no currency)")
		} else {
			a.NoCost++
		}
	}
	di := a.denom(denom)
	if r.ChargeClass == api.ChargeClassCorrection {
		a.Corrections++
		c := a.corr[di]
		if c == nil {
			c = make([]float64, a.days)
			a.corr[di] = c
		}
		c[day] += v
	}
	for d := DimTotal; d < nDims; d++ {
		k, label := key(r, d)
		a.add(seriesKey{d, a.intern(d, k, label), di}, day, v)
	}
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
	for k, s := range b.series {
		v := b.vals[k.dim][k.val]
		nk := seriesKey{k.dim, a.intern(k.dim, v.key, v.label), a.denom(b.denoms[k.denom])}
		for i, x := range s {
			a.add(nk, off+i, x)
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
	a.Corrections += b.Corrections
	a.Outside += b.Outside
	return nil
}
