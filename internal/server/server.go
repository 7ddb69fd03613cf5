// Package server is the console's HTTP side: Echo routes and middleware,
// one handler file per area, rendering templ components as full pages or
// htmx fragments. It is the only package that knows browser requests.
package server

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/auth"
	"orgboard/internal/clock"
	"orgboard/internal/history"
	"orgboard/internal/metrics"
	"orgboard/internal/pacing"
	"orgboard/internal/route"
	"orgboard/internal/usage"
	"orgboard/web"
	"orgboard/web/templates"
)

// Config is what the server needs to know about its setting.
type Config struct {
	Local      bool                  // talking to the embedded local API
	DemoTokens []templates.DemoToken // offered on the sign-in page in local mode
	CacheTTL   time.Duration         // per-user cache of upstream reads; 0: off (each request reads afresh)
	LoginRate  int                   // sign-in attempts per minute per client address
	Budget     pacing.Budget         // upstream calls per token; nil: the default (1,160 per five minutes)
	Metrics    *metrics.Registry     // nil: a registry of its own
	Checks     []Check               // what /readyz checks
	// Damaged reports an error of a damaged database file (nil: none are
	// told apart); once one is met, /readyz answers 503 and the pages say so.
	Damaged func(error) bool
	// RebuiltAudit and RebuiltUsage say a damaged copy (the audit index,
	// the usage store) was moved aside at start and is being built again;
	// shown on the audit and the usage pages.
	RebuiltAudit, RebuiltUsage string
	// ConsoleAdmins are e-mail addresses (lower case) that may change the
	// console's own settings of every organization they can read.
	ConsoleAdmins []string
	Logger        *slog.Logger
	Clock         clock.Clock // nil: the machine's
	// AuditTimeout bounds an audit search (a summary gets twice as long, an
	// export 24 times); 0: 10 seconds.
	AuditTimeout time.Duration
	// Delegation, when set, lets people sign in through the identity
	// provider and act within the delegation file's grants.
	Delegation *Delegation
}

// Server is the console.
type Server struct {
	cfg    Config
	api    *api.Client
	auth   *auth.Manager
	assets *web.Assets
	cache  *Cache
	logins *rateLimiter
	gate   *queryGate // the audit index's heavy reads
	audit  Audit
	usage  Usage
	alerts Alerts
	moves  keyedLocks  // one move of an account at a time
	broken atomic.Bool // a read met a damaged database file
	log    *slog.Logger
	echo   *echo.Echo
}

// New wires the console. client has no token; each request binds the user's.
func New(cfg Config, client *api.Client, mgr *auth.Manager, assets *web.Assets, aud Audit, use Usage, al Alerts) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Budget == nil {
		cfg.Budget = pacing.NewSet()
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	s := &Server{cfg: cfg, api: client, auth: mgr, assets: assets, cache: NewCache(cfg.CacheTTL),
		logins: newRateLimiter(cfg.LoginRate, time.Minute), gate: newQueryGate(3, 6, 5*time.Second), audit: aud, usage: use, alerts: al, log: cfg.Logger}
	s.echo = s.routes()
	s.registerGauges()
	return s
}

// now is the time of day of everything the console shows.
func (s *Server) now() time.Time { return s.cfg.Clock.Now() }

// Handler is the console as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect() // client-sent X-Forwarded-For must not reset the sign-in limiter
	e.HTTPErrorHandler = s.handleError
	// method override before routing, so that CSRF sees the real method
	e.Pre(middleware.MethodOverrideWithConfig(middleware.MethodOverrideConfig{Getter: middleware.MethodFromForm("_method")}))
	e.Use(middleware.RequestID(), s.logRequests, middleware.Recover(), s.secureHeaders, middleware.BodyLimit("1M"),
		middleware.GzipWithConfig(middleware.GzipConfig{Level: 1}),
		s.identify, s.checkCSRF)

	e.GET(route.Health, func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET(route.Ready, s.ready)
	e.GET(route.Metrics, echo.WrapHandler(s.cfg.Metrics.Handler()))
	e.GET(route.Static, echo.WrapHandler(s.assets))
	e.GET(route.Favicon, s.favicon)
	e.GET(route.Root, func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, route.Home) })
	e.GET(route.Login, s.showLogin)
	e.POST(route.Login, s.login)
	e.POST(route.Logout, s.logout)
	e.GET(route.LoginOIDC, s.startOIDC)
	e.GET(route.LoginOIDCCallback, s.finishOIDC)

	// signed-in routes carry their middleware themselves: a group's would
	// also catch every unknown path and method (404 and 405 became 400)
	g := signedIn{e: e, mw: []echo.MiddlewareFunc{s.requireSession, validateParams, s.delegated}}
	g.GET(route.Home, s.showTree)
	g.GET(route.TreeChildren, s.treeChildren)
	g.GET(route.TreeSearch, s.searchTree)
	g.GET(route.Org, s.showOrganization)
	g.PUT(route.Org, s.renameOrganization)
	g.DELETE(route.Org, s.deleteOrganization)
	g.GET(route.OrgDelete, s.confirmDeleteOrganization)
	g.POST(route.OrgChildren, s.createSubOrganization)
	g.GET(route.OrgMove, s.moveCandidates)
	g.POST(route.OrgMove, s.moveOrganization)
	g.GET(route.Accounts, s.showAccounts)
	g.GET(route.AccountMove, s.moveAccountCandidates)
	g.POST(route.AccountMove, s.moveAccount)
	g.GET(route.Profile, s.showProfile)
	g.GET(route.ProfileEdit, s.editProfile)
	g.PUT(route.Profile, s.updateProfile)
	g.GET(route.Members, s.showMembers)
	g.POST(route.Members, s.addMember)
	g.GET(route.MemberRemove, s.confirmRemoveMember)
	g.DELETE(route.Member, s.removeMember)
	g.GET(route.OrgAudit, s.showAuditTab)
	g.GET(route.OrgAuditExport, s.auditExportOrg)
	g.GET(route.Audit, s.searchAllAudit)
	g.GET(route.AuditExport, s.auditExportAll)
	g.GET(route.AuditStatus, s.auditStatus)
	g.GET(route.AuditSummary, s.auditSummary)
	g.GET(route.AuditEntry, s.auditEntry)
	g.GET(route.AuditHistory, s.auditHistory)
	g.POST(route.AuditSaved, s.saveSearch)
	g.POST(route.AuditExtend, s.extendAudit)
	g.DELETE(route.AuditSavedOne, s.deleteSavedSearch)
	g.GET(route.Usage, s.showUsageTab)
	g.GET(route.UsageExport, s.usageExport)
	g.GET(route.UsageChartCSV, s.usageChartCSV)
	g.POST(route.UsageRetry, s.retryUsage)
	g.POST(route.UsageBudget, s.setBudget)
	g.POST(route.UsageFetch, s.fetchUsage)
	g.GET(route.Rates, s.showRates)
	g.POST(route.Rates, s.saveRates)
	g.POST(route.RatesImport, s.importRates)
	g.GET(route.RatesExport, s.exportRates)
	g.POST(route.RatesReset, s.resetRates)
	g.POST(route.FXImport, s.importFX)
	g.GET(route.FXExport, s.exportFX)
	g.POST(route.FXReset, s.resetFX)
	g.GET(route.Showback, s.showShowback)
	g.POST(route.ShowbackFetch, s.fetchShowback)
	g.GET(route.ShowbackExport, s.exportShowback)
	g.GET(route.Chargeback, s.showChargeback)
	g.GET(route.ChargebackExport, s.exportChargeback)
	g.GET(route.Alerts, s.showAlerts)
	g.POST(route.Alerts, s.createAlert)
	g.GET(route.Alert, s.showAlertRule)
	g.POST(route.Alert, s.updateAlert)
	g.GET(route.AlertEdit, s.showEditAlert)
	g.POST(route.AlertPause, s.setPaused(true))
	g.POST(route.AlertResume, s.setPaused(false))
	g.POST(route.AlertDelete, s.deleteAlert)
	g.POST(route.AlertTest, s.testAlert)
	g.GET(route.Changes, s.showChanges)
	g.GET(route.Change, s.showChange)
	g.POST(route.ChangeApprove, s.approveChange)
	g.POST(route.ChangeReject, s.rejectChange)
	return e
}

// signedIn registers routes that need a session and valid path parameters.
type signedIn struct {
	e  *echo.Echo
	mw []echo.MiddlewareFunc
}

func (g signedIn) GET(path string, h echo.HandlerFunc)    { g.e.GET(path, h, g.mw...) }
func (g signedIn) POST(path string, h echo.HandlerFunc)   { g.e.POST(path, h, g.mw...) }
func (g signedIn) PUT(path string, h echo.HandlerFunc)    { g.e.PUT(path, h, g.mw...) }
func (g signedIn) DELETE(path string, h echo.HandlerFunc) { g.e.DELETE(path, h, g.mw...) }

// identity is the signed-in user of a request, or nil.
func identity(c echo.Context) *auth.Identity {
	id, _ := c.Get("identity").(*auth.Identity)
	return id
}

// client is the API client bound to the request's user, paced by the
// user's token's budget (shared with its audit syncs and usage fetches).
// client is the API client of the request: the user's token, or for a
// person who signed in through the identity provider the console's own.
func (s *Server) client(c echo.Context) *api.Client {
	if person(c) != nil {
		return s.clientFor(s.serviceToken())
	}
	return s.clientFor(identity(c).Token)
}

// clientFor is the API client of a token, paced by its budget.
func (s *Server) clientFor(tok string) *api.Client {
	return s.api.WithToken(tok).WithLimiter(s.cfg.Budget.For(userKey(tok)))
}

// page is the common part of every full page.
func (s *Server) page(c echo.Context, title string) templates.Page {
	id := identity(c)
	csrf := s.csrf(c)
	p := templates.Page{Title: title, CSRF: csrf, HXHeaders: `{"X-CSRF-Token":"` + csrf + `"}`, Local: s.cfg.Local,
		APILabel: "Cloudflare API", Assets: templates.Assets{CSS: s.assets.URL("app.css"), Normalize: s.assets.URL("vendor/modern-normalize.css"),
			HTMX: s.assets.URL("vendor/htmx.min.js"), App: s.assets.URL("app.js"), ECharts: s.assets.URL("vendor/echarts.min.js"), Icon: s.assets.URL("favicon.svg")}}
	if s.cfg.Local {
		p.APILabel = "local API"
	}
	if id != nil {
		p.User, p.Delegated, p.Changes = id.Label(), id.Person != nil, s.changeStore() != nil
	}
	return p
}

// csrf is the request's CSRF token, for the hidden field of forms that
// work without JavaScript.
func (s *Server) csrf(c echo.Context) string {
	// one masked token a response: a fresh pad per response is what keeps
	// BREACH from reading it, and a page holds many forms
	if t, ok := c.Get(csrfKey).(string); ok {
		return t
	}
	t := s.auth.CSRF(c.Response(), c.Request(), identity(c))
	c.Set(csrfKey, t)
	return t
}

const csrfKey = "orgboard.csrf"

// SweepCache drops expired cache entries of every user; call it now and then,
// or the entries of users who never sign out stay in memory.
func (s *Server) SweepCache() { s.cache.Sweep(); s.cfg.Budget.Sweep() }

// today is the calendar day in UTC, the way the API dates usage.
func (s *Server) today() time.Time { return usage.Civil(s.now().UTC()) }

// Audit is what the audit pages need: the index, its syncer, saved searches.
type Audit struct {
	Index  *audit.Index
	Syncer *audit.Syncer
	Saved  audit.SavedSearches
	// Tree is the tree's history: deleted organizations' entries stay
	// searchable, and past costs are charged as the tree was.
	Tree *history.Keeper
	// Retention is how long the index keeps entries (0: every one).
	Retention time.Duration
}

// Usage is what the usage pages need: running and cached fetches (into
// the usage store), budgets, rate cards.
type Usage struct {
	Jobs    *usage.Jobs
	Budgets *usage.Budgets
	Rates   usage.RateStore
	FX      usage.FXStore
}

// Alerts is what the alerts page needs.
type Alerts struct {
	Store  alerts.Store
	Engine *alerts.Engine
	// Seal keeps a secret with the console's key (a rule's token).
	Seal func(purpose, secret string) []byte
}

// owner names the user whose saved searches these are: the token, not the session.
func owner(c echo.Context) string { return "token:" + identity(c).TokenID }
