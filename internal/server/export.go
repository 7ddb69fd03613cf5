package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/csvsafe"
	"orgboard/web/templates"
)

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

// flatten turns a JSON object into path → value, for diffs.
func flatten(raw json.RawMessage) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				walk(joinPath(prefix, k), val)
			}
		case []any:
			for i, val := range x {
				walk(joinPath(prefix, strconv.Itoa(i)), val)
			}
		default:
			b, _ := json.Marshal(x)
			out[prefix] = string(b)
		}
	}
	walk("", v)
	return out
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// diff lists what changed from before to after, by path.
func diff(before, after map[string]string) []templates.Change {
	var out []templates.Change
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			out = append(out, templates.Change{Path: k, Before: before[k], After: v})
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok {
			out = append(out, templates.Change{Path: k, Before: v, After: ""})
		}
	}
	slices.SortFunc(out, func(a, b templates.Change) int {
		if a.Path < b.Path {
			return -1
		}
		if a.Path > b.Path {
			return 1
		}
		return 0
	})
	return out
}

// attachment names a download and its type; the first write sends them.
func attachment(c echo.Context, name, typ string) {
	h := c.Response().Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
}
