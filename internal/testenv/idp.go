// idp.go gives a test an identity provider of its own (mockoidc, a real
// OpenID Connect provider on loopback) and signs people in through it as
// a browser does.

package testenv

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

// IdP is the test's identity provider.
type IdP struct {
	*mockoidc.MockOIDC
}

// StartIdP starts an identity provider on loopback, stopped when the test ends.
func StartIdP(t testing.TB) *IdP {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return &IdP{m}
}

// Queue makes p the next person the provider signs in.
func (idp *IdP) Queue(p Person) {
	idp.QueueUser(&mockoidc.MockUser{Subject: p.Subject, Email: p.Email, EmailVerified: true, Groups: p.Groups, PreferredUsername: p.Subject})
}

// SelfService is team self-service as a test sets it up: the identity
// provider, the delegation file's text, and whether the token sign-in is off.
type SelfService struct {
	IdP        *IdP
	Delegation string
	Only       bool
}

// delegationFile writes the delegation file into dir.
func delegationFile(t testing.TB, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "delegation.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// orgName is an organization named in a test's delegation file: {org:Name}.
var orgName = regexp.MustCompile(`\{org:([^}]+)\}`)

// orgIDs writes each {org:Name} of a delegation file as that organization's ID.
func (e *Env) orgIDs(text string) string {
	return orgName.ReplaceAllStringFunc(text, func(m string) string { return e.Org(orgName.FindStringSubmatch(m)[1]).ID })
}

// Person is someone the identity provider vouches for.
type Person struct {
	Subject, Email string
	Groups         []string
}

// SignInThrough signs a new user in as p through the identity provider,
// following the redirects as a browser does; it returns the console's
// last answer (a redirect into the console when the sign-in succeeded).
func (e *Env) SignInThrough(idp *IdP, p Person) (*User, Response) {
	e.t.Helper()
	idp.Queue(p)
	u := e.NewUser()
	start := u.Get("/login/oidc")
	if start.Status != http.StatusSeeOther {
		return u, start
	}
	// the provider's authorization endpoint answers at once with the code
	resp, err := u.HTTP.Get(start.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), e.Console.URL) {
		e.t.Fatalf("the provider answered %d, to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	done := u.Get(strings.TrimPrefix(back.String(), e.Console.URL))
	if done.Status == http.StatusSeeOther {
		u.Get("/orgs") // picks up the session's CSRF token
	}
	return u, done
}

// alignIdP sets the provider's clock to the stack's: the ID tokens it
// issues are dated as the console reads time.
func alignIdP(idp *IdP, now time.Time) {
	idp.FastForward(time.Until(now))
}
