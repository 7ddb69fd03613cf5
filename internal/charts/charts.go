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

// partialName marks a bar that stands for part of its period; app.js's
// tooltip says so.
const partialName = "partial"

// Activity is a short bar chart of one count over time; partial bars (a day
// the range holds only part of) are drawn faded with an outline.
func Activity(name string, labels []string, values []float64, partial []bool) (json.RawMessage, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{Width: "100%", Height: "112px", AssetsHost: "/static/", Renderer: "canvas"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "12", Bottom: "4", ContainLabel: opts.Bool(true)}),
	)
	bar.SetXAxis(labels)
	data := make([]opts.BarData, len(values))
	for i, v := range values {
		data[i] = opts.BarData{Value: v}
		if i < len(partial) && partial[i] {
			data[i].Name = partialName
			data[i].ItemStyle = &opts.ItemStyle{Opacity: opts.Float(0.35), BorderWidth: 1, BorderColor: "#5b6573"}
		}
	}
	bar.AddSeries(name, data)
	bar.Validate() // without it JSON() drops the x-axis data
	return json.Marshal(bar.JSON())
}
