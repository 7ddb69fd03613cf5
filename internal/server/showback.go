// showback.go is the showback tab: an organization's month split down its
// hierarchy (a treemap that drills down, a table by sub-organization and
// one by hierarchy tags), read from the usage store.

package server

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/charts"
	"orgboard/internal/route"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// showbackQuery is the showback's month, measure and denomination.
type showbackQuery struct {
	month   time.Time // its first day
	measure usage.Measure
	denom   string
	report  string // the reporting currency ("": each as billed)
	today   bool   // restated with today's tree (tree=today)
}

// costMeasures are the measures a showback or chargeback may use.
var costMeasures = []usage.Measure{usage.Billed, usage.Effective, usage.List, usage.Contracted, usage.Estimated}

func parseShowback(v url.Values, today time.Time) (showbackQuery, string) {
	this := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	q := showbackQuery{month: this.AddDate(0, -1, 0), measure: usage.Billed, denom: v.Get("cur")}
	if m := v.Get("month"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			return q, "A month is written YYYY-MM, for example 2026-11."
		}
		if t.After(this) || t.Before(this.AddDate(0, -13, 0)) {
			return q, "Choose one of the last thirteen months."
		}
		q.month = t
	}
	if m := v.Get("measure"); m != "" {
		mm, ok := usage.ParseMeasure(m)
		if !ok || mm == usage.Quantity {
			return q, "Measure must be billed, effective, list, contracted or estimated."
		}
		q.measure = mm
	}
	if !cleanParam(q.denom, 40) {
		return q, "The currency asked for is not valid."
	}
	switch v.Get("tree") {
	case "", "then":
	case "today":
		q.today = true
	default:
		return q, "The tree is either the month's (then) or today's (today)."
	}
	if q.report = strings.ToUpper(strings.TrimSpace(v.Get("report_currency"))); q.report != "" && !usage.ValidCurrency(q.report) {
		q.report = ""
		return q, "The reporting currency must be a currency code, such as USD or EUR."
	}
	return q, ""
}

// rangeOf is the month's days that can be reported: up to yesterday.
func (q showbackQuery) rangeOf(today time.Time) (time.Time, time.Time) {
	to := q.month.AddDate(0, 1, -1)
	if y := today.AddDate(0, 0, -1); to.After(y) {
		to = y
	}
	return q.month, to
}

func (q showbackQuery) values() url.Values {
	v := url.Values{"month": {q.month.Format("2006-01")}, "measure": {string(q.measure)}}
	if q.denom != "" {
		v.Set("cur", q.denom)
	}
	if q.report != "" {
		v.Set("report_currency", q.report)
	}
	if q.today {
		v.Set("tree", "today")
	}
	return v
}

func (s *Server) showShowback(c echo.Context) error {
	return s.showbackPage(c, false)
}

// fetchShowback starts the month's fetch the page asked to confirm.
func (s *Server) fetchShowback(c echo.Context) error {
	return s.showbackPage(c, true)
}

func (s *Server) showbackPage(c echo.Context, confirmed bool) error {
	q, msg := parseShowback(c.QueryParams(), s.today())
	if msg != "" {
		return &userError{status: http.StatusBadRequest, title: "Bad request", message: msg}
	}
	if confirmed && !isFragment(c) {
		if _, _, err := s.showbackData(c, c.Param("id"), q, true); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, route.Path(route.Showback, c.Param("id"))+"?"+q.values().Encode())
	}
	if hx := htmx(c); hx.Fragment() && hx.Target == "showback" {
		org, err := s.getOrg(c, c.Param("id"))
		if err != nil {
			return err
		}
		v, err := s.showbackView(c, org, q, confirmed)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, templates.Showback(v))
	}
	return s.showTab(c, http.StatusOK, "showback", func(org api.Organization) (templ.Component, error) {
		v, err := s.showbackView(c, org, q, confirmed)
		return templates.Showback(v), err
	})
}

// showbackData brings the month into the store (asking first above
// confirmAbove calls) and says how far that is.
func (s *Server) showbackData(c echo.Context, org string, q showbackQuery, confirmed bool) (*usage.Job, int, error) {
	sc, err := s.showbackScopeOf(c, org, q)
	if err != nil {
		return nil, 0, err
	}
	from, to := q.rangeOf(s.today())
	req := usage.Request{Orgs: sc.fetch, From: from, To: to, Measure: q.measure, Rates: sc.card, NoPrev: true}
	return s.storedJob(c, req, confirmed)
}

func (s *Server) showbackView(c echo.Context, org api.Organization, q showbackQuery, confirmed bool) (templates.ShowbackView, error) {
	v := templates.ShowbackView{Month: q.month.Format("January 2006"), CSRF: s.csrf(c)}
	v.Form = showbackForm(route.Path(route.Showback, org.ID), q, s.today(), nil)
	if q.month.After(s.today().AddDate(0, 0, -1)) {
		v.Empty = "Nothing is reported for " + v.Month + " yet: Cloudflare reports a day once it is over."
		return v, nil
	}
	sc, err := s.showbackScopeOf(c, org.ID, q)
	if err != nil {
		return v, err
	}
	from, _ := q.rangeOf(s.today())
	ready, err := s.syncTree(c, sc.fetch, from)
	if err != nil {
		return v, err
	}
	if !ready {
		v.TreeWait = route.Path(route.Showback, org.ID) + "?" + q.values().Encode()
		return v, nil
	}
	job, calls, err := s.showbackData(c, org.ID, q, confirmed)
	if err != nil {
		return v, err
	}
	if job == nil {
		v.Confirm = &templates.UsageConfirm{Calls: templates.Count(int64(calls), "call", "calls"), Time: budgetTime(calls),
			Action: route.Path(route.ShowbackFetch, org.ID) + "?" + q.values().Encode()}
		return v, nil
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), usageWait)
	defer cancel()
	if job.Wait(ctx) != nil {
		p := job.Progress()
		v.Loading = &templates.UsageProgress{Done: p.Done, Total: p.Total, Failed: p.Failed, Records: templates.Count(p.Records, "record", "records"),
			Time: timeLeft(p), PollURL: route.Path(route.Showback, org.ID) + "?" + q.values().Encode()}
		return v, nil
	}
	if err := job.StoreErr(); err != nil {
		job.Retry(s.usage.Jobs.Context(), s.client(c))
		return v, err
	}
	for _, g := range job.Gaps() {
		v.Gaps = append(v.Gaps, gapText(g))
	}
	v.RetryURL = route.Path(route.ShowbackFetch, org.ID) + "?" + q.values().Encode()
	if sc, err = s.showbackScopeOf(c, org.ID, q); err != nil { // the moves read since
		return v, err
	}
	v.Method, v.Restated = sc.method(q), sc.restated
	from, to := q.rangeOf(s.today())
	node, err := usage.Showback(c.Request().Context(), s.usage.Jobs.Keeper().Store, org.ID, sc.children, sc.orgs, from, to, q.measure, sc.card, sc.alloc)
	if err != nil {
		return v, err
	}
	denoms := node.Subtree.Denoms()
	denom, want := node.Main(), q.denom
	if want == "" && q.report != "" {
		want = usage.Converted(q.report) // a reporting currency leads with its total
	}
	for _, d := range denoms {
		if d == want {
			denom = d
		}
	}
	v.Form = showbackForm(route.Path(route.Showback, org.ID), q, s.today(), denoms)
	for i := range v.Form.Denoms {
		v.Form.Denoms[i].Selected = v.Form.Denoms[i].Value == denom
	}
	if denom == "" {
		v.Empty = "No usage was reported for " + v.Month + " in this organization or below it."
		return v, nil
	}
	v.Denom = usage.DenomLabel(denom)
	total := node.Subtree[denom]
	share := func(x float64) string {
		if total == 0 {
			return "–"
		}
		return strconv.FormatFloat(x/total*100, 'f', 1, 64) + "%"
	}
	mq := q
	mq.denom = denom
	for _, ch := range node.Children {
		v.Children = append(v.Children, templates.ShowbackRow{Name: sc.names[ch.Org], URL: route.Path(route.Showback, ch.Org) + "?" + mq.values().Encode(),
			Amount: usage.Display(ch.Subtree[denom], denom), Share: share(ch.Subtree[denom]), Own: usage.Display(ch.Own[denom], denom)})
	}
	if own := node.Own[denom]; own != 0 || len(node.Children) == 0 {
		v.Children = append(v.Children, templates.ShowbackRow{Name: sc.names[org.ID] + " (its own accounts)", Amount: usage.Display(own, denom), Share: share(own), Own: usage.Display(own, denom)})
	}
	v.Total = templates.ShowbackRow{Name: "Total", Amount: usage.Display(total, denom), Share: share(total), Own: usage.Display(node.Own[denom], denom)}
	v.Tags = tagRows(node, sc, org.ID, denom, share)
	if nodes := treeNodes(node, sc.names, denom); len(nodes) > 0 {
		raw, err := charts.Treemap(org.Name, nodes) // the breadcrumb's first step: the organization, not the currency
		if err != nil {
			return v, err
		}
		v.Chart = string(raw)
	}
	v.Notices = showbackNotices(q.measure, denoms, denom, to, q.month)
	if q.report != "" && sc.card.FX != nil {
		v.Notices = append(v.Notices, sc.card.FX.Describe(q.report, from, to))
	}
	v.ExportCSV = route.Path(route.ShowbackExport, org.ID) + "?" + mq.values().Encode()
	v.Chargeback = route.Path(route.Chargeback, org.ID) + "?" + mq.values().Encode()
	v.ChargeCSV = route.Path(route.ChargebackExport, org.ID) + "?" + mq.values().Encode()
	return v, nil
}

func showbackForm(action string, q showbackQuery, today time.Time, denoms []string) templates.ShowbackForm {
	f := templates.ShowbackForm{Action: action}
	this := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i <= 13; i++ {
		m := this.AddDate(0, -i, 0)
		label := m.Format("January 2006")
		if i == 0 {
			label += " (to date)"
		}
		f.Months = append(f.Months, templates.Option{Value: m.Format("2006-01"), Label: label, Selected: m.Equal(q.month)})
	}
	for _, m := range costMeasures {
		f.Measures = append(f.Measures, templates.Option{Value: string(m), Label: m.Label(), Selected: m == q.measure})
	}
	for _, d := range denoms {
		f.Denoms = append(f.Denoms, templates.Option{Value: d, Label: usage.DenomLabel(d)})
	}
	f.Reports = reportOptions(q.report)
	f.Trees = []templates.Option{{Value: "then", Label: "As it was that month", Selected: !q.today}, {Value: "today", Label: "Today's (a restatement)", Selected: q.today}}
	return f
}

func showbackNotices(m usage.Measure, denoms []string, denom string, to, month time.Time) []string {
	var out []string
	if to.Before(month.AddDate(0, 1, -1)) {
		out = append(out, "The month so far: up to "+to.Format("2 January")+".")
	}
	if len(denoms) > 1 {
		labels := make([]string, len(denoms))
		for i, d := range denoms {
			labels[i] = usage.DenomLabel(d)
		}
		out = append(out, "This month has amounts in "+strings.Join(labels, "; ")+". They are never added together: showing "+usage.DenomLabel(denom)+".")
	}
	if usage.IsEstimate(denom) {
		out = append(out, "Estimated cost: consumed quantities priced by the rate card, where Cloudflare sent no "+strings.ToLower(m.Label())+". Not a cost Cloudflare billed.")
	}
	return out
}

// treeNodes is the treemap's data: each sub-organization's subtree, with
// an organization's own accounts as a rectangle of their own.
func treeNodes(n *usage.Node, names map[string]string, denom string) []charts.TreeNode {
	var out []charts.TreeNode
	for _, c := range n.Children {
		if c.Subtree[denom] <= 0 {
			continue
		}
		tn := charts.TreeNode{ID: c.Org, Name: names[c.Org], Value: c.Subtree[denom]}
		if len(c.Children) > 0 {
			tn.Children = treeNodes(c, names, denom)
		}
		out = append(out, tn)
	}
	if own := n.Own[denom]; own > 0 && len(out) > 0 {
		out = append(out, charts.TreeNode{ID: n.Org + "-own", Name: names[n.Org] + " (own accounts)", Value: own})
	}
	return out
}

// tagRows lists every organization of the subtree by its hierarchy tags
// (the chain from the root down to it), with its subtree's amount.
func tagRows(root *usage.Node, sc showbackScope, top, denom string, share func(float64) string) []templates.ShowbackRow {
	var out []templates.ShowbackRow
	var walk func(n *usage.Node, path []string, depth int)
	walk = func(n *usage.Node, path []string, depth int) {
		path = append(path, sc.names[n.Org])
		out = append(out, templates.ShowbackRow{Name: sc.names[n.Org], Tags: strings.Join(path, " › "), Depth: depth,
			Amount: usage.Display(n.Subtree[denom], denom), Share: share(n.Subtree[denom]), Own: usage.Display(n.Own[denom], denom)})
		kids := append([]*usage.Node(nil), n.Children...)
		sort.SliceStable(kids, func(i, j int) bool { return sc.names[kids[i].Org] < sc.names[kids[j].Org] })
		for _, c := range kids {
			walk(c, path, depth+1)
		}
	}
	var above []string
	for id, seen := sc.parents[top], 0; id != "" && seen < maxCrumbs; id, seen = sc.parents[id], seen+1 {
		above = append([]string{sc.names[id]}, above...)
	}
	walk(root, above, 0)
	return out
}
