package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// public routes answer without a session.
var public = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /static/*": true, "GET /favicon.ico": true,
	"GET /": true, "GET /login": true, "POST /login": true, "POST /logout": true, "GET /login/oidc": true, "GET /login/oidc/callback": true}

type route struct{ method, path string }

// routes are every route the console serves, from the router itself, so a
// route added later is covered without anyone remembering to.
func routes(t *testing.T, e *testenv.Env) []route {
	t.Helper()
	ec, ok := e.Server.Handler().(*echo.Echo)
	if !ok {
		t.Fatal("the handler is not the Echo router")
	}
	var out []route
	for _, r := range ec.Routes() {
		if r.Method == "echo_route_not_found" || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		out = append(out, route{r.Method, r.Path})
	}
	if len(out) < 30 {
		t.Fatalf("only %d routes found", len(out))
	}
	return out
}

// fill puts values into a route's parameters.
func fill(path string, value func(param string) string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = value(p[1:])
		}
	}
	return strings.Join(parts, "/")
}

// writes counts the API requests that are not reads.
func writes(e *testenv.Env) *atomic.Int64 {
	var n atomic.Int64
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet {
			n.Add(1)
		}
		return false
	}
	e.Intercept.Store(&f)
	return &n
}

func TestEveryRouteNeedsASession(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.NewUser()
	before := e.UpstreamCalls()
	for _, r := range routes(t, e) {
		if public[r.method+" "+r.path] {
			continue
		}
		path := fill(r.path, func(string) string { return "abc123" })
		got := u.Do(r.method, path, url.Values{}, nil)
		switch {
		case r.method == http.MethodGet && got.Status == http.StatusSeeOther && strings.HasPrefix(got.Header.Get("Location"), "/login"):
		case r.method != http.MethodGet && (got.Status == http.StatusForbidden || got.Status == http.StatusUnauthorized || got.Status == http.StatusSeeOther):
		default:
			t.Errorf("%s %s without a session: %d", r.method, path, got.Status)
		}
	}
	if n := e.UpstreamCalls() - before; n != 0 {
		t.Errorf("%d upstream calls without a session", n)
	}
}

func TestEveryStateChangeNeedsTheCSRFToken(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Payments Gateway").ID
	n := writes(e)
	for _, r := range routes(t, e) {
		if r.method == http.MethodGet || public[r.method+" "+r.path] {
			continue
		}
		path := fill(r.path, func(p string) string {
			if p == "id" {
				return org
			}
			return "abc123"
		})
		wrong := "x" + u.CSRF[1:]
		if wrong == u.CSRF { // a masked token starts with a random character
			wrong = "y" + u.CSRF[1:]
		}
		for name, form := range map[string]url.Values{"no token": {"_csrf": {""}}, "a wrong token": {"_csrf": {wrong}}} {
			form.Set("name", "Renamed by an attacker")
			form.Set("amount", "1")
			form.Set("currency", "USD")
			got := u.Do(r.method, path, form, nil)
			if got.Status != http.StatusForbidden {
				t.Errorf("%s %s with %s: %d, want 403", r.method, path, name, got.Status)
			}
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d writes reached the API without a valid CSRF token", n.Load())
	}
	if e.Org("Payments Gateway").Name != "Payments Gateway" {
		t.Error("the organization was changed")
	}
}

func TestEveryRouteParameterIsCheckedBeforeAnyUpstreamCall(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	before := e.UpstreamCalls()
	bad := []string{"..%2F..%2Fuser", "%2e%2e", "a%2Fb", "a.b", "%00", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", strings.Repeat("a", 65), strings.Repeat("a", 5000)}
	checked := 0
	for _, r := range routes(t, e) {
		if !strings.Contains(r.path, ":") {
			continue
		}
		for _, v := range bad {
			path := fill(r.path, func(string) string { return v })
			got := u.Do(r.method, path, url.Values{"_csrf": {u.CSRF}}, map[string]string{"X-CSRF-Token": u.CSRF}) // past the CSRF check: the parameter is what is refused
			if got.Status != http.StatusBadRequest && got.Status != http.StatusNotFound {
				t.Errorf("%s %.80s: %d, want 400 (or 404 from the router)", r.method, path, got.Status)
			}
			checked++
		}
	}
	if n := e.UpstreamCalls() - before; n != 0 {
		t.Errorf("%d upstream calls for bad parameters", n)
	}
	t.Logf("%d route and value pairs refused", checked)
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	n := writes(e)
	big := url.Values{"name": {strings.Repeat("a", 2<<20)}}
	got := u.Do("PUT", "/orgs/"+e.Org("Payments Gateway").ID, big, nil)
	if got.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB form: %d, want 413", got.Status)
	}
	if n.Load() != 0 {
		t.Error("an oversized request reached the API")
	}
}

// The token never shows in a page, a URL, a header or a log line.
func TestTheTokenStaysSecret(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Payments Platform").ID
	var seen strings.Builder
	for _, p := range []string{"/orgs", "/orgs/" + org, "/orgs/" + org + "/profile", "/orgs/" + org + "/accounts", "/orgs/" + org + "/members",
		"/orgs/" + org + "/audit", "/audit", "/orgs/" + org + "/usage?scope=org", "/orgs/" + org + "/usage/export?scope=org&format=csv",
		"/orgs/ffffffffffffffffffffffffffffffff", "/metrics"} {
		r := u.Get(p)
		seen.WriteString(r.Body)
		for k, v := range r.Header {
			seen.WriteString(k + ": " + strings.Join(v, ",") + "\n")
		}
	}
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Rate500: 1})
	seen.WriteString(u.Get("/orgs/" + org + "/members?status=pending").Body)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	for where, text := range map[string]string{"pages and headers": seen.String(), "logs": e.Logs.String()} {
		if strings.Contains(text, localapi.DemoAdminToken) {
			t.Errorf("the token appears in the %s", where)
		}
	}
	if !strings.Contains(e.Logs.String(), "request") {
		t.Error("nothing was logged: the check proves nothing")
	}
}

// Strict-Transport-Security is sent whenever the console is reached over
// TLS or told it is behind TLS (--secure-cookies), and never over plain
// HTTP that it was not told about (a browser would then refuse the console).
func TestHSTSBehindTLS(t *testing.T) {
	t.Parallel()
	plain := testenv.New(t)
	if h := plain.NewUser().Get("/login").Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("plain HTTP sends HSTS %q", h)
	}
	behind := testenv.New(t, testenv.Options{SecureCookies: true})
	for _, p := range []string{"/login", "/orgs", "/static/app.css", "/healthz"} {
		if h := behind.NewUser().Get(p).Header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=31536000") {
			t.Errorf("%s with --secure-cookies: HSTS %q", p, h)
		}
	}
	tls := httptest.NewTLSServer(plain.Server.Handler())
	defer tls.Close()
	resp, err := tls.Client().Get(tls.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header.Get("Strict-Transport-Security"); h == "" {
		t.Error("over TLS: no HSTS")
	}
}
