// Package postgres keeps the console's state in one PostgreSQL database
// that several instances share (ORGBOARD_DATABASE_URL): the shared stores
// (internal/store/sqlstore) through pgx's database/sql driver, and what
// PostgreSQL does its own way: the audit index's full text (tsvector) and
// its COPY writes, the sync leases, each token's shared upstream budget.
// internal/store/sqlite is the same for one instance.
package postgres

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"orgboard/internal/store/sqlstore"
)

// DB is a pool of connections to the database, and the same pool as the
// shared stores use it.
type DB struct {
	Pool *pgxpool.Pool
	SQL  *sqlstore.DB
}

// defaultConns is the pool's size unless the URL sets pool_max_conns:
// pgxpool's own default (four on two cores) queued pages behind a sync.
const defaultConns = 24

// Open connects to the database at dsn and brings its layout up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", redact(err, dsn))
	}
	if u, err := url.Parse(dsn); err != nil || !u.Query().Has("pool_max_conns") {
		cfg.MaxConns = defaultConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, redact(err, dsn)
	}
	std := stdlib.OpenDBFromPool(pool)
	db := &DB{Pool: pool, SQL: &sqlstore.DB{W: std, R: std, D: sqlstore.Postgres}}
	if err := migrate(ctx, std, migrations, len(migrations)); err != nil {
		db.Close()
		return nil, redact(err, dsn)
	}
	return db, nil
}

// Stores are the shared stores on the database.
func (db *DB) Stores() sqlstore.Shared {
	return sqlstore.Shared{Sessions: sqlstore.NewSessions(db.SQL), Saved: sqlstore.NewSavedSearches(db.SQL), Budgets: sqlstore.NewBudgets(db.SQL),
		Usage: sqlstore.NewUsage(db.SQL, db.SQL), Alerts: sqlstore.NewAlerts(db.SQL), Changes: sqlstore.NewChanges(db.SQL)}
}

// Close closes the pool.
func (db *DB) Close() {
	db.SQL.W.Close()
	db.Pool.Close()
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }
