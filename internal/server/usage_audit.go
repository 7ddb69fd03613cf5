// usage_audit.go sets cost changes beside the audit entries that may
// explain them: for an anomaly, the entries of the two days before it on
// the same product family (and account, when the page is by account or
// drilled into one), from the local audit index (no upstream call).

package server

import (
	"context"
	"net/url"
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
// change on day: the family's products, the account's ID as a phrase (its
// entries' URIs hold it), the two days before and the day itself.
func changeQuery(family, account string, day time.Time) string {
	return changesBetween(family, account, day.AddDate(0, 0, -2), day.AddDate(0, 0, 1))
}

// changesBetween is the audit query of the changes to family (and
// account) from since to before (days).
func changesBetween(family, account string, since, before time.Time) string {
	var parts []string
	for _, p := range usage.AuditProducts(family) {
		parts = append(parts, "product:"+p)
	}
	parts = append(parts, "-action:view")
	if account != "" {
		parts = append(parts, `"`+strings.ReplaceAll(account, `"`, "")+`"`)
	}
	parts = append(parts, "since:"+since.Format(time.DateOnly), "before:"+before.Format(time.DateOnly))
	return strings.Join(parts, " ")
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

// changesNear lists the audit entries near an anomaly, the search that
// holds them all, and whether the index covers those days yet.
func (s *Server) changesNear(c echo.Context, orgs []string, org string, q usageQuery, a usage.Anomaly) templates.UsageChanges {
	account, family := anomalyAccountAndFamily(q, a.Key)
	return s.changesIn(c, orgs, org, changeQuery(family, account, a.Day), a.Day.AddDate(0, 0, -2))
}

// moverChanges lists the audit entries of the range on the top mover's
// product family (or account), newest first.
func (s *Server) moverChanges(c echo.Context, orgs []string, org string, q usageQuery, r *usage.Report) *templates.UsageChanges {
	if r.TopMover == nil {
		return nil
	}
	account, family := anomalyAccountAndFamily(q, r.TopMover.Key)
	ch := s.changesIn(c, orgs, org, changesBetween(family, account, r.From, r.To.AddDate(0, 0, 1)), r.From)
	return &ch
}

// changesIn runs an audit query of changes (from the local index only),
// the first few, and the link to the search.
func (s *Server) changesIn(c echo.Context, orgs []string, org, qs string, since time.Time) templates.UsageChanges {
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
	page, err := s.audit.Index.Search(ctx, parsed, audit.Scope{Orgs: orgs}, nil, false, nearLimit)
	if err != nil {
		out.Failed = true
		return out
	}
	for _, r := range page.Rows {
		e := r.Entry
		t := e.Action.Time.UTC()
		out.Entries = append(out.Entries, templates.UsageChange{TimeISO: t.Format(time.RFC3339), TimeUTC: t.Format("2 Jan 2006 15:04 UTC"), What: e.Action.Description, Who: e.Actor.Email,
			Product: e.Resource.Product, URL: auditEntryURL(e.ID)})
	}
	out.More = page.Next != nil
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
	var parts []string
	for _, p := range usage.AuditProducts(family) {
		parts = append(parts, "product:"+p)
	}
	parts = append(parts, "-action:view", "since:"+r.From.Format(time.DateOnly), "before:"+r.To.AddDate(0, 0, 1).Format(time.DateOnly))
	parsed, err := audit.Parse(strings.Join(parts, " "), s.now())
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
