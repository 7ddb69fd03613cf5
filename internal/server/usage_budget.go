// usage_budget.go sets an organization's monthly budget and retries
// missing days.

package server

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"orgboard/internal/api"
	"orgboard/internal/usage"
	"orgboard/web/templates"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// retryUsage fetches the failed windows of the page's range again.
func (s *Server) retryUsage(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	job, _, err := s.usageJob(c, c.Param("id"), q, false)
	if err != nil {
		return err
	}
	if job != nil {
		job.Retry(s.usage.Jobs.Context(), s.client(c))
	}
	return s.usagePanelAfterPost(c, q, templates.UsageBudgetForm{})
}

// usagePanelAfterPost answers a form on the panel: the panel for htmx, the
// page (by redirect) for a plain form.
func (s *Server) usagePanelAfterPost(c echo.Context, q usageQuery, b templates.UsageBudgetForm) error {
	if !isFragment(c) && b.Error == "" {
		return c.Redirect(http.StatusSeeOther, usageURL(c.Param("id"), "", q.values()))
	}
	v, err := s.usageView(c, c.Param("id"), q, "")
	if err != nil {
		return err
	}
	status := http.StatusOK
	if b.Error != "" || b.Saved != "" {
		v.Budget.Amount, v.Budget.Error, v.Budget.Saved = b.Amount, b.Error, b.Saved
		if b.Currency != "" {
			v.Budget.Currency = b.Currency
		}
	}
	if b.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	if !isFragment(c) {
		return s.showTab(c, status, "usage", func(api.Organization) (templ.Component, error) { return templates.UsagePanel(v), nil })
	}
	return render(c, status, templates.UsagePanel(v))
}

// setBudget stores (or removes) the organization's monthly budget.
func (s *Server) setBudget(c echo.Context) error {
	q, msg := parseUsageQuery(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	org := c.Param("id")
	if err := s.mayChangeSettings(c, org); err != nil {
		return err
	}
	typed, cur := strings.TrimSpace(c.FormValue("amount")), strings.TrimSpace(c.FormValue("currency"))
	form := templates.UsageBudgetForm{Amount: typed, Currency: cur}
	amount, problem := parseBudget(typed, cur)
	if problem != "" {
		form.Error = problem
		return s.usagePanelAfterPost(c, q, form)
	}
	if err := s.usage.Budgets.Set(c.Request().Context(), org, usage.Budget{Amount: amount, Currency: cur}); err != nil {
		return err
	}
	form.Saved = "Budget saved."
	if amount == 0 {
		form.Saved = "Budget removed."
	}
	return s.usagePanelAfterPost(c, q, form)
}

var budgetNumber = regexp.MustCompile(`^[0-9][0-9,]*(\.[0-9]+)?$`)

// parseBudget reads an amount like 1200, 1,200.50 or 1200.5; empty is 0 (none).
func parseBudget(typed, cur string) (float64, string) {
	if len(cur) != 3 || strings.ToUpper(cur) != cur || strings.IndexFunc(cur, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return 0, "Choose the budget's currency (a three-letter code such as USD)."
	}
	if typed == "" {
		return 0, ""
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(typed, ",", ""), 64)
	switch {
	case err != nil || len(typed) > 20 || !budgetNumber.MatchString(typed): // NaN, Inf, 1e9 and 0x10 parse, but are no amount
		return 0, "Write the budget as a number, for example 1200 or 1,200.50."
	case v <= 0:
		return 0, "A budget must be more than zero; leave it empty to remove it."
	case v > 1e12:
		return 0, "A budget is at most 1,000,000,000,000: check the number."
	}
	return v, ""
}
