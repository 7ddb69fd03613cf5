// sum.go is usage already summed: the records of one day that share every
// key, as the usage store keeps them and as an Agg folds them.

package usage

import (
	"cmp"
	"time"

	"orgboard/internal/api"
)

// Cost measures in the order a Sum keeps them.
var costMeasures = [4]Measure{Effective, Billed, List, Contracted}

// Sum is the sum of the records of one day that share every key: the
// account, metric, zone, region, subscription, whether they correct an
// earlier period, the currency and unit, and which costs they carry.
type Sum struct {
	Day                                time.Time // the charge day (UTC midnight)
	Account, AccountName               string
	Metric, MetricName, Family         string
	Zone, ZoneName, Region, RegionName string
	Sub, SubName                       string
	Correction                         bool
	Currency, Unit                     string
	// Costs says which cost measures the records carry (bit i: costMeasures[i]).
	Costs   uint8
	Records int64
	Qty     float64
	Cost    [4]float64 // effective, billed, list, contracted (0 where Costs lacks it)
}

// SumOf is one record as a Sum.
func SumOf(r *api.UsageRecord) Sum {
	s := Sum{Day: Civil(r.ChargePeriodStart.UTC()), Account: r.BillingAccountID, AccountName: r.BillingAccountName,
		Metric: cmp.Or(r.BillableMetricID, r.BillableMetricName), MetricName: r.BillableMetricName, Family: r.ProductFamilyName,
		Zone: r.ZoneID, ZoneName: r.ZoneName, Region: r.RegionID, RegionName: r.RegionName, Sub: r.SubAccountID, SubName: r.SubAccountName,
		Correction: r.ChargeClass == api.ChargeClassCorrection, Currency: r.BillingCurrency, Unit: r.ConsumedUnit,
		Records: 1, Qty: r.ConsumedQuantity}
	for i, c := range [4]*float64{r.EffectiveCost, r.BilledCost, r.ListCost, r.ContractedCost} {
		if c != nil {
			s.Costs |= 1 << i
			s.Cost[i] = *c
		}
	}
	return s
}

// Key is what makes two Sums of one day add up into one.
type Key struct {
	Account, Metric, Zone, Region, Sub string
	Correction                         bool
	Currency, Unit                     string
	Costs                              uint8
}

// Key is s's key.
func (s *Sum) Key() Key {
	return Key{s.Account, s.Metric, s.Zone, s.Region, s.Sub, s.Correction, s.Currency, s.Unit, s.Costs}
}

// AddUp adds b (of the same day and key) into s.
func (s *Sum) AddUp(b *Sum) {
	s.Records += b.Records
	s.Qty += b.Qty
	for i := range s.Cost {
		s.Cost[i] += b.Cost[i]
	}
}

// Coarse is s without the account, zone, region and subscription: the
// store's daily rollup, which answers groupings by product family and
// metric over thousands of rows instead of millions.
func (s Sum) Coarse() Sum {
	s.Account, s.AccountName, s.Zone, s.ZoneName, s.Region, s.RegionName, s.Sub, s.SubName = "", "", "", "", "", "", "", ""
	return s
}

// keyOf is a Sum's value of d (an ID where there is one) and its label.
func keyOf(s *Sum, d Dim) (string, string) {
	switch d {
	case DimFamily:
		return dimKey(d, s.Family), dimKey(d, s.Family)
	case DimMetric:
		return s.Metric, cmp.Or(s.MetricName, s.Metric)
	case DimAccount:
		return s.Account, cmp.Or(s.AccountName, s.Account)
	case DimZone:
		return s.Zone, cmp.Or(s.ZoneName, cmp.Or(s.Zone, "(no zone)"))
	case DimRegion:
		return s.Region, cmp.Or(s.RegionName, cmp.Or(s.Region, "(no region)"))
	case DimSubscription:
		return s.Sub, cmp.Or(s.SubName, cmp.Or(s.Sub, "(no subscription)"))
	}
	return "", "Total"
}

// dimKey is the value of d of a Sum whose text for d (dimField) is v.
func dimKey(d Dim, v string) string {
	switch d {
	case DimTotal:
		return ""
	case DimFamily:
		return cmp.Or(v, "(no product family)")
	}
	return v
}

// dimField is the text of a Sum that holds each grouping's value (-1: none).
var dimField = [nDims]int{DimTotal: -1, DimFamily: fFamily, DimMetric: fMetric, DimAccount: fAccount, DimZone: fZone,
	DimRegion: fRegion, DimSubscription: fSub}

// Fine reports whether grouping by d, or filtering by filters, needs the
// account, zone, region or subscription of each Sum (the store's fine rows).
func Fine(d Dim, filters []Filter) bool {
	for _, f := range filters {
		if fineDim(f.Dim) {
			return true
		}
	}
	return fineDim(d)
}

// Coarsen sums sums by day and metric: the store's coarse rows.
func Coarsen(sums []Sum) []Sum {
	type dk struct {
		day int64
		key Key
	}
	at := map[dk]int{}
	var out []Sum
	for _, s := range sums {
		c := s.Coarse()
		k := dk{DayNumber(c.Day), c.Key()}
		if i, ok := at[k]; ok {
			out[i].AddUp(&c)
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}
