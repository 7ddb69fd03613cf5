package usage

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// A store written before the texts had a table reads as it did: the value
// below is what EncodeSums wrote then, for the sums of
// TestSumsEncodeAndDecodeAlike.
func TestValuesWrittenBeforeTheTableStillRead(t *testing.T) {
	b, err := hex.DecodeString("020261310c436166c3a9202270726f64220372657108526571756573747307576f726b657273017a097a2e6578616d706c65047765" +
		"75720e5765737465726e204575726f706501730d5061792d61732d796f752d676f03555344085265717565737473010f0600000000004a9340000000000000f83f00" +
		"000000000002c00000000000000840ffffffffffffef7f00000267620000000000000000000000000100000000000" +
		"0f07f0000000000000000000000000000000000000000000000000000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	want := codecSums()
	var got []Sum
	if err := DecodeSums(b, d("2026-11-02"), func(s *Sum) error { got = append(got, *s); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v", got)
	}
	if n, o := len(EncodeSums(want)), len(b); n >= o {
		t.Errorf("a value with its texts in a table takes %d bytes, inline %d", n, o)
	}
	for cut := range b {
		if err := DecodeSums(b[:cut], d("2026-11-02"), func(*Sum) error { return nil }); err == nil && cut > 1 {
			t.Fatalf("an earlier value cut at %d of %d decoded", cut, len(b))
		}
	}
}

// Quantities and costs in whole thousandths are written in a few bytes
// and come back bit for bit; any other number is written whole.
func TestThousandthsComeBackExactly(t *testing.T) {
	var sums []Sum
	for _, v := range []float64{0, 0.001, -3681.739, 1e12 + 0.5, 0.1 + 0.2, -zero, 1.0 / 3, 4503599627370.495, 9007199254740.993, posInf()} {
		sums = append(sums, Sum{Day: d("2026-11-02"), Metric: "m", Costs: 5, Records: 1, Qty: v, Cost: [4]float64{v, 0, 1.84, 0}})
	}
	var got []Sum
	if err := DecodeSums(EncodeSums(sums), time.Time{}, func(s *Sum) error { got = append(got, *s); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range sums {
		for j, pair := range [][2]float64{{got[i].Qty, sums[i].Qty}, {got[i].Cost[0], sums[i].Cost[0]}, {got[i].Cost[2], sums[i].Cost[2]}} {
			if math.Float64bits(pair[0]) != math.Float64bits(pair[1]) {
				t.Errorf("sum %d number %d: %v came back as %v", i, j, pair[1], pair[0])
			}
		}
	}
	exact := []Sum{{Day: d("2026-11-02"), Metric: "m", Costs: 15, Records: 1, Qty: 3681.739, Cost: [4]float64{1.84, 1.84, 2.3, 1.84}}}
	whole := slices.Clone(exact)
	whole[0].Qty += 1e-9
	if n, w := len(EncodeSums(exact)), len(EncodeSums(whole)); n+12 > w {
		t.Errorf("a sum of thousandths takes %d bytes, of other numbers %d", n, w)
	}
}

// A damaged byte anywhere is an error or other numbers, never a panic.
func TestDamagedValuesNeverPanic(t *testing.T) {
	b := EncodeSums(append(codecSums(), codecSums()...))
	for i := range b {
		for _, x := range []byte{0, 1, 0x7f, 0x80, 0xff, b[i] ^ 0x55} {
			c := append([]byte(nil), b...)
			c[i] = x
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("byte %d set to %#x: panic %v", i, x, r)
					}
				}()
				DecodeSums(c, d("2026-11-02"), func(*Sum) error { return nil })
			}()
		}
	}
}

func codecSums() []Sum {
	return []Sum{
		{Day: d("2026-11-02"), Account: "a1", AccountName: "Café \"prod\"", Metric: "req", MetricName: "Requests", Family: "Workers", Zone: "z",
			ZoneName: "z.example", Region: "weur", RegionName: "Western Europe", Sub: "s", SubName: "Pay-as-you-go", Correction: true,
			Currency: "USD", Unit: "Requests", Costs: 15, Records: 3, Qty: 1234.5, Cost: [4]float64{1.5, -2.25, 3, 1.7976931348623157e308}},
		{Day: d("2026-11-02"), Metric: "gb", Records: -1, Qty: posInf()},
	}
}

func posInf() float64 { return 1 / zero }

var zero = 0.0

// Folding stored values a Block at a time is folding their sums one by
// one: a value a day or one of many days (a month's fine sums), every
// grouping, filter, measure, rate card and reporting currency, fine and
// coarse, by day and in totals, with days outside the range.
func TestBlocksFoldAsTheirSums(t *testing.T) {
	from, to := d("2026-10-30"), d("2026-11-30")
	days := randomDays(rand.New(rand.NewPCG(7, 26)), from.AddDate(0, 0, -2), to.AddDate(0, 0, 1))
	card := NewRateCard([]Rate{{Metric: "m1", Price: 0.5, Per: 1, Currency: "USD", From: d("2026-01-01")},
		{Metric: "m1", Price: 0.75, Per: 1, Currency: "USD", From: d("2026-11-15")}, {Metric: "m3", Price: 2, Per: 1, Currency: "EUR", From: d("2026-01-01")}})
	cards := []*RateCard{nil, card, card.Reporting("EUR", DefaultFX())}
	filters := [][]Filter{nil, {{DimAccount, "acct-3"}}, {{DimFamily, "(no product family)"}}, {{DimRegion, ""}, {DimMetric, "m2"}},
		{{DimZone, "zone-1"}, {DimSubscription, "sub-2"}}, {{DimTotal, ""}}, {{DimFamily, "Nothing at all"}}}
	n := 0
	for _, m := range []Measure{Effective, Billed, Contracted, Estimated, Quantity} {
		for ci, rates := range cards {
			for fi, fs := range filters {
				for _, coarse := range []bool{false, true} {
					for _, collapsed := range []bool{false, true} {
						name := fmt.Sprintf("%s card %d filters %d coarse %v totals %v", m, ci, fi, coarse, collapsed)
						bySum, byBlock := NewAgg(from, to, m, fs), NewAgg(from, to, m, fs)
						for _, a := range []*Agg{bySum, byBlock} {
							a.Rates, a.Coarse = rates, coarse
							if collapsed {
								a.Collapsed, a.days = true, 1
							}
						}
						in := Strings{}
						var blk Block
						// a store keeps what a read asks for of a month's value
						kf, kt := from.AddDate(0, 0, -5), to.AddDate(0, 0, 5)
						if fi%4 == 0 {
							kf, kt = from.AddDate(0, 0, 3), to.AddDate(0, 0, -3)
						}
						for _, sums := range values(days, coarse, fi%2 == 0) {
							for i := range sums {
								if !sums[i].Day.Before(kf) && !sums[i].Day.After(kt) {
									bySum.AddSum(&sums[i])
								}
							}
							if err := in.Block(EncodeSums(sums), time.Time{}, &blk); err != nil {
								t.Fatal(err)
							}
							blk.Keep(kf, kt)
							byBlock.AddBlock(&blk)
						}
						if bySum.Records == 0 && !coarse && fi != len(filters)-1 {
							t.Fatalf("%s: nothing folded: the case tests nothing", name)
						}
						for _, g := range Dims {
							v := View{Group: g.Dim, Step: StepDay, Today: d("2026-12-07")}
							if a, b := Build(bySum, nil, v), Build(byBlock, nil, v); !reflect.DeepEqual(a, b) {
								t.Fatalf("%s, by %s: one by one %+v\nby block %+v", name, g.Name, a, b)
							}
							n++
						}
					}
				}
			}
		}
	}
	t.Logf("%d reports alike", n)
}

// values are the sums of days as the store writes them: a value a day,
// or (whole) one value of them all in SortSums' order.
func values(days []storedDay, coarse, whole bool) [][]Sum {
	var out [][]Sum
	for _, day := range days {
		sums := day.sums
		if coarse {
			sums = Coarsen(sums)
		}
		out = append(out, sums)
	}
	if !whole {
		return out
	}
	all := slices.Concat(out...)
	SortSums(all)
	return [][]Sum{all}
}

type storedDay struct {
	day  time.Time
	sums []Sum
}

// randomDays are days of an organization's sums over [from, to]: some
// texts empty, some costs missing, corrections, and several currencies.
func randomDays(r *rand.Rand, from, to time.Time) []storedDay {
	var out []storedDay
	pick := func(prefix string, n int) string {
		i := r.IntN(n + 1)
		if i == n {
			return ""
		}
		return fmt.Sprintf("%s-%d", prefix, i)
	}
	var daily []Sum // keys of every day, as an account's metrics are
	for range 12 {
		daily = append(daily, Sum{Account: pick("acct", 6), AccountName: pick("Account name", 8), Metric: fmt.Sprintf("m%d", r.IntN(4)),
			Family: pick("Family", 3), Zone: pick("zone", 3), Region: pick("region", 2), Currency: []string{"USD", "EUR", ""}[r.IntN(3)],
			Costs: uint8(r.IntN(16)), Records: 1})
	}
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		var sums []Sum
		for _, s := range daily {
			s.Day, s.Qty = day, r.Float64()*100
			for c := range s.Cost {
				if s.Costs&(1<<c) != 0 {
					s.Cost[c] = float64(r.IntN(3)) * 0.5
				}
			}
			sums = append(sums, s)
		}
		for range r.IntN(40) {
			s := Sum{Day: day, Account: pick("acct", 6), Metric: fmt.Sprintf("m%d", r.IntN(4)), Family: pick("Family", 3), Zone: pick("zone", 3),
				Region: pick("region", 2), Sub: pick("sub", 3), Correction: r.IntN(10) == 0, Currency: []string{"USD", "EUR", "GBP", ""}[r.IntN(4)],
				Unit: pick("unit", 2), Records: 1 + r.Int64N(3), Qty: r.Float64() * 1000}
			s.AccountName, s.ZoneName = pick("Account name", 8), pick("zone.example", 4)
			s.MetricName, s.RegionName, s.SubName = pick("Metric", 5), pick("Region", 2), pick("Plan", 2)
			s.Costs = uint8(r.IntN(16))
			for c := range s.Cost {
				if s.Costs&(1<<c) != 0 {
					s.Cost[c] = float64(r.IntN(3)) * 1.25
				}
			}
			sums = append(sums, s)
		}
		out = append(out, storedDay{day, sums})
	}
	return out
}
