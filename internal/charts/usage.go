// usage.go builds the usage page's charts.

package charts

import (
	"encoding/json"
	"math"

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

// Stacked is bars (or areas) stacked per bucket, with marks pinned on top
// of the series they belong to.
func Stacked(labels []string, series []Series, area bool, marks []Mark) (json.RawMessage, error) {
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

// Share is a donut of parts of a whole.
func Share(labels []string, values []float64) (json.RawMessage, error) {
	pie := charts.NewPie()
	pie.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: "100%", Height: "300px", AssetsHost: "/static/", Renderer: "canvas"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}),
	)
	data := make([]opts.PieData, len(labels))
	for i := range labels {
		data[i] = opts.PieData{Name: labels[i], Value: round(values[i])}
	}
	pie.AddSeries("Share", data, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"40%", "68%"}, Center: []string{"50%", "45%"}}))
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
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "8", Bottom: "48", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: ys, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: xs, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: 0, Max: float32(math.Max(hi, 1)), Orient: "horizontal", Left: "center", Bottom: "0"}),
	)
	hm.SetXAxis(xs)
	hm.AddSeries("Cost", data)
	hm.Validate()
	return json.Marshal(hm.JSON())
}

// Cumulative draws a month: the actual running total, its projection to
// the month's end, and a budget line when budget > 0.
func Cumulative(days []string, actual, projected []float64, budget float64) (json.RawMessage, error) {
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
	line.AddSeries("Actual", a, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	var budgetOpts []charts.SeriesOpts
	if budget > 0 {
		budgetOpts = append(budgetOpts, charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "Budget", YAxis: round(budget)}),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "Budget {c}"}}))
	}
	budgetOpts = append(budgetOpts, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	line.AddSeries("Forecast", p, budgetOpts...)
	line.Validate()
	return json.Marshal(line.JSON())
}
