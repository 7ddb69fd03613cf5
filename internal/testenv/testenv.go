// Package testenv runs the whole stack for tests: the local API on its own
// copy of the seeded data, and the console in front of it, both over HTTP.
package testenv

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/app"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
	"orgboard/internal/clock/clocktest"
	"orgboard/internal/idp"
	"orgboard/internal/localapi"
	"orgboard/internal/server"
	"orgboard/internal/sqlitedb"
	"orgboard/internal/store"
	"orgboard/internal/store/pgtest"
	"orgboard/web/templates"
)

// SeedDay is the day the local API's demo data was seeded on: its usage
// history ends there (every Env of the process shares the seed).
func SeedDay() time.Time {
	_, day, _ := seeded()
	return day
}

// seeded is the bytes of a freshly seeded local API database, seeded once
// per test process (localapi.SeededFile, which the local API's own tests
// share).
func seeded() ([]byte, time.Time, error) { return localapi.SeededFile(clocktest.Now()) }

// Env is one test's stack.
type Env struct {
	t        testing.TB
	dir      string
	Store    *localapi.Store
	LocalAPI *localapi.Server
	API      *httptest.Server
	Console  *httptest.Server
	Server   *server.Server
	Audit    *audit.Index
	Syncer   *audit.Syncer
	Alerts   *alerts.Engine // runs when a test says (RunOnce)
	Stores   *store.Stores  // the console's own state (budgets, rate cards, ...)
	Logs     *syncBuffer
	// Clock is the time of day of the local API and the console alike: a
	// clock of the stack's own, reading the test process's time
	// (ORGBOARD_TEST_NOW) when the stack starts unless Options.Now chose
	// another; a test that moves it moves no other test's.
	Clock *clock.Shifted
	calls atomic.Int64
	// requests are the console's requests as they arrived (method, path and query)
	requests lines
	// Intercept, when set, sees every API request first and answers it
	// itself by returning true (a test's own fault, aimed at one request).
	Intercept atomic.Pointer[func(http.ResponseWriter, *http.Request) bool]
	proxy     *proxy
	cfg       app.Config
	console   *app.Console
}

// StopAPI makes the API unreachable for the console (its port refuses
// connections); StartAPI brings it back on the same address.
func (e *Env) StopAPI() { e.proxy.Stop() }

// StartAPI undoes StopAPI.
func (e *Env) StartAPI() { e.proxy.Start() }

// Options change an Env.
type Options struct {
	LoginRate int
	CacheTTL  time.Duration // 0: the console's default; negative: off
	// UpstreamBudget is the console's calls per token per five minutes;
	// 0 lifts it (tests make many calls with the demo tokens quickly).
	UpstreamBudget int
	// Now, when set, is the date the stack runs on (a test of the first of
	// a month, say); the seed stays the process's.
	Now time.Time
	// AuditTimeout is the audit search's deadline (0: the console's default).
	AuditTimeout time.Duration
	// APITimeout bounds each upstream attempt (0: the client's default).
	APITimeout time.Duration
	// Mailer sends the alerts' e-mail (nil: none).
	Mailer *alerts.Mailer
	// AlertInterval runs the alert rules in the background at this
	// interval, as the console does (0: only when a test calls RunOnce).
	AlertInterval time.Duration
	// AuditWindow is how far back the audit sync goes at first (0: 90 days).
	AuditWindow time.Duration
	// SecureCookies tells the console it is behind TLS (--secure-cookies).
	SecureCookies bool
	// APIRateLimit is the local API's requests per token per five minutes
	// (0: Cloudflare's 1,200; negative: none, for benchmarks).
	APIRateLimit int
	// Postgres keeps the console's stores in a PostgreSQL database of the
	// test's own (pgtest: skipped under -short) instead of SQLite files.
	Postgres bool
	// SelfService sets up team self-service: people sign in through the
	// test's identity provider, the demo admin's token is the console's own.
	SelfService *SelfService
}

// Backends runs f once per store backend, as subtests named sqlite and
// postgres, with the options that choose it.
func Backends(t *testing.T, f func(t *testing.T, o Options)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, Options{}) })
	t.Run("postgres", func(t *testing.T) { f(t, Options{Postgres: true}) })
}

// New starts the stack.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	db, _, err := seeded()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "localapi.db"), db, 0o600); err != nil {
		t.Fatal(err)
	}
	e := &Env{t: t, dir: dir, Logs: &syncBuffer{}, Clock: clocktest.At(clocktest.Now())}
	if !o.Now.IsZero() {
		e.Clock = clocktest.At(o.Now)
	}
	if e.Store, err = localapi.Open(dir); err != nil {
		t.Fatal(err)
	}
	e.LocalAPI = localapi.NewServer(e.Store, nil, nil)
	e.LocalAPI.SetClock(e.Clock.Now)
	e.LocalAPI.SetRateLimit(max(cmp.Or(o.APIRateLimit, 1200), 0)) // Cloudflare's limit: a test that overspends sees 429s as a user would
	e.API = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.Add(1)
		if f := e.Intercept.Load(); f != nil && (*f)(w, r) {
			return
		}
		e.LocalAPI.ServeHTTP(w, r)
	}))
	log := slog.New(slog.NewTextHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.proxy = newProxy(t, e.API.Listener.Addr().String())
	cfg := app.Config{APIURL: "http://" + e.proxy.addr + localapi.BasePath, Local: true, DataDir: dir, SessionIdle: 30 * time.Minute,
		SessionMax: 12 * time.Hour, CacheTTL: max(cmp.Or(o.CacheTTL, app.DefaultCacheTTL), 0), Clock: e.Clock, AuditTimeout: o.AuditTimeout, AuditWindow: o.AuditWindow, LoginRate: o.LoginRate, Logger: log, UpstreamBudget: cmp.Or(o.UpstreamBudget, -1),
		APIOptions: []api.Option{api.WithRetries(2, 5*time.Millisecond), api.WithMaxRetryWait(time.Second)}}
	cfg.Mailer, cfg.AlertInterval, cfg.SecureCookies = o.Mailer, o.AlertInterval, o.SecureCookies
	if o.Postgres {
		cfg.DatabaseURL = pgtest.Database(t)
	}
	if ss := o.SelfService; ss != nil {
		alignIdP(ss.IdP, e.Clock.Now())
		mc := ss.IdP.Config()
		cfg.SelfService = app.SelfService{OIDC: idp.Config{Issuer: mc.Issuer, ClientID: mc.ClientID, ClientSecret: mc.ClientSecret, GroupsClaim: "groups",
			Scopes: []string{"email", "profile", "groups"}}, Only: ss.Only, ServiceToken: localapi.DemoAdminToken, Delegation: delegationFile(t, dir, e.orgIDs(ss.Delegation))}
	}
	if o.APITimeout > 0 {
		cfg.APIOptions = append(cfg.APIOptions, api.WithTimeout(o.APITimeout))
	}
	for _, d := range localapi.DemoTokens() {
		cfg.DemoTokens = append(cfg.DemoTokens, templates.DemoToken{Token: d.Token, Role: d.Role, Description: d.Description})
	}
	e.cfg = cfg
	e.startConsole()
	t.Cleanup(func() {
		e.Console.Close()
		e.console.Close()
		e.proxy.Stop()
		e.API.Close()
		e.Store.Close()
	})
	return e
}

func (e *Env) startConsole() {
	console, err := app.New(context.Background(), e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.console = console
	e.Server, e.Syncer, e.Audit, e.Alerts, e.Stores = console.Server, console.Syncer, console.Index, console.Alerts, console.Stores
	h := e.Server.Handler()
	e.Console = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.add(r.Method + " " + r.URL.RequestURI())
		h.ServeHTTP(w, r)
	}))
}

// RestartConsole stops the console and starts it again on the same data
// directory (its users stay signed in: sessions are stored); meanwhile,
// while no file is open, it runs each of between.
func (e *Env) RestartConsole(between ...func()) {
	e.Console.Close()
	if err := e.console.Close(); err != nil {
		e.t.Fatal(err)
	}
	for _, f := range between {
		f()
	}
	e.startConsole()
}

// Exec runs SQL on the local API's database, to arrange data the API has no
// endpoint for (such as accounts).
func (e *Env) Exec(query string, args ...any) {
	e.t.Helper()
	db, err := sqlitedb.Open(filepath.Join(e.dir, "localapi.db"), "")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.W.Exec(query, args...); err != nil {
		e.t.Fatal(err)
	}
}

// DataDir is the console's data directory (its SQLite files).
func (e *Env) DataDir() string { return e.dir }

// ConsoleRequests are the requests the console received so far, each as
// "METHOD /path?query".
func (e *Env) ConsoleRequests() []string { return e.requests.all() }

// lines is a list of lines safe for concurrent use.
type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) add(s string) {
	l.mu.Lock()
	l.l = append(l.l, s)
	l.mu.Unlock()
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.l)
}

// UpstreamCalls is how many requests reached the local API so far.
func (e *Env) UpstreamCalls() int64 { return e.calls.Load() }

// Admin is an API client with the demo admin token, for arranging data.
func (e *Env) Admin() *api.Client {
	c, _ := api.New(e.API.URL+localapi.BasePath, api.WithRetries(1, time.Millisecond))
	return c.WithToken(localapi.DemoAdminToken)
}

// Org finds a seeded organization by name.
func (e *Env) Org(name string) api.Organization {
	e.t.Helper()
	for o, err := range e.Admin().Organizations(context.Background(), api.ListOrganizationsParams{NameContains: name, PageParams: api.PageParams{PageSize: 100}}) {
		if err != nil {
			e.t.Fatal(err)
		}
		if o.Name == name {
			return o
		}
	}
	e.t.Fatalf("no organization named %q", name)
	return api.Organization{}
}

// User is a browser-like client with its own cookie jar.
type User struct {
	t    testing.TB
	env  *Env
	HTTP *http.Client
	CSRF string
}

// In is the same user (session and all) reporting to t: a fuzz target's
// iterations each have their own t.
func (u *User) In(t testing.TB) *User {
	c := *u
	c.t = t
	return &c
}

// NewUser is a visitor who has not signed in.
func (e *Env) NewUser() *User {
	jar, _ := cookiejar.New(nil)
	return &User{t: e.t, env: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignedIn is a user signed in with token.
func (e *Env) SignedIn(token string) *User {
	u := e.NewUser()
	resp := u.Login(token)
	if resp.Status != http.StatusSeeOther {
		body := resp.Body
		if i := strings.Index(body, `data-testid="login-error">`); i >= 0 {
			body = body[i:min(len(body), i+300)]
		}
		e.t.Fatalf("sign-in with %s: %d %s", token, resp.Status, body)
	}
	u.Get("/orgs") // picks up the session's CSRF token
	return u
}

// Response is a response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Do makes a request, following no redirects, and remembers the CSRF token
// of any page it returns.
func (u *User) Do(method, path string, form url.Values, header map[string]string) Response {
	u.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.env.Console.URL+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return u.send(req)
}

// Raw makes a request with a body of its own type (a file upload).
func (u *User) Raw(method, path string, body io.Reader, contentType string) Response {
	u.t.Helper()
	req, err := http.NewRequest(method, u.env.Console.URL+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return u.send(req)
}

func (u *User) send(req *http.Request) Response {
	u.t.Helper()
	resp, err := u.HTTP.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		u.CSRF = string(m[1])
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// Get fetches a page.
func (u *User) Get(path string) Response { return u.Do("GET", path, nil, nil) }

// HX fetches as htmx does, targeting target.
func (u *User) HX(method, path, target string, form url.Values) Response {
	h := map[string]string{"HX-Request": "true", "X-CSRF-Token": u.CSRF}
	if target != "" {
		h["HX-Target"] = target
	}
	return u.Do(method, path, form, h)
}

// Post submits a plain form with the CSRF field.
func (u *User) Post(path string, form url.Values) Response {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", u.CSRF)
	}
	return u.Do("POST", path, form, nil)
}

// Login posts the sign-in form.
func (u *User) Login(token string) Response {
	u.Get("/login")
	return u.Post("/login", url.Values{"token": {token}})
}

// Cookie returns the named cookie of the console's jar.
func (u *User) Cookie(name string) *http.Cookie {
	cu, _ := url.Parse(u.env.Console.URL)
	for _, c := range u.HTTP.Jar.Cookies(cu) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// AllOrgIDs lists every organization of the seed (the admin sees them all).
func (e *Env) AllOrgIDs() []string {
	e.t.Helper()
	var ids []string
	for o, err := range e.Admin().Organizations(context.Background(), api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	return ids
}
