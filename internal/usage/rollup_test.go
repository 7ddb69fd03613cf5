package usage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"orgboard/internal/api"
)

// A set of many organizations reads its coarse sums from its rollups once
// they are written, with the figures the rows give; a day fetched again
// is read from the rows again (and rolled up anew), with its new figures.
func TestRollupsAnswerAsTheRowsDo(t *testing.T) {
	today := d("2026-12-01")
	k, st := keeperAt(today)
	var orgs []string
	for i := range rollupMin + 5 {
		orgs = append(orgs, fmt.Sprintf("o%02d", i))
	}
	var recs []api.UsageRecord
	for day := d("2026-11-01"); day.Before(today); day = day.AddDate(0, 0, 1) {
		recs = append(recs, rec(day.Format(time.DateOnly), "a1", "Workers", "req", "Requests", 100, f(1), "USD"),
			rec(day.Format(time.DateOnly), "a2", "R2", "ops", "Operations", 10, f(0.25), "USD"))
	}
	src := &fakeSource{recs: recs}
	ctx := context.Background()
	j := NewJob(Request{Orgs: orgs, From: d("2026-11-01"), To: d("2026-11-30"), Measure: Effective, NoPrev: true}, k)
	j.Run(ctx, src)
	if err := j.StoreErr(); err != nil {
		t.Fatal(err)
	}
	totals := func(from, to time.Time, rolled bool) (float64, int64) {
		a := NewAgg(from, to, Effective, nil)
		var err error
		if rolled {
			err = k.Load(ctx, orgs, a, false)
		} else {
			a.Coarse = true
			err = k.read(ctx, orgs, from, to, a, false, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		r := Build(a, nil, View{Group: DimFamily, Step: StepDay})
		return r.Total, a.Records
	}
	want, records := totals(d("2026-11-01"), d("2026-11-30"), false)
	near(t, "the month from the rows", want, 30*1.25*float64(len(orgs)))
	st.rollReads = 0
	if got, n := totals(d("2026-11-01"), d("2026-11-30"), true); got != want || n != records {
		t.Errorf("from the rollups: %v (%d records), want %v (%d)", got, n, want, records)
	}
	if st.rollReads != 30 {
		t.Errorf("%d days read from rollups, want 30 (written by the job's read)", st.rollReads)
	}
	// one organization's 15 November is fetched again, with another figure
	later := []Sum{{Day: d("2026-11-15"), Metric: "req", MetricName: "req", Family: "Workers", Currency: "USD", Unit: "Requests", Qty: 100, Records: 1}}
	later[0].Cost[0], later[0].Costs = 9, 1
	if err := st.Put(ctx, orgs[3], d("2026-11-15"), d("2026-11-15"), k.now().Add(time.Hour), later); err != nil {
		t.Fatal(err)
	}
	want2, _ := totals(d("2026-11-01"), d("2026-11-30"), false)
	st.rollReads = 0
	if got, _ := totals(d("2026-11-01"), d("2026-11-30"), true); got != want2 || want2 == want {
		t.Errorf("after a day fetched again: %v from the rollups, %v from the rows (before: %v)", got, want2, want)
	}
	if st.rollReads != 29 {
		t.Errorf("%d days read from rollups after one changed, want 29", st.rollReads)
	}
	st.rollReads = 0
	totals(d("2026-11-01"), d("2026-11-30"), true)
	if st.rollReads != 30 {
		t.Errorf("the changed day was not rolled up again: %d days from rollups", st.rollReads)
	}
}
