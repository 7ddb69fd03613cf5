// usage_export.go answers a chart's CSV and the export of the aggregated rows.

package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/api"
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
	want := q.denom
	if want == "" && q.report != "" {
		want = usage.Converted(q.report) // a reporting currency leads with its total
	}
	for _, d := range denoms {
		if d.Denom == want {
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
	if msg == "" && format != "csv" && format != "json" && format != "focus" {
		msg = "Export format must be csv, json or focus (FOCUS 1.3 cost and usage rows)."
	}
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	_, job, err := s.finishedReport(c, q)
	if err != nil {
		return err
	}
	name := "orgboard-usage-" + c.Param("id")[:min(8, len(c.Param("id")))] + "-" + q.from.Format("20060102") + "-" + q.to.Format("20060102") + "." + format
	if format == "focus" {
		return s.exportFOCUS(c, job, strings.TrimSuffix(name, ".focus")+"-focus.csv")
	}
	rows := usage.Rows(job.Agg(), q.group, q.step)
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

// exportFOCUS streams the stored records of a fetched range as FOCUS 1.3
// rows: each under the organization it was fetched for, named with its
// chain from the root (Tags), the rate card's estimate beside.
func (s *Server) exportFOCUS(c echo.Context, job *usage.Job, name string) error {
	all, err := s.readableOrgs(c)
	if err != nil {
		return err
	}
	byID := make(map[string]api.Organization, len(all))
	for _, o := range all {
		byID[o.ID] = o
	}
	orgs := make(map[string]usage.FOCUSOrg, len(job.Req.Orgs))
	for _, id := range job.Req.Orgs {
		o := byID[id]
		f := usage.FOCUSOrg{Name: cmp.Or(o.Name, id)}
		for _, tag := range o.Meta.HierarchyTags {
			f.Hierarchy = append(f.Hierarchy, cmp.Or(byID[tag].Name, tag))
		}
		orgs[id] = f
	}
	attachment(c, name, "text/csv; charset=utf-8")
	w := csvsafe.NewWriter(c.Response())
	err = usage.WriteFOCUS(c.Request().Context(), s.usage.Jobs.Keeper().Store, orgs, job.Req.From, job.Req.To, job.Req.Rates, w.Write)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}
