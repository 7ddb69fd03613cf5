// audit_export.go streams a search's whole result as CSV or JSON.

package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/csvsafe"
	"orgboard/web/templates"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

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
		n, err := s.audit.Index.Count(ctx, q, sc.index())
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
		return exportEntries(ctx, c.Response(), format, s.audit.Index.All(ctx, q, sc.index()))
	})
}

// exportColumns are the CSV columns: the API's field names.
var exportColumns = []string{"id", "action.description", "action.result", "action.time", "action.type", "actor.id", "actor.context",
	"actor.email", "actor.ip_address", "actor.token_id", "actor.token_name", "actor.type", "organization.id", "raw.cf_ray_id",
	"raw.method", "raw.status_code", "raw.uri", "raw.user_agent", "resource.id", "resource.product", "resource.type",
	"resource.scope", "resource.request", "resource.response"}

func exportRecord(e *api.AuditEntry) []string {
	return []string{e.ID, e.Action.Description, e.Action.Result, e.Action.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), e.Action.Type,
		e.Actor.ID, e.Actor.Context, e.Actor.Email, e.Actor.IPAddress, e.Actor.TokenID, e.Actor.TokenName, e.Actor.Type, e.Organization.ID,
		e.Raw.CFRayID, e.Raw.Method, strconv.Itoa(e.Raw.StatusCode), e.Raw.URI, e.Raw.UserAgent, e.Resource.ID, e.Resource.Product,
		e.Resource.Type, string(e.Resource.Scope), string(e.Resource.Request), string(e.Resource.Response)}
}

// exportEntries streams entries as CSV or a JSON array, flushing as it
// goes: nothing holds the whole result.
func exportEntries(ctx context.Context, w io.Writer, format string, entries iter.Seq2[json.RawMessage, error]) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	flush := func() {
		bw.Flush()
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	var cw *csvsafe.Writer
	if format == "csv" {
		cw = csvsafe.NewWriter(bw)
		cw.Write(exportColumns)
	} else {
		bw.WriteString("[")
	}
	n := 0
	for body, err := range entries {
		if err != nil {
			stopped(bw, cw, n, err) // the response is under way: the file says it is incomplete
			flush()
			return err
		}
		if cw != nil {
			var e api.AuditEntry
			if err := json.Unmarshal(body, &e); err != nil {
				return err
			}
			cw.Write(exportRecord(&e))
		} else {
			if n > 0 {
				bw.WriteString(",\n")
			}
			bw.Write(body)
		}
		if n++; n%1000 == 0 {
			if cw != nil {
				cw.Flush()
			}
			if ctx.Err() != nil {
				stopped(bw, cw, n, ctx.Err())
				flush()
				return ctx.Err()
			}
			flush()
		}
	}
	if cw != nil {
		cw.Flush()
	} else {
		bw.WriteString("]\n")
	}
	flush()
	return nil
}

// stopped ends an export cut short so that nobody takes it for whole: a
// last CSV row that says so, or a JSON array left open (not valid JSON).
func stopped(bw *bufio.Writer, cw *csvsafe.Writer, n int, err error) {
	why := "the export was stopped"
	if errors.Is(err, context.DeadlineExceeded) {
		why = "the export took too long and was stopped: narrow the search (a filter, a shorter since:) and export again"
	}
	if cw != nil {
		cw.Write([]string{"INCOMPLETE EXPORT", strconv.Itoa(n) + " entries written; " + why})
		cw.Flush()
		return
	}
	bw.WriteString("\n")
}
