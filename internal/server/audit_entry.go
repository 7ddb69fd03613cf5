// audit_entry.go shows one entry (the drawer, or a page of its own).

package server

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/web/templates"

	"github.com/labstack/echo/v4"
)

// entryReadable finds an entry among the user's readable organizations.
func (s *Server) entryReadable(c echo.Context, id string) (api.AuditEntry, error) {
	sc, err := s.auditScopeOf(c, "", false)
	if err != nil {
		return api.AuditEntry{}, err
	}
	e, _, err := s.audit.Index.Entry(c.Request().Context(), id, sc.index())
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
	d := entryDetail(e)
	if e.Resource.Product == audit.OwnProduct && e.Raw.CFRayID != "" { // the console applied a change: Cloudflare's entry names the same ray
		d.Linked, d.LinkedLabel = auditURL("", url.Values{"q": {"ray:" + e.Raw.CFRayID + " -product:" + audit.OwnProduct}}), "Cloudflare's entry of this write"
	}
	if e.Resource.ID != "" {
		d.HistoryURL = auditHistoryURL(e.ID, safeNext(c.QueryParam("back")))
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

// entryDetail labels an entry's fields as people say them; empty ones are
// left out.
func entryDetail(e api.AuditEntry) templates.AuditDetail {
	t := e.Action.Time.UTC()
	d := templates.AuditDetail{Title: entryTitle(e), TimeISO: t.Format(time.RFC3339Nano), TimeUTC: t.Format("2 Jan 2006 15:04:05 UTC"),
		RawLine: strings.TrimSpace(e.Raw.Method + " " + e.Raw.URI + " → " + strconv.Itoa(e.Raw.StatusCode)),
		Request: pretty(e.Resource.Request), Response: pretty(e.Resource.Response)}
	for _, f := range []templates.DetailField{
		{Label: "Time (UTC)", Value: t.Format("2006-01-02 15:04:05.000 UTC"), Mono: true},
		{Label: "Action", Value: e.Action.Type}, {Label: "Result", Value: e.Action.Result}, {Label: "Description", Value: e.Action.Description},
		{Label: "Actor", Value: e.Actor.Email}, {Label: "Actor ID", Value: e.Actor.ID, Mono: true}, {Label: "Actor type", Value: e.Actor.Type},
		{Label: "Acting through", Value: e.Actor.Context}, {Label: "IP address", Value: e.Actor.IPAddress, Mono: true},
		{Label: "API token", Value: e.Actor.TokenName}, {Label: "API token ID", Value: e.Actor.TokenID, Mono: true},
		{Label: "Organization ID", Value: e.Organization.ID, Mono: true}, {Label: "Product", Value: e.Resource.Product},
		{Label: "Resource type", Value: e.Resource.Type}, {Label: "Resource ID", Value: e.Resource.ID, Mono: true},
		{Label: "Resource scope", Value: scopeText(e.Resource.Scope), Mono: true}, {Label: "Ray ID", Value: e.Raw.CFRayID, Mono: true},
		{Label: "User agent", Value: e.Raw.UserAgent}, {Label: "Entry ID", Value: e.ID, Mono: true},
	} {
		if f.Value != "" {
			d.Fields = append(d.Fields, f)
		}
	}
	return d
}

// entryTitle says what happened: "update of a dns_record, failed".
func entryTitle(e api.AuditEntry) string {
	t := cmp.Or(e.Action.Type, "action")
	if e.Resource.Type != "" {
		t += " of " + e.Resource.Type
	}
	if e.Action.Result == "failure" {
		t += ", failed"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// scopeText writes a resource's scope as "zones 9497f4…" where it is the
// usual {id, type}, and as the API sent it otherwise.
func scopeText(raw json.RawMessage) string {
	var sc struct{ ID, Type string }
	if json.Unmarshal(raw, &sc) == nil && sc.ID != "" {
		return strings.TrimSpace(sc.Type + " " + sc.ID)
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}
