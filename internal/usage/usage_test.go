package usage

import (
	"context"
	"fmt"
	"iter"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"orgboard/internal/api"
)

func d(s string) time.Time {
	t, err := Day(s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWindows(t *testing.T) {
	cases := []struct {
		from, to string
		want     []string
	}{
		{"2026-11-01", "2026-11-24", []string{"2026-11-01..2026-11-24"}},
		{"2026-10-15", "2026-12-03", []string{"2026-10-15..2026-10-31", "2026-11-01..2026-11-30", "2026-12-01..2026-12-03"}},
		{"2025-12-20", "2026-01-10", []string{"2025-12-20..2025-12-31", "2026-01-01..2026-01-10"}}, // year edge
		{"2024-02-01", "2024-03-01", []string{"2024-02-01..2024-02-29", "2024-03-01..2024-03-01"}}, // leap day
		{"2026-03-20", "2026-04-05", []string{"2026-03-20..2026-03-31", "2026-04-01..2026-04-05"}}, // Europe's DST change (Mar 29)
		{"2026-11-01", "2026-11-01", []string{"2026-11-01..2026-11-01"}},
	}
	for _, c := range cases {
		var got []string
		for _, w := range Windows(d(c.from), d(c.to)) {
			got = append(got, w.String())
			if Days(w.From, w.To) > MaxWindowDays {
				t.Errorf("%s: window %s longer than 31 days", c.from, w)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("Windows(%s, %s) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	// a year: every day exactly once, no window over 31 days
	ws := Windows(d("2025-11-25"), d("2026-11-24"))
	n := 0
	for i, w := range ws {
		n += Days(w.From, w.To)
		if i > 0 && !ws[i-1].To.AddDate(0, 0, 1).Equal(w.From) {
			t.Errorf("gap or overlap before %s", w)
		}
	}
	if n != 365 {
		t.Errorf("a year of windows covers %d days", n)
	}
}

func TestDaysAcrossDaylightSaving(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data")
	}
	// local midnights around the change are 23 hours apart; the civil days are not
	from := time.Date(2026, 3, 28, 0, 0, 0, 0, berlin)
	to := time.Date(2026, 3, 30, 0, 0, 0, 0, berlin)
	if got := Days(Civil(from), Civil(to)); got != 3 {
		t.Errorf("Days over the DST change = %d, want 3", got)
	}
	if ws := Windows(Civil(from), Civil(to)); len(ws) != 1 || ws[0].String() != "2026-03-28..2026-03-30" {
		t.Errorf("windows %v", ws)
	}
	if Civil(time.Date(2026, 10, 25, 23, 30, 0, 0, berlin)).Format(time.DateOnly) != "2026-10-25" {
		t.Error("Civil moved a late-evening time to the next day")
	}
}

func TestPresets(t *testing.T) {
	today := d("2026-11-25")
	cases := map[Preset][2]string{
		ThisMonth: {"2026-11-01", "2026-11-24"}, LastMonth: {"2026-10-01", "2026-10-31"},
		Last30Days: {"2026-10-26", "2026-11-24"}, Last90Days: {"2026-08-27", "2026-11-24"}, Last12Months: {"2025-11-01", "2026-10-31"},
	}
	for p, want := range cases {
		f, to, ok := p.Range(today)
		if !ok || f.Format(time.DateOnly) != want[0] || to.Format(time.DateOnly) != want[1] {
			t.Errorf("%s = %s..%s", p, f.Format(time.DateOnly), to.Format(time.DateOnly))
		}
	}
	if f, to, _ := ThisMonth.Range(d("2026-01-01")); !f.Equal(to) {
		t.Error("this month on the 1st should be that day alone")
	}
	if f, to, _ := LastMonth.Range(d("2026-01-15")); f.Format(time.DateOnly) != "2025-12-01" || to.Format(time.DateOnly) != "2025-12-31" {
		t.Error("last month in January is December of the year before")
	}
}

func rec(day, account, family, metric, unit string, qty float64, cost *float64, currency string) api.UsageRecord {
	t := d(day)
	return api.UsageRecord{ChargePeriodStart: t, ChargePeriodEnd: t.AddDate(0, 0, 1), BillingAccountID: account, BillingAccountName: "Acct " + account,
		ProductFamilyName: family, BillableMetricID: metric, BillableMetricName: metric, ConsumedUnit: unit, ConsumedQuantity: qty,
		EffectiveCost: cost, BilledCost: cost, BillingCurrency: currency, RegionID: "weur", ZoneID: "z-" + account, ZoneName: account + ".example",
		SubAccountID: "sub-" + account}
}

func f(v float64) *float64 { return &v }

func TestAggregationAndGrouping(t *testing.T) {
	a := NewAgg(d("2026-11-02"), d("2026-11-15"), Effective, nil)
	recs := []api.UsageRecord{
		rec("2026-11-02", "a1", "Workers", "req", "Requests", 1000, f(1.50), "USD"),
		rec("2026-11-02", "a2", "Workers", "req", "Requests", 2000, f(3.00), "USD"),
		rec("2026-11-03", "a1", "R2", "storage", "GB-Month", 10, f(0.25), "USD"),
		rec("2026-11-09", "a1", "Workers", "req", "Requests", 500, f(0.75), "USD"), // next ISO week
		rec("2026-11-03", "a3", "Workers", "req", "Requests", 400, f(2.00), "EUR"), // another currency
		rec("2026-11-04", "a4", "CDN", "bytes", "GB", 7, nil, ""),                  // no cost: a quantity
		rec("2026-11-01", "a1", "Workers", "req", "Requests", 9, f(9), "USD"),      // outside
	}
	corr := rec("2026-11-10", "a2", "Workers", "req", "Requests", -100, f(-0.15), "USD")
	corr.ChargeClass = api.ChargeClassCorrection
	recs = append(recs, corr)
	for i := range recs {
		a.Add(&recs[i])
	}
	if a.Records != 7 || a.Outside != 1 || a.NoCost != 1 || a.Corrections != 1 {
		t.Fatalf("counts: records %d outside %d nocost %d corrections %d", a.Records, a.Outside, a.NoCost, a.Corrections)
	}
	r := Build(a, nil, View{Group: DimFamily, Step: StepWeek, Today: d("2026-11-25")})
	if r.Denom != "USD" || len(r.Denoms) != 3 || r.Denoms[1].Denom != "EUR" || r.Denoms[2].Denom != "qty:GB" {
		t.Fatalf("denominations %+v (chosen %s)", r.Denoms, r.Denom)
	}
	near(t, "USD total", r.Total, 1.50+3.00+0.25+0.75-0.15)
	near(t, "USD corrections", r.Corrections, -0.15)
	if len(r.Buckets) != 2 || r.Labels[0] != "wk 2026-11-02" || r.Labels[1] != "wk 2026-11-09" {
		t.Fatalf("week buckets %v", r.Labels)
	}
	byLabel := map[string]Line{}
	for _, l := range r.Stack {
		byLabel[l.Label] = l
	}
	near(t, "Workers week 1", byLabel["Workers"].Values[0], 4.50)
	near(t, "Workers week 2", byLabel["Workers"].Values[1], 0.75-0.15)
	near(t, "R2 week 1", byLabel["R2"].Values[0], 0.25)
	if _, ok := byLabel["CDN"]; ok {
		t.Error("a quantity in GB was stacked with dollars")
	}
	if !r.CorrBuckets[1] || r.CorrBuckets[0] {
		t.Errorf("correction marks %v", r.CorrBuckets)
	}
	// EUR is never added to USD
	eur := Build(a, nil, View{Group: DimAccount, Step: StepMonth, Denom: "EUR", Today: d("2026-11-25")})
	near(t, "EUR total", eur.Total, 2.00)
	if len(eur.Stack) != 1 || eur.Stack[0].Label != "Acct a3" {
		t.Errorf("EUR accounts %+v", eur.Stack)
	}
	qty := Build(a, nil, View{Group: DimAccount, Step: StepDay, Denom: "qty:GB", Today: d("2026-11-25")})
	near(t, "GB total", qty.Total, 7)
	if qty.Forecast != nil {
		t.Error("a quantity got a cost forecast")
	}
	// accounts, top accounts and the product family share
	acc := Build(a, nil, View{Group: DimAccount, Step: StepDay, Today: d("2026-11-25")})
	if acc.TopAccounts[0].Label != "Acct a2" || acc.TopAccounts[1].Label != "Acct a1" {
		t.Errorf("top accounts %+v", acc.TopAccounts)
	}
	near(t, "a1", acc.TopAccounts[1].Total, 1.50+0.25+0.75)
	if len(acc.Families) != 2 || acc.Families[0].Label != "Workers" {
		t.Errorf("families %+v", acc.Families)
	}
	// a drill-down keeps one family
	w := NewAgg(d("2026-11-02"), d("2026-11-15"), Effective, []Filter{{DimFamily, "R2"}})
	for i := range recs {
		w.Add(&recs[i])
	}
	near(t, "R2 only", Build(w, nil, View{Group: DimAccount, Step: StepDay}).Total, 0.25)
}

func TestQuantityMeasureKeepsUnitsApart(t *testing.T) {
	a := NewAgg(d("2026-11-01"), d("2026-11-03"), Quantity, nil)
	for _, r := range []api.UsageRecord{
		rec("2026-11-01", "a1", "Workers", "req", "Requests", 1000, f(1), "USD"),
		rec("2026-11-02", "a1", "R2", "storage", "GB-Month", 10, f(1), "USD"),
		rec("2026-11-02", "a2", "Workers", "req", "Requests", 500, f(1), "USD"),
	} {
		a.Add(&r)
	}
	r := Build(a, nil, View{Group: DimMetric, Step: StepDay})
	if r.Denom != "qty:Requests" {
		t.Fatalf("denomination %s", r.Denom)
	}
	near(t, "requests", r.Total, 1500)
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestPreviousPeriodAndMover(t *testing.T) {
	cur := NewAgg(d("2026-11-01"), d("2026-11-10"), Effective, nil)
	pf, pt := Previous(cur.From, cur.To)
	if pf.Format(time.DateOnly) != "2026-10-01" || pt.Format(time.DateOnly) != "2026-10-10" { // a month to date: the same days of the month before
		t.Fatalf("previous %s..%s", pf, pt)
	}
	prev := NewTotals(pf, pt, Effective, nil)
	for _, r := range []api.UsageRecord{rec("2026-11-05", "a1", "Workers", "req", "Requests", 1, f(30), "USD"), rec("2026-11-05", "a2", "R2", "s", "GB", 1, f(12), "USD")} {
		cur.Add(&r)
	}
	for _, r := range []api.UsageRecord{rec("2026-10-05", "a1", "Workers", "req", "Requests", 1, f(10), "USD"), rec("2026-10-05", "a2", "R2", "s", "GB", 1, f(11), "USD")} {
		prev.Add(&r)
	}
	r := Build(cur, prev, View{Group: DimFamily, Step: StepDay})
	if ch, ok := r.Change(); !ok || math.Abs(ch-100) > 1e-9 {
		t.Errorf("period change %v %v, want +100%%", ch, ok)
	}
	if r.TopMover == nil || r.TopMover.Label != "Workers" {
		t.Fatalf("top mover %+v", r.TopMover)
	}
	if ch, _ := r.TopMover.Change(); math.Abs(ch-200) > 1e-9 {
		t.Errorf("Workers change %v, want +200%%", ch)
	}
}

// series is a day lookup over daily values from from on.
func series(from time.Time, daily []float64) func(time.Time) (float64, bool) {
	return func(d time.Time) (float64, bool) {
		i := Days(from, d) - 1
		if d.Before(from) || i >= len(daily) {
			return 0, false
		}
		return daily[i], true
	}
}

func TestForecast(t *testing.T) {
	// November, today the 21st: 20 days of 10.00 a day, then 10 days left
	from := d("2026-10-01")
	daily := make([]float64, Days(from, d("2026-11-20")))
	for i := range daily {
		daily[i] = 10
	}
	fc, ok := forecast(series(from, daily), d("2026-11-21"), 250)
	if !ok {
		t.Fatal("no forecast")
	}
	if fc.Elapsed != 20 || fc.DaysInMonth != 30 {
		t.Fatalf("elapsed %d of %d", fc.Elapsed, fc.DaysInMonth)
	}
	near(t, "to date", fc.ToDate, 200)
	near(t, "projected", fc.Projected, 300)
	if fc.Crossing.Format(time.DateOnly) != "2026-11-25" || fc.Crossed {
		t.Errorf("budget 250 crossing %v (crossed %v), want 2026-11-25", fc.Crossing, fc.Crossed)
	}
	fc, _ = forecast(series(from, daily), d("2026-11-21"), 150)
	if !fc.Crossed || fc.Crossing.Format(time.DateOnly) != "2026-11-15" {
		t.Errorf("budget 150 crossed on %v", fc.Crossing)
	}
	fc, _ = forecast(series(from, daily), d("2026-11-21"), 1000)
	if !fc.Crossing.IsZero() {
		t.Errorf("a budget out of reach crossed on %v", fc.Crossing)
	}
	// the rate follows the last week: a step up to 20 a day in the last 7 days
	for i := len(daily) - 7; i < len(daily); i++ {
		daily[i] = 20
	}
	fc, _ = forecast(series(from, daily), d("2026-11-21"), 0)
	near(t, "rate", fc.DailyRate, 20)
	near(t, "projected after a step", fc.Projected, 13*10+7*20+10*20)
	if _, ok := forecast(series(d("2026-11-05"), daily[35:]), d("2026-11-21"), 0); ok {
		t.Error("a forecast from a range that misses the month's first days")
	}
}

// twoMonthsBefore is a daily series of v from two months before today to
// yesterday, and its first day.
func twoMonthsBefore(today time.Time, v float64) (time.Time, []float64) {
	from := today.AddDate(0, -2, 0)
	daily := make([]float64, Days(from, today.AddDate(0, 0, -1)))
	for i := range daily {
		daily[i] = v
	}
	return from, daily
}

// The forecast at the edges of the calendar a finance reviewer meets:
// every day before today holds 10.00 (20.00 in the last week).
func TestForecastOnCalendarEdges(t *testing.T) {
	tests := []struct {
		today              string
		elapsed, days      int
		month              string
		projected, crossOn float64 // crossOn: the budget whose crossing is checked
		crossing           string
	}{
		{"2026-12-01", 0, 31, "2026-12", 31 * 20, 100, "2026-12-05"},            // first day: the rate comes from November's last week
		{"2026-12-31", 30, 31, "2026-12", 23*10 + 7*20 + 20, 5000, ""},          // last day: one day left
		{"2028-02-29", 28, 29, "2028-02", 21*10 + 7*20 + 20, 360, "2028-02-29"}, // leap day
		{"2027-01-01", 0, 31, "2027-01", 31 * 20, 620, "2027-01-31"},            // year change
		{"2027-03-01", 0, 31, "2027-03", 31 * 20, 0, ""},                        // after a February of 28 days
	}
	for _, tt := range tests {
		t.Run(tt.today, func(t *testing.T) {
			today := d(tt.today)
			from, daily := twoMonthsBefore(today, 10)
			for i := len(daily) - 7; i < len(daily); i++ {
				daily[i] = 20
			}
			fc, ok := forecast(series(from, daily), today, tt.crossOn)
			if !ok {
				t.Fatal("no forecast")
			}
			if fc.Month.Format("2006-01") != tt.month || fc.Elapsed != tt.elapsed || fc.DaysInMonth != tt.days || fc.RateDays != 7 {
				t.Errorf("month %s, %d of %d days, rate of %d days; want %s, %d of %d, 7", fc.Month.Format("2006-01"), fc.Elapsed, fc.DaysInMonth, fc.RateDays, tt.month, tt.elapsed, tt.days)
			}
			near(t, "projected", fc.Projected, tt.projected)
			if got := fc.Crossing; (tt.crossing == "") != got.IsZero() || (tt.crossing != "" && got.Format(time.DateOnly) != tt.crossing) {
				t.Errorf("budget %v crossed on %v, want %q", tt.crossOn, got, tt.crossing)
			}
		})
	}
}

// This month on its first day is that day alone, with no complete day yet;
// its job keeps the month before day by day, so the forecast has its
// week's rate, and the change still compares like with like (the 1st of
// the month before).
func TestThisMonthOnItsFirstDayForecastsFromLastWeek(t *testing.T) {
	today := d("2027-01-01")
	from, to, _ := ThisMonth.Range(today)
	if from != today || to != today {
		t.Fatalf("this month on the 1st: %v..%v", from, to)
	}
	k, _ := keeperAt(today)
	j := NewJob(Request{Orgs: []string{"o1"}, From: from, To: to, Measure: Effective, Today: today}, k)
	if _, prev := j.Result(); prev.Collapsed || !prev.From.Equal(d("2026-12-01")) || !prev.To.Equal(d("2026-12-31")) {
		t.Fatalf("period before %v..%v (collapsed %v), want December, daily", prev.From, prev.To, prev.Collapsed)
	}
	var recs []api.UsageRecord
	for day := d("2026-11-01"); day.Before(today); day = day.AddDate(0, 0, 1) {
		recs = append(recs, rec(day.Format(time.DateOnly), "a1", "Workers", "req", "Requests", 1, f(12.5), "USD"))
	}
	src := &fakeSource{recs: recs}
	j.Run(context.Background(), src)
	if n := src.calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1 (December; the day itself is not reported yet)", n)
	}
	r := Build(j.Agg(), j.PrevAgg(), View{Group: DimFamily, Step: StepDay, Today: today, Budget: 100})
	if r.Forecast == nil {
		t.Fatal("no forecast on the first of the month")
	}
	near(t, "rate", r.Forecast.DailyRate, 12.5)
	near(t, "projected", r.Forecast.Projected, 31*12.5)
	if got := r.Forecast.Crossing.Format(time.DateOnly); got != "2027-01-08" {
		t.Errorf("budget of 100 crossed on %s, want 2027-01-08", got)
	}
	near(t, "previous period (1 Dec only)", r.PrevTotal, 12.5)
}

// Every preset on every day of three years (a leap day among them): the
// whole-month presets are whole months before this one, compared with as
// many whole months before them; the day counts are what they say; no
// range reaches today.
func TestPresetsOnEveryDay(t *testing.T) {
	for today := d("2026-01-01"); today.Before(d("2029-01-01")); today = today.AddDate(0, 0, 1) {
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
		for _, p := range Presets {
			from, to, ok := p.Preset.Range(today)
			if !ok || to.Before(from) || (!to.Before(today) && !(p.Preset == ThisMonth && today.Day() == 1)) {
				t.Fatalf("%s on %s: %s..%s", p.Preset, today.Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly))
			}
			pf, pt := Previous(from, to)
			switch p.Preset {
			case Last12Months, LastMonth:
				months := map[Preset]int{Last12Months: 12, LastMonth: 1}[p.Preset]
				if !from.Equal(first.AddDate(0, -months, 0)) || !to.Equal(first.AddDate(0, 0, -1)) || Days(from, to) > 366 {
					t.Fatalf("%s on %s: %s..%s", p.Preset, today.Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly))
				}
				if !pf.Equal(from.AddDate(0, -months, 0)) || !pt.Equal(from.AddDate(0, 0, -1)) {
					t.Fatalf("%s on %s compares with %s..%s", p.Preset, today.Format(time.DateOnly), pf.Format(time.DateOnly), pt.Format(time.DateOnly))
				}
			case Last30Days, Last90Days:
				// (a range of whole months is compared with whole months, one from the 1st with those days of the month before)
				if n := map[Preset]int{Last30Days: 30, Last90Days: 90}[p.Preset]; Days(from, to) != n || Days(pf, pt) > n+3 || !pt.Before(from) {
					t.Fatalf("%s on %s: %d days, compared with %d", p.Preset, today.Format(time.DateOnly), Days(from, to), Days(pf, pt))
				}
			case ThisMonth:
				if !from.Equal(first) || Days(pf, pt) > Days(from, to) {
					t.Fatalf("this month on %s: %s..%s against %s..%s", today.Format(time.DateOnly), from.Format(time.DateOnly),
						to.Format(time.DateOnly), pf.Format(time.DateOnly), pt.Format(time.DateOnly))
				}
			}
		}
	}
}

func TestPresetsOnCalendarEdges(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now      time.Time
		preset   Preset
		from, to string
	}{
		{d("2026-12-01"), ThisMonth, "2026-12-01", "2026-12-01"},
		{d("2026-12-01"), LastMonth, "2026-11-01", "2026-11-30"},
		{d("2026-12-31"), ThisMonth, "2026-12-01", "2026-12-30"},
		{d("2028-02-29"), LastMonth, "2028-01-01", "2028-01-31"},
		{d("2028-03-01"), LastMonth, "2028-02-01", "2028-02-29"},
		{d("2027-01-01"), Last12Months, "2026-01-01", "2026-12-31"},
		{d("2027-01-01"), Last30Days, "2026-12-02", "2026-12-31"},
		// the night the clocks go back in New York (01:30 happens twice): usage days are UTC days
		{time.Date(2026, 11, 1, 1, 30, 0, 0, ny), Last30Days, "2026-10-02", "2026-10-31"},
		{time.Date(2026, 11, 1, 23, 30, 0, 0, ny), Last30Days, "2026-10-03", "2026-11-01"},
		{time.Date(2027, 3, 14, 3, 30, 0, 0, ny), ThisMonth, "2027-03-01", "2027-03-13"},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.RFC3339)+" "+string(tt.preset), func(t *testing.T) {
			from, to, ok := tt.preset.Range(Civil(tt.now.UTC()))
			if !ok || from.Format(time.DateOnly) != tt.from || to.Format(time.DateOnly) != tt.to {
				t.Errorf("got %v..%v, want %s..%s", from.Format(time.DateOnly), to.Format(time.DateOnly), tt.from, tt.to)
			}
			if n := Days(from, to); n != Days(d(tt.from), d(tt.to)) {
				t.Errorf("%d days", n)
			}
		})
	}
}

func TestAnomalies(t *testing.T) {
	from := d("2026-09-01") // a Tuesday
	vals := make([]float64, 60)
	for i := range vals {
		day := from.AddDate(0, 0, i)
		vals[i] = 100 + float64((i*37)%11) - 5 // ±5 noise
		if weekend(day) {
			vals[i] *= 0.6 // weekends lower: not anomalies
		}
	}
	vals[40] = 400 // a spike
	vals[50] = 20  // a drop on a weekday
	got := anomalies(from, vals)
	if len(got) != 2 || got[0] != 40 || got[1] != 50 {
		t.Fatalf("anomalies at %v, want [40 50]", got)
	}
	if b := baselineAt(from, vals, 40); b < 57 || b > 63 { // a Sunday: compared with weekends
		t.Errorf("Sunday baseline %v", b)
	}
	if b := baselineAt(from, vals, 50); b < 95 || b > 105 {
		t.Errorf("Wednesday baseline %v", b)
	}
	flat := make([]float64, 30)
	if len(anomalies(from, flat)) != 0 {
		t.Error("anomalies in a flat zero series")
	}
}

// fakeSource answers from records, failing the windows in fail.
type fakeSource struct {
	recs  []api.UsageRecord
	fail  map[string]error // window "from" -> error, after yielding one record
	calls atomic.Int64
}

func (s *fakeSource) UsageRecords(ctx context.Context, org string, p api.UsageParams) iter.Seq2[api.UsageRecord, error] {
	s.calls.Add(1)
	return func(yield func(api.UsageRecord, error) bool) {
		from, to := d(p.From), d(p.To)
		for _, r := range s.recs {
			if r.ChargePeriodStart.Before(from) || r.ChargePeriodStart.After(to) {
				continue
			}
			if !yield(r, nil) {
				return
			}
			if err := s.fail[p.From]; err != nil {
				yield(api.UsageRecord{}, err)
				return
			}
		}
	}
}

func TestPartialFailureAndRetry(t *testing.T) {
	var recs []api.UsageRecord
	for day := d("2026-09-01"); day.Before(d("2026-11-01")); day = day.AddDate(0, 0, 1) {
		recs = append(recs, rec(day.Format(time.DateOnly), "a1", "Workers", "req", "Requests", 1, f(1), "USD"))
	}
	src := &fakeSource{recs: recs, fail: map[string]error{"2026-10-01": &api.Error{StatusCode: 429, Reason: "rate limited"}}}
	k, _ := keeperAt(d("2026-12-01"))
	j := NewJob(Request{Orgs: []string{"o1"}, From: d("2026-09-01"), To: d("2026-10-31"), Measure: Effective}, k)
	j.Run(context.Background(), src)
	gaps := j.Gaps()
	if len(gaps) != 1 || gaps[0].From.Format(time.DateOnly) != "2026-10-01" || gaps[0].To.Format(time.DateOnly) != "2026-10-31" || gaps[0].Reason != "Cloudflare is limiting requests" {
		t.Fatalf("gaps %+v", gaps)
	}
	r := Build(j.Agg(), j.PrevAgg(), View{Group: DimFamily, Step: StepMonth})
	near(t, "September only (the failed October's first record is not counted)", r.Total, 30)
	// the retry fetches only October
	delete(src.fail, "2026-10-01")
	before := src.calls.Load()
	if n := j.Retry(context.Background(), src); n != 1 {
		t.Fatalf("retried %d parts", n)
	}
	if err := j.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls := src.calls.Load() - before; calls != 1 {
		t.Errorf("retry made %d calls, want 1", calls)
	}
	if len(j.Gaps()) != 0 {
		t.Errorf("gaps after retry %+v", j.Gaps())
	}
	near(t, "after retry", Build(j.Agg(), j.PrevAgg(), View{Group: DimFamily, Step: StepMonth}).Total, 61)
	if p := j.Progress(); p.Done != p.Total || p.Running {
		t.Errorf("progress %+v", p)
	}
}

func TestJobsCacheAndStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k, _ := keeperAt(d("2026-12-01"))
	js := NewJobs(ctx, k, time.Minute, 2, nil)
	src := &fakeSource{recs: []api.UsageRecord{rec("2026-11-02", "a1", "Workers", "req", "Requests", 1, f(1), "USD")}}
	req := Request{Orgs: []string{"o1"}, From: d("2026-11-01"), To: d("2026-11-10"), Measure: Effective}
	j1, started := js.Get("u1|x", req, src)
	if !started {
		t.Fatal("first Get did not start")
	}
	j1.Wait(ctx)
	j2, started := js.Get("u1|x", req, src)
	if started || j2 != j1 {
		t.Error("second Get fetched again")
	}
	js.Get("u1|y", req, src)
	js.Get("u2|z", req, src) // over Max: the least recently used goes
	if len(js.jobs) > 2 {
		t.Errorf("%d jobs kept, max 2", len(js.jobs))
	}
	js.Forget("u2|")
	if js.Lookup("u2|z") != nil {
		t.Error("Forget kept a job")
	}
}

func TestDisplay(t *testing.T) {
	for v, want := range map[float64]string{0: "0.00", 999.5: "999.50", 1234.5: "1,234.50", -1234567.891: "-1,234,567.89", 100000: "100,000.00"} {
		if got := Display(v, "USD"); got != want {
			t.Errorf("Display(%v) = %q, want %q", v, got, want)
		}
	}
	// a quantity of a thousand or more is whole; a smaller one keeps up to three decimals
	for v, want := range map[float64]string{1972015146.364: "1,972,015,146", 1234567.5: "1,234,568", 999.125: "999.125", 2.5: "2.5"} {
		if got := Display(v, "qty:Requests"); got != want {
			t.Errorf("quantity %v: %q, want %q", v, got, want)
		}
	}
}

func TestMonthOverMonthKeepsTheTopGroupsAndOther(t *testing.T) {
	a := NewAgg(d("2026-09-01"), d("2026-10-31"), Effective, nil)
	for i := range 20 {
		for _, day := range []string{"2026-09-05", "2026-10-05"} {
			r := rec(day, fmt.Sprintf("a%02d", i), "Workers", "req", "Requests", 1, f(float64(i+1)), "USD")
			a.Add(&r)
		}
	}
	r := Build(a, nil, View{Group: DimAccount, Step: StepMonth, TopN: 5})
	if r.MoM == nil || len(r.MoM.Lines) != 6 || !strings.HasPrefix(r.MoM.Lines[5].Label, "Other (15)") {
		t.Fatalf("month over month lines %+v", r.MoM)
	}
	sum := 0.0
	for _, l := range r.MoM.Lines {
		sum += l.Total
	}
	near(t, "month total over all lines", sum, 210)
	near(t, "Other", r.MoM.Lines[5].Total, 120) // accounts 1..15
}

// Month ranges are compared with calendar months, a month to date with the
// same days of the month before, other ranges with the days just before.
func TestPreviousIsCalendarAware(t *testing.T) {
	for _, tt := range []struct{ from, to, pf, pt string }{
		{"2026-11-01", "2026-11-30", "2026-10-01", "2026-10-31"}, // last month: calendar October, not 2–31 Oct
		{"2026-09-01", "2026-11-30", "2026-06-01", "2026-08-31"}, // three months
		{"2028-03-01", "2028-03-31", "2028-02-01", "2028-02-29"}, // March against a leap February
		{"2028-03-01", "2028-03-30", "2028-02-01", "2028-02-29"}, // March to the 30th: February, to its end
		{"2026-12-01", "2026-12-15", "2026-11-01", "2026-11-15"}, // a month to date
		{"2025-12-01", "2026-11-30", "2024-12-01", "2025-11-30"}, // twelve months
		{"2026-11-02", "2026-12-01", "2026-10-03", "2026-11-01"}, // thirty days
		{"2027-01-01", "2027-01-01", "2026-12-01", "2026-12-01"}, // the first of a month
	} {
		pf, pt := Previous(d(tt.from), d(tt.to))
		if pf.Format(time.DateOnly) != tt.pf || pt.Format(time.DateOnly) != tt.pt {
			t.Errorf("%s..%s: previous %s..%s, want %s..%s", tt.from, tt.to, pf.Format(time.DateOnly), pt.Format(time.DateOnly), tt.pf, tt.pt)
		}
	}
}

// A month is compared with the month before, whatever their lengths: a
// full October against a full September is a change; a month against a
// period before that holds usage on a few of its days is not.
func TestMonthsOfOtherLengthsCompare(t *testing.T) {
	fill := func(a *Agg, from, to time.Time, cost float64) {
		for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
			r := rec(day.Format(time.DateOnly), "a1", "Workers", "req", "Requests", 1, f(cost), "USD")
			a.Add(&r)
		}
	}
	for _, tt := range []struct {
		from, to, prevData string
		comparable         bool
	}{
		{"2026-10-01", "2026-10-31", "2026-09-01", true},  // 31 days against 30
		{"2026-03-01", "2026-03-31", "2026-02-01", true},  // against 28
		{"2026-09-01", "2026-09-30", "2026-08-01", true},  // 30 against 31
		{"2026-10-01", "2026-10-31", "2026-09-20", false}, // the month before holds 11 days of usage
	} {
		cur := NewAgg(d(tt.from), d(tt.to), Effective, nil)
		fill(cur, cur.From, cur.To, 2)
		pf, pt := Previous(cur.From, cur.To)
		prev := NewAgg(pf, pt, Effective, nil)
		fill(prev, d(tt.prevData), pt, 1)
		r := Build(cur, prev, View{Group: DimFamily, Step: StepDay})
		if got := r.NotComparable == ""; got != tt.comparable {
			t.Errorf("%s–%s against usage from %s: comparable %v (%q), want %v", tt.from, tt.to, tt.prevData, got, r.NotComparable, tt.comparable)
		}
		if _, ok := r.Change(); ok != tt.comparable {
			t.Errorf("%s–%s: a change given %v", tt.from, tt.to, ok)
		}
	}
}

// Cloudflare reports a day some hours after it ends. Until then yesterday
// reads as nothing: the forecast leaves it out of the rate and of the
// month so far, and projects it like the days to come, instead of taking
// it for a day that cost nothing.
func TestForecastWhileYesterdayIsNotReported(t *testing.T) {
	for _, tt := range []struct {
		today            string
		elapsed          int
		toDate, crossing string
	}{
		{"2026-11-21", 19, "190", "2026-11-25"}, // yesterday the 20th: 19 days so far
		{"2026-11-02", 0, "0", "2026-11-25"},    // yesterday the 1st: no day so far
		{"2026-12-01", 0, "0", "2026-12-25"},    // yesterday in the month before: the rate's week alone
	} {
		t.Run(tt.today, func(t *testing.T) {
			today := d(tt.today)
			from, daily := twoMonthsBefore(today, 10)
			daily[len(daily)-1] = 0 // yesterday: not reported yet
			fc, ok := forecast(series(from, daily), today, 250)
			if !ok {
				t.Fatal("no forecast")
			}
			if !fc.Unreported || fc.RateDays != 6 || fc.Elapsed != tt.elapsed || len(fc.Cumulative) != tt.elapsed {
				t.Errorf("unreported %v, rate of %d days, %d days so far (%d cumulative); want true, 6, %d", fc.Unreported, fc.RateDays, fc.Elapsed, len(fc.Cumulative), tt.elapsed)
			}
			near(t, "rate", fc.DailyRate, 10)
			near(t, "projected", fc.Projected, 10*float64(fc.DaysInMonth))
			if fmt.Sprint(fc.ToDate) != tt.toDate || fc.Crossing.Format(time.DateOnly) != tt.crossing {
				t.Errorf("to date %v crossing %v, want %s and %s", fc.ToDate, fc.Crossing.Format(time.DateOnly), tt.toDate, tt.crossing)
			}
		})
	}
	// a week that cost nothing, yesterday too: nothing is missing
	quiet := make([]float64, 60)
	fc, ok := forecast(series(d("2026-09-22"), quiet), d("2026-11-21"), 0)
	if !ok || fc.Unreported || fc.Elapsed != 20 || fc.Projected != 0 {
		t.Errorf("a quiet month: ok %v unreported %v elapsed %d projected %v", ok, fc.Unreported, fc.Elapsed, fc.Projected)
	}
}
