// audit_summary.go answers the counts, chart and facets above the results.

package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/audit"
	"orgboard/internal/charts"
	"orgboard/web/templates"

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
		sum, err = s.audit.Index.Summarize(ctx, q, sc.index())
		return err
	})
	if err != nil {
		return err
	}
	v := auditSummaryView(sum)
	if v.ChartJSON, err = activityChart(sum); err != nil {
		return err
	}
	for _, name := range []string{"actor", "action", "product", "type"} {
		f := templates.Facet{Name: name, Label: facetLabels[name]}
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

var facetLabels = map[string]string{"actor": "actors", "action": "actions", "product": "products", "type": "resource types"}

// auditSummaryView writes the counts with their nouns.
func auditSummaryView(sum audit.Summary) templates.AuditSummary {
	v := templates.AuditSummary{Total: templates.Number(sum.Total), Actors: templates.Number(sum.Actors), Products: templates.Number(sum.Products),
		TotalNoun: plural(sum.Total, "action", "actions"), ActorsNoun: plural(sum.Actors, "actor", "actors"),
		ProductsNoun: plural(sum.Products, "product", "products"), FailureRate: "–", BucketLabel: "day"}
	if sum.Total > 0 {
		v.FailureRate = strconv.FormatFloat(100*float64(sum.Failures)/float64(sum.Total), 'f', 1, 64) + "%"
	}
	if sum.BucketSize == time.Hour {
		v.BucketLabel = "hour"
	}
	var partial []string
	for _, b := range sum.Buckets {
		if b.Partial {
			partial = append(partial, bucketLabel(b.Start, sum.BucketSize))
		}
	}
	if len(partial) > 0 {
		v.Partial = "Per " + v.BucketLabel + ", UTC; faded bars are partial: " + strings.Join(partial, " and ") + "."
	}
	return v
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// bucketLabel names a bar: "24 Nov", or "1 Dec 09:00" for hours.
func bucketLabel(t time.Time, size time.Duration) string {
	if size == time.Hour {
		return t.Format("2 Jan 15:04")
	}
	return t.Format("2 Jan")
}

func activityChart(sum audit.Summary) (json.RawMessage, error) {
	n := len(sum.Buckets)
	labels, counts, partial := make([]string, n), make([]float64, n), make([]bool, n)
	for i, b := range sum.Buckets {
		labels[i], counts[i], partial[i] = bucketLabel(b.Start, sum.BucketSize), float64(b.N), b.Partial
	}
	return charts.Activity("Actions", labels, counts, partial)
}
