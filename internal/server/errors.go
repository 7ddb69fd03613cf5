// errors.go decides what the user sees of every error.

package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/pacing"
	"orgboard/internal/route"
	"orgboard/internal/store"
	"orgboard/web/templates"
)

// userError is an error whose words are safe and meant for the user.
type userError struct {
	status         int
	title, message string
	retryAfter     time.Duration // sent as Retry-After when set
}

func (e *userError) Error() string { return e.title + ": " + e.message }

// alertFor maps an error to its status and what the user sees. Upstream
// bodies are never echoed; Cloudflare's own error messages are, as text.
func alertFor(err error, retry string) (int, templates.Alert) {
	var ue *userError
	var ae *api.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ue):
		return ue.status, templates.Alert{Kind: "error", Title: ue.title, Message: ue.message}
	case errors.Is(err, api.ErrInvalidID):
		return http.StatusBadRequest, templates.Alert{Kind: "error", Title: "Not a valid identifier",
			Message: "An identifier in this request is not valid: it may use only letters, digits, '-' and '_' (at most 64)."}
	case errors.Is(err, context.DeadlineExceeded): // before *api.Error, which carries a timeout as its cause
		return http.StatusGatewayTimeout, templates.Alert{Kind: "error", Title: "Cloudflare did not answer in time",
			Message: "The Cloudflare API took too long to answer, so nothing more was done. Try again in a moment.", Retry: retry}
	case errors.As(err, &ae):
		return apiAlert(ae, retry)
	case errors.As(err, &he):
		return he.Code, templates.Alert{Kind: "error", Title: http.StatusText(he.Code), Message: httpErrorMessage(he.Code)}
	case store.Unavailable(err):
		return http.StatusServiceUnavailable, templates.Alert{Kind: "error", Title: "The console's database is not answering",
			Message: "Orgboard could not reach its database, so nothing was read from it or written to it. Try again in a moment.", Retry: retry}
	}
	return http.StatusInternalServerError, templates.Alert{Kind: "error", Title: "Internal error",
		Message: "Something went wrong on this server. It has been logged; try again, or reload the page.", Retry: retry}
}

func httpErrorMessage(code int) string {
	switch code {
	case http.StatusNotFound:
		return "There is no page at this address."
	case http.StatusMethodNotAllowed:
		return "This address does not take that kind of request."
	case http.StatusRequestEntityTooLarge:
		return "The request is too large."
	}
	return "The request could not be handled."
}

func apiAlert(ae *api.Error, retry string) (int, templates.Alert) {
	msgs := strings.Join(ae.Messages(), "; ")
	switch {
	case ae.StatusCode == http.StatusUnauthorized:
		return http.StatusUnauthorized, templates.Alert{Kind: "error", Title: "Your session has ended",
			Message: "Cloudflare no longer accepts your API token. Sign in again.", SignIn: true}
	case ae.StatusCode == http.StatusForbidden:
		return http.StatusForbidden, templates.Alert{Kind: "error", Title: "Not permitted",
			Message: "Your API token lacks permission for this action."}
	case ae.StatusCode == http.StatusNotFound:
		return http.StatusNotFound, templates.Alert{Kind: "error", Title: "Not found",
			Message: "This organization or item does not exist, or no longer does."}
	case ae.StatusCode == http.StatusTooManyRequests:
		wait := "in a few minutes"
		if ae.RetryAfter > 0 {
			wait = fmt.Sprintf("in %d seconds", int(ae.RetryAfter.Seconds()+0.5))
		}
		if errors.Is(ae, pacing.ErrPacing) {
			return http.StatusTooManyRequests, templates.Alert{Kind: "error", Title: "Pacing requests to stay within Cloudflare's limit",
				Message: "Orgboard is pacing this token's requests (Cloudflare allows 1,200 per five minutes; background syncs and usage fetches share them). Try again " + wait + ".", Retry: retry}
		}
		return http.StatusTooManyRequests, templates.Alert{Kind: "error", Title: "Cloudflare is limiting requests",
			Message: "Too many API calls were made with your token. Try again " + wait + ".", Retry: retry}
	case ae.Unavailable():
		return http.StatusBadGateway, templates.Alert{Kind: "error", Title: "The API is unavailable",
			Message: "The Cloudflare API did not give a usable answer. Nothing was changed by this request; try again.", Retry: retry}
	}
	return ae.StatusCode, templates.Alert{Kind: "error", Title: "The API refused the request", Message: cmp.Or(msgs, "No reason was given.")}
}

// handleError is Echo's one error handler: it decides what the user sees.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Request().Context().Err() != nil && errors.Is(err, context.Canceled) {
		s.log.Debug("the client went away", "path", c.Request().URL.Path) // nobody is there to read an answer
		return
	}
	if c.Response().Committed {
		return
	}
	retry := ""
	if c.Request().Method == http.MethodGet {
		retry = c.Request().URL.RequestURI()
	}
	status, alert := alertFor(err, retry)
	if s.cfg.Damaged != nil && s.cfg.Damaged(err) {
		s.broken.Store(true)
		status, alert = http.StatusServiceUnavailable, templates.Alert{Kind: "error", Title: "A database file is damaged",
			Message: "The console met a damaged database file and cannot read it. Its operator has been told in the log: a restart moves a damaged audit index or usage store aside and builds it again from Cloudflare."}
		s.log.Error("a database file is damaged: restart the console (a damaged audit.db or usage.db is moved aside and rebuilt at start; a damaged orgboard.db must be restored from a backup)",
			"path", c.Request().URL.Path, "error", err)
	}
	var ue *userError
	if errors.As(err, &ue) && ue.retryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(ue.retryAfter.Seconds())))
	}
	if status >= 500 {
		s.log.Error("request failed", "path", c.Request().URL.Path, "error", err)
	} else {
		s.log.Warn("request refused", "path", c.Request().URL.Path, "status", status, "error", err)
	}
	if status == http.StatusUnauthorized && person(c) != nil { // the console's own token was refused, not the person
		s.log.Error("Cloudflare refuses the console's own token (--service-token-file): people who sign in through the identity provider can do nothing until it is replaced", "error", err)
		status, alert = http.StatusBadGateway, templates.Alert{Kind: "error", Title: "The console cannot reach Cloudflare for you",
			Message: "Cloudflare no longer accepts the token this console acts with for people who sign in through the identity provider. Its operator has been told in the log; try again once it is replaced."}
	} else if status == http.StatusUnauthorized && identity(c) != nil {
		s.endSession(c)
		return
	}
	if isFragment(c) {
		h := c.Response().Header()
		h.Set(hxRetarget, "#error-region")
		h.Set(hxReswap, "innerHTML")
		if err := render(c, status, templates.AlertBox(alert)); err != nil {
			s.log.Error("render error fragment", "error", err)
		}
		return
	}
	v := templates.ErrorView{Page: s.page(c, alert.Title), Status: status, Alert: alert}
	if err := render(c, status, templates.ErrorPage(v)); err != nil {
		s.log.Error("render error page", "error", err)
	}
}

// endSession signs the user out after upstream refused the token.
func (s *Server) endSession(c echo.Context) {
	if err := s.auth.SignOut(c.Response(), c.Request()); err != nil {
		s.log.Error("sign out", "error", err)
	}
	target := withQuery(route.Login, url.Values{"expired": {"1"}})
	if htmx(c).Enabled {
		c.Response().Header().Set(hxRedirect, target)
		c.NoContent(http.StatusUnauthorized)
		return
	}
	c.Redirect(http.StatusSeeOther, target)
}

// inlineAlert turns a failed read into an alert shown in place, except a
// refused token, which is returned so that the session ends.
func inlineAlert(c echo.Context, err error) (*templates.Alert, error) {
	if err == nil {
		return nil, nil
	}
	if api.IsUnauthorized(err) {
		return nil, err
	}
	_, alert := alertFor(err, c.Request().URL.RequestURI())
	return &alert, nil
}
