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

	"orgboard/internal/api"
	"orgboard/internal/auth"
	"orgboard/internal/clock"
	"orgboard/internal/metrics"
	"orgboard/internal/pacing"
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
	if cfg.AuditTimeout <= 0 {
		cfg.AuditTimeout = 10 * time.Second
	}
	if cfg.LoginRate == 0 {
		cfg.LoginRate = 10
	}
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

	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.ready)
	e.GET("/metrics", echo.WrapHandler(s.cfg.Metrics.Handler()))
	e.GET("/static/*", echo.WrapHandler(s.assets))
	e.GET("/favicon.ico", s.favicon)
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/orgs") })
	e.GET("/login", s.showLogin)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)

	// signed-in routes carry their middleware themselves: a group's would
	// also catch every unknown path and method (404 and 405 became 400)
	g := signedIn{e: e, mw: []echo.MiddlewareFunc{s.requireSession, validateParams}}
	g.GET("/orgs", s.showTree)
	g.GET("/orgs/tree", s.treeChildren)
	g.GET("/orgs/search", s.searchTree)
	g.GET("/orgs/:id", s.showOrganization)
	g.PUT("/orgs/:id", s.renameOrganization)
	g.DELETE("/orgs/:id", s.deleteOrganization)
	g.GET("/orgs/:id/delete", s.confirmDeleteOrganization)
	g.POST("/orgs/:id/children", s.createSubOrganization)
	g.GET("/orgs/:id/move", s.moveCandidates)
	g.POST("/orgs/:id/move", s.moveOrganization)
	g.GET("/orgs/:id/accounts", s.showAccounts)
	g.GET("/orgs/:id/accounts/:account/move", s.moveAccountCandidates)
	g.POST("/orgs/:id/accounts/:account/move", s.moveAccount)
	g.GET("/orgs/:id/profile", s.showProfile)
	g.GET("/orgs/:id/profile/edit", s.editProfile)
	g.PUT("/orgs/:id/profile", s.updateProfile)
	g.GET("/orgs/:id/members", s.showMembers)
	g.POST("/orgs/:id/members", s.addMember)
	g.GET("/orgs/:id/members/:member/remove", s.confirmRemoveMember)
	g.DELETE("/orgs/:id/members/:member", s.removeMember)
	g.GET("/orgs/:id/audit", s.showAuditTab)
	g.GET("/orgs/:id/audit/export", s.auditExportOrg)
	g.GET("/audit", s.searchAllAudit)
	g.GET("/audit/export", s.auditExportAll)
	g.GET("/audit/status", s.auditStatus)
	g.GET("/audit/summary", s.auditSummary)
	g.GET("/audit/entries/:entry", s.auditEntry)
	g.GET("/audit/entries/:entry/history", s.auditHistory)
	g.POST("/audit/saved", s.saveSearch)
	g.POST("/audit/extend", s.extendAudit)
	g.DELETE("/audit/saved/:saved", s.deleteSavedSearch)
	g.GET("/orgs/:id/usage", s.showUsageTab)
	g.GET("/orgs/:id/usage/export", s.usageExport)
	g.GET("/orgs/:id/usage/chart.csv", s.usageChartCSV)
	g.POST("/orgs/:id/usage/retry", s.retryUsage)
	g.POST("/orgs/:id/usage/budget", s.setBudget)
	g.POST("/orgs/:id/usage/fetch", s.fetchUsage)
	g.GET("/orgs/:id/rates", s.showRates)
	g.POST("/orgs/:id/rates", s.saveRates)
	g.POST("/orgs/:id/rates/import", s.importRates)
	g.GET("/orgs/:id/rates/export", s.exportRates)
	g.POST("/orgs/:id/rates/reset", s.resetRates)
	g.GET("/orgs/:id/showback", s.showShowback)
	g.POST("/orgs/:id/showback/fetch", s.fetchShowback)
	g.GET("/orgs/:id/showback/export", s.exportShowback)
	g.GET("/orgs/:id/chargeback", s.showChargeback)
	g.GET("/orgs/:id/chargeback/export", s.exportChargeback)
	g.GET("/alerts", s.showAlerts)
	g.POST("/alerts", s.createAlert)
	g.GET("/alerts/:rule", s.showAlertRule)
	g.POST("/alerts/:rule", s.updateAlert)
	g.GET("/alerts/:rule/edit", s.showEditAlert)
	g.POST("/alerts/:rule/pause", s.setPaused(true))
	g.POST("/alerts/:rule/resume", s.setPaused(false))
	g.POST("/alerts/:rule/delete", s.deleteAlert)
	g.POST("/alerts/:rule/test", s.testAlert)
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
func (s *Server) client(c echo.Context) *api.Client { return s.clientFor(identity(c).Token) }

// clientFor is the API client of a token, paced by its budget.
func (s *Server) clientFor(tok string) *api.Client {
	return s.api.WithToken(tok).WithLimiter(s.cfg.Budget.For(userKey(tok)))
}

// page is the common part of every full page.
func (s *Server) page(c echo.Context, title string) templates.Page {
	id := identity(c)
	csrf := s.auth.CSRF(c.Response(), c.Request(), id)
	p := templates.Page{Title: title, CSRF: csrf, HXHeaders: `{"X-CSRF-Token":"` + csrf + `"}`, Local: s.cfg.Local,
		APILabel: "Cloudflare API", Assets: templates.Assets{CSS: s.assets.URL("app.css"), Normalize: s.assets.URL("vendor/modern-normalize.css"),
			HTMX: s.assets.URL("vendor/htmx.min.js"), App: s.assets.URL("app.js"), ECharts: s.assets.URL("vendor/echarts.min.js"), Icon: s.assets.URL("favicon.svg")}}
	if s.cfg.Local {
		p.APILabel = "local API"
	}
	if id != nil {
		p.User = id.Label()
	}
	return p
}

// csrf is the request's CSRF token, for the hidden field of forms that
// work without JavaScript.
func (s *Server) csrf(c echo.Context) string {
	return s.auth.CSRF(c.Response(), c.Request(), identity(c))
}

// SweepCache drops expired cache entries of every user; call it now and then,
// or the entries of users who never sign out stay in memory.
func (s *Server) SweepCache() { s.cache.Sweep(); s.cfg.Budget.Sweep() }
