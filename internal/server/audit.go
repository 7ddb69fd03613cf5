package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/charts"
	"orgboard/web/templates"
)

// Audit is what the audit pages need: the index, its syncer, saved searches.
type Audit struct {
	Index  *audit.Index
	Syncer *audit.Syncer
	Saved  *audit.SavedSearches
}

const auditPageSize = 50

// maxReadableOrgs bounds a search's organizations: each is a variable of one
// SQL statement, and SQLite takes at most 32,766.
const maxReadableOrgs = 30000

// readableOrgs lists every organization the user's token may read now: the
// authorization of every audit search (cached with the user's reads, at
// most the cache TTL, which is never above 60 s).
func (s *Server) readableOrgs(c echo.Context) ([]api.Organization, error) {
	return cached(c.Request().Context(), s.cache, s.user(c), "readable orgs", func(ctx context.Context) ([]api.Organization, error) {
		var out []api.Organization
		for o, err := range s.client(c).Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
			if err != nil {
				return nil, err
			}
			out = append(out, o)
			if len(out) >= maxReadableOrgs {
				break
			}
		}
		return out, nil
	})
}

// auditScope is the organizations a search covers, checked against what
// the user may read now.
type auditScope struct {
	org         string // "" for every readable organization
	descendants bool
	orgs        []string
}

func (s *Server) scopeOf(c echo.Context, org string, descendants bool) (auditScope, error) {
	all, err := s.readableOrgs(c)
	if err != nil {
		return auditScope{}, err
	}
	sc := auditScope{org: org, descendants: descendants}
	if org == "" {
		for _, o := range all {
			sc.orgs = append(sc.orgs, o.ID)
		}
		return sc, nil
	}
	readable := false
	children := map[string][]string{}
	for _, o := range all {
		readable = readable || o.ID == org
		if o.Parent != nil {
			children[o.Parent.ID] = append(children[o.Parent.ID], o.ID)
		}
	}
	if !readable {
		if _, err := s.getOrg(c, org); err != nil {
			return sc, err
		}
	}
	sc.orgs = []string{org}
	for i := 0; descendants && i < len(sc.orgs); i++ {
		sc.orgs = append(sc.orgs, children[sc.orgs[i]]...)
	}
	return sc, nil
}

func (sc auditScope) query() url.Values {
	v := url.Values{}
	if sc.org != "" {
		v.Set("org", sc.org)
	}
	if sc.descendants {
		v.Set("sub", "1")
	}
	return v
}

func (s *Server) searchAllAudit(c echo.Context) error { return s.searchAudit(c, "") }

func (s *Server) showAuditTab(c echo.Context) error { return s.searchAudit(c, c.Param("id")) }

func (s *Server) searchAudit(c echo.Context, org string) error {
	if c.QueryParam("build") != "" {
		return s.buildAuditQuery(c)
	}
	sc, err := s.scopeOf(c, org, c.QueryParam("sub") == "1")
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
		if p.Indexing(since) { // the results so far; the page asks again until the sync covers the range
			v.Indexing = &templates.AuditIndexing{Synced: templates.Count(p.Synced, "entry", "entries"), Since: localTime(since),
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

// syncFor starts the syncs a search of q needs (each organization's, with
// the user's token) and reports how far they are.
func (s *Server) syncFor(c echo.Context, sc auditScope, q audit.Query) (audit.Progress, error) {
	client := s.client(c)
	for _, o := range sc.orgs {
		s.audit.Syncer.EnsureFor(client, o, q)
	}
	return s.audit.Syncer.Progress(c.Request().Context(), sc.orgs)
}

// localTime writes a time for the page (the browser shows it in its zone).
func localTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// auditView reads the query and shapes everything but the rows.
func (s *Server) auditView(c echo.Context, sc auditScope) (templates.AuditView, audit.Query, int) {
	raw := strings.TrimSpace(c.QueryParam("q"))
	base := "/audit"
	if sc.org != "" {
		base = orgURL(sc.org) + "/audit"
	}
	v := templates.AuditView{Scope: sc.org, BaseURL: base, Query: raw, Descendants: sc.descendants, Ascending: c.QueryParam("order") == "asc",
		Fields: audit.FieldNames(), SaveAction: "/audit/saved", CSRF: s.csrf(c)}
	q, err := audit.Parse(raw, s.now())
	status := http.StatusOK
	if err != nil {
		v.QueryError = "This query has a mistake " + err.Error() + "."
		status = http.StatusBadRequest
	}
	v.Builder = builderOf(q)
	params := sc.query()
	params.Set("q", raw)
	v.StatusURL = "/audit/status?" + sc.query().Encode()
	v.SummaryURL = "/audit/summary?" + params.Encode()
	v.ExportCSV = base + "/export?" + withParam(params, "format", "csv")
	v.ExportJSON = base + "/export?" + withParam(params, "format", "json")
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

func withParam(v url.Values, k, val string) string {
	out := url.Values{}
	for key, vals := range v {
		out[key] = vals
	}
	out.Set(k, val)
	return out.Encode()
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
	return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?"+v.Encode())
}

func (s *Server) auditRows(c echo.Context, ctx context.Context, q audit.Query, sc auditScope, after *audit.Cursor, asc bool) (templates.AuditRows, error) {
	page, err := s.audit.Index.Search(ctx, q, audit.Scope{Orgs: sc.orgs}, after, asc, auditPageSize)
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
		return base + "?" + out.Encode()
	}
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
			DetailURL: "/audit/entries/" + e.ID, Failure: e.Action.Result == "failure"})
	}
	if page.Next != nil {
		p := c.QueryParams()
		out := url.Values{}
		for k, v := range p {
			out[k] = v
		}
		out.Set("after", page.Next.String())
		rows.MoreURL = base + "?" + out.Encode()
	}
	return rows, nil
}

// scopeFromQuery reads org= and sub= of the status, summary and export URLs.
func (s *Server) scopeFromQuery(c echo.Context, org string) (auditScope, error) {
	if org == "" {
		org = c.QueryParam("org")
	}
	if org != "" && !api.ValidID(org) {
		return auditScope{}, &userError{status: http.StatusBadRequest, title: "Not a valid identifier", message: "The organization in this address is not valid."}
	}
	return s.scopeOf(c, org, c.QueryParam("sub") == "1")
}

func (s *Server) auditStatus(c echo.Context) error {
	sc, err := s.scopeFromQuery(c, "")
	if err != nil {
		return err
	}
	p, err := s.audit.Syncer.Progress(c.Request().Context(), sc.orgs)
	if err != nil {
		return err
	}
	st := templates.AuditStatus{URL: "/audit/status?" + sc.query().Encode(), CSRF: s.csrf(c),
		Org: sc.org, Sub: sc.descendants, CanExtend: s.now().Sub(p.Covered) < audit.MaxWindow-time.Hour, Done: p.Done, Problem: p.Problem}
	entries, orgs := templates.Count(p.Synced, "entry", "entries"), templates.Count(len(sc.orgs), "organization", "organizations")
	switch {
	case p.Done:
		st.Text = "Index up to date: " + entries + " of " + orgs + ", from " + localTime(p.Covered) + "."
	case p.OrgsDone == len(sc.orgs):
		st.Text = "Checking for new entries… " + entries + " of " + orgs + " in the index."
	default:
		st.Text = "Syncing the audit log: " + entries + " so far; " + templates.Number(p.OrgsDone) + " of " + orgs + " done…"
	}
	if len(sc.orgs) > 0 {
		st.Percent = 100 * p.OrgsDone / len(sc.orgs)
	}
	if p.Done {
		st.Percent = 100
	}
	if until, limited := s.audit.Syncer.PausedUntil(userKey(identity(c).Token)); limited {
		st.Paused = fmt.Sprintf("Cloudflare is limiting requests made with your token: your syncs are paused until %s and resume by themselves. "+
			"Other people's syncs go on with their own tokens.", until.UTC().Format("15:04:05 UTC"))
		st.Done = false
	}
	return render(c, http.StatusOK, templates.AuditStatusPart(st))
}

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
	base := "/audit"
	if sc.org != "" {
		base = orgURL(sc.org) + "/audit"
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
				Include: base + "?" + withParam(p, "q", inc.String()), Exclude: base + "?" + withParam(p, "q", exc.String())}})
		}
		v.Facets = append(v.Facets, f)
	}
	return render(c, http.StatusOK, templates.AuditSummaryPart(v))
}

// entryReadable finds an entry among the user's readable organizations.
func (s *Server) entryReadable(c echo.Context, id string) (api.AuditEntry, error) {
	sc, err := s.scopeOf(c, "", false)
	if err != nil {
		return api.AuditEntry{}, err
	}
	e, _, err := s.audit.Index.Entry(c.Request().Context(), id, audit.Scope{Orgs: sc.orgs})
	if audit.IsNotFound(err) {
		return e, &userError{status: http.StatusNotFound, title: "Not found", message: "No such audit entry in the index."}
	}
	return e, err
}

func (s *Server) auditEntry(c echo.Context) error {
	e, err := s.entryReadable(c, c.Param("entry"))
	if err != nil {
		return err
	}
	d := templates.AuditDetail{RawLine: strings.TrimSpace(e.Raw.Method + " " + e.Raw.URI + " → " + strconv.Itoa(e.Raw.StatusCode)),
		Request: pretty(e.Resource.Request), Response: pretty(e.Resource.Response)}
	if e.Resource.ID != "" {
		d.HistoryURL = "/audit/resources/" + url.PathEscape(e.Resource.ID)
	}
	for _, kv := range [][2]string{{"id", e.ID}, {"action.time", e.Action.Time.UTC().Format(time.RFC3339Nano)}, {"action.type", e.Action.Type},
		{"action.result", e.Action.Result}, {"action.description", e.Action.Description}, {"actor.email", e.Actor.Email}, {"actor.id", e.Actor.ID},
		{"actor.type", e.Actor.Type}, {"actor.context", e.Actor.Context}, {"actor.ip_address", e.Actor.IPAddress}, {"actor.token_name", e.Actor.TokenName},
		{"actor.token_id", e.Actor.TokenID}, {"organization.id", e.Organization.ID}, {"resource.product", e.Resource.Product},
		{"resource.type", e.Resource.Type}, {"resource.id", e.Resource.ID}, {"resource.scope", string(e.Resource.Scope)},
		{"raw.cf_ray_id", e.Raw.CFRayID}, {"raw.user_agent", e.Raw.UserAgent}} {
		if kv[1] != "" {
			d.Fields = append(d.Fields, kv)
		}
	}
	if isFragment(c) {
		return render(c, http.StatusOK, templates.AuditDetailPart(d))
	}
	return render(c, http.StatusOK, templates.AuditEntryPage(s.page(c, "Audit entry"), d))
}

func pretty(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (s *Server) auditHistory(c echo.Context) error {
	sc, err := s.scopeOf(c, "", false)
	if err != nil {
		return err
	}
	var entries []api.AuditEntry
	err = s.auditWork(c, searchDeadline, func(ctx context.Context) error {
		entries, err = s.audit.Index.History(ctx, c.Param("resource"), audit.Scope{Orgs: sc.orgs})
		return err
	})
	if err != nil {
		return err
	}
	h := templates.AuditHistory{Resource: c.Param("resource")}
	var prev map[string]string
	for _, e := range entries {
		state := flatten(e.Resource.Response)
		if len(state) == 0 {
			state = flatten(e.Resource.Request)
		}
		step := templates.HistoryStep{Time: e.Action.Time.UTC().Format(time.RFC3339), Action: e.Action.Type, Actor: cmp.Or(e.Actor.Email, e.Actor.ID),
			Result: e.Action.Result, DetailURL: "/audit/entries/" + e.ID}
		if e.Action.Result != "failure" && len(state) > 0 {
			step.Changes = diff(prev, state)
			prev = state
		}
		h.Steps = append(h.Steps, step)
	}
	return render(c, http.StatusOK, templates.AuditHistoryPage(s.page(c, "Resource history"), h))
}

func (s *Server) auditExportAll(c echo.Context) error { return s.auditExport(c, "") }
func (s *Server) auditExportOrg(c echo.Context) error { return s.auditExport(c, c.Param("id")) }

func (s *Server) auditExport(c echo.Context, org string) error {
	sc, err := s.scopeFromQuery(c, org)
	if err != nil {
		return err
	}
	q, err := audit.Parse(c.QueryParam("q"), s.now())
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Bad query", message: "This query has a mistake " + err.Error() + "."}
	}
	format := c.QueryParam("format")
	if format != "csv" && format != "json" {
		return &userError{status: http.StatusBadRequest, title: "Unknown format", message: "Export as csv or json."}
	}
	p, err := s.syncFor(c, sc, q)
	if err != nil {
		return err
	}
	if since, _ := s.audit.Index.Window(q); p.Indexing(since) {
		return &userError{status: http.StatusServiceUnavailable, retryAfter: 30 * time.Second, title: "Not exported yet",
			message: "The index does not hold all of this search's range yet (" + templates.Count(p.Synced, "entry", "entries") + " so far, " +
				templates.Number(p.OrgsDone) + " of " + templates.Count(len(sc.orgs), "organization", "organizations") + " synced). " +
				"The sync is running: try the export again in a minute, and it will hold every matching entry."}
	}
	return s.auditWork(c, exportDeadline, func(ctx context.Context) error {
		n, err := s.audit.Index.Count(ctx, q, audit.Scope{Orgs: sc.orgs})
		if err != nil {
			return err
		}
		typ := "application/json"
		if format == "csv" {
			typ = "text/csv; charset=utf-8"
		}
		attachment(c, "orgboard-audit-"+s.now().UTC().Format("20060102-150405")+"."+format, typ)
		c.Response().Header().Set("X-Total-Count", strconv.Itoa(n)) // lets a client show progress, and check it has everything
		c.Response().WriteHeader(http.StatusOK)
		return exportEntries(ctx, c.Response(), format, s.audit.Index.All(ctx, q, audit.Scope{Orgs: sc.orgs}))
	})
}

func (s *Server) savedSearches(c echo.Context, scope string) []templates.SavedSearch {
	list, err := s.audit.Saved.List(c.Request().Context(), owner(c), scope)
	if err != nil {
		s.log.Warn("saved searches", "error", err)
		return nil
	}
	var out []templates.SavedSearch
	for _, sv := range list {
		base := "/audit"
		if sv.Scope != "" {
			base = orgURL(sv.Scope) + "/audit"
		}
		out = append(out, templates.SavedSearch{Name: sv.Name, URL: base + "?" + url.Values{"q": {sv.Query}}.Encode(), DeleteURL: "/audit/saved/" + strconv.FormatInt(sv.ID, 10)})
	}
	return out
}

// owner names the user whose saved searches these are: the token, not the session.
func owner(c echo.Context) string { return "token:" + identity(c).TokenID }

func (s *Server) saveSearch(c echo.Context) error {
	name, q, scope := strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("q")), c.FormValue("scope")
	if scope != "" && !api.ValidID(scope) {
		return &userError{status: http.StatusBadRequest, title: "Not saved", message: "The organization of this search is not valid."}
	}
	if scope != "" {
		if _, err := s.scopeOf(c, scope, false); err != nil {
			return err
		}
	}
	if _, err := audit.Parse(q, s.now()); err != nil || q == "" {
		return &userError{status: http.StatusUnprocessableEntity, title: "Not saved", message: "Only a valid, non-empty query can be saved."}
	}
	if msg := checkOrgName(name); msg != "" || len(name) > 100 {
		return &userError{status: http.StatusUnprocessableEntity, title: "Not saved", message: "Give the search a name of one line, at most 100 characters."}
	}
	if err := s.audit.Saved.Save(c.Request().Context(), owner(c), scope, name, q); errors.Is(err, audit.ErrTooManySaved) {
		return &userError{status: http.StatusUnprocessableEntity, title: "Not saved", message: "You have 200 saved searches, the most there can be: delete some first."}
	} else if err != nil {
		return err
	}
	base := "/audit"
	if scope != "" {
		base = orgURL(scope) + "/audit"
	}
	return redirect(c, base+"?"+url.Values{"q": {q}}.Encode())
}

func (s *Server) deleteSavedSearch(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("saved"), 10, 64)
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Not a saved search", message: "No such saved search."}
	}
	if err := s.audit.Saved.Delete(c.Request().Context(), owner(c), id); err != nil {
		if audit.IsNotFound(err) {
			return &userError{status: http.StatusNotFound, title: "Not found", message: "No such saved search."}
		}
		return err // a store that failed says so as such
	}
	return redirect(c, "/audit")
}

// extendAudit syncs 90 more days of the scope's organizations, back to the
// API's 18 months at most.
func (s *Server) extendAudit(c echo.Context) error {
	org := c.FormValue("org")
	if org != "" && !api.ValidID(org) {
		return &userError{status: http.StatusBadRequest, title: "Not a valid identifier", message: "The organization in this form is not valid."}
	}
	sc, err := s.scopeOf(c, org, c.FormValue("sub") == "1")
	if err != nil {
		return err
	}
	for _, o := range sc.orgs {
		if _, err := s.audit.Syncer.Extend(c.Request().Context(), o, 90*24*time.Hour); err != nil {
			return err
		}
		s.audit.Syncer.Ensure(s.client(c), o)
	}
	back := "/audit"
	if org != "" {
		back = orgURL(org) + "/audit"
	}
	return redirect(c, back)
}
