// login.go signs users in and out.

package server

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

func (s *Server) loginView(c echo.Context) templates.LoginView {
	v := templates.LoginView{Page: s.page(c, "Sign in"), Next: safeNext(c.QueryParam("next"))}
	if s.oidc() != nil {
		v.OIDC, v.TokenOff = withQuery(route.LoginOIDC, url.Values{"next": {v.Next}}), s.cfg.Delegation.Only
		if v.Next == "" {
			v.OIDC = route.LoginOIDC
		}
	}
	if s.cfg.Local {
		v.DemoTokens = s.cfg.DemoTokens
	}
	switch {
	case c.QueryParam("expired") != "":
		v.Notice = "Your session ended because the API no longer accepts your token. Sign in again."
	case c.QueryParam("signed_out") != "":
		v.Notice = "You are signed out."
	}
	return v
}

func (s *Server) showLogin(c echo.Context) error {
	if identity(c) != nil {
		return c.Redirect(http.StatusSeeOther, route.Home)
	}
	return render(c, http.StatusOK, templates.LoginPage(s.loginView(c)))
}

func (s *Server) login(c echo.Context) error {
	v := s.loginView(c)
	v.Next = safeNext(c.FormValue("next"))
	if v.TokenOff {
		v.OIDCError = "This console signs people in through the company's identity provider only."
		return render(c, http.StatusForbidden, templates.LoginPage(v))
	}
	if ok, wait := s.logins.allow(c.RealIP()); !ok {
		v.Error = fmt.Sprintf("Too many sign-in attempts from your address. Wait %d seconds and try again.", int(wait.Seconds())+1)
		return render(c, http.StatusTooManyRequests, templates.LoginPage(v))
	}
	token := strings.TrimSpace(c.FormValue("token"))
	if msg := checkTokenShape(token); msg != "" {
		v.Error = msg
		return render(c, http.StatusUnprocessableEntity, templates.LoginPage(v))
	}
	client := s.clientFor(token) // a sign-in spends the token's budget too
	status, err := client.VerifyToken(c.Request().Context())
	if err == nil && status.Status != api.TokenActive {
		err = &userError{status: http.StatusUnprocessableEntity, message: "This token is " + status.Status + ". Create or roll a token in the Cloudflare dashboard, then sign in with it."}
	}
	if err != nil {
		v.Error = signInProblem(err)
		return render(c, http.StatusUnprocessableEntity, templates.LoginPage(v))
	}
	email := ""
	if u, err := client.GetUser(c.Request().Context()); err == nil {
		email = u.Email
	}
	if _, err := s.auth.SignIn(c.Response(), c.Request(), token, status.ID, email); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, cmp.Or(v.Next, route.Home))
}

func checkTokenShape(token string) string {
	if token == "" {
		return "Enter an API token."
	}
	if len(token) > 512 || strings.IndexFunc(token, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		return "That does not look like an API token: it is one word of printable characters."
	}
	return ""
}

func signInProblem(err error) string {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.message
	}
	switch status := api.StatusCode(err); {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "Cloudflare does not accept this token: check that it was copied whole and has not been deleted."
	case status == http.StatusTooManyRequests:
		return "Cloudflare is limiting requests right now. Try again in a few minutes."
	}
	return "The API could not be reached to check the token. Try again in a moment."
}

func (s *Server) logout(c echo.Context) error {
	if id := identity(c); id != nil {
		s.cache.Forget(s.user(c))
		s.usage.Jobs.Forget(s.user(c) + "|") // fetched usage sums are the user's too
	}
	if err := s.auth.SignOut(c.Response(), c.Request()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, withQuery(route.Login, url.Values{"signed_out": {"1"}}))
}
