package usage

import (
	"fmt"
	"testing"
	"time"

	"orgboard/internal/api"
)

// BenchmarkFold folds a month of records of 1,000 accounts (six metrics
// each) into daily sums: the aggregation's share of the streaming cost.
func BenchmarkFold(b *testing.B) {
	from := d("2026-10-01")
	var recs []api.UsageRecord
	for a := range 1000 {
		for m := range 6 {
			for day := range 31 {
				r := rec(from.AddDate(0, 0, day).Format(time.DateOnly), fmt.Sprintf("acct%04d", a), fmt.Sprintf("family%d", m%4),
					fmt.Sprintf("metric%d", m), "Requests", 1000, f(1.25), "USD")
				recs = append(recs, r)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		a := NewAgg(from, d("2026-10-31"), Effective, nil)
		for i := range recs {
			a.Add(&recs[i])
		}
		n += len(recs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBuild builds the report of a month of 20,000 accounts grouped
// by account (the top 8 and "Other" of 19,992): what a regrouping costs.
func BenchmarkBuild(b *testing.B) {
	from := d("2026-10-01")
	a := NewAgg(from, d("2026-10-31"), Effective, nil)
	for acct := range 20000 {
		for day := range 31 {
			r := rec(from.AddDate(0, 0, day).Format(time.DateOnly), fmt.Sprintf("acct%05d", acct), "Workers", "req", "Requests", 1, f(float64(acct%97)), "USD")
			a.Add(&r)
		}
	}
	for b.Loop() {
		Build(a, nil, View{Group: DimAccount, Step: StepDay, Today: d("2026-11-25")})
	}
}
