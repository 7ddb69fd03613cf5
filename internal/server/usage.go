package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/charts"
	"orgboard/internal/csvsafe"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// Usage is what the usage pages need: running and cached fetches, budgets.
type Usage struct {
	Jobs    *usage.Jobs
	Budgets *usage.Budgets
}

// today is the calendar day in UTC, the way the API dates usage.
func (s *Server) today() time.Time { return usage.Civil(s.now().UTC()) }

// usageWait is how long a page waits for a fetch before it shows progress.
const usageWait = 1500 * time.Millisecond

func (s *Server) showUsageTab(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	status := http.StatusOK
	if msg != "" {
		status = http.StatusBadRequest
	}
	if isFragment(c) && c.Request().Header.Get(hxTarget) == "usage-panel" {
		v, err := s.usageView(c, c.Param("id"), q, msg)
		if err != nil {
			return err
		}
		return render(c, status, templates.UsagePanel(v))
	}
	return s.showTab(c, status, "usage", func(org api.Organization) (templ.Component, error) {
		v, err := s.usageView(c, org.ID, q, msg)
		return templates.UsagePanel(v), err
	})
}

// usageJob finds or starts the fetch of q for the user.
func (s *Server) usageJob(c echo.Context, org string, q usageQuery) (*usage.Job, error) {
	sc, err := s.scopeOf(c, org, q.tree)
	if err != nil {
		return nil, err
	}
	req := usage.Request{Orgs: sc.orgs, From: q.from, To: q.to, Measure: q.measure, Filters: q.filters, Today: s.today()}
	job, _ := s.usage.Jobs.Get(s.usageKey(c, req), req, s.client(c))
	return job, nil
}

// usageKey names a fetch: the user, the organizations, the range, the
// measure and the filters (grouping and step do not change what is fetched).
func (s *Server) usageKey(c echo.Context, r usage.Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|", strings.Join(r.Orgs, ","), r.From.Format(time.DateOnly), r.To.Format(time.DateOnly), r.Measure)
	for _, f := range r.Filters {
		fmt.Fprintf(h, "%d=%q|", f.Dim, f.Key)
	}
	return s.user(c) + "|" + hex.EncodeToString(h.Sum(nil))
}

func (s *Server) usageView(c echo.Context, org string, q usageQuery, msg string) (templates.UsageView, error) {
	base := orgURL(org) + "/usage"
	v := templates.UsageView{PanelURL: base + "?" + q.values().Encode(), CSRF: s.csrf(c)}
	v.Form = usageForm(base, q, nil)
	v.Filters = usageFilters(base, q)
	if msg != "" {
		v.Form.Error = msg
		if c.QueryParam("from") != "" || c.QueryParam("to") != "" {
			v.Form.From, v.Form.To = c.QueryParam("from"), c.QueryParam("to") // keep what was typed
		}
		return v, nil
	}
	job, err := s.usageJob(c, org, q)
	if err != nil {
		return v, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), usageWait)
	defer cancel()
	if job.Wait(ctx) != nil {
		p := job.Progress()
		v.Loading = &templates.UsageProgress{Done: p.Done, Total: p.Total, Failed: p.Failed, Records: strconv.FormatInt(p.Records, 10), PollURL: v.PanelURL}
		return v, nil
	}
	return s.usageReport(c, org, q, job, v)
}

func (s *Server) usageReport(c echo.Context, org string, q usageQuery, job *usage.Job, v templates.UsageView) (templates.UsageView, error) {
	base := orgURL(org) + "/usage"
	denoms := job.Denominations()
	b, hasBudget, err := s.usage.Budgets.Get(c.Request().Context(), org)
	if err != nil {
		return v, err
	}
	view := s.usageViewOf(q, denoms)
	if hasBudget && b.Currency == view.Denom {
		view.Budget = b.Amount
	}
	rep := usage.Build(job.Agg, job.Prev, view)
	v.Form = usageForm(base, q, rep.Denoms)
	for _, g := range job.Gaps() {
		v.Gaps = append(v.Gaps, gapText(g))
	}
	v.RetryURL = base + "/retry?" + q.values().Encode()
	v.Empty = rep.Records == 0
	v.Notices = usageNotices(rep, denoms)
	v.KPIs = usageKPIs(rep)
	if v.Empty { // nothing in the range yet; on the 1st of a month the forecast still stands
		v.EmptyNote = "No usage was reported for this range."
		v.KPIs = slices.DeleteFunc(v.KPIs, func(k templates.UsageKPI) bool { return k.TestID != "kpi-forecast" })
		if f := rep.Forecast; f != nil {
			v.EmptyNote = "No usage has been reported for " + f.Month.Format("January") + " yet: Cloudflare reports a day once it is over. " +
				"The forecast comes from the last " + strconv.Itoa(f.RateDays) + " complete days."
		}
	}
	v.Charts, err = usageCharts(base, q, rep)
	if err != nil {
		return v, err
	}
	v.Anomalies = usageAnomalies(base, q, rep)
	v.MoM = usageMoM(base, q, rep)
	v.PoP = usagePoP(base, q, rep)
	v.Budget = usageBudgetForm(base, q, v.CSRF, b, hasBudget, rep)
	exp := q.values()
	exp.Set("format", "csv")
	v.ExportCSV = base + "/export?" + exp.Encode()
	exp.Set("format", "json")
	v.ExportJSON = base + "/export?" + exp.Encode()
	v.Methods = []string{usage.ForecastMethod, usage.AnomalyMethod,
		"Change is against the " + strconv.Itoa(usage.Days(q.from, q.to)) + " days just before the range.",
		"Corrections (ChargeClass Correction) are included in every total; periods holding one are marked ✱.",
		"Costs in different currencies are never added together; records without the chosen cost are counted as consumed quantities in their own units."}
	return v, nil
}

func gapText(g usage.Gap) string {
	what := "of the range"
	if g.Prev {
		what = "of the period before (used for the change)"
	}
	orgs := ""
	if g.Orgs > 1 {
		orgs = " for " + strconv.Itoa(g.Orgs) + " organizations"
	}
	return fmt.Sprintf("%s to %s %s%s: %s.", g.From.Format(time.DateOnly), g.To.Format(time.DateOnly), what, orgs, g.Reason)
}

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
			RemoveURL: base + "?" + q.without(i).values().Encode()})
	}
	return out
}

func drillURL(base string, q usageQuery, d usage.Dim, key string) string {
	if key == "" {
		return ""
	}
	return base + "?" + q.with(usage.Filter{Dim: d, Key: key}).values().Encode()
}

func money(v float64, denom string) string {
	return usage.Display(v, denom) + " " + usage.DenomLabel(denom)
}

func usageNotices(r *usage.Report, denoms []usage.Denomination) []string {
	var out []string
	if r.Measure != usage.Quantity && r.NoCost > 0 {
		out = append(out, fmt.Sprintf("%d of %d records have no %s cost: Cloudflare does not yet fill in cost fields for every account. "+
			"Their usage is counted as consumed quantities, in their own units (choose one under “Currency or unit”); no cost is invented for them.",
			r.NoCost, r.Records, r.Measure))
	}
	var curs []string
	for _, d := range denoms {
		if !d.IsUnit {
			curs = append(curs, d.Denom)
		}
	}
	if len(curs) > 1 {
		out = append(out, "This range has costs in "+strings.Join(curs, ", ")+". Currencies are never added together: showing "+usage.DenomLabel(r.Denom)+".")
	}
	if usage.IsUnit(r.Denom) {
		out = append(out, "Showing consumed quantity in "+usage.DenomLabel(r.Denom)+", not cost.")
	}
	return out
}

func usageKPIs(r *usage.Report) []templates.UsageKPI {
	out := []templates.UsageKPI{{Label: "Period total", Value: money(r.Total, r.Denom), TestID: "kpi-total",
		Note: r.From.Format("2 Jan 2006") + " – " + r.To.Format("2 Jan 2006") + " · " + strconv.FormatInt(r.Records, 10) + " records"}}
	ch, ok := r.Change()
	out = append(out, templates.UsageKPI{Label: "Change vs previous period", Value: usage.Percent(ch, ok), TestID: "kpi-change",
		Note: "before: " + money(r.PrevTotal, r.Denom)})
	if f := r.Forecast; f != nil {
		note := "so far " + money(f.ToDate, r.Denom) + " in " + strconv.Itoa(f.Elapsed) + " of " + strconv.Itoa(f.DaysInMonth) + " days"
		if f.Budget > 0 {
			switch {
			case f.Crossed:
				note += "; budget " + money(f.Budget, r.Denom) + " reached on " + f.Crossing.Format("2 Jan")
			case !f.Crossing.IsZero():
				note += "; crosses the budget of " + money(f.Budget, r.Denom) + " on " + f.Crossing.Format("2 Jan")
			default:
				note += "; stays under the budget of " + money(f.Budget, r.Denom)
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
			Note: strconv.FormatInt(r.CorrRecords, 10) + " correction records, included in the totals"})
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
	for _, l := range m.Lines {
		ch, ok := l.Change()
		out.Rows = append(out.Rows, templates.UsageRow{Cells: []string{l.Label, usage.Amount(l.Total, r.Denom), usage.Amount(l.Prev, r.Denom), usage.Percent(ch, ok)},
			Link: drillURL(base, q, q.group, l.Key)})
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
	for _, l := range r.Stack {
		ch, ok := l.Change()
		out.Rows = append(out.Rows, templates.UsageRow{Cells: []string{l.Label, usage.Amount(l.Total, r.Denom), usage.Amount(l.Prev, r.Denom), usage.Percent(ch, ok)},
			Link: drillURL(base, q, q.group, l.Key)})
	}
	return out
}

func usageBudgetForm(base string, q usageQuery, csrf string, b usage.Budget, has bool, r *usage.Report) templates.UsageBudgetForm {
	f := templates.UsageBudgetForm{Action: base + "/budget?" + q.values().Encode(), CSRF: csrf, Currency: b.Currency,
		Note: "The budget is the organization's, for everyone who reviews it here. Leave the amount empty to remove it."}
	if has {
		f.Amount = strconv.FormatFloat(b.Amount, 'f', -1, 64)
		if b.Currency != r.Denom {
			f.Note = "The budget is in " + b.Currency + "; it is drawn when the page shows " + b.Currency + ". " + f.Note
		}
	}
	for _, d := range r.Denoms {
		if !d.IsUnit {
			f.Currencies = append(f.Currencies, d.Denom)
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
func usageCharts(base string, q usageQuery, r *usage.Report) ([]templates.UsageChart, error) {
	tables := r.Tables()
	csvURL := func(name string) string {
		v := q.values()
		v.Set("chart", name)
		return base + "/chart.csv?" + v.Encode()
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
		return ch
	}
	var out []templates.UsageChart
	if r.Records == 0 {
		return forecastChart(out, r, chart)
	}
	// stacked by the chosen group, anomalies pinned
	labels := append([]string(nil), r.Labels...)
	for i := range labels {
		if i < len(r.CorrBuckets) && r.CorrBuckets[i] {
			labels[i] += " ✱"
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
	raw, err := charts.Stacked(labels, series, q.area, marks)
	if err != nil {
		return nil, err
	}
	out = append(out, chart("daily", usage.DenomLabel(r.Denom)+" per "+string(q.step)+" by "+strings.ToLower(q.group.Label()), raw, drill, true,
		"Pins mark anomalies; ✱ marks periods that include corrections."))
	for _, x := range []struct {
		name, title string
		dim         usage.Dim
		lines       []usage.Line
	}{{"accounts", "Top accounts", usage.DimAccount, r.TopAccounts}, {"metrics", "Top metrics", usage.DimMetric, r.TopMetrics}} {
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
	out = append(out, chart("families", "Share by product family", raw, fd, false, ""))
	days := make([]string, len(r.HeatDays))
	for i, d := range r.HeatDays {
		days[i] = d.Format("01-02")
	}
	if raw, err = charts.Heat(days, r.HeatFamilies, r.Heat); err != nil {
		return nil, err
	}
	out = append(out, chart("heatmap", "Day by product family", raw, fd, true, ""))
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
	raw, err := charts.Cumulative(mdays, f.Cumulative, f.Projection(), f.Budget)
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

// usageChartCSV is exactly what one chart shows, as CSV.
func (s *Server) usageChartCSV(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	r, _, err := s.finishedReport(c, q)
	if err != nil {
		return err
	}
	t, ok := r.Tables()[c.QueryParam("chart")]
	if !ok {
		return &userError{status: http.StatusBadRequest, title: "No such chart", message: "The chart asked for is not on this page."}
	}
	attachment(c, "orgboard-usage-"+t.Name+"-"+q.from.Format("20060102")+"-"+q.to.Format("20060102")+".csv", "text/csv; charset=utf-8")
	w := csvsafe.NewWriter(c.Response())
	w.Write(t.Head)
	for _, row := range t.Rows {
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// finishedReport waits (bounded) for the fetch of q and builds its report.
func (s *Server) finishedReport(c echo.Context, q usageQuery) (*usage.Report, *usage.Job, error) {
	job, err := s.usageJob(c, c.Param("id"), q)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Minute)
	defer cancel()
	if job.Wait(ctx) != nil {
		return nil, nil, &userError{status: http.StatusServiceUnavailable, title: "Still fetching",
			message: "The usage of this range is still being fetched. Try again when the page shows it."}
	}
	return usage.Build(job.Agg, job.Prev, s.usageViewOf(q, job.Denominations())), job, nil
}

// usageViewOf is how the page looks at the fetched sums: the asked
// currency or unit when the range has it, else the first (the largest
// currency).
func (s *Server) usageViewOf(q usageQuery, denoms []usage.Denomination) usage.View {
	v := usage.View{Group: q.group, Step: q.step, TopN: 8, Today: s.today()}
	for _, d := range denoms {
		if d.Denom == q.denom {
			v.Denom = d.Denom
		}
	}
	if v.Denom == "" && len(denoms) > 0 {
		v.Denom = denoms[0].Denom
	}
	return v
}

// usageExport is the aggregated rows of the range by group and step, every
// currency and unit apart.
func (s *Server) usageExport(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	format := c.QueryParam("format")
	if msg == "" && format != "csv" && format != "json" {
		msg = "Export format must be csv or json."
	}
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	_, job, err := s.finishedReport(c, q)
	if err != nil {
		return err
	}
	rows := usage.Rows(job.Agg, q.group, q.step)
	name := "orgboard-usage-" + c.Param("id")[:min(8, len(c.Param("id")))] + "-" + q.from.Format("20060102") + "-" + q.to.Format("20060102") + "." + format
	if format == "json" {
		attachment(c, name, "application/json")
		return json.NewEncoder(c.Response()).Encode(rows)
	}
	attachment(c, name, "text/csv; charset=utf-8")
	w := csvsafe.NewWriter(c.Response())
	w.Write([]string{"group", "group_key", "period", "measure", "unit", "currency", "value"})
	for _, r := range rows {
		w.Write([]string{r.Group, r.GroupKey, r.Period, r.Measure, r.Unit, r.Currency, strconv.FormatFloat(r.Value, 'f', -1, 64)})
	}
	w.Flush()
	return w.Error()
}

// retryUsage fetches the failed windows of the page's range again.
func (s *Server) retryUsage(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	job, err := s.usageJob(c, c.Param("id"), q)
	if err != nil {
		return err
	}
	job.Retry(s.usage.Jobs.Context(), s.client(c))
	return s.usagePanelAfterPost(c, q, templates.UsageBudgetForm{})
}

// usagePanelAfterPost answers a form on the panel: the panel for htmx, the
// page (by redirect) for a plain form.
func (s *Server) usagePanelAfterPost(c echo.Context, q usageQuery, b templates.UsageBudgetForm) error {
	base := orgURL(c.Param("id")) + "/usage"
	if !isFragment(c) && b.Error == "" {
		return c.Redirect(http.StatusSeeOther, base+"?"+q.values().Encode())
	}
	v, err := s.usageView(c, c.Param("id"), q, "")
	if err != nil {
		return err
	}
	status := http.StatusOK
	if b.Error != "" || b.Saved != "" {
		v.Budget.Amount, v.Budget.Error, v.Budget.Saved = b.Amount, b.Error, b.Saved
		if b.Currency != "" {
			v.Budget.Currency = b.Currency
		}
	}
	if b.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	if !isFragment(c) {
		return s.showTab(c, status, "usage", func(api.Organization) (templ.Component, error) { return templates.UsagePanel(v), nil })
	}
	return render(c, status, templates.UsagePanel(v))
}

// setBudget stores (or removes) the organization's monthly budget.
func (s *Server) setBudget(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	org := c.Param("id")
	if _, err := s.getOrg(c, org); err != nil {
		return err
	}
	typed, cur := strings.TrimSpace(c.FormValue("amount")), strings.TrimSpace(c.FormValue("currency"))
	form := templates.UsageBudgetForm{Amount: typed, Currency: cur}
	amount, problem := parseBudget(typed, cur)
	if problem != "" {
		form.Error = problem
		return s.usagePanelAfterPost(c, q, form)
	}
	if err := s.usage.Budgets.Set(c.Request().Context(), org, usage.Budget{Amount: amount, Currency: cur}); err != nil {
		return err
	}
	form.Saved = "Budget saved."
	if amount == 0 {
		form.Saved = "Budget removed."
	}
	return s.usagePanelAfterPost(c, q, form)
}

var budgetNumber = regexp.MustCompile(`^[0-9][0-9,]*(\.[0-9]+)?$`)

// parseBudget reads an amount like 1200, 1,200.50 or 1200.5; empty is 0 (none).
func parseBudget(typed, cur string) (float64, string) {
	if len(cur) != 3 || strings.ToUpper(cur) != cur || strings.IndexFunc(cur, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return 0, "Choose the budget's currency (a three-letter code such as USD)."
	}
	if typed == "" {
		return 0, ""
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(typed, ",", ""), 64)
	switch {
	case err != nil || len(typed) > 20 || !budgetNumber.MatchString(typed): // NaN, Inf, 1e9 and 0x10 parse, but are no amount
		return 0, "Write the budget as a number, for example 1200 or 1,200.50."
	case v <= 0:
		return 0, "A budget must be more than zero; leave it empty to remove it."
	case v > 1e12:
		return 0, "That budget is larger than any invoice: check the number."
	}
	return v, ""
}
