// audit_search.go is the audit search page: the query, its results, the
// builder.

package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

const auditPageSize = 50

func (s *Server) searchAllAudit(c echo.Context) error { return s.searchAudit(c, "") }

func (s *Server) showAuditTab(c echo.Context) error { return s.searchAudit(c, c.Param("id")) }

func (s *Server) searchAudit(c echo.Context, org string) error {
	if c.QueryParam("build") != "" {
		return s.buildAuditQuery(c)
	}
	sc, err := s.auditScopeOf(c, org, c.QueryParam("sub") == "1")
	if err != nil {
		return err
	}
	v, q, status := s.auditView(c, sc)
	if v.QueryError == "" {
		after, err := audit.ParseCursor(c.QueryParam("after"))
		if err != nil {
			return &userError{status: http.StatusBadRequest, title: "Bad page", message: "The results page asked for does not exist."}
		}
		p, err := s.syncFor(c, sc, q)
		if err != nil {
			return err
		}
		since, _ := s.audit.Index.Window(q)
		if kept := s.audit.Index.Kept(); since.Before(kept) {
			v.Kept = "Cloudflare keeps audit entries for 18 months: entries before " + kept.UTC().Format("2 Jan 2006") +
				" are no longer in its log, and the index here is their only record" + s.retentionNote() + "."
		}
		if p.Indexing(since) { // the results so far; the page asks again until the sync covers the range
			v.Indexing = &templates.AuditIndexing{Synced: templates.Count(p.Synced, "entry", "entries"), Since: localTime(since), SinceISO: since.UTC().Format(time.RFC3339),
				OrgsDone: p.OrgsDone, Orgs: len(sc.orgs), URL: c.Request().URL.RequestURI()}
		} else if !p.Covers(since) {
			v.Beyond = "The index holds these organizations' entries from " + p.Covered.UTC().Format("2 Jan 2006") +
				" on: this search reaches further back. Sync more days below to search the older ones."
		}
		err = s.auditWork(c, searchDeadline, func(ctx context.Context) error {
			v.Rows, err = s.auditRows(c, ctx, q, sc, after, v.Ascending)
			return err
		})
		if err != nil {
			return err
		}
		v.Rows.Indexing = v.Indexing != nil
		if after != nil && isFragment(c) {
			return render(c, http.StatusOK, templates.AuditRowsPart(v.Rows))
		}
	}
	if org == "" {
		p := s.page(c, "Audit log")
		return render(c, status, templates.AuditPage(p, v))
	}
	return s.showTab(c, status, "audit", func(api.Organization) (templ.Component, error) { return templates.AuditPanel(v), nil })
}

// retentionNote says how long the index keeps entries.
func (s *Server) retentionNote() string {
	if s.audit.Retention > 0 {
		return " (this console keeps them " + humanDuration(s.audit.Retention) + ")"
	}
	return " (this console keeps every entry it synced)"
}

// syncFor starts the syncs a search of q needs (each organization's, with
// the user's token) and reports how far they are.
func (s *Server) syncFor(c echo.Context, sc auditScope, q audit.Query) (audit.Progress, error) {
	client := s.client(c)
	for _, o := range sc.orgs {
		s.audit.Syncer.EnsureFor(client, o, q)
	}
	return s.audit.Syncer.Progress(c.Request().Context(), sc.orgs)
}

// auditView reads the query and shapes everything but the rows.
func (s *Server) auditView(c echo.Context, sc auditScope) (templates.AuditView, audit.Query, int) {
	raw := strings.TrimSpace(c.QueryParam("q"))
	base := auditURL(sc.org, nil)
	v := templates.AuditView{Rebuilt: s.cfg.RebuiltAudit, Scope: sc.org, BaseURL: base, Query: raw, Descendants: sc.descendants, Ascending: c.QueryParam("order") == "asc",
		Fields: audit.FieldNames(), SaveAction: route.AuditSaved, CSRF: s.csrf(c)}
	if sc.org == "" {
		v.Title = "Audit log"
	}
	q, err := audit.Parse(raw, s.now())
	status := http.StatusOK
	if err != nil {
		v.QueryError = "This query has a mistake " + err.Error() + "."
		status = http.StatusBadRequest
	}
	v.Builder = builderOf(q)
	params := sc.query()
	params.Set("q", raw)
	v.StatusURL = withQuery(route.AuditStatus, sc.query())
	v.SummaryURL = withQuery(route.AuditSummary, params)
	v.ExportCSV = auditExportURL(sc.org, withParam(params, "format", "csv"))
	v.ExportJSON = auditExportURL(sc.org, withParam(params, "format", "json"))
	alert := url.Values{"kind": {"audit"}, "q": {raw}}
	if sc.org != "" {
		alert.Set("org", sc.org)
	}
	if sc.descendants {
		alert.Set("sub", "1")
	}
	v.AlertURL = withQuery(route.Alerts, alert) + "#new-rule"
	v.Saved = s.savedSearches(c, sc.org)
	return v, q, status
}

// builderOf fills the query builder from the query it wrote (or one typed
// that it can show): the first value of each of its fields.
func builderOf(q audit.Query) templates.AuditBuilder {
	var b templates.AuditBuilder
	for _, f := range q.Filters {
		if f.Negate {
			continue
		}
		switch {
		case f.Field == "actor" && b.Actor == "":
			b.Actor = f.Value
		case f.Field == "action" && b.Action == "":
			b.Action = f.Value
		case f.Field == "product" && b.Product == "":
			b.Product = f.Value
		case f.Field == "result" && b.Result == "":
			b.Result = f.Value
		}
	}
	for _, t := range q.Terms {
		if !t.Negate {
			b.Text = t.Text
			break
		}
	}
	b.Since = q.SinceText
	return b
}

// buildAuditQuery writes the builder form's fields as a query.
func (s *Server) buildAuditQuery(c echo.Context) error {
	var parts []string
	add := func(field, value string) {
		if value = strings.TrimSpace(value); value != "" {
			parts = append(parts, audit.Query{Filters: []audit.Filter{{Field: field, Value: value}}}.String())
		}
	}
	add("actor", c.QueryParam("b_actor"))
	add("action", c.QueryParam("b_action"))
	add("product", c.QueryParam("b_product"))
	add("result", c.QueryParam("b_result"))
	switch since := c.QueryParam("b_since"); since {
	case "":
	case "24h", "7d", "30d", "90d":
		parts = append(parts, "since:"+since)
	default:
		return &userError{status: http.StatusBadRequest, title: "Bad query", message: "Since must be one of the builder's choices."}
	}
	if text := strings.TrimSpace(c.QueryParam("b_text")); text != "" {
		parts = append(parts, audit.Query{Terms: []audit.Term{{Text: text}}}.String())
	}
	v := url.Values{"q": {strings.Join(parts, " ")}}
	for _, k := range []string{"sub", "order"} {
		if x := c.QueryParam(k); x != "" {
			v.Set(k, x)
		}
	}
	return c.Redirect(http.StatusSeeOther, withQuery(c.Request().URL.Path, v))
}

func (s *Server) auditRows(c echo.Context, ctx context.Context, q audit.Query, sc auditScope, after *audit.Cursor, asc bool) (templates.AuditRows, error) {
	page, err := s.audit.Index.Search(ctx, q, sc.index(), after, asc, auditPageSize)
	if err != nil {
		return templates.AuditRows{}, err
	}
	base := c.Request().URL.Path
	link := func(f audit.Filter) string {
		p := c.QueryParams()
		nq := audit.With(q, f)
		out := url.Values{}
		for k, v := range p {
			if k != "after" {
				out[k] = v
			}
		}
		out.Set("q", nq.String())
		return withQuery(base, out)
	}
	search := url.Values{} // the search itself, for an entry's history to come back to
	for k, v := range c.QueryParams() {
		if k != "after" {
			search[k] = v
		}
	}
	back := url.Values{"back": {withQuery(base, search)}}
	val := func(field, text string) templates.AuditValue {
		if text == "" {
			return templates.AuditValue{}
		}
		return templates.AuditValue{Text: text, Include: link(audit.Filter{Field: field, Value: text}), Exclude: link(audit.Filter{Field: field, Value: text, Negate: true})}
	}
	rows := templates.AuditRows{Empty: len(page.Rows) == 0 && after == nil}
	for _, r := range page.Rows {
		e := r.Entry
		actor := e.Actor.Email
		if actor == "" {
			actor = e.Actor.ID
		}
		rows.Rows = append(rows.Rows, templates.AuditRow{ID: e.ID, Time: e.Action.Time.UTC().Format("2006-01-02 15:04:05 UTC"),
			TimeISO: e.Action.Time.UTC().Format(time.RFC3339), Description: e.Action.Description,
			Actor: val("actor", actor), Action: val("action", e.Action.Type), Result: val("result", e.Action.Result),
			Product: val("product", e.Resource.Product), Resource: val("resource", e.Resource.ID), Type: val("type", e.Resource.Type),
			DetailURL: withQuery(auditEntryURL(e.ID), back), Failure: e.Action.Result == "failure", Gone: sc.goneOf(e)})
	}
	if page.Next != nil {
		p := c.QueryParams()
		out := url.Values{}
		for k, v := range p {
			out[k] = v
		}
		out.Set("after", page.Next.String())
		rows.MoreURL = withQuery(base, out)
	}
	return rows, nil
}

// humanDuration is a retention for people: "730 days".
func humanDuration(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days < 1 {
		return d.String()
	}
	return templates.Count(int64(days), "day", "days")
}
