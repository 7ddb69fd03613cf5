// usage_present.go shapes a usage report into what the page shows:
// tiles, charts with their tables, anomalies, comparisons, the budget form.

package server

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/charts"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

func usageForm(action string, q usageQuery, denoms []usage.Denomination) templates.UsageForm {
	f := templates.UsageForm{Action: action, From: q.from.Format(time.DateOnly), To: q.to.Format(time.DateOnly)}
	for _, p := range usage.Presets {
		f.Presets = append(f.Presets, templates.Option{Value: string(p.Preset), Label: p.Label, Selected: q.preset == p.Preset})
	}
	f.Presets = append(f.Presets, templates.Option{Value: "custom", Label: "Custom (the dates)", Selected: q.preset == ""})
	f.Scopes = []templates.Option{{Value: "tree", Label: "This and its sub-organizations", Selected: q.tree}, {Value: "org", Label: "This organization only", Selected: !q.tree}}
	for _, d := range usage.Dims {
		f.Groups = append(f.Groups, templates.Option{Value: d.Name, Label: d.Label, Selected: q.group == d.Dim})
	}
	for _, st := range []usage.Step{usage.StepDay, usage.StepWeek, usage.StepMonth} {
		f.Steps = append(f.Steps, templates.Option{Value: string(st), Label: strings.ToUpper(string(st[:1])) + string(st[1:]), Selected: q.step == st})
	}
	for _, m := range usage.Measures {
		f.Measures = append(f.Measures, templates.Option{Value: string(m.Measure), Label: m.Label, Selected: q.measure == m.Measure})
	}
	for i, d := range denoms {
		f.Denoms = append(f.Denoms, templates.Option{Value: d.Denom, Label: d.Label, Selected: d.Denom == q.denom || (q.denom == "" && i == 0)})
	}
	f.Reports = reportOptions(q.report)
	f.Styles = []templates.Option{{Value: "bars", Label: "Stacked bars", Selected: !q.area}, {Value: "area", Label: "Stacked area", Selected: q.area}}
	for _, fl := range q.filters {
		f.Hidden = append(f.Hidden, templates.UsageFilter{Param: fl.Dim.String(), Value: fl.Key})
	}
	return f
}

func usageFilters(base string, q usageQuery) []templates.UsageFilter {
	var out []templates.UsageFilter
	for i, f := range q.filters {
		out = append(out, templates.UsageFilter{Param: f.Dim.String(), Value: f.Key, Label: f.Dim.Label() + ": " + f.Key,
			RemoveURL: withQuery(base, q.without(i).values())})
	}
	return out
}

func drillURL(base string, q usageQuery, d usage.Dim, key string) string {
	if key == "" {
		return ""
	}
	return withQuery(base, q.with(usage.Filter{Dim: d, Key: key}).values())
}

// budgetAlert says an overrun plainly: already over (by how much, since
// when), or on course to be.
func budgetAlert(r *usage.Report) string {
	f := r.Forecast
	if f == nil || f.Budget <= 0 || f.Crossing.IsZero() {
		return ""
	}
	month := f.Month.Format("January")
	if f.Crossed {
		return "Over budget: " + money(f.ToDate, r.Denom) + " so far in " + month + " against a budget of " + budgetMoney(f.Budget, r.Denom) +
			": over by " + money(f.ToDate-f.Budget, r.Denom) + " since " + f.Crossing.Format("2 Jan") + "."
	}
	return "On course to go over budget: at the recent daily rate " + month + " reaches its budget of " + budgetMoney(f.Budget, r.Denom) +
		" on " + f.Crossing.Format("2 Jan") + " and ends near " + money(f.Projected, r.Denom) + "."
}

// changeMethod says what the range is compared with.
func changeMethod(from, to time.Time) string {
	pf, pt := usage.Previous(from, to)
	return "Change is against " + pf.Format("2 Jan 2006") + " – " + pt.Format("2 Jan 2006") +
		": whole months against the months before, a month to date against the same days of the month before, other ranges against as many days just before. " +
		"No change is given against a period that holds usage on fewer days than the range."
}

// budgetMoney is a budget's amount: in its currency, never "estimated"
// (a budget is a sum of money, whichever measure the page shows).
func budgetMoney(v float64, denom string) string {
	return usage.Display(v, denom) + " " + usage.Currency(denom)
}

func money(v float64, denom string) string {
	return usage.Display(v, denom) + " " + usage.DenomLabel(denom)
}

func usageNotices(r *usage.Report, denoms []usage.Denomination) []string {
	var out []string
	if r.Measure != usage.Quantity && r.Measure != usage.Estimated && r.NoCost > 0 {
		out = append(out, fmt.Sprintf("%s of %s have no %s: Cloudflare does not yet fill in cost fields for every account. "+
			"Where the rate card prices their metric they are shown as estimated costs (“USD, estimated” under “Currency or unit”), never added to costs Cloudflare reported; the rest are counted as consumed quantities in their own units.",
			templates.Number(r.NoCost), templates.Count(r.Records, "record", "records"), strings.ToLower(r.Measure.Label())))
	}
	if len(r.Unpriced) > 0 {
		names := make([]string, 0, len(r.Unpriced))
		for _, n := range r.Unpriced {
			names = append(names, n)
		}
		sort.Strings(names)
		out = append(out, "The rate card has no price for "+strings.Join(names, ", ")+": their usage is counted as consumed quantities. Prices can be added on the Rate card tab.")
	}
	if usage.IsEstimate(r.Denom) {
		out = append(out, "Showing estimated cost in "+usage.Currency(r.Denom)+": consumed quantities priced by the rate card, not a cost Cloudflare billed.")
	}
	var billed, estimated []string
	for _, d := range denoms {
		switch cur := usage.Currency(d.Denom); {
		case d.IsUnit:
		case usage.IsEstimate(d.Denom):
			estimated = appendNew(estimated, cur)
		default:
			billed = appendNew(billed, cur)
		}
	}
	if len(billed)+len(estimated) > 1 {
		var parts []string
		if len(billed) > 0 {
			parts = append(parts, joinAnd(billed))
		}
		if len(estimated) > 0 {
			parts = append(parts, "estimates in "+joinAnd(estimated))
		}
		out = append(out, "This range has costs in "+strings.Join(parts, "; ")+". Currencies, and estimates and billed costs, are never added together: showing "+usage.DenomLabel(r.Denom)+".")
	}
	if r.Coarse {
		out = append(out, "Top accounts are not read for this many organizations at once: group by account to see them.")
	}
	if usage.IsUnit(r.Denom) {
		out = append(out, "Showing consumed quantity in "+usage.DenomLabel(r.Denom)+", not cost.")
	}
	if f := r.Forecast; f != nil && f.Unreported {
		out = append(out, "Cloudflare has not reported "+usage.Civil(r.Today).AddDate(0, 0, -1).Format("Mon 2 Jan")+
			" yet (a day is reported some hours after it ends): the forecast leaves it out of the daily rate and counts it at that rate, like the days to come.")
	}
	return out
}

// joinAnd lists words as people write them: "USD, EUR and GBP".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func usageKPIs(r *usage.Report) []templates.UsageKPI {
	out := []templates.UsageKPI{{Label: "Period total", Value: money(r.Total, r.Denom), TestID: "kpi-total",
		Note: r.From.Format("2 Jan 2006") + " – " + r.To.Format("2 Jan 2006") + " · " + templates.Count(r.Records, "record", "records")}}
	ch, ok := r.Change()
	pf, pt := usage.Previous(r.From, r.To)
	change := templates.UsageKPI{Label: "Change vs " + pf.Format("2 Jan") + " – " + pt.Format("2 Jan 2006"), Value: usage.Percent(ch, ok), TestID: "kpi-change",
		Note: "before: " + money(r.PrevTotal, r.Denom)}
	if r.NotComparable != "" {
		change.Value, change.Note = "not comparable", r.NotComparable
	}
	out = append(out, change)
	if f := r.Forecast; f != nil {
		note := "so far " + money(f.ToDate, r.Denom) + " in " + strconv.Itoa(f.Elapsed) + " of " + strconv.Itoa(f.DaysInMonth) + " days"
		if f.Budget > 0 {
			switch {
			case f.Crossed:
				note += "; budget " + budgetMoney(f.Budget, r.Denom) + " reached on " + f.Crossing.Format("2 Jan")
			case !f.Crossing.IsZero():
				note += "; crosses the budget of " + budgetMoney(f.Budget, r.Denom) + " on " + f.Crossing.Format("2 Jan")
			default:
				note += "; stays under the budget of " + budgetMoney(f.Budget, r.Denom)
			}
		}
		out = append(out, templates.UsageKPI{Label: "Forecast for " + f.Month.Format("January"), Value: money(f.Projected, r.Denom), Note: note, TestID: "kpi-forecast"})
	}
	if m := r.TopMover; m != nil {
		mc, ok := m.Change()
		out = append(out, templates.UsageKPI{Label: "Top mover", Value: m.Label, TestID: "kpi-mover",
			Note: signed(m.Total-m.Prev, r.Denom) + " (" + usage.Percent(mc, ok) + ")"})
	}
	if r.CorrRecords > 0 {
		out = append(out, templates.UsageKPI{Label: "Corrections", Value: money(r.Corrections, r.Denom), TestID: "kpi-corrections",
			Note: templates.Count(r.CorrRecords, "correction record", "correction records") + ", included in the totals"})
	}
	return out
}

func signed(v float64, denom string) string {
	s := money(v, denom)
	if v > 0 {
		s = "+" + s
	}
	return s
}

func usageAnomalies(base string, q usageQuery, r *usage.Report) []templates.UsageAnomaly {
	var out []templates.UsageAnomaly
	for _, a := range r.Anomalies {
		out = append(out, templates.UsageAnomaly{Day: a.Day.Format("Mon 2 Jan 2006"), Label: a.Label, Value: money(a.Value, r.Denom),
			Baseline: money(a.Baseline, r.Denom), Jump: signed(a.Jump(), r.Denom) + " (" + usage.Percent(a.JumpPct(), a.Baseline != 0) + ")",
			Link: drillURL(base, q, q.group, a.Key)})
	}
	return out
}

func usageMoM(base string, q usageQuery, r *usage.Report) *templates.UsageMoM {
	m := r.MoM
	if m == nil {
		return nil
	}
	out := &templates.UsageMoM{Title: fmt.Sprintf("Month over month: %s (%d days) against the same days of %s", m.Month.Format("January 2006"), m.Days, m.Before.Format("January")),
		Head: []string{q.group.Label(), m.Month.Format("Jan 2006"), m.Before.Format("Jan 2006"), "change"}}
	out.Rows, out.Foot = changeRows(base, q, r, m.Lines, true)
	out.Head = denomHead(out.Head, r.Denom)
	return out
}

// usageRest lists the groups beyond the top ones, when the chart leaves
// them out.
func usageRest(base string, q usageQuery, r *usage.Report) *templates.UsageMoM {
	if len(r.Rest) == 0 || r.Other == nil {
		return nil
	}
	share := ""
	if r.Total != 0 {
		share = ": " + strconv.FormatFloat(r.Other.Total/r.Total*100, 'f', 1, 64) + "% of the total"
	}
	out := &templates.UsageMoM{Title: "The other " + templates.Count(int64(len(r.Rest)), strings.ToLower(q.group.Label()), strings.ToLower(q.group.Label())+"s") + share,
		Head: []string{q.group.Label(), "total (" + usage.DenomLabel(r.Denom) + ")"}}
	for i, l := range r.Rest {
		if i == 200 {
			out.Title += " (the largest 200 listed; the export has them all)"
			break
		}
		out.Rows = append(out.Rows, templates.UsageRow{Cells: []string{l.Label, usage.Display(l.Total, r.Denom)}, Link: drillURL(base, q, q.group, l.Key)})
	}
	out.Foot = []string{"Total", usage.Display(r.Other.Total, r.Denom)}
	return out
}

// changeRows are lines against their period before, with their totals.
func changeRows(base string, q usageQuery, r *usage.Report, lines []usage.Line, comparable bool) ([]templates.UsageRow, []string) {
	var rows []templates.UsageRow
	var now, before float64
	for _, l := range lines {
		ch, ok := l.Change()
		rows = append(rows, templates.UsageRow{Cells: []string{l.Label, usage.Display(l.Total, r.Denom), usage.Display(l.Prev, r.Denom), usage.Percent(ch, ok && comparable)},
			Link: drillURL(base, q, q.group, l.Key)})
		now, before = now+l.Total, before+l.Prev
	}
	ch, ok := usage.Change(now, before)
	return rows, []string{"Total", usage.Display(now, r.Denom), usage.Display(before, r.Denom), usage.Percent(ch, ok && comparable)}
}

// denomHead adds the denomination to the amount columns' heads.
func denomHead(head []string, denom string) []string {
	out := append([]string(nil), head...)
	for i := 1; i < len(out)-1; i++ {
		out[i] += " (" + usage.DenomLabel(denom) + ")"
	}
	return out
}

// usagePoP is each group of the stacked chart against the same days just
// before the range.
func usagePoP(base string, q usageQuery, r *usage.Report) *templates.UsageMoM {
	if len(r.Stack) == 0 {
		return nil
	}
	pf, pt := usage.Previous(r.From, r.To)
	out := &templates.UsageMoM{Title: "Period over period: each " + strings.ToLower(q.group.Label()) + " against " + pf.Format("2 Jan") + " – " + pt.Format("2 Jan 2006"),
		Head: []string{q.group.Label(), "this period", "period before", "change"}}
	if r.NotComparable != "" {
		out.Title += " (not comparable)"
	}
	lines := r.Stack
	if len(r.Rest) > 0 && r.Other != nil {
		lines = append(append([]usage.Line(nil), lines...), *r.Other)
	}
	out.Rows, out.Foot = changeRows(base, q, r, lines, r.NotComparable == "")
	out.Head = denomHead(out.Head, r.Denom)
	return out
}

func usageBudgetForm(base string, q usageQuery, csrf string, b usage.Budget, has bool, r *usage.Report) templates.UsageBudgetForm {
	f := templates.UsageBudgetForm{Action: withQuery(base+"/budget", q.values()), CSRF: csrf, Currency: b.Currency,
		Note: "The budget is the organization's, for everyone who reviews it here. Leave the amount empty to remove it."}
	if has {
		f.Amount = strconv.FormatFloat(b.Amount, 'f', -1, 64)
		if b.Currency != usage.Currency(r.Denom) {
			f.Note = "The budget is in " + b.Currency + "; it is drawn when the page shows " + b.Currency + ". " + f.Note
		}
	}
	for _, d := range r.Denoms {
		if cur := usage.Currency(d.Denom); !d.IsUnit && !slices.Contains(f.Currencies, cur) {
			f.Currencies = append(f.Currencies, cur) // a budget is in a currency, whether the costs are billed or estimated
		}
	}
	if len(f.Currencies) == 0 {
		f.Currencies = []string{"USD"}
	}
	if f.Currency == "" {
		f.Currency = f.Currencies[0]
	}
	return f
}

// usageCharts builds every chart with its table and CSV link.
func usageCharts(base string, q usageQuery, r *usage.Report, changes []int) ([]templates.UsageChart, error) {
	tables := r.Tables()
	csvURL := func(name string) string {
		v := q.values()
		v.Set("chart", name)
		return withQuery(base+"/chart.csv", v)
	}
	chart := func(name, title string, raw json.RawMessage, drill map[string]string, wide bool, note string) templates.UsageChart {
		t := tables[name]
		ch := templates.UsageChart{Name: name, Title: title, Options: string(raw), CSVURL: csvURL(name), Wide: wide, Note: note, Head: t.Head}
		if len(drill) > 0 {
			d, _ := json.Marshal(drill)
			ch.Drill = string(d)
		}
		for i, row := range t.Rows {
			ch.Rows = append(ch.Rows, templates.UsageRow{Cells: row, Link: rowLink(base, q, name, t.Keys[i])})
		}
		ch.Head, ch.Rows, ch.Foot = readable(ch.Head, ch.Rows, r.Denom, name == "forecast")
		ch.Unit = usage.DenomLabel(r.Denom)
		return ch
	}
	var out []templates.UsageChart
	if r.Records == 0 {
		return forecastChart(out, r, chart)
	}
	// stacked by the chosen group, anomalies pinned
	labels := append([]string(nil), r.Labels...)
	partial := false
	for i := range labels {
		if i < len(r.CorrBuckets) && r.CorrBuckets[i] {
			labels[i] += " ✱"
		}
		if i < len(r.PartialBuckets) && r.PartialBuckets[i] {
			labels[i] += " (part)"
			partial = true
		}
	}
	var series []charts.Series
	drill := map[string]string{}
	index := map[string]int{}
	for i, l := range r.Stack {
		series = append(series, charts.Series{Name: l.Label, Values: l.Values})
		index[l.Key] = i
		if u := drillURL(base, q, q.group, l.Key); u != "" {
			drill[l.Label] = u
		}
	}
	var marks []charts.Mark
	for _, a := range r.Anomalies {
		if i, ok := index[a.Key]; ok {
			marks = append(marks, charts.Mark{Series: i, Bucket: r.BucketOf(a.Day), Label: usage.Percent(a.JumpPct(), a.Baseline != 0)})
		}
	}
	raw, err := charts.Stacked(labels, series, q.area, marks, r.PartialBuckets, changes)
	if err != nil {
		return nil, err
	}
	note := "Pins mark anomalies; ✱ marks periods that include corrections."
	if slices.ContainsFunc(changes, func(n int) bool { return n > 0 }) {
		note += " Diamonds on the time axis count the audit changes of this product family's products that " + string(q.step) + "."
	}
	if partial {
		note += " “(part)” marks a " + string(q.step) + " the range holds only some days of: it is lower for that, not a drop."
	}
	if len(r.Rest) > 0 {
		note = "The top " + strconv.Itoa(len(r.Stack)) + " are drawn; the other " + strconv.Itoa(len(r.Rest)) + " are listed below the charts. " + note
	}
	out = append(out, chart("daily", usage.DenomLabel(r.Denom)+" per "+string(q.step)+" by "+strings.ToLower(q.group.Label()), raw, drill, true, note))
	for _, x := range []struct {
		name, title string
		dim         usage.Dim
		lines       []usage.Line
	}{{"accounts", "Top accounts", usage.DimAccount, r.TopAccounts}, {"metrics", "Top metrics", usage.DimMetric, r.TopMetrics}} {
		if x.dim == usage.DimAccount && r.Coarse {
			continue // not read: the notice says how to see them
		}
		labels, values, drill := lineParts(base, q, x.dim, x.lines)
		raw, err := charts.HBars(labels, values)
		if err != nil {
			return nil, err
		}
		out = append(out, chart(x.name, x.title, raw, drill, false, ""))
	}
	fl, fv, fd := lineParts(base, q, usage.DimFamily, r.Families)
	if raw, err = charts.Share(fl, fv); err != nil {
		return nil, err
	}
	share := chart("families", "Share by product family", raw, fd, false, "")
	share.Tall = len(fl) > 8
	out = append(out, share)
	days := make([]string, len(r.HeatDays))
	for i, d := range r.HeatDays {
		days[i] = d.Format("01-02")
	}
	if raw, err = charts.Heat(days, r.HeatFamilies, r.Heat); err != nil {
		return nil, err
	}
	heat := chart("heatmap", "Day by product family", raw, fd, true, "")
	heat.Tall = len(r.HeatFamilies) > 6
	out = append(out, heat)
	return forecastChart(out, r, chart)
}

type chartMaker func(name, title string, raw json.RawMessage, drill map[string]string, wide bool, note string) templates.UsageChart

// forecastChart adds the month's running total, forecast and budget line.
func forecastChart(out []templates.UsageChart, r *usage.Report, chart chartMaker) ([]templates.UsageChart, error) {
	f := r.Forecast
	if f == nil {
		return out, nil
	}
	mdays := make([]string, f.DaysInMonth)
	for i := range mdays {
		mdays[i] = f.Month.AddDate(0, 0, i).Format("01-02")
	}
	over, label := -1, ""
	if f.Budget > 0 && !f.Crossing.IsZero() {
		over = usage.Days(f.Month, f.Crossing) - 1
		label = "over"
		if !f.Crossed {
			label = "forecast over"
		}
	}
	raw, err := charts.Cumulative(mdays, f.Cumulative, f.Projection(), f.Budget, "Budget "+usage.Display(f.Budget, r.Denom)+" "+usage.Currency(r.Denom), over, label)
	if err != nil {
		return nil, err
	}
	return append(out, chart("forecast", f.Month.Format("January")+": running total and forecast", raw, nil, true, usage.ForecastMethod)), nil
}

func lineParts(base string, q usageQuery, d usage.Dim, ls []usage.Line) ([]string, []float64, map[string]string) {
	labels, values, drill := make([]string, len(ls)), make([]float64, len(ls)), map[string]string{}
	for i, l := range ls {
		labels[i], values[i] = l.Label, l.Total
		if u := drillURL(base, q, d, l.Key); u != "" {
			drill[l.Label] = u
		}
	}
	return labels, values, drill
}

func rowLink(base string, q usageQuery, chart, key string) string {
	switch chart {
	case "accounts":
		return drillURL(base, q, usage.DimAccount, key)
	case "metrics":
		return drillURL(base, q, usage.DimMetric, key)
	case "families":
		return drillURL(base, q, usage.DimFamily, key)
	}
	return ""
}

// reportOptions are the reporting currencies offered: each as billed, or
// one of the shipped table's currencies (a table of an organization's own
// may convert more: the parameter takes any it has).
func reportOptions(report string) []templates.Option {
	out := []templates.Option{{Value: "", Label: "Each as billed", Selected: report == ""}}
	seen := false
	for _, c := range usage.DefaultFX().Currencies() {
		out = append(out, templates.Option{Value: c, Label: c, Selected: c == report})
		seen = seen || c == report
	}
	if report != "" && !seen {
		out = append(out, templates.Option{Value: report, Label: report, Selected: true})
	}
	return out
}
