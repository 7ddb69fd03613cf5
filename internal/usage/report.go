// report.go builds what the page shows of the sums: stacks, tops, changes.

package usage

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// View is how the page looks at an Agg.
type View struct {
	Group  Dim
	Step   Step
	Denom  string // "" picks the largest currency, else the largest unit
	TopN   int
	Today  time.Time
	Budget float64 // monthly budget in Denom; 0: none
}

// Line is one group's values per bucket.
type Line struct {
	Key, Label string
	Values     []float64
	Total      float64
	Prev       float64 // the same group in the period before
	HasPrev    bool
}

// Change is Total against Prev in percent; ok is false without a base.
func (l Line) Change() (float64, bool) { return pct(l.Total, l.Prev, l.HasPrev) }

// Change is now against before in percent; ok is false without a base.
func Change(now, before float64) (float64, bool) { return pct(now, before, true) }

func pct(now, before float64, has bool) (float64, bool) {
	if !has || before == 0 {
		return 0, false
	}
	return (now - before) / math.Abs(before) * 100, true
}

// Denomination is one currency or unit present in the range.
type Denomination struct {
	Denom, Label string
	IsUnit       bool
	Total        float64
}

// MonthChange compares the latest month of the range with the one before,
// day for day (a partial month against the same days of the month before).
type MonthChange struct {
	Month, Before time.Time
	Days          int
	Lines         []Line // Total = the month, Prev = the month before
}

// Report is everything the page shows of one Agg in one View.
type Report struct {
	View
	Measure        Measure
	From, To       time.Time
	Denoms         []Denomination
	Buckets        []time.Time
	Labels         []string
	Stack          []Line // the top groups and "Other" (unless Rest lists them), per bucket
	Other          *Line  // the groups beyond the top ones, summed
	Rest           []Line // the groups beyond the top ones, when "Other" would hold most of the total
	Total          float64
	PrevTotal      float64
	HasPrev        bool
	TopMover       *Line
	TopAccounts    []Line
	TopMetrics     []Line
	Families       []Line
	HeatDays       []time.Time
	HeatFamilies   []string
	Heat           [][]float64 // [family][day]
	Anomalies      []Anomaly
	Forecast       *Forecast
	MoM            *MonthChange
	Corrections    float64
	CorrBuckets    []bool // buckets holding a correction
	PartialBuckets []bool // buckets the range holds only some days of
	Records        int64
	NoCost         int64
	EstRecords     int64             // records priced by the rate card
	Coarse         bool              // read without accounts, zones, regions and subscriptions
	Unpriced       map[string]string // metrics the rate card has no price for (ID: name)
	CorrRecords    int64
	DaysWithData   int
	Unreported     bool   // yesterday holds nothing after a week that cost something: Cloudflare has not reported it yet
	PrevDays       int    // days of the period before that hold usage
	NotComparable  string // why no change is given, when the period before holds fewer days of usage

	dayBucket []int // the step of each day of the range
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Change is the period total against the period before, in percent.
func (r *Report) Change() (float64, bool) { return pct(r.Total, r.PrevTotal, r.HasPrev) }

// Build computes the report of a (and of prev, the period before; may be nil).
func Build(a, prev *Agg, v View) *Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v.TopN <= 0 {
		v.TopN = 8
	}
	r := &Report{View: v, Measure: a.Measure, From: a.From, To: a.To, Records: a.Records, NoCost: a.NoCost, CorrRecords: a.Corrections,
		EstRecords: a.Estimated, Unpriced: a.Unpriced, Coarse: a.Coarse}
	r.Denoms = a.denominations()
	if len(r.Denoms) == 0 && prev != nil && prev != a {
		prev.mu.Lock()
		r.Denoms = prev.denominations() // the 1st of a month: none yet, but the forecast's week has them
		prev.mu.Unlock()
	}
	if r.Denom == "" && len(r.Denoms) > 0 {
		r.Denom = r.Denoms[0].Denom
	}
	di, ok := a.denomIx[r.Denom]
	if !ok {
		di = -1
	}
	r.buckets(a)
	total := a.daily(DimTotal, 0, di)
	for _, x := range total {
		r.Total += x
	}
	for _, x := range total {
		if x != 0 {
			r.DaysWithData++
		}
	}
	var prevTotals map[string]float64
	if prev != nil && prev != a {
		prev.mu.Lock()
		pf, pt := Previous(a.From, a.To) // a daily period before may reach further, for the forecast
		prevTotals = prev.totals(v.Group, prev.denomIx[r.Denom], r.Denom, pf, pt)
		r.PrevTotal = sum(prev.totals(DimTotal, prev.denomIx[r.Denom], r.Denom, pf, pt))
		r.HasPrev = prev.Records > 0
		if pdi, ok := prev.denomIx[r.Denom]; ok && !prev.Collapsed {
			for i, x := range prev.daily(DimTotal, 0, pdi) {
				if d := prev.From.AddDate(0, 0, i); x != 0 && !d.Before(pf) && !d.After(pt) {
					r.PrevDays++
				}
			}
		}
		prev.mu.Unlock()
		if r.HasPrev && !prev.Collapsed && r.PrevDays < min(r.DaysWithData, Days(pf, pt)) {
			// "+2,150%" against a period that holds a day of data is no change; a
			// full September against a full October is a change all the same
			r.NotComparable = fmt.Sprintf("The period before holds usage on %d %s, this range on %d: a change between them would mislead.",
				r.PrevDays, plural(r.PrevDays, "day", "days"), r.DaysWithData)
			r.HasPrev, prevTotals = false, map[string]float64{}
		}
	}
	r.stack(a, di, prevTotals)
	r.TopAccounts = top(a.lines(DimAccount, di), 10)
	r.TopMetrics = top(a.lines(DimMetric, di), 10)
	r.Families = top(a.lines(DimFamily, di), 0)
	r.heat(a, di)
	day := r.dayTotal(a, prev, total)
	r.Unreported = unreported(day, v.Today)
	r.findAnomalies(a, di)
	if !IsUnit(r.Denom) && forecastApplies(a.From, a.To, v.Today) {
		if f, ok := forecast(day, v.Today, v.Budget); ok {
			r.Forecast = &f
		}
	}
	r.monthChange(a, di)
	if c := a.corr[di]; c != nil && di >= 0 {
		r.CorrBuckets = make([]bool, len(r.Buckets))
		for i, x := range c {
			r.Corrections += x
			if x != 0 {
				r.CorrBuckets[r.bucketOf(a.From.AddDate(0, 0, i))] = true
			}
		}
	}
	return r
}

func sum(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}

// denominations lists currencies first, then units, each by total.
func (a *Agg) denominations() []Denomination {
	out := make([]Denomination, 0, len(a.denoms))
	for i, d := range a.denoms {
		t := 0.0
		for _, x := range a.seriesAt(seriesKey{DimTotal, 0, int32(i)}) {
			t += x
		}
		out = append(out, Denomination{Denom: d, Label: DenomLabel(d), IsUnit: IsUnit(d), Total: t})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].IsUnit != out[j].IsUnit {
			return !out[i].IsUnit
		}
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Denom < out[j].Denom
	})
	return out
}

func (a *Agg) daily(d Dim, val, di int32) []float64 {
	if s := a.seriesAt(seriesKey{d, val, di}); s != nil {
		return s
	}
	return make([]float64, a.days)
}

// lines are every value of d in denomination di, with daily values.
func (a *Agg) lines(d Dim, di int32) []Line {
	var out []Line
	for i, val := range a.vals[d] {
		s := a.seriesAt(seriesKey{d, int32(i), di})
		if s == nil {
			continue
		}
		l := Line{Key: val.key, Label: val.label, Values: s}
		for _, x := range s {
			l.Total += x
		}
		out = append(out, l)
	}
	return out
}

// totals maps each value of d to its total in denomination di (named
// denom: an empty map when the period before has none of it) over the days
// [start, end] (a collapsed Agg has its totals only).
func (a *Agg) totals(d Dim, di int32, denom string, start, end time.Time) map[string]float64 {
	out := map[string]float64{}
	if _, ok := a.denomIx[denom]; !ok {
		return out
	}
	skip, upto := 0, a.days
	if !a.Collapsed {
		skip = max(Days(a.From, start)-1, 0)
		upto = min(Days(a.From, end), a.days)
	}
	for _, l := range a.lines(d, di) {
		t := 0.0
		for _, x := range l.Values[min(skip, len(l.Values)):max(min(upto, len(l.Values)), min(skip, len(l.Values)))] {
			t += x
		}
		out[l.Key] = t
	}
	return out
}

// dayTotal looks up a day's total in the report's denomination: in the
// range (total is its daily series), or in a daily period before it.
// prev.mu is not held: Build holds a's lock only.
func (r *Report) dayTotal(a, prev *Agg, total []float64) func(time.Time) (float64, bool) {
	var before []float64
	var beforeFrom time.Time
	if prev != nil && prev != a && !prev.Collapsed {
		prev.mu.Lock()
		if di, ok := prev.denomIx[r.Denom]; ok {
			before = append([]float64(nil), prev.daily(DimTotal, 0, di)...)
		} else {
			before = make([]float64, prev.days)
		}
		beforeFrom = prev.From
		prev.mu.Unlock()
	}
	return func(d time.Time) (float64, bool) {
		if i := Days(a.From, d) - 1; !d.Before(a.From) && i < len(total) {
			return total[i], true
		}
		if i := Days(beforeFrom, d) - 1; before != nil && !d.Before(beforeFrom) && i < len(before) {
			return before[i], true
		}
		return 0, false
	}
}

// NotReported reports whether d is a yesterday Cloudflare has not reported
// yet: it reads as nothing, which is no anomaly and no drop.
func (r *Report) NotReported(d time.Time) bool {
	return r.Unreported && d.Equal(Civil(r.Today).AddDate(0, 0, -1))
}

// top sorts lines by total (largest first) and keeps n (all when n is 0).
func top(ls []Line, n int) []Line {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].Total != ls[j].Total {
			return ls[i].Total > ls[j].Total
		}
		return ls[i].Label < ls[j].Label
	})
	if n > 0 && len(ls) > n {
		ls = ls[:n]
	}
	return ls
}

// buckets lays out the steps of the range and which step each day is in.
func (r *Report) buckets(a *Agg) {
	r.dayBucket = make([]int, 0, a.days)
	for d := a.From; !d.After(a.To); d = d.AddDate(0, 0, 1) {
		b := r.Step.Bucket(d)
		if len(r.Buckets) == 0 || !r.Buckets[len(r.Buckets)-1].Equal(b) {
			r.Buckets = append(r.Buckets, b)
			r.Labels = append(r.Labels, r.Step.Label(b))
		}
		r.dayBucket = append(r.dayBucket, len(r.Buckets)-1)
	}
	// a week or month the range holds only part of is marked: drawn at
	// its height it would read as a drop
	counts := make([]int, len(r.Buckets))
	for _, b := range r.dayBucket {
		counts[b]++
	}
	r.PartialBuckets = make([]bool, len(r.Buckets))
	for i, b := range r.Buckets {
		full := 1
		switch r.Step {
		case StepWeek:
			full = 7
		case StepMonth:
			full = Days(b, b.AddDate(0, 1, -1))
		}
		r.PartialBuckets[i] = counts[i] < full
	}
}

// bucketOf is the index of the step holding day (a day of the range).
func (r *Report) bucketOf(day time.Time) int {
	i := min(max(Days(r.From, day)-1, 0), len(r.dayBucket)-1)
	return r.dayBucket[i]
}

// rebucket sums a daily series of the range into the report's steps.
func (r *Report) rebucket(daily []float64) []float64 {
	out := make([]float64, len(r.Buckets))
	for i, x := range daily {
		out[r.dayBucket[i]] += x
	}
	return out
}

// stack keeps the TopN groups by total and sums the rest into "Other".
func (r *Report) stack(a *Agg, di int32, prev map[string]float64) {
	ls := top(a.lines(r.Group, di), 0)
	var other *Line
	for i, l := range ls {
		p, has := prev[l.Key]
		l.Prev, l.HasPrev = p, has || (prev != nil && r.HasPrev)
		if i >= r.TopN {
			if other == nil {
				other = &Line{Key: "", Label: "Other (" + strconv.Itoa(len(ls)-r.TopN) + ")", Values: make([]float64, len(r.Buckets)), HasPrev: l.HasPrev}
			}
			for j, x := range r.rebucket(l.Values) {
				other.Values[j] += x
			}
			other.Total += l.Total
			other.Prev += l.Prev
			continue
		}
		mover := l
		if ch := math.Abs(l.Total - l.Prev); l.HasPrev && (r.TopMover == nil || ch > math.Abs(r.TopMover.Total-r.TopMover.Prev)) {
			r.TopMover = &mover
		}
		l.Values = r.rebucket(l.Values)
		r.Stack = append(r.Stack, l)
	}
	if other != nil {
		r.Other = other
		// an "Other" that holds most of every bar hides what the chart is
		// for: the top groups are drawn alone, the rest listed in a table
		if math.Abs(other.Total) <= math.Abs(r.Total)/3 {
			r.Stack = append(r.Stack, *other)
		} else {
			for _, l := range ls[r.TopN:] {
				l.Values = nil
				r.Rest = append(r.Rest, l)
			}
		}
	}
	if r.TopMover != nil {
		m := *r.TopMover
		m.Values = nil
		r.TopMover = &m
	}
}

func (r *Report) heat(a *Agg, di int32) {
	for d := a.From; !d.After(a.To); d = d.AddDate(0, 0, 1) {
		r.HeatDays = append(r.HeatDays, d)
	}
	for _, l := range r.Families {
		r.HeatFamilies = append(r.HeatFamilies, l.Label)
		r.Heat = append(r.Heat, l.Values)
	}
}

// findAnomalies checks the daily series of the chosen group's top values
// (but for a yesterday not reported yet, which is no anomaly).
func (r *Report) findAnomalies(a *Agg, di int32) {
	for _, l := range top(a.lines(r.Group, di), r.TopN) {
		for _, i := range anomalies(a.From, l.Values) {
			if r.NotReported(a.From.AddDate(0, 0, i)) {
				continue
			}
			r.Anomalies = append(r.Anomalies, Anomaly{Day: a.From.AddDate(0, 0, i), Key: l.Key, Label: l.Label,
				Value: l.Values[i], Baseline: baselineAt(a.From, l.Values, i)})
		}
	}
	sort.Slice(r.Anomalies, func(i, j int) bool {
		if !r.Anomalies[i].Day.Equal(r.Anomalies[j].Day) {
			return r.Anomalies[i].Day.After(r.Anomalies[j].Day)
		}
		return r.Anomalies[i].Label < r.Anomalies[j].Label
	})
}

// monthChange compares the range's latest month with the month before it,
// when the range holds both.
func (r *Report) monthChange(a *Agg, di int32) {
	last := time.Date(a.To.Year(), a.To.Month(), 1, 0, 0, 0, 0, time.UTC)
	before := last.AddDate(0, -1, 0)
	if before.Before(a.From) {
		return
	}
	days := Days(last, a.To)
	bdays := min(days, Days(before, last.AddDate(0, 0, -1)))
	mc := &MonthChange{Month: last, Before: before, Days: days}
	lo, bo := Days(a.From, last)-1, Days(a.From, before)-1
	// the top groups, then one "Other" line: a tree's 20,000 accounts are
	// not a table anyone reads (nor a page anyone should download)
	ls := top(a.lines(r.Group, di), 0)
	for i, l := range ls {
		m := Line{Key: l.Key, Label: l.Label, HasPrev: true}
		if i >= r.TopN {
			if i == r.TopN {
				mc.Lines = append(mc.Lines, Line{Label: "Other (" + strconv.Itoa(len(ls)-r.TopN) + ")", HasPrev: true})
			}
			m = mc.Lines[len(mc.Lines)-1]
		}
		for i := 0; i < days; i++ {
			m.Total += l.Values[lo+i]
		}
		for i := 0; i < bdays; i++ {
			m.Prev += l.Values[bo+i]
		}
		if i >= r.TopN {
			mc.Lines[len(mc.Lines)-1] = m
		} else {
			mc.Lines = append(mc.Lines, m)
		}
	}
	r.MoM = mc
}

// BucketOf is the index of the bucket holding day.
func (r *Report) BucketOf(day time.Time) int { return r.bucketOf(day) }

// Denominations lists the currencies (first) and units of the range.
func (a *Agg) Denominations() []Denomination {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.denominations()
}

// Denominations are the range's, or, while it has none (the first of a
// month), those of the period before.
func (j *Job) Denominations() []Denomination {
	a, p := j.Result()
	if d := a.Denominations(); len(d) > 0 {
		return d
	}
	return p.Denominations()
}
