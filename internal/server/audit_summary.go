// audit_summary.go answers the counts, chart and facets above the results.

package server

import (
	"context"
	"net/http"
	"orgboard/internal/audit"
	"orgboard/internal/charts"
	"orgboard/web/templates"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

func (s *Server) auditSummary(c echo.Context) error {
	sc, err := s.scopeFromQuery(c, "")
	if err != nil {
		return err
	}
	q, err := audit.Parse(c.QueryParam("q"), s.now())
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Bad query", message: err.Error()}
	}
	var sum audit.Summary
	err = s.auditWork(c, summaryDeadline, func(ctx context.Context) error {
		sum, err = s.audit.Index.Summarize(ctx, q, audit.Scope{Orgs: sc.orgs})
		return err
	})
	if err != nil {
		return err
	}
	v := templates.AuditSummary{Total: templates.Number(sum.Total), Actors: templates.Number(sum.Actors), Products: templates.Number(sum.Products), FailureRate: "–", BucketLabel: "day"}
	if sum.Total > 0 {
		v.FailureRate = strconv.FormatFloat(100*float64(sum.Failures)/float64(sum.Total), 'f', 1, 64) + "%"
	}
	layout := "2006-01-02"
	if sum.BucketSize == time.Hour {
		v.BucketLabel, layout = "hour", "01-02 15:00"
	}
	labels, counts := make([]string, len(sum.Buckets)), make([]float64, len(sum.Buckets))
	for i, b := range sum.Buckets {
		us, _ := strconv.ParseInt(b.Value, 10, 64)
		labels[i], counts[i] = time.UnixMicro(us).UTC().Format(layout), float64(b.N)
	}
	if v.ChartJSON, err = charts.Bars(labels, []charts.Series{{Name: "Actions", Values: counts}}, ""); err != nil {
		return err
	}
	for _, name := range []string{"actor", "action", "product", "type"} {
		f := templates.Facet{Name: name}
		for _, cnt := range sum.Facets[name] {
			if cnt.Value == "" {
				continue
			}
			inc, exc := audit.With(q, audit.Filter{Field: name, Value: cnt.Value}), audit.With(q, audit.Filter{Field: name, Value: cnt.Value, Negate: true})
			p := sc.query()
			f.Values = append(f.Values, templates.FacetValue{Count: templates.Number(cnt.N), AuditValue: templates.AuditValue{Text: cnt.Value,
				Include: auditURL(sc.org, withParam(p, "q", inc.String())), Exclude: auditURL(sc.org, withParam(p, "q", exc.String()))}})
		}
		v.Facets = append(v.Facets, f)
	}
	return render(c, http.StatusOK, templates.AuditSummaryPart(v))
}
