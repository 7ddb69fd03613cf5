// audit_history.go shows a resource's history: its entries in time order,
// each with what it changed. The index holds the synced window; older
// entries come from the API's history endpoint, asked once per resource
// and kept.

package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/web/templates"
)

// maxOlderHistory bounds the older entries asked of the API for one resource.
const maxOlderHistory = 5000

func (s *Server) auditHistory(c echo.Context) error {
	sc, err := s.auditScopeOf(c, "", false)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	source, org, err := s.audit.Index.Entry(ctx, c.Param("entry"), sc.index())
	if audit.IsNotFound(err) {
		return &userError{status: http.StatusNotFound, title: "Not found", message: "No such audit entry in the index."}
	}
	if err != nil {
		return err
	}
	h := templates.AuditHistory{Resource: source.Resource.ID, Type: source.Resource.Type, Product: source.Resource.Product,
		BackURL: cmp.Or(safeNext(c.QueryParam("back")), auditURL(org, nil))}
	var local []api.AuditEntry
	if source.Resource.ID != "" {
		err = s.auditWork(c, searchDeadline, func(ctx context.Context) error {
			local, err = s.audit.Index.History(ctx, source.Resource.ID, sc.index())
			return err
		})
		if err != nil {
			return err
		}
	}
	p, err := s.audit.Syncer.Progress(ctx, []string{org})
	if err != nil {
		return err
	}
	var older []api.AuditEntry
	if name, gone := sc.deleted[org]; gone { // Cloudflare no longer answers for it
		h.Note = "The index holds this organization's entries from " + localTime(p.Covered) + " on. " + name +
			": Cloudflare no longer holds its log, and the index is its only record."
	} else {
		var note string
		var problem *templates.Alert
		older, note, problem = s.olderHistory(c, org, source, p.Covered)
		h.Note, h.Problem = note, problem
	}
	fromAPI := map[string]bool{}
	merged := slices.Clone(local)
	seen := map[string]bool{}
	for _, e := range local {
		seen[e.ID] = true
	}
	for _, e := range older {
		if !seen[e.ID] {
			seen[e.ID], fromAPI[e.ID] = true, true
			merged = append(merged, e)
		}
	}
	slices.SortStableFunc(merged, func(a, b api.AuditEntry) int { return a.Action.Time.Compare(b.Action.Time) })
	for _, st := range audit.Steps(merged) {
		e := st.Entry
		step := templates.HistoryStep{Time: e.Action.Time.UTC().Format(time.RFC3339), Action: e.Action.Type, Actor: cmp.Or(e.Actor.Email, e.Actor.ID),
			Result: e.Action.Result, Source: "index", DetailURL: auditEntryURL(e.ID), Unknown: st.Unknown}
		if fromAPI[e.ID] {
			step.Source, step.DetailURL = "Cloudflare", ""
		}
		for _, ch := range st.Changes {
			step.Changes = append(step.Changes, templates.Change(ch))
		}
		h.Steps = append(h.Steps, step)
	}
	h.Name = resourceName(merged)
	if gone, ok := sc.deleted[source.Resource.ID]; ok && source.Resource.Type == "organization" {
		h.Name = gone // the history of an organization Cloudflare deleted
	}
	return render(c, http.StatusOK, templates.AuditHistoryPage(s.page(c, "History of "+cmp.Or(h.Name, h.Resource)), h))
}

// olderHistory is the resource's entries from before the index's window
// (covered), from the API's history endpoint, kept once fetched; note says
// where the history comes from, problem why the older part is missing.
func (s *Server) olderHistory(c echo.Context, org string, source api.AuditEntry, covered time.Time) ([]api.AuditEntry, string, *templates.Alert) {
	from := "The index holds this organization's entries from " + localTime(covered) + " on."
	oldest := s.now().Add(-audit.MaxWindow)
	if source.Resource.ID == "" || !covered.After(oldest.Add(24*time.Hour)) {
		return nil, from + " That reaches as far back as Cloudflare keeps entries (18 months).", nil
	}
	ctx := c.Request().Context()
	kept, ok, err := s.audit.Index.OlderHistory(ctx, org, source.Resource.ID)
	if err != nil {
		_, alert := alertFor(err, "")
		return nil, from, &alert
	}
	if !ok || kept.Before.Before(covered) {
		p := api.AuditHistoryParams{ActionTime: source.Action.Time.UTC().Format(time.RFC3339Nano), Since: oldest.UTC().Format(time.RFC3339),
			Before: covered.UTC().Format(time.RFC3339Nano), Direction: "asc", Limit: 1000}
		kept = audit.OlderHistory{Before: covered}
		page := api.AuditPage{}
		for len(kept.Entries) < maxOlderHistory {
			if page, err = s.client(c).ListAuditHistory(ctx, org, source.ID, p); err != nil {
				break
			}
			kept.Status = cmp.Or(kept.Status, page.HistoryStatus)
			kept.Entries = append(kept.Entries, page.Entries...)
			if page.Cursor == "" || len(page.Entries) == 0 {
				break
			}
			p.Cursor = page.Cursor
		}
		if err != nil {
			if api.IsUnauthorized(err) {
				return nil, from, &templates.Alert{Kind: "error", Title: "Your session has ended", Message: "Cloudflare no longer accepts your API token. Sign in again.", SignIn: true}
			}
			_, alert := alertFor(err, c.Request().URL.RequestURI())
			alert.Title = "The older history could not be read"
			return nil, from + " Older entries come from Cloudflare's history endpoint, which did not answer.", &alert
		}
		if err := s.audit.Index.KeepOlderHistory(context.WithoutCancel(ctx), org, source.Resource.ID, kept); err != nil {
			s.log.Warn("keep the older history", "error", err)
		}
	}
	switch kept.Status {
	case api.HistoryExact:
		from += " Entries before that come from Cloudflare's history endpoint, which identified this resource exactly (by its URI)."
	case api.HistoryApproximate:
		from += " Entries before that come from Cloudflare's history endpoint, which identified this resource only approximately (without its URI): some may be of another resource."
	default:
		from += " Cloudflare's history endpoint could not tell which resource this entry acted on, so the older entries are not shown."
		return nil, from, nil
	}
	return kept.Entries, from, nil
}

// resourceName is what the entries call the resource: a name, hostname or
// zone from the latest entry that has one.
func resourceName(entries []api.AuditEntry) string {
	for i := len(entries) - 1; i >= 0; i-- {
		for _, raw := range []json.RawMessage{entries[i].Resource.Response, entries[i].Resource.Request} {
			var m map[string]any
			if json.Unmarshal(raw, &m) != nil {
				continue
			}
			for _, k := range []string{"name", "hostname", "zone_name", "email"} {
				if v, ok := m[k].(string); ok && strings.TrimSpace(v) != "" {
					return v
				}
			}
		}
	}
	return ""
}
