// usage_page.go is the usage tab: the range's fetch and its report.

package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
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
	if hx := htmx(c); hx.Fragment() && hx.Target == "usage-panel" {
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
	base := usageURL(org, "", nil)
	v := templates.UsageView{PanelURL: usageURL(org, "", q.values()), CSRF: s.csrf(c)}
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
		v.Loading = &templates.UsageProgress{Done: p.Done, Total: p.Total, Failed: p.Failed, Records: templates.Count(p.Records, "record", "records"), PollURL: v.PanelURL}
		return v, nil
	}
	return s.usageReport(c, org, q, job, v)
}

func (s *Server) usageReport(c echo.Context, org string, q usageQuery, job *usage.Job, v templates.UsageView) (templates.UsageView, error) {
	base := usageURL(org, "", nil)
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
	v.RetryURL = usageURL(org, "retry", q.values())
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
	v.ExportCSV = usageURL(org, "export", exp)
	exp.Set("format", "json")
	v.ExportJSON = usageURL(org, "export", exp)
	v.Methods = []string{usage.ForecastMethod, usage.AnomalyMethod,
		"Change is against the " + strconv.Itoa(usage.Days(q.from, q.to)) + " days just before the range.",
		"Corrections (ChargeClass Correction) are included in every total; periods holding one are marked ✱.",
		"Costs in different currencies are never added together; records without the chosen cost are counted as consumed quantities in their own units."}
	return v, nil
}
