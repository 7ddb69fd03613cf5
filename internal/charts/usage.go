// usage.go builds the usage page's charts.

package charts

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Mark is a pin on a stacked chart: an anomaly at a bucket of a series.
type Mark struct {
	Series int
	Bucket int
	Label  string
}

func base(height string, legend bool) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{Width: "100%", Height: height, AssetsHost: "/static/", Renderer: "canvas"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Type: "scroll", Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "64", Right: "24", Top: "24", Bottom: "56"}),
	}
}

func round(v float64) float64 { return math.Round(v*100) / 100 }

// palette is twenty colours told apart at a glance (Tableau's 20, dark and
// light of ten hues): a donut of up to twenty parts repeats none.
var palette = opts.Colors{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
	"#1f4e79", "#c4600f", "#9e1b1e", "#3f8f8a", "#2f6b2a", "#a88a00", "#744f6c", "#d6617a", "#5e4432", "#79706e"}

// Stacked is bars (or areas) stacked per bucket, with marks pinned on top
// of the series they belong to; partial buckets' bars are drawn faded;
// changes (per bucket) are drawn as diamonds on the time axis.
func Stacked(labels []string, series []Series, area bool, marks []Mark, partial []bool, changes []int) (json.RawMessage, error) {
	cum := make([][]float64, len(series))
	for i, s := range series {
		cum[i] = make([]float64, len(labels))
		for b := range labels {
			if i > 0 {
				cum[i][b] = cum[i-1][b]
			}
			if b < len(s.Values) {
				cum[i][b] += s.Values[b]
			}
		}
	}
	pins := func(i int) []opts.MarkPointNameCoordItem {
		var out []opts.MarkPointNameCoordItem
		if i == 0 {
			for b, n := range changes {
				if n > 0 && b < len(labels) {
					out = append(out, opts.MarkPointNameCoordItem{Name: "Audit changes", Coordinate: []any{labels[b], 0},
						Value: itoa(n), Symbol: "diamond", SymbolSize: 18})
				}
			}
		}
		for _, m := range marks {
			if m.Series == i && m.Bucket < len(labels) {
				out = append(out, opts.MarkPointNameCoordItem{Name: "Anomaly", Coordinate: []any{labels[m.Bucket], round(cum[i][m.Bucket])},
					Value: m.Label, Symbol: "pin", SymbolSize: 44})
			}
		}
		return out
	}
	if area {
		line := charts.NewLine()
		line.SetGlobalOptions(base("320px", true)...)
		line.SetXAxis(labels)
		for i, s := range series {
			line.AddSeries(s.Name, lineData(s.Values), charts.WithLineChartOpts(opts.LineChart{Stack: "total", Smooth: opts.Bool(false)}),
				charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.6)}), charts.WithMarkPointNameCoordItemOpts(pins(i)...))
		}
		line.Validate()
		return json.Marshal(line.JSON())
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(base("320px", true)...)
	bar.SetXAxis(labels)
	for i, s := range series {
		data := make([]opts.BarData, len(s.Values))
		for j, v := range s.Values {
			data[j] = opts.BarData{Value: round(v)}
			if j < len(partial) && partial[j] {
				data[j].Name = partialName
				data[j].ItemStyle = &opts.ItemStyle{Opacity: opts.Float(0.45)}
			}
		}
		bar.AddSeries(s.Name, data, charts.WithBarChartOpts(opts.BarChart{Stack: "total"}), charts.WithMarkPointNameCoordItemOpts(pins(i)...))
	}
	bar.Validate()
	return json.Marshal(bar.JSON())
}

func lineData(vals []float64) []opts.LineData {
	data := make([]opts.LineData, len(vals))
	for i, v := range vals {
		data[i] = opts.LineData{Value: round(v)}
	}
	return data
}

// HBars is a horizontal bar chart, the first label on top.
func HBars(labels []string, values []float64) (json.RawMessage, error) {
	n := len(labels)
	rl, data := make([]string, n), make([]opts.BarData, n)
	for i := range labels {
		rl[n-1-i] = labels[i]
		data[n-1-i] = opts.BarData{Value: round(values[i])}
	}
	bar := charts.NewBar()
	g := base(barHeight(n), false)
	g = append(g, charts.WithGridOpts(opts.Grid{Left: "8", Right: "32", Top: "8", Bottom: "24", ContainLabel: opts.Bool(true)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}))
	bar.SetGlobalOptions(g...)
	bar.SetXAxis(rl)
	bar.AddSeries("Total", data)
	bar.XYReversal()
	bar.Validate()
	return json.Marshal(bar.JSON())
}

func barHeight(n int) string {
	h := 40 + 26*max(n, 1)
	return itoa(h) + "px"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Share is a donut of parts of a whole. The parts are named in a legend
// beside it, one a line, rather than by labels around the ring, which
// overlap from about eight parts on.
func Share(labels []string, values []float64) (json.RawMessage, error) {
	pie := charts.NewPie()
	pie.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: "100%", Height: "300px", AssetsHost: "/static/", Renderer: "canvas"}), // the page's CSS sizes it
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Orient: "vertical", Right: "0", Top: "middle"}),
		charts.WithColorsOpts(palette),
	)
	data := make([]opts.PieData, len(labels))
	for i := range labels {
		data[i] = opts.PieData{Name: labels[i], Value: round(values[i])}
	}
	pie.AddSeries("Share", data, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"38%", "66%"}, Center: []string{"32%", "50%"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(false)}))
	pie.Validate()
	return json.Marshal(pie.JSON())
}

// Heat is a heatmap of values per x (days) and y (rows).
func Heat(xs, ys []string, cells [][]float64) (json.RawMessage, error) {
	hm := charts.NewHeatMap()
	hi := 0.0
	var data []opts.HeatMapData
	for y := range ys {
		for x := range xs {
			v := 0.0
			if x < len(cells[y]) {
				v = round(cells[y][x])
			}
			hi = math.Max(hi, v)
			data = append(data, opts.HeatMapData{Value: [3]any{x, y, v}})
		}
	}
	hm.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: "100%", Height: barHeight(len(ys) + 2), AssetsHost: "/static/", Renderer: "canvas"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}), // the colour scale says it; a legend sat on the day labels
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "44", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithXAxisOpts(heatX(xs)),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: 0, Max: float32(math.Max(hi, 1)), Orient: "horizontal", Right: "16", Top: "0"}), // above: the turned day labels fill the bottom
	)
	hm.SetXAxis(xs)
	hm.AddSeries("Cost", data)
	hm.Validate()
	return json.Marshal(hm.JSON())
}

// heatX is the heatmap's day axis: up to a month, every day named (turned
// to fit), beyond that as many as fit.
func heatX(xs []string) opts.XAxis {
	x := opts.XAxis{Type: "category", Data: xs, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}
	if len(xs) <= 31 {
		x.AxisLabel = &opts.AxisLabel{Interval: "0", Rotate: 45}
	}
	return x
}

// Cumulative draws a month: the actual running total, its projection to
// the month's end, a budget line when budget > 0, and a pin where the
// total reaches it (over: the day, or -1); budgetLabel is the line's label
// as the page writes the amount ("Budget 400,000.00 USD").
func Cumulative(days []string, actual, projected []float64, budget float64, budgetLabel string, over int, overLabel string) (json.RawMessage, error) {
	line := charts.NewLine()
	line.SetGlobalOptions(base("280px", true)...)
	line.SetXAxis(days)
	a := make([]opts.LineData, len(days))
	p := make([]opts.LineData, len(days))
	for i := range days {
		a[i], p[i] = opts.LineData{Value: nil}, opts.LineData{Value: nil}
		if i < len(actual) {
			a[i].Value = round(actual[i])
		}
		if i < len(projected) && !math.IsNaN(projected[i]) {
			p[i].Value = round(projected[i])
		}
	}
	actualOpts := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)})}
	if over >= 0 && over < len(days) && budget > 0 {
		actualOpts = append(actualOpts, charts.WithMarkPointNameCoordItemOpts(opts.MarkPointNameCoordItem{Name: "Over budget",
			Coordinate: []any{days[over], round(budget)}, Value: overLabel, Symbol: "pin", SymbolSize: 30}),
			// the words beside the pin, not inside it: "forecast over" did not fit in a pin
			charts.WithMarkPointStyleOpts(opts.MarkPointStyle{Label: &opts.Label{Show: opts.Bool(true), Formatter: "{c}", Position: "left", FontSize: 12}}))
	}
	line.AddSeries("Actual", a, actualOpts...)
	var budgetOpts []charts.SeriesOpts
	if budget > 0 {
		budgetOpts = append(budgetOpts, charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "Budget", YAxis: round(budget)}),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
				Label: &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: strings.NewReplacer("{", "(", "}", ")").Replace(budgetLabel)}})) // inside: at the end it was cut to "Bud"; braces would be a template
	}
	budgetOpts = append(budgetOpts, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	line.AddSeries("Forecast", p, budgetOpts...)
	line.Validate()
	return json.Marshal(line.JSON())
}
