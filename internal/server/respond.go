// respond.go is how handlers answer: a component rendered whole, a
// redirect htmx follows, a form answered in place or as its page, and one
// way to send a write to Cloudflare and sort how it ended.

package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
)

// render writes a component after rendering it whole, so that a render
// failure still becomes a proper error response.
func render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// redirect sends the browser on: HX-Redirect for htmx, 303 otherwise.
func redirect(c echo.Context, to string) error {
	if htmx(c).Enabled {
		c.Response().Header().Set(hxRedirect, to)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// formProblem re-renders a form with the upstream refusal in place when the
// API answered (400/403/404), and leaves other failures to the error handler.
func formProblem(err error) (string, bool) {
	switch api.StatusCode(err) {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
		_, alert := alertFor(err, "")
		return alert.Message, true
	}
	return "", false
}

// writeEnd is how a write to Cloudflare ended, when it did not succeed
// and was not a failure for the error handler.
type writeEnd struct {
	// Forbidden: the token may not make this kind of change; the kind is
	// narrowed for the rest of the session, and the controls go.
	Forbidden bool
	// Problem is Cloudflare's refusal in words a form shows, with Status.
	Problem string
	Status  int
	// Err is the refusal itself.
	Err error
}

// Refused reports whether the write was refused (forbidden, or a problem
// to show).
func (w writeEnd) Refused() bool { return w.Forbidden || w.Problem != "" }

// write sends one write to Cloudflare, of kind k on org: the user's cached
// reads are dropped whatever the answer (the write may have landed), a
// refusal for lack of permission narrows k for the session, a refusal a
// form can show comes back in words; any other failure is the error, for
// the error handler. Every handler that changes Cloudflare calls it.
func (s *Server) write(c echo.Context, org string, k access.Kind, send func(ctx context.Context) error) (writeEnd, error) {
	if person(c) != nil { // the console's token would be refused nothing: the grants decide first
		if end, err := s.delegatedMay(c, org, k); err != nil || end.Refused() {
			return end, err
		}
	}
	end, err := s.send(c, send)
	if end.Forbidden {
		s.refused(c, org, k, end.Err)
	}
	return end, err
}

// send is write without narrowing a kind: for a write whose refusal may
// be about another organization than the one it starts from (an account
// move needs the destination too).
func (s *Server) send(c echo.Context, send func(ctx context.Context) error) (writeEnd, error) {
	err := send(c.Request().Context())
	s.wrote(c)
	if api.IsForbidden(err) {
		_, alert := alertFor(err, "")
		return writeEnd{Forbidden: true, Problem: alert.Message, Status: http.StatusForbidden, Err: err}, nil
	}
	if msg, ok := formProblem(err); ok {
		return writeEnd{Problem: msg, Status: api.StatusCode(err), Err: err}, nil
	}
	return writeEnd{}, err
}

// setNonEmpty sets a parameter that has a value.
func setNonEmpty(v url.Values, k, val string) {
	if val != "" {
		v.Set(k, val)
	}
}

// safeNext keeps a sign-in's return path on this site: a local path, not
// "//host" or "/\host" (open redirects).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") || len(next) > 1024 {
		return ""
	}
	return next
}

// localTime writes a time for the page (the browser shows it in its zone).
func localTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }
