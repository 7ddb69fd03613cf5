// usage_audit.go sets cost changes beside the audit entries that may
// explain them: for an anomaly, the changes of the two days before its day
// began (usage days are UTC days) on the products that move its product
// family's cost (and in its account, when the page is by account or
// drilled into one), the family's own products before billing's, the
// closest first; from the local audit index (no upstream call).

package server

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/audit"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// nearLimit is how many entries an anomaly lists.
const nearLimit = 5

// changeQuery is the audit query of the changes that may explain a cost
// change on day: those of the two days before the day began (a change
// later in the day itself cannot have moved the day's whole usage).
func changeQuery(family, account string, day time.Time) (string, bool) {
	return changesBetween(family, account, day.AddDate(0, 0, -2), day)
}

// changesBetween is the audit query of the successful changes to family
// (and in account: its entries' URIs hold its ID) from since to before
// (days); ok is false when no audit product is known to move family's cost.
func changesBetween(family, account string, since, before time.Time) (string, bool) {
	var parts []string
	if family != "" {
		products, known := usage.AuditProducts(family)
		if !known {
			return "", false
		}
		for _, p := range products {
			parts = append(parts, "product:"+p)
		}
	}
	parts = append(parts, "-action:view", "-result:failure")
	if account != "" {
		parts = append(parts, `"`+strings.ReplaceAll(account, `"`, "")+`"`)
	}
	parts = append(parts, "since:"+since.Format(time.DateOnly), "before:"+before.Format(time.DateOnly))
	return strings.Join(parts, " "), true
}

// anomalyAccountAndFamily is what an anomaly is on: its group's value, and
// the page's filters.
func anomalyAccountAndFamily(q usageQuery, key string) (account, family string) {
	switch q.group {
	case usage.DimAccount:
		account = key
	case usage.DimFamily:
		family = key
	}
	for _, f := range q.filters {
		switch f.Dim {
		case usage.DimAccount:
			account = f.Key
		case usage.DimFamily:
			family = f.Key
		}
	}
	return account, family
}

// changesNear lists the audit entries that may explain an anomaly, the
// search that holds them all, and whether the index covers those days yet.
func (s *Server) changesNear(c echo.Context, orgs []string, org string, q usageQuery, a usage.Anomaly) templates.UsageChanges {
	account, family := anomalyAccountAndFamily(q, a.Key)
	qs, ok := changeQuery(family, account, a.Day)
	if !ok {
		return templates.UsageChanges{Unexplained: family}
	}
	return s.changesIn(c, orgs, org, qs, a.Day.AddDate(0, 0, -2), family)
}

// moverChanges lists the audit entries of the range on the top mover's
// product family (or account), newest first.
func (s *Server) moverChanges(c echo.Context, orgs []string, org string, q usageQuery, r *usage.Report) *templates.UsageChanges {
	if r.TopMover == nil {
		return nil
	}
	account, family := anomalyAccountAndFamily(q, r.TopMover.Key)
	qs, ok := changesBetween(family, account, r.From, r.To.AddDate(0, 0, 1))
	if !ok {
		return &templates.UsageChanges{Unexplained: family}
	}
	ch := s.changesIn(c, orgs, org, qs, r.From, family)
	return &ch
}

// nearCandidates is how many of the newest changes are ranked for the
// few shown.
const nearCandidates = 4 * nearLimit

// changesIn runs an audit query of changes (from the local index only),
// the most relevant few (the family's own products before billing's, each
// the closest first), and the link to the search.
func (s *Server) changesIn(c echo.Context, orgs []string, org, qs string, since time.Time, family string) templates.UsageChanges {
	out := templates.UsageChanges{SearchURL: auditURL(org, url.Values{"q": {qs}, "sub": {"1"}})}
	if s.audit.Index == nil {
		return out
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if p, err := s.audit.Syncer.Progress(ctx, orgs); err != nil || !p.Covers(since) {
		out.NotIndexed = true
		return out
	}
	parsed, err := audit.Parse(qs, s.now())
	if err != nil {
		return out
	}
	page, err := s.audit.Index.Search(ctx, parsed, audit.Scope{Orgs: orgs}, nil, false, nearCandidates)
	if err != nil {
		out.Failed = true
		return out
	}
	rank := func(product string) int {
		if family != "" && product == "billing" {
			return 1 // a subscription moves every family: less telling than a change of the family's own
		}
		return 0
	}
	rows := slices.Clone(page.Rows)
	slices.SortStableFunc(rows, func(a, b audit.Row) int { return rank(a.Entry.Resource.Product) - rank(b.Entry.Resource.Product) })
	for i, r := range rows {
		if i == nearLimit {
			break
		}
		e := r.Entry
		t := e.Action.Time.UTC()
		out.Entries = append(out.Entries, templates.UsageChange{TimeISO: t.Format(time.RFC3339), TimeUTC: t.Format("2 Jan 2006 15:04 UTC"), What: e.Action.Description, Who: e.Actor.Email,
			Product: e.Resource.Product, URL: auditEntryURL(e.ID)})
	}
	out.More = page.Next != nil || len(rows) > nearLimit
	return out
}

// changeMarks counts the audit changes of a drilled-into product family
// per bucket of the page's chart (the index's entries; none when the page
// is not drilled into a family, or the index does not reach the range).
func (s *Server) changeMarks(c echo.Context, orgs []string, q usageQuery, r *usage.Report) []int {
	_, family := anomalyAccountAndFamily(usageQuery{filters: q.filters}, "")
	if family == "" || s.audit.Index == nil || len(r.Buckets) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if p, err := s.audit.Syncer.Progress(ctx, orgs); err != nil || !p.Covers(r.From) {
		return nil
	}
	qs, ok := changesBetween(family, "", r.From, r.To.AddDate(0, 0, 1))
	if !ok {
		return nil
	}
	parsed, err := audit.Parse(qs, s.now())
	if err != nil {
		return nil
	}
	sum, err := s.audit.Index.Summarize(ctx, parsed, audit.Scope{Orgs: orgs})
	if err != nil {
		return nil
	}
	counts := make([]int, len(r.Buckets))
	for _, b := range sum.Buckets {
		if d := usage.Civil(b.Start.UTC()); !d.Before(r.From) && !d.After(r.To) {
			counts[r.BucketOf(d)] += b.N
		}
	}
	return counts
}
