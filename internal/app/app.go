// Package app wires the console from its parts: databases, session key,
// sessions, API client, audit index and syncer, server. main.go and the
// test harness both build the console here, so tests run what users run.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/auth"
	"orgboard/internal/clock"
	"orgboard/internal/delegation"
	"orgboard/internal/history"
	"orgboard/internal/idp"
	"orgboard/internal/metrics"
	"orgboard/internal/pacing"
	"orgboard/internal/server"
	"orgboard/internal/store"
	"orgboard/internal/usage"
	"orgboard/web"
	"orgboard/web/templates"
)

// Config is the console's setting.
type Config struct {
	APIURL  string
	Local   bool // the API is the embedded local one
	DataDir string
	// DatabaseURL (postgres://…) keeps everything in PostgreSQL, shared by
	// every instance that names it; empty: SQLite files in DataDir.
	DatabaseURL string
	// LeaseTTL is how long an instance's hold on an organization's audit
	// sync lasts unless renewed (shared mode; 0: 30 s).
	LeaseTTL      time.Duration
	Secret        string // ORGBOARD_SECRET; empty: a generated key in DataDir
	SecureCookies bool
	SessionIdle   time.Duration
	SessionMax    time.Duration
	CacheTTL      time.Duration // 0: no cache of upstream reads
	LoginRate     int
	AuditWindow   time.Duration
	// AuditRetention prunes the index's entries older than this (0: keeps
	// every entry it synced, past Cloudflare's 18 months).
	AuditRetention time.Duration
	AuditTimeout   time.Duration // how long an audit search may run (0: 10 s)
	DemoTokens     []templates.DemoToken
	Logger         *slog.Logger
	APIOptions     []api.Option // extra client options (tests shorten retries)
	Clock          clock.Clock  // the time of day of everything shown; nil is the machine's
	// UpstreamBudget is the calls per token per five minutes the console
	// allows itself (0: 1,160, under Cloudflare's 1,200; negative: no limit).
	UpstreamBudget int
	// UsageSettle is the days after which a day's usage no longer changes
	// (0: usage.DefaultSettle).
	UsageSettle int
	// AlertInterval is how often alert rules sync and deliver (0: they run
	// only when RunAlerts is called, as tests do).
	AlertInterval time.Duration
	// WebhookAllowPrivate lets webhooks reach private and loopback
	// addresses (always so in local mode).
	WebhookAllowPrivate bool
	// Mailer sends alerts by e-mail (nil: rules have no e-mail).
	Mailer *alerts.Mailer
	// ConsoleAdmins may change the console's own settings (budgets, rate
	// cards) of every organization they can read (--console-admins).
	ConsoleAdmins []string
	// SelfService, when its issuer is set, signs people in through the
	// company's identity provider and acts for them with the console's
	// own token within the delegation file's grants.
	SelfService SelfService
}

// SelfService is team self-service: sign-in through OpenID Connect, the
// console's own token, the delegation file.
type SelfService struct {
	OIDC        idp.Config
	RedirectURL string // the callback as registered at the provider; "": from the request
	Only        bool   // no token sign-in
	// ServiceToken is the console's own Cloudflare token (a Super
	// Administrator's): verified at start, kept sealed, never shown.
	ServiceToken string
	// Delegation is the delegation file's path.
	Delegation string
}

// The defaults of the settings that have one, in one place: the flags
// show them, and a Config that leaves one at zero gets it.
const (
	// DefaultCacheTTL is how long a user's upstream reads are reused unless
	// told otherwise (--cache-ttl; 0 turns the cache off, so it is the
	// flag's default only).
	DefaultCacheTTL = 30 * time.Second
	// DefaultLoginRate is the sign-in attempts per minute per client address.
	DefaultLoginRate = 10
	// DefaultAuditTimeout is how long an audit search may run.
	DefaultAuditTimeout = 10 * time.Second
)

// usageTTL is how long a fetched usage range is reused (per user).
const usageTTL = 10 * time.Minute

// Console is the wired console.
type Console struct {
	Handler  http.Handler
	Server   *server.Server
	Syncer   *audit.Syncer
	Index    *audit.Index
	Tree     *history.Keeper
	Stores   *store.Stores
	sessions *auth.Store
	// Alerts evaluates the alert rules.
	Alerts     *alerts.Engine
	background sync.WaitGroup
	closers    []func() error
	stopSync   context.CancelFunc
}

// New builds the console. Its audit sync ends with ctx or Close.
func New(ctx context.Context, cfg Config) (*Console, error) {
	c := &Console{}
	if err := c.build(ctx, cfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Console) build(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.LoginRate = cmp.Or(cfg.LoginRate, DefaultLoginRate)
	cfg.AuditTimeout = cmp.Or(cfg.AuditTimeout, DefaultAuditTimeout)
	budget := budgetOf(cfg.UpstreamBudget)
	stores, err := store.Open(ctx, store.Config{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, Log: cfg.Logger, LeaseTTL: cfg.LeaseTTL,
		Rate: budget.Rate, Burst: budget.Burst})
	if err != nil {
		return err
	}
	c.closers = append(c.closers, stores.Close)
	c.Stores = stores
	for _, notice := range []string{stores.Rebuilt.Audit, stores.Rebuilt.Usage} {
		if notice != "" {
			cfg.Logger.Warn(notice)
		}
	}
	key, err := auth.LoadKey(cfg.DataDir, cfg.Secret)
	if err != nil {
		return err
	}
	if c.sessions, err = auth.NewStore(stores.Sessions, key, cfg.SessionIdle, cfg.SessionMax, cfg.Clock); err != nil {
		return err
	}
	var upstream pacing.Budget = budget
	if stores.Upstream != nil && cfg.UpstreamBudget >= 0 {
		upstream = stores.Upstream // every instance on the database shares each token's budget
	}
	reg := metrics.New()
	opts := append([]api.Option{api.WithLogger(cfg.Logger), api.WithUserAgent("orgboard/1"), api.WithObserver(reg.Upstream)}, cfg.APIOptions...)
	client, err := api.New(cfg.APIURL, opts...)
	if err != nil {
		return err
	}
	assets, err := web.LoadAssets()
	if err != nil {
		return err
	}
	// the audit sync stops at a page boundary when the process is asked to stop
	syncCtx, stop := context.WithCancel(api.Patient(ctx)) // background work may queue for the budget
	c.stopSync = stop
	c.Index = audit.NewIndex(stores.Audit, cfg.Clock)
	c.Tree = history.NewKeeper(stores.Tree, cfg.Clock)
	c.Index.Tree = c.Tree
	c.Syncer = audit.NewSyncer(syncCtx, c.Index, cfg.Logger)
	c.Syncer.Leases = stores.Leases
	if cfg.AuditWindow > 0 {
		c.Syncer.Window = min(max(cfg.AuditWindow, 24*time.Hour), audit.MaxWindow)
	}
	keeper := usage.NewKeeper(stores.Usage, cfg.UsageSettle, usageTTL, cfg.Clock)
	keeper.Seen = c.Tree.SeeAccounts
	jobs := usage.NewJobs(syncCtx, keeper, usageTTL, 64, cfg.Clock)
	jobs.OnPart = reg.UsageWindow
	c.gauges(reg)
	clientFor := func(tok string) *api.Client {
		return client.WithToken(tok).WithLimiter(upstream.For(api.TokenKey(tok)))
	}
	open := func(r alerts.Rule) (string, string, error) {
		tok, err := c.sessions.Open(server.SealToken, r.Token)
		if err != nil {
			return "", "", err
		}
		secret, err := c.sessions.Open(server.SealSecret, r.Secret)
		return tok, secret, err
	}
	c.Alerts = alerts.NewEngine(stores.Alerts, c.Index, c.Syncer, open, clientFor, alerts.Guard{AllowPrivate: cfg.Local || cfg.WebhookAllowPrivate}, cfg.Clock, cfg.Logger)
	c.Alerts.Leases = stores.Leases
	c.Alerts.Mailer = cfg.Mailer
	budgets := usage.NewBudgets(stores.Budgets, cfg.Clock)
	c.Alerts.Costs = &alerts.Costs{Keeper: keeper, Budgets: budgets, Rates: stores.Rates, FX: stores.FX}
	c.background.Add(1)
	go func() {
		defer c.background.Done()
		c.Tree.Run(syncCtx, func(err error) { cfg.Logger.Warn("record the tree's history", "error", err) })
	}()
	if cfg.AuditRetention > 0 {
		c.background.Add(1)
		go func() {
			defer c.background.Done()
			c.prune(syncCtx, cfg.AuditRetention, cfg.Logger)
		}()
	}
	if cfg.AlertInterval > 0 {
		c.background.Add(1)
		go func() {
			defer c.background.Done()
			c.Alerts.Run(syncCtx, cfg.AlertInterval)
		}()
	}
	checks := []server.Check{{Name: "database (" + stores.Backend + ")", Run: stores.Ping},
		{Name: "upstream API", Run: client.Reachable}} // any HTTP answer will do: the check carries no token
	var delegated *server.Delegation
	if cfg.SelfService.OIDC.Issuer != "" {
		if delegated, err = c.selfService(ctx, syncCtx, cfg, client, stores); err != nil {
			return err
		}
	}
	c.Server = server.New(server.Config{Delegation: delegated, Local: cfg.Local, DemoTokens: cfg.DemoTokens, CacheTTL: cfg.CacheTTL, LoginRate: cfg.LoginRate, Logger: cfg.Logger,
		Budget: upstream, Metrics: reg, Checks: checks, Clock: cfg.Clock, AuditTimeout: cfg.AuditTimeout, ConsoleAdmins: cfg.ConsoleAdmins,
		Damaged: stores.Damaged, RebuiltAudit: stores.Rebuilt.Audit, RebuiltUsage: stores.Rebuilt.Usage},
		client, auth.NewManager(c.sessions, key, cfg.SecureCookies), assets,
		server.Audit{Index: c.Index, Syncer: c.Syncer, Saved: stores.Saved, Tree: c.Tree, Retention: cfg.AuditRetention},
		server.Usage{Jobs: jobs, Budgets: budgets, Rates: stores.Rates, FX: stores.FX},
		server.Alerts{Store: stores.Alerts, Engine: c.Alerts, Seal: c.sessions.Seal})
	c.Handler = c.Server.Handler()
	return nil
}

// servicePurpose seals the console's own token.
const servicePurpose = "the console's own token"

// selfService checks and wires team self-service: the console's token
// answers and is active, the delegation file names only organizations it
// reads, the identity provider is discovered.
func (c *Console) selfService(ctx, watchCtx context.Context, cfg Config, client *api.Client, stores *store.Stores) (*server.Delegation, error) {
	ss := cfg.SelfService
	service := client.WithToken(ss.ServiceToken)
	st, err := service.VerifyToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("the console's own token (--service-token-file): %w", err)
	}
	if st.Status != api.TokenActive {
		return nil, fmt.Errorf("the console's own token (--service-token-file) is %s: give an active token", st.Status)
	}
	// every version of the file names only organizations the token reads
	// (listed again when it changes: organizations come and go)
	check := func(p *delegation.Policy) error {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		known := map[string]bool{}
		for o, err := range service.Organizations(lctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
			if err != nil {
				return fmt.Errorf("the console's own token cannot list organizations: %w", err)
			}
			known[o.ID] = true
		}
		return p.Check(func(org string) bool { return known[org] })
	}
	grants, err := delegation.Load(ss.Delegation, check, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("the delegation file %s: %w", ss.Delegation, err)
	}
	provider, err := idp.New(ctx, ss.OIDC, cfg.Clock)
	if err != nil {
		return nil, err
	}
	c.background.Add(1)
	go func() {
		defer c.background.Done()
		grants.Watch(watchCtx, 5*time.Second)
	}()
	sealed := c.sessions.Seal(servicePurpose, ss.ServiceToken)
	return &server.Delegation{IdP: provider, Only: ss.Only, RedirectURL: ss.RedirectURL, Grants: grants, Changes: stores.Changes,
		Token: func() (string, error) { return c.sessions.Open(servicePurpose, sealed) }}, nil
}

// prune removes the index's entries older than keep, at start and then daily.
func (c *Console) prune(ctx context.Context, keep time.Duration, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		n, err := c.Index.Prune(ctx, keep)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("audit retention: prune", "error", err)
		case n > 0:
			log.Info("audit retention: removed entries older than the retention", "entries", n, "retention", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Maintain purges expired sessions and cache entries every interval until
// ctx ends.
func (c *Console) Maintain(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.Server.SweepCache()
			if n, err := c.sessions.Purge(ctx); err != nil {
				log.Warn("purge sessions", "error", err)
			} else if n > 0 {
				log.Info("purged expired sessions", "count", n)
			}
		}
	}
}

// Close stops the audit sync (at a page boundary) and closes the databases.
func (c *Console) Close() error {
	if c.stopSync != nil {
		c.stopSync()
		c.background.Wait()
		c.Syncer.Wait()
	}
	var errs []error
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i]())
	}
	c.closers = nil
	return errors.Join(errs...)
}

func budgetOf(calls int) *pacing.Set {
	switch {
	case calls == 0:
		return pacing.NewSet()
	case calls < 0:
		return pacing.PerFiveMinutes(1 << 30)
	}
	return pacing.PerFiveMinutes(calls)
}

// gauges reports the audit sync's state at every scrape.
func (c *Console) gauges(reg *metrics.Registry) {
	// both gauges come from one query, run at most once a second (once per scrape)
	var mu sync.Mutex
	var at *clock.Stopwatch
	var lag, entries float64
	var known bool
	read := func() (float64, float64, bool) {
		mu.Lock()
		defer mu.Unlock()
		if at == nil || at.Elapsed() > time.Second {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			l, n, err := c.Syncer.Lag(ctx)
			cancel()
			sw := clock.Start()
			lag, entries, known, at = l.Seconds(), float64(n), err == nil, &sw // an error leaves them out rather than wrong
		}
		return lag, entries, known
	}
	reg.AddGauge(metrics.Gauge{Name: "orgboard_audit_sync_lag_seconds", Help: "Time since the stalest organization synced in the last day finished its sync.",
		Read: func() (float64, bool) { l, _, ok := read(); return l, ok }},
		metrics.Gauge{Name: "orgboard_audit_entries_indexed", Help: "Audit entries in the local index (organizations synced in the last day).",
			Read: func() (float64, bool) { _, n, ok := read(); return n, ok }})
}
