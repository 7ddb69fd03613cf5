// tables.go writes the charts' tables and the export's rows.

package usage

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Table is what a chart shows, as rows: the page's table view and the
// chart's CSV export are both written from it.
type Table struct {
	Name  string // the chart's name in URLs
	Title string
	Head  []string
	Rows  [][]string
	Keys  []string // each row's group key (for drill-down links), or ""
}

// Amount writes a number of a denomination: cents for money, up to three
// decimals for quantities.
func Amount(v float64, denom string) string {
	if IsUnit(denom) {
		return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// Display writes an amount for reading: thousands grouped (1,234,567.89),
// a quantity of a thousand or more whole (1,972,015,146 requests, not
// 1,972,015,146.364), as the charts' tooltips write them (app.js's num).
func Display(v float64, denom string) string {
	s := Amount(v, denom)
	if IsUnit(denom) && math.Abs(v) >= 1000 {
		s = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if dot {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// Percent writes a change, or "n/a" without a base.
func Percent(v float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64) + "%"
	if v > 0 {
		s = "+" + s
	}
	return s
}

// Tables are the tables of every chart of the report, by chart name.
func (r *Report) Tables() map[string]Table {
	out := map[string]Table{}
	// the stacked chart: one row per bucket, one column per group
	st := Table{Name: "daily", Title: r.Group.Label() + " per " + string(r.Step), Head: []string{"period"}}
	cols := r.Stack
	if len(r.Rest) > 0 && r.Other != nil {
		cols = append(append([]Line(nil), r.Stack...), *r.Other) // the table keeps the rest's column
	}
	for _, l := range cols {
		st.Head = append(st.Head, l.Label)
	}
	st.Head = append(st.Head, "total", "includes corrections")
	for b, label := range r.Labels {
		row := []string{label}
		t := 0.0
		for _, l := range cols {
			row = append(row, Amount(l.Values[b], r.Denom))
			t += l.Values[b]
		}
		corr := "no"
		if len(r.CorrBuckets) > b && r.CorrBuckets[b] {
			corr = "yes"
		}
		st.Rows = append(st.Rows, append(row, Amount(t, r.Denom), corr))
		st.Keys = append(st.Keys, "")
	}
	out[st.Name] = st
	out["accounts"] = r.lineTable("accounts", "Top accounts", "account", r.TopAccounts)
	out["rest"] = r.lineTable("rest", "The rest", strings.ToLower(r.Group.Label()), r.Rest)
	out["metrics"] = r.lineTable("metrics", "Top metrics", "metric", r.TopMetrics)
	out["families"] = r.shareTable()
	hm := Table{Name: "heatmap", Title: "Day by product family", Head: []string{"day"}}
	hm.Head = append(hm.Head, r.HeatFamilies...)
	for i, d := range r.HeatDays {
		row := []string{d.Format(time.DateOnly)}
		for f := range r.HeatFamilies {
			row = append(row, Amount(r.Heat[f][i], r.Denom))
		}
		hm.Rows = append(hm.Rows, row)
		hm.Keys = append(hm.Keys, "")
	}
	out[hm.Name] = hm
	if f := r.Forecast; f != nil {
		ft := Table{Name: "forecast", Title: "This month: actual and forecast", Head: []string{"day", "actual (running total)", "forecast (running total)"}}
		for i := 0; i < f.DaysInMonth; i++ {
			day := f.Month.AddDate(0, 0, i).Format(time.DateOnly)
			a, p := "", ""
			if i < len(f.Cumulative) {
				a = Amount(f.Cumulative[i], r.Denom)
			}
			if i >= len(f.Cumulative)-1 {
				p = Amount(f.ToDate+f.DailyRate*float64(i-len(f.Cumulative)+1), r.Denom)
			}
			ft.Rows = append(ft.Rows, []string{day, a, p})
			ft.Keys = append(ft.Keys, "")
		}
		out[ft.Name] = ft
	}
	return out
}

func (r *Report) lineTable(name, title, col string, ls []Line) Table {
	t := Table{Name: name, Title: title, Head: []string{col, "total"}}
	for _, l := range ls {
		t.Rows = append(t.Rows, []string{l.Label, Amount(l.Total, r.Denom)})
		t.Keys = append(t.Keys, l.Key)
	}
	return t
}

func (r *Report) shareTable() Table {
	t := Table{Name: "families", Title: "Share by product family", Head: []string{"product family", "total", "share"}}
	for _, l := range r.Families {
		share := 0.0
		if r.Total != 0 {
			share = l.Total / r.Total * 100
		}
		t.Rows = append(t.Rows, []string{l.Label, Amount(l.Total, r.Denom), strconv.FormatFloat(share, 'f', 1, 64) + "%"})
		t.Keys = append(t.Keys, l.Key)
	}
	return t
}

// Projection is the forecast's running total per day of the month from
// yesterday on (NaN before), for the chart.
func (f *Forecast) Projection() []float64 {
	out := make([]float64, f.DaysInMonth)
	for i := range out {
		out[i] = math.NaN()
		if i >= len(f.Cumulative)-1 {
			out[i] = f.ToDate + f.DailyRate*float64(i-len(f.Cumulative)+1)
		}
	}
	return out
}

// Row is one aggregated row of an export.
type Row struct {
	Group    string `json:"group"`
	GroupKey string `json:"group_key"`
	Period   string `json:"period"`
	Measure  string `json:"measure"`
	Unit     string `json:"unit"`
	Currency string `json:"currency"`
	// Estimate: the value is the rate card's price of the quantities, not
	// a cost Cloudflare reported; never add it to one.
	Estimate bool    `json:"estimate"`
	Value    float64 `json:"value"`
}

// Rows are the aggregated rows of every denomination, by group and step.
func Rows(a *Agg, group Dim, step Step) []Row {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := &Report{View: View{Group: group, Step: step}, From: a.From}
	r.buckets(a)
	var out []Row
	for _, dn := range a.denominations() {
		di := a.denomIx[dn.Denom]
		measure, unit, cur, est := string(a.Measure), "", dn.Denom, false
		switch {
		case dn.IsUnit:
			measure, unit, cur = string(Quantity), dn.Label, ""
		case IsEstimate(dn.Denom):
			measure, cur, est = string(Estimated), Currency(dn.Denom), true
		}
		for _, l := range top(a.lines(group, di), 0) {
			for b, v := range r.rebucket(l.Values) {
				out = append(out, Row{Group: l.Label, GroupKey: l.Key, Period: r.Labels[b], Measure: measure, Unit: unit, Currency: cur,
					Estimate: est, Value: math.Round(v*1e6) / 1e6})
			}
		}
	}
	return out
}
