package usage

import (
	"context"
	"iter"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"orgboard/internal/api"
)

// A range is fetched once: a second view of it, a regrouping and the
// period before cost no call; only days that may still change are asked
// for again, and only once their last fetch is older than Fresh.
func TestKeeperFetchesEachDayOnce(t *testing.T) {
	today := d("2026-12-01")
	k, st := keeperAt(today)
	k.Fresh = time.Hour
	clk := k.now
	now := clk()
	k.now = func() time.Time { return now }
	var recs []api.UsageRecord
	for day := d("2026-10-01"); day.Before(today); day = day.AddDate(0, 0, 1) {
		recs = append(recs, rec(day.Format(time.DateOnly), "a1", "Workers", "req", "Requests", 100, f(1), "USD"))
	}
	src := &fakeSource{recs: recs}
	req := Request{Orgs: []string{"o1"}, From: d("2026-11-01"), To: d("2026-11-30"), Measure: Effective}
	run := func(req Request) *Job {
		j := NewJob(req, k)
		j.Run(context.Background(), src)
		if err := j.StoreErr(); err != nil {
			t.Fatal(err)
		}
		return j
	}
	first := run(req)
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("first view: %d calls, want 2 (November, and October before it)", n)
	}
	near(t, "November", float64(first.Agg().Records), 30)
	near(t, "October (the period before)", float64(first.PrevAgg().Records), 31)

	req.Fine = true // by account: the fine sums, from the store
	if j := run(req); src.calls.Load() != 2 || j.Progress().Total != 0 || j.Agg().Records != 30 {
		t.Fatalf("regrouped: %d calls, %d parts, %d records", src.calls.Load(), j.Progress().Total, j.Agg().Records)
	}
	// an hour later, the last five days are asked for again
	now = now.Add(time.Hour)
	j := run(req)
	if n := src.calls.Load(); n != 3 {
		t.Fatalf("an hour later: %d calls, want 3", n)
	}
	if p := j.Progress(); p.Total != 1 || p.Records != 5 {
		t.Errorf("refetched %+v, want one call for 26..30 Nov (5 records)", p)
	}
	near(t, "November still", float64(j.Agg().Records), 30)
	// a week later, the days fetched after they settled are never asked for again
	now = now.Add(7 * 24 * time.Hour)
	k.now = func() time.Time { return now }
	run(req)
	calls := src.calls.Load()
	run(req)
	if src.calls.Load() != calls {
		t.Errorf("settled days fetched again")
	}
	if st.puts == 0 {
		t.Error("nothing was stored")
	}
}

// A day holding a correction stays open twice as long.
func TestKeeperRefetchesCorrectedDays(t *testing.T) {
	k, st := keeperAt(d("2026-12-10"))
	k.Fresh = 0
	st.Put(context.Background(), "o1", d("2026-11-30"), d("2026-11-30"), d("2026-12-07"), []Sum{{Day: d("2026-11-30"), Metric: "m", Correction: true, Records: 1}})
	st.Put(context.Background(), "o1", d("2026-11-29"), d("2026-11-29"), d("2026-12-07"), nil)
	parts, err := k.Plan(context.Background(), []string{"o1"}, d("2026-11-29"), d("2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 || !parts[0].Window.From.Equal(d("2026-11-30")) || !parts[0].Window.To.Equal(d("2026-11-30")) {
		t.Fatalf("parts %+v, want 30 Nov alone (29 Nov settled a day after its sixth)", parts)
	}
}

// Two pages wanting the same days at once make one call.
func TestKeeperFetchesTheSameDaysOnceAtATime(t *testing.T) {
	k, _ := keeperAt(d("2026-12-01"))
	gate := make(chan struct{})
	src := &slowSource{fakeSource: fakeSource{recs: []api.UsageRecord{rec("2026-11-05", "a1", "Workers", "req", "Requests", 1, f(1), "USD")}}, gate: gate}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.Fetch(context.Background(), src, Part{Org: "o1", Window: Window{d("2026-11-01"), d("2026-11-30")}})
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	wg.Wait()
	if n := src.calls.Load(); n != 1 {
		t.Errorf("%d calls for the same window at once, want 1", n)
	}
}

type slowSource struct {
	fakeSource
	gate chan struct{}
}

func (s *slowSource) UsageRecords(ctx context.Context, org string, p api.UsageParams) iter.Seq2[api.UsageRecord, error] {
	<-s.gate
	return s.fakeSource.UsageRecords(ctx, org, p)
}

// Records without the chosen cost are priced by the rate card in a
// denomination of their own ("USD, estimated"), never added to billed
// costs; metrics the card has no price for stay quantities and are named.
func TestEstimatesNeverMixWithBilledCosts(t *testing.T) {
	card := NewRateCard([]Rate{
		{Metric: "req", Price: 0.30, Per: 1e6, Currency: "USD", From: d("2020-01-01")},
		{Metric: "req", Price: 0.20, Per: 1e6, Currency: "USD", From: d("2026-11-10")}, // a new price from the 10th
		{Metric: "stor", Price: 0.015, Per: 1, Currency: "USD", From: d("2020-01-01")},
	})
	recs := []api.UsageRecord{
		rec("2026-11-02", "a1", "Workers", "req", "Requests", 1000, f(1.50), "USD"), // billed
		rec("2026-11-02", "a2", "Workers", "req", "Requests", 2e6, nil, ""),         // 2M × 0.30/M = 0.60
		rec("2026-11-12", "a2", "Workers", "req", "Requests", 5e6, nil, ""),         // 5M × 0.20/M = 1.00
		rec("2026-11-03", "a2", "R2", "stor", "GB-Month", 100, nil, ""),             // 100 × 0.015 = 1.50
		rec("2026-11-04", "a2", "CDN", "bytes", "GB", 7, nil, ""),                   // no price: 7 GB
	}
	for _, m := range []Measure{Effective, Estimated} {
		a := NewAgg(d("2026-11-01"), d("2026-11-30"), m, nil)
		a.Rates = card
		for i := range recs {
			a.Add(&recs[i])
		}
		den := map[string]float64{}
		for _, x := range a.Denominations() {
			den[x.Denom] = x.Total
		}
		wantEst := 0.60 + 1.00 + 1.50
		if m == Estimated {
			wantEst += 1000 * 0.30 / 1e6 // the billed record too, priced by the card
		}
		if math.Abs(den["est:USD"]-wantEst) > 1e-9 || den["qty:GB"] != 7 {
			t.Errorf("%s: denominations %v, want est:USD %.4f and 7 GB", m, den, wantEst)
		}
		if m == Effective && den["USD"] != 1.50 {
			t.Errorf("billed USD %v, want 1.50 alone", den["USD"])
		}
		if m == Estimated && den["USD"] != 0 {
			t.Errorf("the estimate shows billed USD %v", den["USD"])
		}
		if a.Unpriced["bytes"] == "" || len(a.Unpriced) != 1 {
			t.Errorf("unpriced metrics %v, want bytes", a.Unpriced)
		}
	}
	if DenomLabel("est:USD") != "USD, estimated" {
		t.Errorf("label %q", DenomLabel("est:USD"))
	}
}

func TestRateCardCSVRoundTripAndMistakes(t *testing.T) {
	var b strings.Builder
	if err := WriteRates(&b, DefaultRates()); err != nil {
		t.Fatal(err)
	}
	got, errs := ReadRates(strings.NewReader(b.String()))
	if len(errs) > 0 || len(got) != len(DefaultRates()) {
		t.Fatalf("round trip: %d rates, %v", len(got), errs)
	}
	for i, r := range DefaultRates() {
		if got[i] != r {
			t.Errorf("rate %d: %+v, want %+v", i, got[i], r)
		}
	}
	bad := "metric_id,price,currency,units_per_pricing_unit,effective_from\n" +
		"workers_standard_requests,0.30,USD,1000000,2026-01-01\n" +
		",0.30,USD,1000000,2026-01-01\n" + // no metric
		"r2_storage,1,5,usd,1,2026-01-01\n" + // shifted: the currency is "usd"... and more
		"r2_storage,-1,USD,1,2026-01-01\n" +
		"d1,0.001,USD,0,2026-01-01\n" +
		"d1,0.001,USD,1e6,01/02/2026\n" +
		"workers_standard_requests,0.25,USD,1000000,2026-01-01\n" // the same day twice
	_, errs = ReadRates(strings.NewReader(bad))
	lines := map[int]string{}
	for _, e := range errs {
		lines[e.Line] = e.Field
	}
	want := map[int]string{3: "metric_id", 4: "units_per_pricing_unit", 5: "price", 6: "units_per_pricing_unit", 7: "effective_from", 8: "effective_from"}
	for l, f := range want {
		if lines[l] != f {
			t.Errorf("line %d: mistake in %q, want %q (all: %v)", l, lines[l], f, errs)
		}
	}
	for _, in := range []string{"", "metric_id,price\nx,1\n", "metric_id,price,currency,units_per_pricing_unit,effective_from\n"} {
		if _, errs := ReadRates(strings.NewReader(in)); len(errs) != 1 || errs[0].Line != 0 {
			t.Errorf("%q: %v, want one message about the file", in, errs)
		}
	}
	// a cell a spreadsheet would run is written as text, and read back as it was
	var g strings.Builder
	WriteRates(&g, []Rate{{Metric: "m", Name: "=HYPERLINK(\"x\")", Price: 1, Per: 1, Currency: "USD", From: d("2026-01-01")}})
	if !strings.Contains(g.String(), "'=HYPERLINK") {
		t.Errorf("export not guarded: %s", g.String())
	}
	if r, errs := ReadRates(strings.NewReader(g.String())); len(errs) > 0 || r[0].Name != "=HYPERLINK(\"x\")" {
		t.Errorf("read back %+v %v", r, errs)
	}
}

func TestSumsEncodeAndDecodeAlike(t *testing.T) {
	in := []Sum{
		{Day: d("2026-11-02"), Account: "a1", AccountName: "Café \"prod\"", Metric: "req", MetricName: "Requests", Family: "Workers", Zone: "z",
			ZoneName: "z.example", Region: "weur", RegionName: "Western Europe", Sub: "s", SubName: "Pay-as-you-go", Correction: true,
			Currency: "USD", Unit: "Requests", Costs: 15, Records: 3, Qty: 1234.5, Cost: [4]float64{1.5, -2.25, 3, math.MaxFloat64}},
		{Day: d("2026-11-02"), Metric: "gb", Records: -1, Qty: math.Inf(1)},
	}
	b := EncodeSums(in)
	var out []Sum
	if err := DecodeSums(b, d("2026-11-02"), func(s *Sum) error { out = append(out, *s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0] != in[0] || out[1] != in[1] {
		t.Fatalf("decoded %+v", out)
	}
	for cut := range b {
		if err := DecodeSums(b[:cut], d("2026-11-02"), func(*Sum) error { return nil }); err == nil {
			t.Fatalf("a value cut at %d of %d decoded", cut, len(b))
		}
	}
}

// A job whose store could not be read says so, and a retry reads again.
func TestJobRetriesAStoreThatFailed(t *testing.T) {
	k, st := keeperAt(d("2026-12-01"))
	src := &fakeSource{recs: []api.UsageRecord{rec("2026-11-05", "a1", "Workers", "req", "Requests", 1, f(2), "USD")}}
	st.failReads = 1
	j := NewJob(Request{Orgs: []string{"o1"}, From: d("2026-11-01"), To: d("2026-11-30"), Measure: Effective}, k)
	j.Run(context.Background(), src)
	if j.StoreErr() == nil {
		t.Fatal("a failed read was not said")
	}
	if n := j.Retry(context.Background(), src); n == 0 {
		t.Fatal("the retry did not run")
	}
	j.Wait(context.Background())
	if err := j.StoreErr(); err != nil || j.Agg().Records != 1 {
		t.Errorf("after the retry: %v, %d records", err, j.Agg().Records)
	}
}

// The time left follows the pace a fetch achieves, once a few parts tell it.
func TestProgressLeftFollowsThePace(t *testing.T) {
	for _, c := range []struct {
		p    Progress
		want time.Duration
		ok   bool
	}{
		{Progress{Done: 0, Total: 800}, 0, false},
		{Progress{Done: 2, Total: 800, ThisRun: 2, Elapsed: time.Second}, 0, false},
		{Progress{Done: 20, Total: 800, ThisRun: 20, Elapsed: 10 * time.Second}, 390 * time.Second, true},
		{Progress{Done: 59, Failed: 1, Total: 800, ThisRun: 40, Elapsed: 80 * time.Second}, 1480 * time.Second, true},
	} {
		if got, ok := c.p.Left(); got != c.want || ok != c.ok {
			t.Errorf("%+v: %v %v, want %v %v", c.p, got, ok, c.want, c.ok)
		}
	}
}
