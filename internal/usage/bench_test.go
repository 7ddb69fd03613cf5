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
