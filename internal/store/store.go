// Package store opens where the console keeps what it stores: SQLite files
// in the data directory (the default, for one instance), or one PostgreSQL
// database that several instances share. Each store is an interface of the
// package that uses it; internal/store/sqlstore implements them once for
// both databases, internal/store/sqlite and internal/store/postgres add
// what each does its own way; they are the only code that knows SQL.
package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/audit"
	"orgboard/internal/auth"
	"orgboard/internal/changes"
	"orgboard/internal/history"
	"orgboard/internal/pacing"
	"orgboard/internal/store/postgres"
	"orgboard/internal/store/sqlite"
	"orgboard/internal/store/sqlstore"
	"orgboard/internal/usage"
)

// Config says where the stores are.
type Config struct {
	DataDir     string // SQLite files, when DatabaseURL is empty
	DatabaseURL string // postgres://…: the shared mode
	Log         *slog.Logger
	// LeaseTTL is how long an instance's hold on an organization's audit
	// sync lasts unless renewed (shared mode; 0: 30 s).
	LeaseTTL time.Duration
	// Rate and Burst size each token's shared upstream budget (shared mode).
	Rate  float64
	Burst int
}

// Stores are the console's stores, on one backend.
type Stores struct {
	Backend  string // "sqlite" or "postgres"
	Sessions auth.SessionStore
	Saved    audit.SavedSearches
	Budgets  usage.BudgetStore
	Usage    usage.Store
	Rates    usage.RateStore
	FX       usage.FXStore
	Alerts   alerts.Store
	Audit    audit.Store
	Tree     history.Store // the tree's history, beside the audit index
	Changes  changes.Store // changes proposed for a second person's approval
	Leases   audit.Leases  // nil: one instance, no leases needed
	Upstream pacing.Budget // nil: each instance paces itself
	// Ping checks the backend answers (for /healthz).
	Ping func(ctx context.Context) error
	// Damaged reports an error of a damaged database file (SQLite only).
	Damaged func(error) bool
	// Rebuilt says which damaged copies were moved aside at start and are
	// being built again.
	Rebuilt   Rebuilt
	close     func() error
	closeOnce sync.Once
	closeErr  error
}

// Rebuilt holds the notices of the copies of Cloudflare's (the audit
// index, the usage store) found damaged at start, moved aside and being
// built again ("" for one that was sound).
type Rebuilt struct{ Audit, Usage string }

// Open opens the stores Config names and brings their layouts up to date.
func Open(ctx context.Context, cfg Config) (*Stores, error) {
	if cfg.DatabaseURL != "" {
		db, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		leases := postgres.NewLeases(db, cfg.LeaseTTL)
		s := &Stores{Backend: "postgres", Audit: postgres.NewAuditIndex(db, leases), Tree: sqlstore.NewTree(db.SQL), Leases: leases,
			Upstream: postgres.NewUpstreamBudget(db, cfg.Rate, cfg.Burst, cfg.Log),
			Ping:     db.Ping, close: func() error { db.Close(); return nil }}
		s.shared(db.Stores())
		return s, nil
	}
	db, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	idx := sqlite.NewAuditIndex(db)
	s := &Stores{Backend: "sqlite", Audit: idx, Tree: db.Tree(), Ping: db.Ping, Damaged: sqlite.Damaged,
		Rebuilt: Rebuilt{Audit: db.RebuiltAudit, Usage: db.RebuiltUsage},
		close:   func() error { idx.Wait(); return db.Close() }}
	s.shared(db.Stores())
	return s, nil
}

// shared sets the stores both backends keep in the shared SQL layer.
func (s *Stores) shared(sh sqlstore.Shared) {
	s.Sessions, s.Saved, s.Budgets, s.Usage, s.Rates, s.FX, s.Alerts, s.Changes = sh.Sessions, sh.Saved, sh.Budgets, sh.Usage, sh.Usage, sh.Usage, sh.Alerts, sh.Changes
}

// Close closes the backend (once; later calls return the first's error).
func (s *Stores) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

// Unavailable reports an error that says the database cannot be reached
// now, rather than that a statement was wrong.
func Unavailable(err error) bool { return postgres.Unavailable(err) }
