// schema.go is the index's layout (entries, their full-text table, sync
// state, saved searches) and how an entry becomes a row.

package audit

import (
	"encoding/json"
	"strings"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock"
	"orgboard/internal/sqlitedb"
)

// Schema is the index: one row per entry with the filterable fields, the
// entry as the API sent it, and a contentless FTS5 table over its text.
const Schema = `
CREATE TABLE IF NOT EXISTS entries (
	rowid INTEGER PRIMARY KEY,
	id TEXT NOT NULL,
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
-- Every index but the time index starts with the organization: a sync
-- writes one organization's entries at a time, so its inserts land on a few
-- neighbouring pages instead of pages all over an index (a commit costs per
-- page it touches). Searches always name their organizations.
CREATE UNIQUE INDEX IF NOT EXISTS entries_org_id ON entries(org_id, id);
CREATE INDEX IF NOT EXISTS entries_org_time ON entries(org_id, time);
CREATE INDEX IF NOT EXISTS entries_org_actor ON entries(org_id, actor_email, time);
CREATE INDEX IF NOT EXISTS entries_org_resource ON entries(org_id, resource_id, time);
CREATE INDEX IF NOT EXISTS entries_time ON entries(time);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(doc, content='', columnsize=0);
CREATE TABLE IF NOT EXISTS sync_state (
	org_id TEXT PRIMARY KEY,
	window_start INTEGER NOT NULL,  -- oldest time the sync covers
	backfill_before INTEGER,        -- the backfill has fetched everything newer than this; NULL when done
	newest INTEGER NOT NULL,        -- newest entry time synced
	synced INTEGER NOT NULL,        -- entries stored
	paused_until INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	updated INTEGER NOT NULL
);
-- a resource's entries older than the synced window, as the API's history
-- endpoint gave them: fetched once, since audit entries do not change
CREATE TABLE IF NOT EXISTS api_history (
	org_id TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	status TEXT NOT NULL,           -- exact, approximate or unavailable
	before INTEGER NOT NULL,        -- the entries are those before this time
	body TEXT NOT NULL,             -- the entries, a JSON array
	fetched INTEGER NOT NULL,
	PRIMARY KEY (org_id, resource_id)
);
CREATE TABLE IF NOT EXISTS saved_searches (
	id INTEGER PRIMARY KEY,
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	scope TEXT NOT NULL,            -- an organization ID, or '' for every organization
	query TEXT NOT NULL,
	created INTEGER NOT NULL,
	UNIQUE (owner, scope, name)
);`

// Index is the local audit index.
type Index struct {
	db  *sqlitedb.DB
	now func() time.Time
}

// NewIndex uses db, opened with Open; its "now" (the default window, sync
// state) comes from clk (nil: the machine's clock).
func NewIndex(db *sqlitedb.DB, clk clock.Clock) *Index { return &Index{db: db, now: clock.Or(clk).Now} }

// row is an entry ready to store: its JSON and its full-text document are
// made by the fetching goroutines, so the one writer only writes.
type row struct {
	e         *api.AuditEntry
	body, doc string
}

func prepare(entries []api.AuditEntry) ([]row, error) {
	out := make([]row, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.ID == "" {
			continue // an entry without an ID cannot be told apart from its copies
		}
		body := e.Wire() // as the API sent it: exports give the API's own JSON
		if body == nil {
			var err error
			if body, err = json.Marshal(e); err != nil {
				return nil, err
			}
		}
		out = append(out, row{e: e, body: string(body), doc: document(e)})
	}
	return out, nil
}

// document is the text free-text search sees. Fields that have their own
// filter (result, action type, context, method, ray, status) stay out:
// every token costs index time, and filters find those exactly.
func document(e *api.AuditEntry) string {
	return strings.Join([]string{e.Action.Description, e.Actor.Email, e.Actor.IPAddress, e.Actor.TokenName, e.Resource.ID,
		e.Resource.Product, e.Resource.Type, e.Raw.URI, string(e.Resource.Request), string(e.Resource.Response)}, " ")
}

// Scope is what a search may see: the organizations the user may read now.
type Scope struct {
	Orgs []string
}
