// middleware.go is what every request passes: headers, logs, identity, CSRF,
// sessions.

package server

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/clock"
	"orgboard/internal/route"
)

const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

func (s *Server) secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if c.Request().TLS != nil || s.auth.Secure { // reached over TLS, or told it is behind TLS (--secure-cookies)
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Add("Vary", hxRequest)
		if c.Request().URL.Path != route.Health && !strings.HasPrefix(c.Request().URL.Path, staticPrefix) {
			h.Set("Cache-Control", "no-store") // pages hold private data
		}
		return next(c)
	}
}

// logRequests logs one line per request: no query string (it may hold
// search terms) and never a token.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := clock.Start()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" || route == "/*" {
			route = "unmatched" // a label per unknown path would grow without bound
		}
		s.cfg.Metrics.Request(route, c.Request().Method, status, start.Elapsed())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method), slog.String("route", c.Path()), slog.String("path", c.Request().URL.Path),
			slog.Int("status", status), slog.Duration("duration", start.Elapsed()))
		return nil
	}
}

func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, staticPrefix) {
			return next(c)
		}
		id, err := s.auth.Identify(c.Request())
		if err != nil {
			return err
		}
		if id != nil {
			c.Set("identity", id)
		}
		return next(c)
	}
}

// checkCSRF refuses every state change without the request's CSRF token,
// taken from the X-CSRF-Token header (htmx) or the _csrf form field.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		token := c.Request().Header.Get("X-CSRF-Token")
		if token == "" {
			token = c.FormValue("_csrf")
		}
		if !s.auth.ValidCSRF(c.Request(), identity(c), token) {
			return &userError{status: http.StatusForbidden, title: "This form has expired",
				message: "The request did not carry a valid security token, so nothing was changed. Reload the page and try again."}
		}
		return next(c)
	}
}

func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if identity(c) != nil {
			return next(c)
		}
		target := loginURL(c.Request().URL.RequestURI())
		if c.Request().Method != http.MethodGet {
			target = loginURL("")
		}
		if htmx(c).Enabled {
			c.Response().Header().Set(hxRedirect, target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// validateParams checks every path parameter before anything uses it.
func validateParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, name := range c.ParamNames() {
			if !api.ValidID(c.Param(name)) {
				return &userError{status: http.StatusBadRequest, title: "Not a valid identifier",
					message: "An identifier in this address is not valid: it may use only letters, digits, '-' and '_' (at most 64)."}
			}
		}
		return next(c)
	}
}

// staticPrefix is where the assets are served.
var staticPrefix = strings.TrimSuffix(route.Static, "*")
