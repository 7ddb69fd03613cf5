// audit_entry.go shows one entry (the drawer, or a page of its own).

package server

import (
	"encoding/json"
	"net/http"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/web/templates"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

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
		d.HistoryURL = auditHistoryURL(e.ID, safeNext(c.QueryParam("back")))
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
