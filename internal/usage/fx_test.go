package usage

import (
	"math"
	"strings"
	"testing"
	"time"
)

// Each amount is converted at its own month's rate (the table's rate of
// the month), a cross rate through the euro; after the table, at its
// newest rate; and the shipped table reads.
func TestFXConvertsAtEachDaysRate(t *testing.T) {
	fx := DefaultFX()
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, c := range []struct {
		amount   float64
		from, to string
		on       string
		want     float64
		at       string
	}{
		{100, "EUR", "USD", "2025-03-10", 108.15, "2025-03-31"},                 // March's rate
		{100, "EUR", "USD", "2025-03-31", 108.15, "2025-03-31"},                 // its own day
		{100, "GBP", "USD", "2025-01-15", 100 / 0.83608 * 1.0393, "2025-01-31"}, // through the euro
		{100, "USD", "EUR", "2026-11-20", 100 / 1.1252, "2025-05-09"},           // after the table: its newest
		{100, "USD", "EUR", "2024-06-01", 100 / 1.0389, "2024-12-31"},           // before it: its oldest
		{42, "USD", "USD", "2026-11-20", 42, "2026-11-20"},
	} {
		got, at, ok := fx.Convert(c.amount, c.from, c.to, day(c.on))
		if !ok || math.Abs(got-c.want) > 1e-9 || at.Format(time.DateOnly) != c.at {
			t.Errorf("%g %s in %s on %s: %g at %s (%v), want %g at %s", c.amount, c.from, c.to, c.on, got, at.Format(time.DateOnly), ok, c.want, c.at)
		}
	}
	if _, _, ok := fx.Convert(1, "XAU", "USD", day("2025-03-10")); ok {
		t.Error("a currency the table lacks was converted")
	}
	if d := fx.Describe("USD", day("2026-11-01"), day("2026-11-30")); !strings.Contains(d, "9 May 2025") {
		t.Errorf("the page is not told the table ends before the range: %s", d)
	}
}

// A reporting currency adds reported costs of every currency up in one
// converted denomination; estimates stay estimates; units stay units.
func TestValueInAReportingCurrency(t *testing.T) {
	card := NewRateCard([]Rate{{Metric: "m2", Price: 2, Per: 1, Currency: "EUR", From: d("2020-01-01")}}).Reporting("USD", DefaultFX())
	on := d("2025-02-10")
	for _, c := range []struct {
		s     Sum
		want  float64
		denom string
	}{
		{Sum{Day: on, Currency: "EUR", Costs: 1, Cost: [4]float64{100}}, 104.11, "fx:USD"},
		{Sum{Day: on, Currency: "USD", Costs: 1, Cost: [4]float64{100}}, 100, "fx:USD"},
		{Sum{Day: on, Metric: "m2", Qty: 10}, 20 * 1.0411, "est:USD"},
		{Sum{Day: on, Metric: "m3", Qty: 10, Unit: "GB"}, 10, "qty:GB"},
	} {
		v, denom, _ := Value(Effective, card, &c.s)
		if math.Abs(v-c.want) > 1e-9 || denom != c.denom {
			t.Errorf("%+v: %g %s, want %g %s", c.s, v, denom, c.want, c.denom)
		}
	}
	if DenomLabel("fx:USD") != "USD, converted" || Currency("fx:USD") != "USD" {
		t.Error("a converted denomination's label")
	}
}

func TestReadFXCSV(t *testing.T) {
	ours := "date,currency,per_eur\n2026-11-30,USD,1.05\n2026-11-30,GBP,0.84\n"
	ecb := "Date,USD,JPY,CYP,GBP,\n2026-11-30,1.05,160.1,N/A,0.84,\n"
	for _, in := range []string{ours, ecb} {
		rates, err := ReadFXCSV(strings.NewReader(in))
		if err != nil || len(rates) < 2 {
			t.Fatalf("%q: %v %v", in, rates, err)
		}
	}
	for in, want := range map[string]string{
		"":                        "empty",
		"day,cur,rate\n":          "header",
		"date,currency,per_eur\n": "no rates",
		"date,currency,per_eur\n30/11/2026,USD,1\n":    "line 2: the date",
		"date,currency,per_eur\n2026-11-30,usd1,1\n":   "line 2",
		"date,currency,per_eur\n2026-11-30,USD,-1\n":   "above zero",
		"date,currency,per_eur\n2026-11-30,EUR,1\n":    "other than EUR",
		"date,currency,per_eur\n2026-11-30,USD,=1+1\n": "not a number",
	} {
		if _, err := ReadFXCSV(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
