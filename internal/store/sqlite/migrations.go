// migrations.go is the ordered list of each SQLite database's layouts; a
// database records the last one applied in its user_version, and each
// migration runs in its own transaction with the version it brings.

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migration is one step of a database's layout.
type migration struct {
	name string
	sql  string
}

// consoleMigrations lay out orgboard.db. The first adopts a database made
// before versions were counted (its statements change nothing there).
var consoleMigrations = []migration{
	{"sessions and budgets", `
CREATE TABLE IF NOT EXISTS sessions (
	id_hash TEXT PRIMARY KEY,    -- SHA-256 of the cookie's ID: a database leak yields no usable cookie
	sealed BLOB NOT NULL,        -- the token, AES-GCM with the session as additional data
	token_id TEXT NOT NULL,
	email TEXT NOT NULL,
	created INTEGER NOT NULL,    -- Unix seconds
	last_seen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_budgets (
	org_id TEXT PRIMARY KEY,
	amount REAL NOT NULL,
	currency TEXT NOT NULL,
	updated INTEGER NOT NULL
);`},
	{"the usage store and rate cards", usageDaysLayout + rateCardsLayout},
	{"alert rules and their deliveries", alertsLayout},
	{"cost rules, digests and e-mail destinations", alertKindsLayout},
	{"usage rollups of sets of organizations", rollupsLayout},
	{"alert deliveries recorded before they are sent", alertPendingLayout},
	// handOverUsage has copied the usage store into usage.db first
	{"the usage store in usage.db; saved searches here", `
DROP TABLE IF EXISTS usage_days;
DROP TABLE IF EXISTS usage_fine;
DROP TABLE IF EXISTS usage_rollups;` + savedSearchesLayout},
}

// usageMigrations lay out usage.db: a copy of what Cloudflare's billable
// usage answered, kept so that it is never fetched twice.
var usageMigrations = []migration{
	{"the usage store's days and their rollups", usageDaysLayout + rollupsLayout},
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

// auditMigrations lay out audit.db. Its entries are a copy of the API's:
// a migration may empty them, and the next search syncs them again (saved
// searches, here until its fourth layout, are taken to orgboard.db first).
var auditMigrations = []migration{
	{"entries, their full text, sync state, saved searches", `
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
	{"indexes by organization first; an entry's ID unique within its organization", `
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
	{"older histories from the API's history endpoint", `
CREATE TABLE IF NOT EXISTS api_history (
	org_id TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	status TEXT NOT NULL,           -- exact, approximate or unavailable
	before INTEGER NOT NULL,        -- the entries are those before this time
	body TEXT NOT NULL,             -- the entries, a JSON array
	fetched INTEGER NOT NULL,
	PRIMARY KEY (org_id, resource_id)
);`},
	// takeSavedSearches has copied them into orgboard.db first
	{"saved searches in orgboard.db", `DROP TABLE IF EXISTS saved_searches;`},
}

// migrate applies the migrations db has not had, each in a transaction
// that also sets its version. A database of a newer layout than this
// program knows is refused rather than used wrongly.
func migrate(ctx context.Context, db *sql.DB, list []migration) error {
	return migrateTo(ctx, db, list, len(list))
}

// migrateTo is migrate up to version to (tests start from each version).
func migrateTo(ctx context.Context, db *sql.DB, list []migration, to int) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v > len(list) {
		return fmt.Errorf("the database is of layout %d, newer than this Orgboard knows (%d): run a newer Orgboard", v, len(list))
	}
	for ; v < to; v++ {
		m := list[v]
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d (%s): %w", v+1, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d (%s): %w", v+1, m.name, err)
		}
	}
	return nil
}
