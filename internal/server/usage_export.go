// usage_export.go answers a chart's CSV and the export of the aggregated rows.

package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"orgboard/internal/csvsafe"
	"orgboard/internal/usage"

	"github.com/labstack/echo/v4"
)

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
	job, _, err := s.usageJob(c, c.Param("id"), q, false)
	if err != nil {
		return nil, nil, err
	}
	if job == nil {
		return nil, nil, &userError{status: http.StatusConflict, title: "Not fetched yet",
			message: "This range is not in the usage store yet and fetching it needs many calls to Cloudflare: start the fetch on the usage page first."}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Minute)
	defer cancel()
	if job.Wait(ctx) != nil {
		return nil, nil, &userError{status: http.StatusServiceUnavailable, title: "Still fetching",
			message: "The usage of this range is still being fetched. Try again when the page shows it."}
	}
	if err := job.StoreErr(); err != nil {
		job.Retry(s.usage.Jobs.Context(), s.client(c))
		return nil, nil, err
	}
	return usage.Build(job.Agg(), job.PrevAgg(), s.usageViewOf(q, job.Denominations())), job, nil
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
	rows := usage.Rows(job.Agg(), q.group, q.step)
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
