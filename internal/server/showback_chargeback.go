// chargeback.go is the monthly chargeback report: one row per
// sub-organization and account with its cost (reported, or estimated,
// said which), as a printable page and as CSV, and the showback's CSV.

package server

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"orgboard/internal/csvsafe"
	"orgboard/internal/route"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// chargeReport is a month's chargeback, read from the store.
type chargeReport struct {
	q       showbackQuery
	sc      showbackScope
	charges []usage.Charge
	denoms  []string
}

// chargeback reads the month's chargeback; the month must be in the store
// (the showback tab fetches it).
func (s *Server) chargeback(c echo.Context) (*chargeReport, error) {
	q, msg := parseShowback(c.QueryParams(), s.today())
	if msg != "" {
		return nil, &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	org := c.Param("id")
	job, _, err := s.showbackData(c, org, q, false)
	if err != nil {
		return nil, err
	}
	if job != nil { // a month already stored is read at once
		ctx, cancel := context.WithTimeout(c.Request().Context(), usageWait)
		defer cancel()
		job.Wait(ctx)
	}
	if job == nil || job.Progress().Running {
		return nil, &userError{status: http.StatusConflict, title: "Not in the usage store yet",
			message: "This month is still to be fetched: open the showback tab, which fetches it, then the report."}
	}
	sc, err := s.showbackScopeOf(c, org, q)
	if err != nil {
		return nil, err
	}
	from, to := q.rangeOf(s.today())
	charges, err := usage.Chargeback(c.Request().Context(), s.usage.Jobs.Keeper().Store, sc.orgs, from, to, q.measure, sc.card, sc.alloc)
	if err != nil {
		return nil, err
	}
	all := usage.Amounts{}
	for _, ch := range charges {
		for d, v := range ch.Amounts {
			all[d] += v
		}
	}
	sort.SliceStable(charges, func(i, j int) bool {
		pi, pj := sc.path(charges[i].Org, org), sc.path(charges[j].Org, org)
		if pi != pj {
			return pi < pj
		}
		return strings.ToLower(charges[i].AccountName) < strings.ToLower(charges[j].AccountName)
	})
	return &chargeReport{q: q, sc: sc, charges: charges, denoms: all.Denoms()}, nil
}

// path names an organization by the chain from top down to it.
func (sc showbackScope) path(org, top string) string {
	parts := []string{sc.names[org]}
	for id, seen := org, 0; id != top && seen < maxCrumbs; seen++ {
		p, ok := sc.parents[id]
		if !ok {
			break
		}
		parts = append([]string{sc.names[p]}, parts...)
		id = p
	}
	return strings.Join(parts, " › ")
}

// head names a denomination's column, saying how its amounts were reached.
func chargeHead(d string, m usage.Measure) string {
	switch {
	case usage.IsEstimate(d):
		return usage.Currency(d) + ", estimated (rate card)"
	case usage.IsUnit(d):
		return usage.DenomLabel(d) + " (no price)"
	case usage.IsConverted(d):
		return usage.DenomLabel(d) + " (" + strings.ToLower(m.Label()) + ", each at its month's rate)"
	}
	return d + " (" + strings.ToLower(m.Label()) + ")"
}

func basis(a usage.Amounts) string {
	var rep, est, qty bool
	for d := range a {
		switch {
		case usage.IsEstimate(d):
			est = true
		case usage.IsUnit(d):
			qty = true
		default:
			rep = true
		}
	}
	var parts []string
	if rep {
		parts = append(parts, "billed")
	}
	if est {
		parts = append(parts, "estimated")
	}
	if qty {
		parts = append(parts, "quantities without a price")
	}
	return strings.Join(parts, " and ")
}

func (s *Server) showChargeback(c echo.Context) error {
	r, err := s.chargeback(c)
	if err != nil {
		return err
	}
	org := c.Param("id")
	v := templates.ChargebackView{Org: r.sc.names[org], Month: r.q.month.Format("January 2006"), Measure: r.q.measure.Label(),
		Generated: s.now().UTC().Format("2 Jan 2006 15:04 UTC"), CSV: route.Path(route.ChargebackExport, org) + "?" + r.q.values().Encode(),
		Back: route.Path(route.Showback, org) + "?" + r.q.values().Encode(), Method: r.sc.method(r.q), Restated: r.sc.restated}
	for _, d := range r.denoms {
		v.Heads = append(v.Heads, chargeHead(d, r.q.measure))
	}
	totals := usage.Amounts{}
	var g *templates.ChargeGroup
	var groupTotals usage.Amounts
	flush := func() {
		if g != nil {
			g.Totals = amounts(groupTotals, r.denoms)
			v.Groups = append(v.Groups, *g)
		}
	}
	for _, ch := range r.charges {
		if g == nil || g.Org != ch.Org {
			flush()
			g, groupTotals = &templates.ChargeGroup{Org: ch.Org, Path: r.sc.path(ch.Org, org)}, usage.Amounts{}
		}
		g.Rows = append(g.Rows, templates.ChargeRow{Account: ch.AccountName, ID: ch.Account, Basis: basis(ch.Amounts), Amounts: amounts(ch.Amounts, r.denoms)})
		for d, x := range ch.Amounts {
			groupTotals[d] += x
			totals[d] += x
		}
	}
	flush()
	v.Totals = amounts(totals, r.denoms)
	v.Notes = []string{"Amounts in different columns are never added together: a billed cost, an estimate from the rate card and a quantity without a price are different things.",
		"Estimates price consumed quantities by the organization's rate card, each day at that day's price, where Cloudflare sent no cost."}
	if r.q.report != "" && r.sc.card.FX != nil {
		from, to := r.q.rangeOf(s.today())
		v.Notes = append(v.Notes, r.sc.card.FX.Describe(r.q.report, from, to))
	}
	return render(c, http.StatusOK, templates.Chargeback(s.page(c, "Chargeback "+v.Month), v))
}

func amounts(a usage.Amounts, denoms []string) []string {
	out := make([]string, len(denoms))
	for i, d := range denoms {
		if x, ok := a[d]; ok {
			out[i] = usage.Display(x, d)
		}
	}
	return out
}

// exportChargeback is the chargeback as CSV: one line per account.
func (s *Server) exportChargeback(c echo.Context) error {
	r, err := s.chargeback(c)
	if err != nil {
		return err
	}
	org := c.Param("id")
	attachment(c, "orgboard-chargeback-"+org[:min(8, len(org))]+"-"+r.q.month.Format("200601")+".csv", "text/csv; charset=utf-8")
	w := csvsafe.NewWriter(c.Response())
	head := []string{"month", "tree", "organization", "organization_id", "account", "account_id", "basis"}
	for _, d := range r.denoms {
		head = append(head, chargeHead(d, r.q.measure))
	}
	w.Write(head)
	for _, ch := range r.charges {
		row := []string{r.q.month.Format("2006-01"), r.sc.treeOf(r.q, s.today()), r.sc.path(ch.Org, org), ch.Org, ch.AccountName, ch.Account, basis(ch.Amounts)}
		for _, d := range r.denoms {
			x, ok := ch.Amounts[d]
			cell := ""
			if ok {
				cell = usage.Amount(x, d)
			}
			row = append(row, cell)
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// exportShowback is the showback by hierarchy as CSV.
func (s *Server) exportShowback(c echo.Context) error {
	q, msg := parseShowback(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	org := c.Param("id")
	job, _, err := s.showbackData(c, org, q, false)
	if err != nil {
		return err
	}
	if job == nil || job.Progress().Running {
		return &userError{status: http.StatusConflict, title: "Not in the usage store yet", message: "This month is still to be fetched: open the showback tab first."}
	}
	sc, err := s.showbackScopeOf(c, org, q)
	if err != nil {
		return err
	}
	from, to := q.rangeOf(s.today())
	node, err := usage.Showback(c.Request().Context(), s.usage.Jobs.Keeper().Store, org, sc.children, sc.orgs, from, to, q.measure, sc.card, sc.alloc)
	if err != nil {
		return err
	}
	denoms := node.Subtree.Denoms()
	attachment(c, "orgboard-showback-"+org[:min(8, len(org))]+"-"+q.month.Format("200601")+".csv", "text/csv; charset=utf-8")
	w := csvsafe.NewWriter(c.Response())
	head := []string{"month", "tree", "hierarchy", "organization_id", "depth", "amount_of"}
	for _, d := range denoms {
		head = append(head, chargeHead(d, q.measure))
	}
	w.Write(head)
	var walk func(n *usage.Node, depth int)
	walk = func(n *usage.Node, depth int) {
		for _, part := range []struct {
			name string
			a    usage.Amounts
		}{{"subtree", n.Subtree}, {"own accounts", n.Own}} {
			row := []string{q.month.Format("2006-01"), sc.treeOf(q, s.today()), sc.path(n.Org, org), n.Org, strconv.Itoa(depth), part.name}
			for _, d := range denoms {
				row = append(row, usage.Amount(part.a[d], d))
			}
			w.Write(row)
		}
		for _, ch := range n.Children {
			walk(ch, depth+1)
		}
	}
	walk(node, 0)
	w.Flush()
	return w.Error()
}
