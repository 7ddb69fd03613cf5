package alerts

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/usage"
)

// A quiet week's digest says so: its lists are empty lists (never null),
// its figures free of float noise.
func TestQuietWeekDigest(t *testing.T) {
	today := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // a Wednesday
	from, to := LastWeek(today)
	if from.Weekday() != time.Monday || to.Sub(from) != 6*24*time.Hour || !to.Before(today) {
		t.Fatalf("last week %v–%v", from, to)
	}
	a := usage.NewAgg(today.AddDate(0, 0, -costDays), today.AddDate(0, 0, -1), usage.Effective, nil)
	for d := a.From; !d.After(a.To); d = d.AddDate(0, 0, 1) {
		cost := 0.1 + 0.2 // 0.30000000000000004
		a.Add(&api.UsageRecord{ChargePeriodStart: d, ChargePeriodEnd: d.AddDate(0, 0, 1), BillableMetricID: "req", BillableMetricName: "Requests",
			ProductFamilyName: "Workers", ConsumedUnit: "Requests", ConsumedQuantity: 1, EffectiveCost: &cost, BillingCurrency: "USD"})
	}
	f := Figures{Report: usage.Build(a, nil, usage.View{Group: usage.DimFamily, Step: usage.StepDay, Today: today, TopN: 20})}
	c := costOfWeek(f, from, to, today)
	b, err := json.Marshal(Digest{From: from, To: to, Cost: c, Audit: &DigestAudit{NewActors: []string{}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"anomalies":[]`, `"top_movers":[]`, `"new_actors":[]`, `"total":2.1,`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the digest lacks %s: %s", want, b)
		}
	}
}
