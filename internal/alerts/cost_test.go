package alerts

import (
	"slices"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/usage"
)

// costFigures are costDays days of Workers at 10 a day up to today, the
// days in skip reported with nothing, the days after last not reported
// yet.
func costFigures(today time.Time, last time.Time, skip ...time.Time) Figures {
	a := usage.NewAgg(today.AddDate(0, 0, -costDays), today.AddDate(0, 0, -1), usage.Effective, nil)
	for d := a.From; !d.After(last); d = d.AddDate(0, 0, 1) {
		cost := 10.0
		for _, s := range skip {
			if s.Equal(d) {
				cost = 0
			}
		}
		a.Add(&api.UsageRecord{ChargePeriodStart: d, ChargePeriodEnd: d.AddDate(0, 0, 1), BillableMetricID: "req", BillableMetricName: "Requests",
			ProductFamilyName: "Workers", ConsumedUnit: "Requests", ConsumedQuantity: 1, EffectiveCost: &cost, BillingCurrency: "USD"})
	}
	return Figures{Report: usage.Build(a, nil, usage.View{Group: usage.DimFamily, Step: usage.StepDay, Today: today, TopN: 20})}
}

// Cloudflare reports a day some hours after it ends. Until then the
// newest day reads as nothing: that is no anomaly and no drop, while a
// day that did cost nothing, with later days reported, is both.
func TestUnreportedDayIsNoAnomaly(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC) // a Thursday
	yesterday, before := today.AddDate(0, 0, -1), today.AddDate(0, 0, -2)
	lagging := costFigures(today, before)
	for _, cond := range []Condition{CondAnomaly, CondMove} {
		if ev := Events(lagging, cond, 50, today); len(ev) != 0 {
			t.Errorf("%s: yesterday, not reported yet, sent %+v", cond, ev)
		}
	}
	quiet := costFigures(today, yesterday, before) // the day before yesterday cost nothing
	an := Events(quiet, CondAnomaly, 0, today)
	if len(an) != 1 || an[0].Day != before.Format(time.DateOnly) || an[0].Value != 0 {
		t.Errorf("a day that cost nothing: anomalies %+v", an)
	}
	if mv := Events(quiet, CondMove, 50, today); len(mv) != 1 || mv[0].Day != before.Format(time.DateOnly) {
		t.Errorf("a day that cost nothing: moves %+v", mv)
	}
	// usage that stopped three days ago: a drop and anomalies on the days
	// that cost nothing, though none is reported after them
	stopped := costFigures(today, today.AddDate(0, 0, -4))
	var days []string
	for _, ev := range Events(stopped, CondAnomaly, 0, today) {
		days = append(days, ev.Day)
	}
	if want := []string{before.Format(time.DateOnly), today.AddDate(0, 0, -3).Format(time.DateOnly)}; !slices.Equal(days, want) {
		t.Errorf("usage stopped three days ago: anomalies on %v, want %v (yesterday may be unreported)", days, want)
	}
	if mv := Events(stopped, CondMove, 50, today); len(mv) != 1 || mv[0].Day != today.AddDate(0, 0, -3).Format(time.DateOnly) {
		t.Errorf("usage stopped three days ago: moves %+v", mv)
	}
}
