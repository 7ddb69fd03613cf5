// migrations.go is the ordered list of each SQLite database's layouts; a
// database records the last one applied in its user_version, and each
// migration runs in its own transaction with the version it brings.

package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"orgboard/internal/store/sqlstore"
)

// migration is one step of a database's layout.
type migration = sqlstore.Migration

// consoleMigrations lay out orgboard.db. The first adopts a database made
// before versions were counted (its statements change nothing there).
var consoleMigrations = append(append([]migration{
	{Name: "sessions and budgets", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutSessions)},
}, sqlstore.SharedLayouts(sqlstore.SQLite)...), []migration{
	// handOverUsage has copied the usage store into usage.db first
	{Name: "the usage store in usage.db; saved searches here", SQL: `
DROP TABLE IF EXISTS usage_days;
DROP TABLE IF EXISTS usage_fine;
DROP TABLE IF EXISTS usage_rollups;` + savedSearchesLayout},
	{Name: "every time in Unix microseconds, as the alert rules' are", SQL: `
UPDATE sessions SET created = created * 1000000, last_seen = last_seen * 1000000;
UPDATE usage_budgets SET updated = updated * 1000000;
UPDATE rate_cards SET updated = updated * 1000000;
UPDATE saved_searches SET created = created * 1000000;`},
	{Name: "exchange-rate tables", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutFXTables)},
	{Name: "cost rules in a reporting currency", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutAlertReport)},
	{Name: "changes proposed for approval", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutChanges)},
}...)

// usageMigrations lay out usage.db: a copy of what Cloudflare's billable
// usage answered, kept so that it is never fetched twice.
var usageMigrations = []migration{
	{Name: "the usage store's days and their rollups", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutUsageDays + sqlstore.LayoutRollups)},
	{Name: "fetch times in Unix microseconds", SQL: `UPDATE usage_days SET fetched = fetched * 1000000;`},
	{Name: "fine sums a row per organization and month", Then: sqlstore.MergeFineDays(sqlstore.SQLite)},
	{Name: "the days' fetch times indexed", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutUsageFetched)},
}

// savedSearchesLayout keeps people's saved searches (in audit.db before
// orgboard.db's seventh layout).
const savedSearchesLayout = `
CREATE TABLE IF NOT EXISTS saved_searches (
	id INTEGER PRIMARY KEY,
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	scope TEXT NOT NULL,            -- an organization ID, or '' for every organization
	query TEXT NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (owner, scope, name)
);`

// auditMigrations lay out audit.db. Its entries began as a copy of the
// API's, and its early layouts emptied them (the next search synced them
// again); since the tree's history it is a record that outlives what
// Cloudflare keeps (deleted organizations' logs, entries past 18 months),
// and a migration keeps every entry (saved searches, here until its
// fourth layout, are taken to orgboard.db first).
var auditMigrations = []migration{
	{Name: "entries, their full text, sync state, saved searches", SQL: `
CREATE TABLE IF NOT EXISTS entries (
	rowid INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL,
	time INTEGER NOT NULL,
	actor_email TEXT NOT NULL COLLATE NOCASE,
	actor_id TEXT NOT NULL,
	actor_ip TEXT NOT NULL,
	actor_token_id TEXT NOT NULL,
	actor_token_name TEXT NOT NULL,
	actor_context TEXT NOT NULL,
	action_type TEXT NOT NULL,
	action_result TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	resource_product TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	method TEXT NOT NULL,
	status_code INTEGER NOT NULL,
	ray TEXT NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_org_time ON entries(org_id, time);
CREATE INDEX IF NOT EXISTS entries_actor ON entries(actor_email, time);
CREATE INDEX IF NOT EXISTS entries_resource ON entries(resource_id, time);
CREATE INDEX IF NOT EXISTS entries_time ON entries(time);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(doc, content='');
CREATE TABLE IF NOT EXISTS sync_state (
	org_id TEXT PRIMARY KEY,
	window_start INTEGER NOT NULL,
	backfill_before INTEGER,
	newest INTEGER NOT NULL,
	synced INTEGER NOT NULL,
	paused_until INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS saved_searches (
	id INTEGER PRIMARY KEY,
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	scope TEXT NOT NULL,            -- an organization ID, or '' for every organization
	query TEXT NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (owner, scope, name)
);`},
	// Every index but the time index starts with the organization: a sync
	// writes one organization's entries at a time, so its inserts land on a
	// few neighbouring pages instead of pages all over an index (a commit
	// costs per page it touches). Searches always name their organizations.
	// The full-text index keeps a transaction's terms in memory (64 MB) and
	// writes them as one segment at the commit, and merges less eagerly.
	{Name: "indexes by organization first; an entry's ID unique within its organization", SQL: `
DROP TABLE IF EXISTS entries_fts;
DROP TABLE IF EXISTS entries;
DROP TABLE IF EXISTS sync_state;
CREATE TABLE entries (
	rowid INTEGER PRIMARY KEY,
	id TEXT NOT NULL,
	org_id TEXT NOT NULL,
	time INTEGER NOT NULL,           -- Unix microseconds
	actor_email TEXT NOT NULL COLLATE NOCASE,
	actor_id TEXT NOT NULL,
	actor_ip TEXT NOT NULL,
	actor_token_id TEXT NOT NULL,
	actor_token_name TEXT NOT NULL,
	actor_context TEXT NOT NULL,
	action_type TEXT NOT NULL,
	action_result TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	resource_product TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	method TEXT NOT NULL,
	status_code INTEGER NOT NULL,
	ray TEXT NOT NULL,
	body TEXT NOT NULL               -- the entry as the API sent it
);
CREATE UNIQUE INDEX entries_org_id ON entries(org_id, id);
CREATE INDEX entries_org_time ON entries(org_id, time);
CREATE INDEX entries_org_actor ON entries(org_id, actor_email, time);
CREATE INDEX entries_org_resource ON entries(org_id, resource_id, time);
CREATE INDEX entries_time ON entries(time);
CREATE VIRTUAL TABLE entries_fts USING fts5(doc, content='', columnsize=0);
INSERT INTO entries_fts(entries_fts, rank) VALUES('hashsize', 67108864);
INSERT INTO entries_fts(entries_fts, rank) VALUES('automerge', 8);
CREATE TABLE sync_state (
	org_id TEXT PRIMARY KEY,
	window_start INTEGER NOT NULL,  -- oldest time the sync covers
	backfill_before INTEGER,        -- the backfill has fetched everything newer than this; NULL when done
	newest INTEGER NOT NULL,        -- newest entry time synced
	synced INTEGER NOT NULL,        -- entries stored
	paused_until INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	updated INTEGER NOT NULL
);`},
	{Name: "older histories from the API's history endpoint", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutAPIHistory("api_history"))},
	// takeSavedSearches has copied them into orgboard.db first
	{Name: "saved searches in orgboard.db", SQL: `DROP TABLE IF EXISTS saved_searches;`},
	// the same names as in PostgreSQL (the indexes keep theirs: rebuilding
	// them would cost minutes on a large index for no reader's gain)
	{Name: "the audit index's tables named as in PostgreSQL", SQL: `
ALTER TABLE entries RENAME TO audit_entries;
ALTER TABLE audit_entries RENAME COLUMN time TO action_time;
ALTER TABLE entries_fts RENAME TO audit_entries_fts;
ALTER TABLE sync_state RENAME TO audit_sync_state;
ALTER TABLE api_history RENAME TO audit_api_history;`},
	{Name: "the tree's history", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutTreeEvents), Then: sqlstore.BackfillTree(sqlstore.SQLite)},
	{Name: "the entries' summary fields by organization and day", SQL: sqlstore.SQLite.Layout(sqlstore.LayoutAuditDays), Then: sqlstore.BackfillDays(sqlstore.SQLite)},
}

// migrate applies the migrations of list that db has not had, up to
// version to (tests start from each version).
func migrate(ctx context.Context, db *sql.DB, list []migration, to int) error {
	return sqlstore.Migrate(ctx, db, list, to, userVersion{})
}

// userVersion keeps a file's layout version in its header (PRAGMA
// user_version); the one writer connection needs no lock.
type userVersion struct{}

func (userVersion) Current(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	return v, err
}

func (userVersion) Set(ctx context.Context, tx *sql.Tx, v int) error {
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v))
	return err
}
