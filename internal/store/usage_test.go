package store_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"orgboard/internal/store/storetest"
	"orgboard/internal/usage"
)

func day(s string) time.Time {
	d, err := usage.Day(s)
	if err != nil {
		panic(err)
	}
	return d
}

// The usage store keeps what was put, replaces a window's days whole, sums
// the coarse rows over organizations, and is still there after a restart.
func TestUsageStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		st := b.Open(t)
		u := st.Usage
		s := func(o, dayS, acct, metric, fam, zone, cur string, costs uint8, qty, eff float64, corr bool) usage.Sum {
			return usage.Sum{Day: day(dayS), Account: acct, AccountName: "Acct " + acct, Metric: metric, MetricName: "Metric " + metric, Family: fam,
				Zone: zone, ZoneName: zone + ".example", Region: "weur", RegionName: "Western Europe", Sub: "payg-" + acct, SubName: "Pay-as-you-go",
				Correction: corr, Currency: cur, Unit: "Requests", Costs: costs, Records: 1, Qty: qty, Cost: [4]float64{eff, eff, eff * 2, eff}}
		}
		fetched := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		// o1: two accounts on 1 Nov (same metric: one coarse row), a correction on 2 Nov; 3 Nov fetched, empty
		if err := u.Put(bg, "o1", day("2026-11-01"), day("2026-11-03"), fetched, []usage.Sum{
			s("o1", "2026-11-01", "a1", "req", "Workers", "z1", "USD", 15, 1000, 1.5, false),
			s("o1", "2026-11-01", "a2", "req", "Workers", "z2", "USD", 15, 3000, 4.5, false),
			s("o1", "2026-11-02", "a1", "req", "Workers", "z1", "USD", 15, -30, -0.05, true),
			s("o1", "2026-11-02", "a2", "r2", "R2", "", "", 0, 77, 0, false),
		}); err != nil {
			t.Fatal(err)
		}
		if err := u.Put(bg, "o2", day("2026-11-01"), day("2026-11-01"), fetched, []usage.Sum{
			s("o2", "2026-11-01", "a9", "req", "Workers", "", "USD", 15, 500, 0.75, false),
		}); err != nil {
			t.Fatal(err)
		}
		stored, _, err := u.Stored(bg, []string{"o1", "o2", "o3"}, day("2026-10-01"), day("2026-11-30"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != 4 {
			t.Fatalf("stored days %+v, want o1's three and o2's one", stored)
		}
		for _, sd := range stored {
			if !sd.Fetched.Equal(fetched) || sd.Corrected != (sd.Org == "o1" && sd.Day.Equal(day("2026-11-02"))) {
				t.Errorf("stored day %+v", sd)
			}
		}
		coarse := read(t, u, []string{"o1", "o2"}, "2026-11-01", "2026-11-02", false)
		// 1 Nov Workers over both organizations: 1000 + 3000 + 500 requests, 1.5 + 4.5 + 0.75 USD
		w := find(coarse, "2026-11-01", "req")
		if w == nil || w.Records != 3 || w.Qty != 4500 || math.Abs(w.Cost[0]-6.75) > 1e-9 || w.Cost[2] != 13.5 || w.Account != "" || w.Family != "Workers" {
			t.Fatalf("coarse 1 Nov Workers %+v", w)
		}
		if c := find(coarse, "2026-11-02", "req"); c == nil || !c.Correction || c.Qty != -30 {
			t.Errorf("the correction %+v", c)
		}
		if r2 := find(coarse, "2026-11-02", "r2"); r2 == nil || r2.Costs != 0 || r2.Currency != "" || r2.Qty != 77 {
			t.Errorf("a record without costs %+v", r2)
		}
		fine := read(t, u, []string{"o1"}, "2026-11-01", "2026-11-30", true)
		if len(fine) != 4 || fine[0].AccountName == "" || fine[0].ZoneName == "" || fine[0].SubName != "Pay-as-you-go" {
			t.Fatalf("fine rows %+v", fine)
		}
		// fetching 2 Nov again replaces it whole: the correction is gone, a new record is there
		later := fetched.Add(48 * time.Hour)
		if err := u.Put(bg, "o1", day("2026-11-02"), day("2026-11-02"), later, []usage.Sum{
			s("o1", "2026-11-02", "a1", "req", "Workers", "z1", "USD", 15, 10, 0.01, false),
		}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		u = b.Open(t).Usage // a restart keeps the store
		again := read(t, u, []string{"o1"}, "2026-11-02", "2026-11-02", true)
		if len(again) != 1 || again[0].Qty != 10 || again[0].Correction {
			t.Fatalf("2 Nov after it was fetched again: %+v", again)
		}
		stored, _, _ = u.Stored(bg, []string{"o1"}, day("2026-11-02"), day("2026-11-02"), 0)
		if len(stored) != 1 || !stored[0].Fetched.Equal(later) || stored[0].Corrected {
			t.Errorf("2 Nov's record %+v", stored)
		}
		if days, bytes, err := u.Size(bg); err != nil || days != 4 || bytes == 0 {
			t.Errorf("size: %d days, %d bytes (%v), want o1's three days and o2's one", days, bytes, err)
		}
	})
}

// A set's rollups are kept per day with their stamp, replaced, and
// removed when a day they hold is put again.
func TestUsageRollups(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		u := b.Open(t).Usage
		set := usage.SetName([]string{"o2", "o1"})
		if set != usage.SetName([]string{"o1", "o2"}) {
			t.Fatal("a set's name depends on its order")
		}
		w := usage.Sum{Metric: "req", MetricName: "Requests", Family: "Workers", Currency: "USD", Unit: "Requests", Costs: 1, Records: 7, Qty: 1000, Cost: [4]float64{2.5}}
		for _, d := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
			w.Day = day(d)
			if err := u.PutRollup(bg, set, usage.Rollup{Day: w.Day, Stamp: 42, Sums: []usage.Sum{w}}); err != nil {
				t.Fatal(err)
			}
		}
		w.Day, w.Qty = day("2026-11-02"), 5
		if err := u.PutRollup(bg, set, usage.Rollup{Day: w.Day, Stamp: 43, Sums: []usage.Sum{w}}); err != nil { // replaced
			t.Fatal(err)
		}
		got, err := u.Rollups(bg, set, day("2026-11-02"), day("2026-11-30"))
		if err != nil || len(got) != 2 {
			t.Fatalf("rollups %+v %v", got, err)
		}
		slices.SortFunc(got, func(a, b usage.Rollup) int { return a.Day.Compare(b.Day) })
		if g := got[0]; !g.Day.Equal(day("2026-11-02")) || g.Stamp != 43 || len(g.Sums) != 1 || g.Sums[0].Qty != 5 || g.Sums[0].Cost[0] != 2.5 ||
			g.Sums[0].Family != "Workers" || !g.Sums[0].Day.Equal(g.Day) {
			t.Errorf("2 Nov's rollup %+v", g)
		}
		if other, _ := u.Rollups(bg, usage.SetName([]string{"o1"}), day("2026-11-01"), day("2026-11-30")); len(other) != 0 {
			t.Errorf("another set's rollups: %+v", other)
		}
		if err := u.Put(bg, "o9", day("2026-11-03"), day("2026-11-03"), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), nil); err != nil {
			t.Fatal(err)
		}
		if left, _ := u.Rollups(bg, set, day("2026-11-01"), day("2026-11-30")); len(left) != 2 || left[0].Day.Equal(day("2026-11-03")) || left[1].Day.Equal(day("2026-11-03")) {
			t.Errorf("a day put again keeps its rollup: %+v", left)
		}
		t1 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		u.Put(bg, "o1", day("2026-11-05"), day("2026-11-06"), t1, nil)
		u.Put(bg, "o2", day("2026-11-06"), day("2026-11-06"), t1.Add(time.Hour), nil)
		st, err := u.Stamps(bg, []string{"o1", "o2", "o3"}, day("2026-11-01"), day("2026-11-30"))
		want := map[int64]usage.Stamp{usage.DayNumber(day("2026-11-05")): {Days: 1, Fetched: t1.Unix()},
			usage.DayNumber(day("2026-11-06")): {Days: 2, Fetched: 2*t1.Unix() + 3600}}
		if err != nil || len(st) != len(want) || st[usage.DayNumber(day("2026-11-05"))] != want[usage.DayNumber(day("2026-11-05"))] ||
			st[usage.DayNumber(day("2026-11-06"))] != want[usage.DayNumber(day("2026-11-06"))] {
			t.Errorf("stamps %v (%v), want %v", st, err, want)
		}
	})
}

func read(t *testing.T, u usage.Store, orgs []string, from, to string, fine bool) []usage.Sum {
	t.Helper()
	var out []usage.Sum
	err := u.Read(bg, orgs, day(from), day(to), fine, func(b *usage.Block) error {
		for i := range b.Sums {
			var s usage.Sum
			b.Sum(i, &s)
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !fine { // the caller adds up equal keys of one day
		type k struct {
			day time.Time
			key usage.Key
		}
		at := map[k]int{}
		var summed []usage.Sum
		for _, s := range out {
			if i, ok := at[k{s.Day, s.Key()}]; ok {
				summed[i].AddUp(&s)
				continue
			}
			at[k{s.Day, s.Key()}] = len(summed)
			summed = append(summed, s)
		}
		out = summed
	}
	slices.SortFunc(out, func(a, b usage.Sum) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if a.Metric != b.Metric {
			return map[bool]int{true: -1, false: 1}[a.Metric < b.Metric]
		}
		return map[bool]int{true: -1, false: 1}[a.Account < b.Account]
	})
	return out
}

func find(sums []usage.Sum, d, metric string) *usage.Sum {
	for i := range sums {
		if sums[i].Day.Equal(day(d)) && sums[i].Metric == metric {
			return &sums[i]
		}
	}
	return nil
}

// A rate card is kept per organization, replaced whole, and removed.
func TestRateCards(t *testing.T) {
	storetest.Run(t, func(t *testing.T, b storetest.Backend) {
		r := b.Open(t).Rates
		if _, ok, err := r.Rates(bg, "o1"); ok || err != nil {
			t.Fatalf("a card before any: %v %v", ok, err)
		}
		card := []usage.Rate{{Metric: "workers_standard_requests", Name: "Workers Standard Requests", Price: 0.25, Per: 1e6, PricingUnit: "Million Requests",
			Currency: "EUR", From: day("2026-01-01"), Source: "contract 2026"}}
		if err := r.SetRates(bg, "o1", card, t0); err != nil {
			t.Fatal(err)
		}
		got, ok, err := r.Rates(bg, "o1")
		if err != nil || !ok || len(got) != 1 || got[0] != card[0] {
			t.Fatalf("card %+v %v %v", got, ok, err)
		}
		if err := r.SetRates(bg, "o1", usage.DefaultRates(), t0); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := r.Rates(bg, "o1"); len(got) != len(usage.DefaultRates()) {
			t.Errorf("replaced card has %d rates", len(got))
		}
		if err := r.ClearRates(bg, "o1"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := r.Rates(bg, "o1"); ok {
			t.Error("a cleared card is still there")
		}
	})
}
