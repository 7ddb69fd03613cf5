// migrations.go is the ordered list of the database's layouts. The
// schema_version table holds the last one applied; each migration runs in
// its own transaction with the version it brings, under an advisory lock,
// so that instances starting together apply each once.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migration is one step of the layout.
type migration struct {
	name string
	sql  string
}

// migrations lay the database out; a new one goes at the end, never in
// between, and none is ever edited once released.
var migrations = []migration{
	{"sessions, budgets, saved searches, the audit index, sync state and leases, upstream budgets", `
CREATE TABLE sessions (
	id_hash text PRIMARY KEY,       -- SHA-256 of the cookie's ID: a database leak yields no usable cookie
	sealed bytea NOT NULL,          -- the token, AES-GCM with the session as additional data
	token_id text NOT NULL,
	email text NOT NULL,
	created timestamptz NOT NULL,
	last_seen timestamptz NOT NULL
);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
CREATE TABLE usage_budgets (
	org_id text PRIMARY KEY,
	amount double precision NOT NULL,
	currency text NOT NULL,
	updated timestamptz NOT NULL
);
CREATE TABLE saved_searches (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner text NOT NULL,
	name text NOT NULL,
	scope text NOT NULL,            -- an organization ID, or '' for every organization
	query text NOT NULL,
	created timestamptz NOT NULL DEFAULT now(),
	UNIQUE (owner, scope, name)
);
-- Indexes start with the organization, as in SQLite: searches always name
-- their organizations, and a sync writes one organization at a time.
CREATE TABLE audit_entries (
	rowid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id text NOT NULL,
	org_id text NOT NULL,
	action_time timestamptz NOT NULL,
	actor_email text NOT NULL,
	actor_email_key text NOT NULL,  -- actor_email in ASCII lower case, as SQLite's NOCASE compares it
	actor_id text NOT NULL,
	actor_ip text NOT NULL,
	actor_token_id text NOT NULL,
	actor_token_name text NOT NULL,
	actor_context text NOT NULL,
	action_type text NOT NULL,
	action_result text NOT NULL,
	resource_id text NOT NULL,
	resource_product text NOT NULL,
	resource_type text NOT NULL,
	method text NOT NULL,
	status_code integer NOT NULL,
	ray text NOT NULL,
	body text NOT NULL,             -- the entry as the API sent it
	doc tsvector NOT NULL           -- its words (audit.Words) with their positions
);
CREATE UNIQUE INDEX audit_entries_org_id ON audit_entries (org_id, id);
CREATE INDEX audit_entries_org_time ON audit_entries (org_id, action_time);
CREATE INDEX audit_entries_org_actor ON audit_entries (org_id, actor_email_key, action_time);
CREATE INDEX audit_entries_org_resource ON audit_entries (org_id, resource_id, action_time);
CREATE INDEX audit_entries_time ON audit_entries (action_time);
CREATE INDEX audit_entries_doc ON audit_entries USING gin (doc);
CREATE TABLE audit_sync_state (
	org_id text PRIMARY KEY,
	window_start timestamptz NOT NULL,   -- the oldest time the sync covers
	backfill_before timestamptz,         -- the backfill has fetched everything newer; NULL when done
	newest timestamptz NOT NULL,         -- the newest entry time synced
	synced bigint NOT NULL,              -- entries stored
	paused_until timestamptz NOT NULL,
	error text NOT NULL,
	updated timestamptz NOT NULL
);
CREATE INDEX audit_sync_state_updated ON audit_sync_state (updated);
CREATE TABLE audit_sync_leases (
	org_id text PRIMARY KEY,
	holder text NOT NULL,                -- the instance that syncs the organization
	expires timestamptz NOT NULL         -- by the database's clock, the one all instances share
);
CREATE TABLE audit_api_history (
	org_id text NOT NULL,
	resource_id text NOT NULL,
	status text NOT NULL,                -- exact, approximate or unavailable
	before timestamptz NOT NULL,         -- the entries are those before this time
	body text NOT NULL,                  -- the entries, a JSON array
	fetched timestamptz NOT NULL,
	PRIMARY KEY (org_id, resource_id)
);
CREATE TABLE upstream_budgets (
	token_key text PRIMARY KEY,          -- a key naming the token, never the token
	tokens double precision NOT NULL,    -- calls left at "at"
	at timestamptz NOT NULL
);`},
	{"the usage store and rate cards", usageLayout},
	{"alert rules and their deliveries", alertsLayout},
	{"cost rules, digests and e-mail destinations", alertKindsLayout},
	{"usage rollups of sets of organizations", rollupsLayout},
	{"alert deliveries recorded before they are sent", alertPendingLayout},
}

// lockMigrations is the advisory lock instances take to migrate one at a time.
const lockMigrations = 0x6f7267626f617264 // "orgboard"

// migrate applies the migrations the database has not had.
func migrate(ctx context.Context, pool *pgxpool.Pool, list []migration) error {
	return migrateTo(ctx, pool, list, len(list))
}

// migrateTo is migrate up to version to (tests start from each version).
func migrateTo(ctx context.Context, pool *pgxpool.Pool, list []migration, to int) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockMigrations)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
			INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT FROM schema_version)`)
		return err
	})
	if err != nil {
		return err
	}
	for {
		done := false
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockMigrations)); err != nil {
				return err
			}
			var v int
			if err := tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
				return err
			}
			if v > len(list) {
				return fmt.Errorf("the database is of layout %d, newer than this Orgboard knows (%d): run a newer Orgboard", v, len(list))
			}
			if v >= to {
				done = true
				return nil
			}
			if _, err := tx.Exec(ctx, list[v].sql); err != nil {
				return fmt.Errorf("migration %d (%s): %w", v+1, list[v].name, err)
			}
			_, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1`, v+1)
			return err
		})
		if err != nil || done {
			return err
		}
	}
}

// redact keeps a password in the database URL out of an error message.
func redact(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if err == nil || perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}
