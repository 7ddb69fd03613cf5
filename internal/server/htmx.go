// htmx.go reads what htmx says of a request, once, into a typed value
// (the way pagoda's htmx package does): handlers branch on its fields,
// never on header strings.

package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Header names of htmx.
const (
	hxRequest        = "HX-Request"
	hxBoosted        = "HX-Boosted"
	hxTarget         = "HX-Target"
	hxTrigger        = "HX-Trigger"
	hxHistoryRestore = "HX-History-Restore-Request"
	hxRedirect       = "HX-Redirect"
	hxRetarget       = "HX-Retarget"
	hxReswap         = "HX-Reswap"
)

// htmxRequest is what htmx's headers say of a request.
type htmxRequest struct {
	Enabled        bool   // sent by htmx
	Boosted        bool   // a boosted link or form: a whole page is wanted
	HistoryRestore bool   // a history restore: a whole page is wanted
	Target         string // the id of the element to swap
	Trigger        string // the id of the element that triggered it
}

// Fragment reports whether the request wants a fragment, not a page.
func (h htmxRequest) Fragment() bool { return h.Enabled && !h.Boosted && !h.HistoryRestore }

// readHTMX reads the headers of r.
func readHTMX(r *http.Request) htmxRequest {
	h := r.Header
	return htmxRequest{Enabled: h.Get(hxRequest) == "true", Boosted: h.Get(hxBoosted) == "true",
		HistoryRestore: h.Get(hxHistoryRestore) == "true", Target: h.Get(hxTarget), Trigger: h.Get(hxTrigger)}
}

// htmx is the request's htmx headers, read once per request.
func htmx(c echo.Context) htmxRequest {
	if h, ok := c.Get("htmx").(htmxRequest); ok {
		return h
	}
	h := readHTMX(c.Request())
	c.Set("htmx", h)
	return h
}

// isFragment reports whether the request wants a fragment, not a page.
func isFragment(c echo.Context) bool { return htmx(c).Fragment() }
