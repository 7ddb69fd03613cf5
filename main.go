// Command orgboard serves a web console for Cloudflare Organizations. With no
// API URL configured it runs against an embedded local implementation of the
// API, seeded with a demo organization.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/app"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
	"orgboard/internal/localapi"
	"orgboard/web/templates"
)

// now is the program's clock: the system's (the tests that run the test
// binary as the program give it theirs).
var now clock.Clock = clock.System

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "orgboard:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "localapi":
			return runLocalAPI(ctx, args[1:], stdout, stderr)
		case "backup", "restore":
			return runBackup(ctx, args[0] == "restore", args[1:], stdout, stderr)
		case "healthcheck":
			return healthcheck(ctx, envDefault("LISTEN", "localhost:8080"))
		}
	}
	return runConsole(ctx, args, stdout, stderr)
}

// envDefault returns ORGBOARD_<NAME> or def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv("ORGBOARD_" + name); ok {
		return v
	}
	return def
}

// parseFlags parses args, then gives every flag not set on the command line
// the value of its ORGBOARD_ variable (--session-idle: ORGBOARD_SESSION_IDLE;
// envNames renames some), through the flag's own parser: a value that does
// not parse stops the start with the variable and the value named, never
// falls back to the default.
func parseFlags(fs *flag.FlagSet, args []string, envNames map[string]string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		env := envNames[f.Name]
		if env == "" {
			env = "ORGBOARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		}
		v, ok := os.LookupEnv(env)
		if !ok || set[f.Name] {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not a valid value for --%s: %v", env, v, f.Name, unwrapFlagError(err)))
		}
	})
	return errors.Join(errs...)
}

// unwrapFlagError drops the flag package's "parse error" wrapping.
func unwrapFlagError(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// choice is a flag.Value that takes one of a few words.
type choice struct {
	value   string
	allowed []string
}

func (c *choice) String() string { return c.value }

func (c *choice) Set(v string) error {
	for _, a := range c.allowed {
		if strings.EqualFold(v, a) {
			c.value = a
			return nil
		}
	}
	return fmt.Errorf("want one of %s", strings.Join(c.allowed, ", "))
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(level)) // checked by its flag
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// localAPIFlags are the flags shared by the local API command and the
// console's local mode.
type localAPIFlags struct {
	dataDir   string
	seedScale choice
	rateLimit int
	faults    faultFlags
}

type faultFlags struct {
	latency                  time.Duration
	rate429, rate500, malfmd float64
}

func (f *localAPIFlags) register(fs *flag.FlagSet) {
	f.seedScale = choice{value: "default", allowed: []string{"default", "large"}}
	fs.StringVar(&f.dataDir, "data-dir", "data", "directory for databases and the session key (ORGBOARD_DATA_DIR)")
	fs.Var(&f.seedScale, "seed-scale", "local API seed size on first start: default or large (ORGBOARD_SEED_SCALE)")
	fs.IntVar(&f.rateLimit, "rate-limit", 1200, "local API: requests per token per five minutes, then 429 for five minutes, as Cloudflare does; 0 turns it off (ORGBOARD_RATE_LIMIT)")
	fs.DurationVar(&f.faults.latency, "fault-latency", 0, "local API: added latency per request (ORGBOARD_FAULT_LATENCY)")
	fs.Float64Var(&f.faults.rate429, "fault-429", 0, "local API: share of requests answered 429 (ORGBOARD_FAULT_429)")
	fs.Float64Var(&f.faults.rate500, "fault-500", 0, "local API: share of requests answered 500 (ORGBOARD_FAULT_500)")
	fs.Float64Var(&f.faults.malfmd, "fault-malformed", 0, "local API: share of requests answered with a malformed body (ORGBOARD_FAULT_MALFORMED)")
}

// check refuses values that parse but make no sense.
func (f *localAPIFlags) check() error {
	var errs []error
	for _, x := range []struct {
		name string
		v    float64
	}{{"fault-429", f.faults.rate429}, {"fault-500", f.faults.rate500}, {"fault-malformed", f.faults.malfmd}} {
		if x.v < 0 || x.v > 1 || math.IsNaN(x.v) {
			errs = append(errs, fmt.Errorf("--%s %v: a share is between 0 and 1", x.name, x.v))
		}
	}
	if f.rateLimit < 0 {
		errs = append(errs, fmt.Errorf("--rate-limit %d: 0 turns it off; it cannot be negative", f.rateLimit))
	}
	if f.faults.latency < 0 {
		errs = append(errs, fmt.Errorf("--fault-latency %v cannot be negative", f.faults.latency))
	}
	return errors.Join(errs...)
}

// openLocalAPI opens, seeds and wraps the local API's store.
func openLocalAPI(ctx context.Context, f localAPIFlags, clk clock.Clock, log *slog.Logger) (*localapi.Server, *localapi.Store, error) {
	store, err := localapi.Open(f.dataDir)
	if err != nil {
		return nil, nil, err
	}
	sw := clock.Start()
	seeded, err := store.Seed(ctx, localapi.Scale(f.seedScale.value), clk.Now())
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	if seeded {
		log.Info("local API seeded", "scale", f.seedScale, "duration", sw.Elapsed().Round(time.Millisecond))
	}
	faults := &localapi.Faults{}
	faults.Set(localapi.FaultSettings{Latency: f.faults.latency, Rate429: f.faults.rate429, Rate500: f.faults.rate500, Malformed: f.faults.malfmd})
	srv := localapi.NewServer(store, faults, log)
	srv.SetClock(clk.Now)
	srv.SetRateLimit(f.rateLimit)
	return srv, store, nil
}

func runLocalAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("orgboard localapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8788", "address to serve the local API on (ORGBOARD_LOCALAPI_LISTEN)")
	var lf localAPIFlags
	lf.register(fs)
	logFormat := choice{value: "text", allowed: []string{"text", "json"}}
	fs.Var(&logFormat, "log-format", "log format: text or json (ORGBOARD_LOG_FORMAT)")
	if err := parseFlags(fs, args, map[string]string{"listen": "ORGBOARD_LOCALAPI_LISTEN"}); err != nil {
		return err
	}
	if err := lf.check(); err != nil {
		return err
	}
	log := newLogger(stderr, logFormat.value, "info")
	srv, store, err := openLocalAPI(ctx, lf, now, log)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	printLocalAPI(stdout, "http://"+ln.Addr().String()+localapi.BasePath)
	return localapi.Serve(ctx, ln, srv)
}

func printLocalAPI(w io.Writer, base string) {
	fmt.Fprintf(w, "Local Cloudflare Organizations API: %s\nDemo tokens:\n", base)
	for _, t := range localapi.DemoTokens() {
		fmt.Fprintf(w, "  %-24s %s\n", t.Token, t.Description)
	}
}

// consoleFlags configure the web console.
type consoleFlags struct {
	listen, apiURL, databaseURL                     string
	syncLease                                       time.Duration
	logFormat, logLevel                             choice
	secureCookies                                   bool
	sessionIdle, sessionMax, cacheTTL, auditTimeout time.Duration
	loginRate, upstreamBudget, usageSettle          int
	auditWindow, alertInterval, auditRetention      time.Duration
	webhookAllowPrivate                             bool
	consoleAdmins                                   string
	smtp                                            smtpFlags
	selfService                                     selfServiceFlags
	local                                           localAPIFlags
}

func parseConsoleFlags(args []string, stderr io.Writer) (consoleFlags, error) {
	fs := flag.NewFlagSet("orgboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f consoleFlags
	f.logFormat = choice{value: "text", allowed: []string{"text", "json"}}
	f.logLevel = choice{value: "info", allowed: []string{"debug", "info", "warn", "error"}}
	fs.StringVar(&f.listen, "listen", "localhost:8080", "address to serve the console on (ORGBOARD_LISTEN)")
	fs.StringVar(&f.apiURL, "api-url", "", "Cloudflare API base URL, e.g. https://api.cloudflare.com/client/v4; empty runs the embedded local API (ORGBOARD_API_URL)")
	fs.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (postgres://user:password@host/db) to keep everything in, shared by every instance that names it; empty keeps SQLite files in --data-dir (ORGBOARD_DATABASE_URL)")
	fs.DurationVar(&f.syncLease, "sync-lease", 30*time.Second, "with --database-url: how long an instance's hold on an organization's audit sync lasts unless renewed; another instance takes over a dead one's after this (ORGBOARD_SYNC_LEASE)")
	fs.BoolVar(&f.secureCookies, "secure-cookies", false, "mark cookies Secure even without TLS here, e.g. behind a TLS proxy (ORGBOARD_SECURE_COOKIES: true, 1, false, 0...)")
	fs.DurationVar(&f.sessionIdle, "session-idle", 30*time.Minute, "a session unused this long ends (ORGBOARD_SESSION_IDLE)")
	fs.DurationVar(&f.sessionMax, "session-max", 12*time.Hour, "a session ends this long after sign-in (ORGBOARD_SESSION_MAX)")
	fs.DurationVar(&f.cacheTTL, "cache-ttl", app.DefaultCacheTTL, "how long a user's upstream reads are reused; 0 turns the cache off (ORGBOARD_CACHE_TTL)")
	fs.IntVar(&f.loginRate, "login-rate", app.DefaultLoginRate, "sign-in attempts allowed per minute per client address (ORGBOARD_LOGIN_RATE)")
	fs.IntVar(&f.upstreamBudget, "upstream-budget", 1160, "upstream calls per token per five minutes the console allows itself; Cloudflare allows 1,200 (ORGBOARD_UPSTREAM_BUDGET; -1: no limit)")
	fs.DurationVar(&f.auditWindow, "audit-window", 90*24*time.Hour, "how far back the audit sync goes at first; users can extend it to 18 months (ORGBOARD_AUDIT_WINDOW)")
	fs.DurationVar(&f.auditRetention, "audit-retention", 0, "remove the audit index's entries older than this (daily); 0 keeps every entry synced, also past Cloudflare's 18 months, when the index is their only record (ORGBOARD_AUDIT_RETENTION)")
	fs.DurationVar(&f.auditTimeout, "audit-timeout", app.DefaultAuditTimeout, "how long an audit search may run; a summary gets twice as long, an export 24 times (ORGBOARD_AUDIT_TIMEOUT)")
	fs.DurationVar(&f.alertInterval, "alert-interval", alerts.DefaultInterval, "how often alert rules sync their organizations' audit logs and deliver new matches: an entry is sent within about this long, and each run spends a call per organization of a rule from its token's budget (ORGBOARD_ALERT_INTERVAL)")
	fs.BoolVar(&f.webhookAllowPrivate, "webhook-allow-private", false, "let alert webhooks reach private, loopback and link-local addresses, and plain http there; always so with the embedded local API (ORGBOARD_WEBHOOK_ALLOW_PRIVATE)")
	fs.IntVar(&f.usageSettle, "usage-settle-days", 5, "usage of the last this many days (twice as many for a day holding a correction) may still change and is fetched again when shown; older days are fetched once (ORGBOARD_USAGE_SETTLE_DAYS)")
	fs.Var(&f.logFormat, "log-format", "log format: text or json (ORGBOARD_LOG_FORMAT)")
	fs.Var(&f.logLevel, "log-level", "log level: debug, info, warn, error (ORGBOARD_LOG_LEVEL)")
	fs.StringVar(&f.consoleAdmins, "console-admins", "", "comma-separated e-mail addresses that may change the console's own settings (budgets, rate cards) of every organization they can read, where Cloudflare cannot tell the console who administers it (ORGBOARD_CONSOLE_ADMINS)")
	f.local.register(fs)
	f.smtp.register(fs)
	f.selfService.register(fs)
	if err := parseFlags(fs, args, nil); err != nil {
		return f, err
	}
	return f, errors.Join(f.check(), f.local.check(), f.smtp.check(), f.selfService.check())
}

// admins are --console-admins, lower case.
func (f *consoleFlags) admins() []string {
	var out []string
	for _, e := range strings.Split(f.consoleAdmins, ",") {
		if e = strings.ToLower(strings.TrimSpace(e)); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// check refuses values that parse but make no sense.
func (f *consoleFlags) check() error {
	var errs []error
	positive := []struct {
		name string
		d    time.Duration
	}{{"session-idle", f.sessionIdle}, {"session-max", f.sessionMax}, {"audit-window", f.auditWindow}, {"audit-timeout", f.auditTimeout}, {"sync-lease", f.syncLease}, {"alert-interval", f.alertInterval}}
	for _, x := range positive {
		if x.d <= 0 {
			errs = append(errs, fmt.Errorf("--%s %v: must be more than zero", x.name, x.d))
		}
	}
	if f.cacheTTL < 0 || f.cacheTTL > time.Minute {
		errs = append(errs, fmt.Errorf("--cache-ttl %v: between 0 and 1m (audit searches rely on reads at most a minute old)", f.cacheTTL))
	}
	if f.databaseURL != "" {
		if u, err := url.Parse(f.databaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("--database-url: a postgres://… URL (the value is not repeated here: it may hold a password)"))
		}
	}
	if f.auditRetention < 0 || f.auditRetention > 0 && f.auditRetention < max(f.auditWindow, audit.MaxWindow) {
		errs = append(errs, fmt.Errorf("--audit-retention %v: 0 keeps everything; a retention keeps at least the 18 months (13152h) Cloudflare keeps and the --audit-window, or a sync would fetch again what it removed", f.auditRetention))
	}
	if f.usageSettle < 1 || f.usageSettle > 60 {
		errs = append(errs, fmt.Errorf("--usage-settle-days %d: between 1 and 60", f.usageSettle))
	}
	for _, e := range f.admins() {
		if !strings.Contains(e, "@") || strings.ContainsAny(e, " <>\"") {
			errs = append(errs, fmt.Errorf("--console-admins: %q is not an e-mail address", e))
		}
	}
	if f.loginRate <= 0 {
		errs = append(errs, fmt.Errorf("--login-rate %d: must be more than zero", f.loginRate))
	}
	if f.upstreamBudget == 0 || f.upstreamBudget < -1 {
		errs = append(errs, fmt.Errorf("--upstream-budget %d: calls per five minutes, or -1 for no limit", f.upstreamBudget))
	}
	return errors.Join(errs...)
}

func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseConsoleFlags(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr, f.logFormat.value, f.logLevel.value)
	local := f.apiURL == ""
	if local {
		srv, store, err := openLocalAPI(ctx, f.local, now, log)
		if err != nil {
			return err
		}
		defer store.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		f.apiURL = "http://" + ln.Addr().String() + localapi.BasePath
		printLocalAPI(stdout, f.apiURL)
		// the local API outlives the console's shutdown: requests still in
		// flight when the signal comes need it to finish
		apiCtx, stopAPI := context.WithCancel(context.WithoutCancel(ctx))
		defer stopAPI()
		go localapi.Serve(apiCtx, ln, srv)
	}
	console, closeConsole, err := newConsole(ctx, f, local, log)
	if err != nil {
		return err
	}
	defer closeConsole()
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Orgboard console: http://%s (API %s)\n", ln.Addr(), f.apiURL)
	return serveConsole(ctx, ln, console, log)
}

// newConsole builds the console from the flags (internal/app does the wiring).
func newConsole(ctx context.Context, f consoleFlags, local bool, log *slog.Logger) (http.Handler, func(), error) {
	cfg := app.Config{APIURL: f.apiURL, Local: local, DataDir: f.local.dataDir, DatabaseURL: f.databaseURL, LeaseTTL: f.syncLease, Secret: os.Getenv("ORGBOARD_SECRET"),
		SecureCookies: f.secureCookies, SessionIdle: f.sessionIdle, SessionMax: f.sessionMax, CacheTTL: f.cacheTTL,
		LoginRate: f.loginRate, AuditWindow: f.auditWindow, AuditRetention: f.auditRetention, AuditTimeout: f.auditTimeout, UpstreamBudget: f.upstreamBudget, UsageSettle: f.usageSettle, AlertInterval: f.alertInterval, WebhookAllowPrivate: f.webhookAllowPrivate, Mailer: f.smtp.mailer(), Logger: log, Clock: now, ConsoleAdmins: f.admins()}
	selfService, err := f.selfService.config()
	if err != nil {
		return nil, nil, err
	}
	cfg.SelfService = selfService
	if local {
		for _, t := range localapi.DemoTokens() {
			cfg.DemoTokens = append(cfg.DemoTokens, templates.DemoToken{Token: t.Token, Role: t.Role, Description: t.Description})
		}
	}
	console, err := app.New(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	mctx, stop := context.WithCancel(ctx)
	go console.Maintain(mctx, 10*time.Minute, log)
	return console.Handler, func() { stop(); console.Close() }, nil
}

// serveConsole serves until ctx ends, then lets in-flight requests finish.
func serveConsole(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: letting in-flight requests finish")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// healthcheck asks the running console's /healthz (for container HEALTHCHECKs,
// where no curl exists).
func healthcheck(ctx context.Context, listen string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}
