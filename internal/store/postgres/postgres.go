// Package postgres keeps the console's state in one PostgreSQL database
// that several instances share (ORGBOARD_DATABASE_URL): sessions, saved
// searches, budgets, the audit index with its sync state and leases, and
// each token's upstream budget. internal/store/sqlite is the same for one
// instance.
package postgres

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a pool of connections to the database.
type DB struct {
	Pool *pgxpool.Pool
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
	db := &DB{Pool: pool}
	if err := migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, redact(err, dsn)
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }
