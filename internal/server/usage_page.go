// usage_page.go is the usage tab: the range's fetch and its report.

package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

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

// usageRequest is what q asks of the usage store for the user.
func (s *Server) usageRequest(c echo.Context, org string, q usageQuery) (usage.Request, error) {
	sc, err := s.scopeOf(c, org, q.tree)
	if err != nil {
		return usage.Request{}, err
	}
	card, err := s.pricing(c, org, q.report)
	if err != nil {
		return usage.Request{}, err
	}
	return usage.Request{Orgs: sc.orgs, From: q.from, To: q.to, Measure: q.measure, Filters: q.filters,
		Fine: usage.Fine(q.group, q.filters) || len(sc.orgs) <= fineOrgs, Rates: card, Today: s.today()}, nil
}

// fineOrgs is the most organizations whose fine sums (by account) a page
// reads when its grouping does not need them: above it, the totals come
// from the coarse sums, and the top accounts on request.
const fineOrgs = 200

// usageJob finds or starts the fetch of q for the user. Unless confirmed,
// a fetch of more than confirmAbove calls is not started: calls says how
// many it needs, and job is nil.
func (s *Server) usageJob(c echo.Context, org string, q usageQuery, confirmed bool) (job *usage.Job, calls int, err error) {
	req, err := s.usageRequest(c, org, q)
	if err != nil {
		return nil, 0, err
	}
	return s.storedJob(c, req, confirmed)
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
	job, calls, err := s.usageJob(c, org, q, false)
	if err != nil {
		return v, err
	}
	if job == nil {
		v.Confirm = &templates.UsageConfirm{Calls: templates.Count(int64(calls), "call", "calls"), Time: budgetTime(calls),
			Action: usageURL(org, "fetch", q.values())}
		return v, nil
	}
	if job.Settle(c.Request().Context(), usageWait) != nil { // at once when the fetch cannot finish soon
		p := job.Progress()
		v.Loading = &templates.UsageProgress{Done: p.Done, Total: p.Total, Failed: p.Failed, Records: templates.Count(p.Records, "record", "records"),
			Time: timeLeft(p), PollURL: v.PanelURL}
		if p.Done == 0 {
			return v, nil
		}
		// what has arrived so far, under the progress: the charts fill in as windows land
		agg, prev, err := job.Snapshot(c.Request().Context())
		if err != nil {
			return v, err
		}
		loading := v.Loading
		v, err = s.usageReportOf(c, org, q, agg, prev, job.Req.Orgs, nil, v)
		v.Loading, v.Partial = loading, true
		return v, err
	}
	return s.usageReport(c, org, q, job, v)
}

// fetchUsage starts a fetch the page asked to confirm.
func (s *Server) fetchUsage(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	if _, _, err := s.usageJob(c, c.Param("id"), q, true); err != nil {
		return err
	}
	return s.usagePanelAfterPost(c, q, templates.UsageBudgetForm{})
}

func (s *Server) usageReport(c echo.Context, org string, q usageQuery, job *usage.Job, v templates.UsageView) (templates.UsageView, error) {
	if err := job.StoreErr(); err != nil {
		job.Retry(s.usage.Jobs.Context(), s.client(c)) // reads again (and fetches what failed) for the next view
		return v, err
	}
	agg, prev := job.Result()
	return s.usageReportOf(c, org, q, agg, prev, job.Req.Orgs, job.Gaps(), v)
}

// usageReportOf is the report of the sums of orgs, with the days a fetch
// missed (gaps, which can be retried).
func (s *Server) usageReportOf(c echo.Context, org string, q usageQuery, agg, prev *usage.Agg, orgs []string, gaps []usage.Gap, v templates.UsageView) (templates.UsageView, error) {
	base := usageURL(org, "", nil)
	denoms := agg.Denominations()
	if len(denoms) == 0 {
		denoms = prev.Denominations()
	}
	b, hasBudget, err := s.usage.Budgets.Get(c.Request().Context(), org)
	if err != nil {
		return v, err
	}
	view := s.usageViewOf(q, denoms)
	if hasBudget && b.Currency == usage.Currency(view.Denom) && len(q.filters) == 0 {
		view.Budget = b.Amount // the organization's budget is for its whole total, never a filtered part
	}
	rep := usage.Build(agg, prev, view)
	v.Form = usageForm(base, q, rep.Denoms)
	for _, g := range gaps {
		v.Gaps = append(v.Gaps, gapText(g))
	}
	v.RetryURL = usageURL(org, "retry", q.values())
	v.Empty = rep.Records == 0
	v.Notices = usageNotices(rep, denoms)
	if s.cfg.RebuiltUsage != "" {
		v.Notices = append([]string{s.cfg.RebuiltUsage}, v.Notices...)
	}
	v.BudgetAlert = budgetAlert(rep)
	if hasBudget && len(q.filters) > 0 {
		v.Notices = append(v.Notices, "The budget is the organization's whole total: it is compared only when no filter is applied.")
	}
	v.KPIs = usageKPIs(rep)
	if v.Empty { // nothing in the range yet; on the 1st of a month the forecast still stands
		v.EmptyNote = "No usage was reported for this range."
		v.KPIs = slices.DeleteFunc(v.KPIs, func(k templates.UsageKPI) bool { return k.TestID != "kpi-forecast" })
		if f := rep.Forecast; f != nil {
			v.EmptyNote = "No usage has been reported for " + f.Month.Format("January") + " yet: Cloudflare reports a day once it is over. " +
				"The forecast comes from the last " + strconv.Itoa(f.RateDays) + " complete days."
		}
	}
	v.Charts, err = usageCharts(base, q, rep, s.changeMarks(c, orgs, q, rep))
	if err != nil {
		return v, err
	}
	v.Anomalies = usageAnomalies(base, q, rep)
	for i, a := range rep.Anomalies {
		if i == 10 {
			break // the first ten: each is a search of the index
		}
		v.Anomalies[i].Changes = s.changesNear(c, orgs, org, q, a)
	}
	if rep.TopMover != nil {
		v.Mover, v.MoverChanges = rep.TopMover.Label, s.moverChanges(c, orgs, org, q, rep)
	}
	v.MoM = usageMoM(base, q, rep)
	v.PoP = usagePoP(base, q, rep)
	v.Rest = usageRest(base, q, rep)
	v.Budget = usageBudgetForm(base, q, v.CSRF, b, hasBudget, rep)
	if _, caps, err := s.capsOf(c, org); err != nil {
		return v, err
	} else if !caps.May(access.Settings) {
		v.Budget.ReadOnly = caps.Why(access.Settings)
	}
	exp := q.values()
	exp.Set("format", "csv")
	v.ExportCSV = usageURL(org, "export", exp)
	exp.Set("format", "json")
	v.ExportJSON = usageURL(org, "export", exp)
	exp.Set("format", "focus")
	v.ExportFOCUS = usageURL(org, "export", exp)
	alert := url.Values{"kind": {"cost"}, "org": {org}, "cond": {"anomaly"}, "report_currency": {q.report}}
	if q.tree {
		alert.Set("sub", "1")
	}
	v.AlertURL = withQuery(route.Alerts, alert) + "#new-rule"
	v.Methods = []string{usage.ForecastMethod, usage.AnomalyMethod,
		changeMethod(q.from, q.to),
		"Corrections (ChargeClass Correction) are included in every total; periods holding one are marked ✱.",
		"Costs in different currencies are never added together; records without the chosen cost are counted as consumed quantities in their own units."}
	if q.report != "" {
		if fx, _, err := s.fxTable(c, org); err == nil {
			v.Methods[len(v.Methods)-1] = fx.Describe(q.report, q.from, q.to) +
				" Converted figures are labelled so and never added to figures as billed; estimates stay estimates; records without the chosen cost are counted as consumed quantities in their own units."
		}
	}
	return v, nil
}
