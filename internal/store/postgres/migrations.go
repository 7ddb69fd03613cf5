// migrations.go is the ordered list of the database's layouts. The
// schema_version table holds the last one applied; each migration runs in
// its own transaction with the version it brings (sqlstore.Migrate), under
// an advisory lock, so that instances starting together apply each once.

package postgres

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"

	"orgboard/internal/store/sqlstore"
)

// migration is one step of the layout.
type migration = sqlstore.Migration

// migrations lay the database out; a new one goes at the end, never in
// between, and none is ever edited once released.
var migrations = append(append([]migration{
	{Name: "sessions, budgets, saved searches, the audit index, sync state and leases, upstream budgets", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutSessions) + `
CREATE INDEX sessions_last_seen ON sessions (last_seen);
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
` + sqlstore.Postgres.Layout(sqlstore.LayoutAPIHistory("audit_api_history")) + `
CREATE TABLE upstream_budgets (
	token_key text PRIMARY KEY,          -- a key naming the token, never the token
	tokens double precision NOT NULL,    -- calls left at "at"
	at timestamptz NOT NULL
);`},
}, sqlstore.SharedLayouts(sqlstore.Postgres)...), []migration{
	// the shared stores write a list as a JSON array of strings, as SQLite keeps it
	{Name: "the alert rules' lists as JSON text", SQL: `
ALTER TABLE alert_rules ALTER COLUMN cursor_seen TYPE text USING array_to_json(cursor_seen)::text;
ALTER TABLE alert_rules ALTER COLUMN emails DROP DEFAULT;
ALTER TABLE alert_rules ALTER COLUMN emails TYPE text USING array_to_json(emails)::text;
ALTER TABLE alert_rules ALTER COLUMN emails SET DEFAULT '[]';`},
	{Name: "exchange-rate tables", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutFXTables)},
	{Name: "the tree's history", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutTreeEvents), Then: sqlstore.BackfillTree(sqlstore.Postgres)},
	{Name: "cost rules in a reporting currency", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutAlertReport)},
	{Name: "changes proposed for approval", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutChanges)},
	{Name: "the entries' summary fields by organization and day", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutAuditDays), Then: sqlstore.BackfillDays(sqlstore.Postgres)},
	// a month's value is tens of kilobytes of numbers that compress little:
	// kept out of line uncompressed, it reads without pglz's work
	{Name: "fine usage sums a row per organization and month", SQL: `ALTER TABLE usage_fine ALTER COLUMN sums SET STORAGE EXTERNAL`,
		Then: sqlstore.MergeFineDays(sqlstore.Postgres)},
	{Name: "the days' fetch times indexed", SQL: sqlstore.Postgres.Layout(sqlstore.LayoutUsageFetched)},
}...)

// lockMigrations is the advisory lock instances take to migrate one at a time.
const lockMigrations = 0x6f7267626f617264 // "orgboard"

// migrate applies the migrations of list that db has not had, up to
// version to (tests start from each version).
func migrate(ctx context.Context, db *sql.DB, list []migration, to int) error {
	return sqlstore.Migrate(ctx, db, list, to, schemaVersion{})
}

// schemaVersion keeps the layout's version in a table of one row, read
// under a transaction's advisory lock.
type schemaVersion struct{}

func (schemaVersion) Current(ctx context.Context, tx *sql.Tx) (int, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockMigrations)); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
		return 0, err
	}
	var v int
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

func (schemaVersion) Set(ctx context.Context, tx *sql.Tx, v int) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES ($1)`, v)
	return err
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
