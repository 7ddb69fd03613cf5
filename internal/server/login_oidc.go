// login_oidc.go signs people in through the company's identity provider:
// the flow's state, nonce and PKCE verifier travel in a sealed cookie of
// the browser that started it, the provider's answer is verified (idp),
// and a session starts as a token's does, for someone the delegation file
// gives something.

package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"orgboard/internal/idp"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

// flowCookie keeps a sign-in's flow between its start and the answer.
const (
	flowCookie  = "orgboard_oidc"
	flowPurpose = "oidc flow"
)

// oidc is the identity provider, or nil when none is set up.
func (s *Server) oidc() *idp.Provider {
	if s.cfg.Delegation == nil {
		return nil
	}
	return s.cfg.Delegation.IdP
}

// oidcRedirect is the callback's address as the provider must have it
// registered.
func (s *Server) oidcRedirect(c echo.Context) string {
	if u := s.cfg.Delegation.RedirectURL; u != "" {
		return u
	}
	scheme := "http"
	if s.auth.SecureCookies(c.Request()) {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + route.LoginOIDCCallback
}

func (s *Server) startOIDC(c echo.Context) error {
	p := s.oidc()
	if p == nil {
		return echo.ErrNotFound
	}
	if ok, _ := s.logins.allow(c.RealIP()); !ok {
		return s.oidcProblem(c, http.StatusTooManyRequests, "Too many sign-in attempts from your address. Wait a minute and try again.")
	}
	to, flow := p.Begin(s.oidcRedirect(c), safeNext(c.QueryParam("next")))
	body, err := json.Marshal(flow)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(s.auth.Seal(flowPurpose, string(body))),
		Path: route.LoginOIDC, MaxAge: int(idp.FlowTTL.Seconds()), HttpOnly: true, Secure: s.auth.SecureCookies(c.Request()),
		SameSite: http.SameSiteLaxMode}) // Lax: the provider's answer is a top-level navigation back here
	return c.Redirect(http.StatusSeeOther, to)
}

func (s *Server) finishOIDC(c echo.Context) error {
	p := s.oidc()
	if p == nil {
		return echo.ErrNotFound
	}
	var flow idp.Flow
	if ck, err := c.Cookie(flowCookie); err == nil {
		if raw, err := base64.RawURLEncoding.DecodeString(ck.Value); err == nil {
			if body, err := s.auth.Open(flowPurpose, raw); err == nil {
				json.Unmarshal([]byte(body), &flow)
			}
		}
	}
	c.SetCookie(&http.Cookie{Name: flowCookie, Value: "", Path: route.LoginOIDC, MaxAge: -1, HttpOnly: true, Secure: s.auth.SecureCookies(c.Request()), SameSite: http.SameSiteLaxMode})
	who, err := p.Finish(c.Request().Context(), flow, c.QueryParams())
	if err != nil {
		s.log.Warn("sign-in through the identity provider failed", "error", err)
		msg := "The sign-in through the identity provider failed."
		if e, ok := err.(*idp.Error); ok {
			msg = e.Message
		}
		return s.oidcProblem(c, http.StatusUnauthorized, msg)
	}
	if !s.policy().Any(delegationPerson(who.Email, who.Groups)) {
		s.log.Info("a person the delegation file gives nothing signed in and was turned away", "email", who.Email)
		groups := "none"
		if len(who.Groups) > 0 {
			groups = strings.Join(who.Groups, ", ")
		}
		return s.oidcProblem(c, http.StatusForbidden, "You are "+who.Email+" (groups: "+groups+"), but the console's delegation file gives you no organization. Ask whoever runs this console.")
	}
	if _, err := s.auth.SignInPerson(c.Response(), c.Request(), who); err != nil {
		return err
	}
	s.log.Info("signed in through the identity provider", "email", who.Email)
	return c.Redirect(http.StatusSeeOther, firstNonEmpty(flow.Next, route.Home))
}

// oidcProblem shows the sign-in page with why the identity provider's
// sign-in did not succeed.
func (s *Server) oidcProblem(c echo.Context, status int, msg string) error {
	v := s.loginView(c)
	v.OIDCError = msg
	return render(c, status, templates.LoginPage(v))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
