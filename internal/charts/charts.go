// Package charts builds go-echarts options as JSON. The options go into the
// chart element's data-options attribute (escaped by templ, and htmx keeps
// attributes through a swap where it drops scripts), and web/static/app.js
// starts the chart: go-echarts' own templates write inline scripts without
// escaping.
package charts

import (
	"encoding/json"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Series is one named line of values over the labels.
type Series struct {
	Name   string
	Values []float64
}

// Bars is a (stacked when stack is set) bar chart over labels.
func Bars(labels []string, series []Series, stack string) (json.RawMessage, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: "100%", Height: "260px", AssetsHost: "/static/", Renderer: "canvas"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(series) > 1)}),
		charts.WithGridOpts(opts.Grid{Left: "48", Right: "16", Top: "24", Bottom: "32"}),
	)
	bar.SetXAxis(labels)
	for _, s := range series {
		data := make([]opts.BarData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.BarData{Value: v}
		}
		bar.AddSeries(s.Name, data, charts.WithBarChartOpts(opts.BarChart{Stack: stack}))
	}
	bar.Validate() // without it JSON() drops the x-axis data
	return json.Marshal(bar.JSON())
}
