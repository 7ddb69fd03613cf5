package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"iter"
	"strconv"
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

// DefaultWindow is how far back a query without since: looks.
const DefaultWindow = 90 * 24 * time.Hour

// Window is the time range a query covers: since: or the default window,
// before: or now.
func (x *Index) Window(q Query) (since, before time.Time) {
	since, before = q.Since, q.Before
	if since.IsZero() {
		since = x.now().Add(-DefaultWindow)
	}
	if before.IsZero() {
		before = x.now()
	}
	return since, before
}

// textMode is how a compiled query checks its free text.
type textMode int

const (
	textAuto     textMode = iota // as the query's shape suggests (see compileText)
	textDeferred                 // a selective search over a short range leaves it to Search (see textCheck)
	textCounting                 // a count reads every match: the index's matches first (per row, 804 against 608 ms for an actor's week)
)

// compile turns a query into a WHERE clause over entries.
func (x *Index) compile(q Query, s Scope, mode textMode) (string, []any, error) {
	where, args, _, err := x.compileText(q, s, mode)
	return where, args, err
}

// compileText is compile; in textDeferred mode, a selective search over a
// short range leaves its free text out of the SQL and returns it for Search
// to check row by row.
func (x *Index) compileText(q Query, s Scope, mode textMode) (string, []any, *textCheck, error) {
	if len(s.Orgs) == 0 {
		return "0", nil, nil, nil
	}
	var w []string
	var args []any
	w = append(w, "org_id IN ("+placeholders(len(s.Orgs))+")")
	for _, o := range s.Orgs {
		args = append(args, o)
	}
	since, before := x.Window(q)
	if q.Before.IsZero() {
		before = before.Add(time.Minute) // an entry stamped by a clock a little ahead is in
	}
	w = append(w, "time >= ? AND time < ?")
	args = append(args, since.UnixMicro(), before.UnixMicro())
	// positive filters of one field are alternatives; of different fields, all must hold
	positive := map[string][]string{}
	var order []string
	for _, f := range q.Filters {
		cols := columnsFor(f)
		match := "(" + strings.Join(mapCols(cols, func(c string) string { return c + " = ?" }), " OR ") + ")"
		vals := make([]any, len(cols))
		for i := range cols {
			vals[i] = f.Value
		}
		if f.Negate {
			w = append(w, "NOT "+match)
			args = append(args, vals...)
			continue
		}
		if _, seen := positive[f.Field]; !seen {
			order = append(order, f.Field)
		}
		positive[f.Field] = append(positive[f.Field], f.Value)
	}
	for _, field := range order {
		var alts []string
		for _, v := range positive[field] {
			for _, c := range columnsFor(Filter{Field: field, Value: v}) {
				alts = append(alts, c+" = ?")
				args = append(args, v)
			}
		}
		w = append(w, "("+strings.Join(alts, " OR ")+")")
	}
	// Free text is checked per row when the time order drives the scan (the
	// first page of a broad search stops early), and materialized when a
	// selective filter drives it (measured over 2,000,000 entries: a broad
	// search 4,185 ms materialized against 21 ms per row; an actor search
	// 179 ms materialized against 400 ms per row).
	// A selective filter over a short range (the usual "what did alice do
	// this week") leaves few rows: Search checks them one by one (see
	// textCheck) instead of materializing every match of common words.
	perRow := !hasSelectiveFilter(q) && mode != textCounting
	shortRange := x.now().Sub(since) <= 31*24*time.Hour
	var must []string
	for _, t := range q.Terms {
		phrase := ftsPhrase(t.Text)
		if phrase == "" {
			continue
		}
		if t.Negate {
			w = append(w, "rowid NOT IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
			args = append(args, phrase)
			continue
		}
		must = append(must, phrase)
	}
	if len(must) > 0 && mode == textDeferred && hasSelectiveFilter(q) && shortRange {
		return strings.Join(w, " AND "), args, newTextCheck(q, strings.Join(must, " AND ")), nil
	}
	if len(must) > 0 {
		if perRow {
			w = append(w, "EXISTS (SELECT 1 FROM entries_fts WHERE entries_fts MATCH ? AND rowid = entries.rowid)")
		} else {
			w = append(w, "rowid IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
		}
		args = append(args, strings.Join(must, " AND "))
	}
	return strings.Join(w, " AND "), args, nil, nil
}

// from is the FROM clause of a query over entries: with two thousand
// organizations bound in a query, SQLite's planner preferred walking the
// time index through every organization's week to reading one actor's
// entries of each organization (323 ms against 20 ms for a busy actor;
// counting the same 3.7 s), so a query with an actor or a resource names
// its index.
func from(q Query) string {
	if i := indexFor(q); i != "" {
		return "entries INDEXED BY " + i
	}
	return "entries"
}

// indexFor names the index for a query's positive actor or resource filter.
func indexFor(q Query) string {
	for _, f := range q.Filters {
		if !f.Negate && f.Field == "actor" && strings.Contains(f.Value, "@") {
			return "entries_org_actor"
		}
	}
	for _, f := range q.Filters {
		if !f.Negate && f.Field == "resource" {
			return "entries_org_resource"
		}
	}
	return "" // ip, ray, token: no index of their own; SQLite chooses
}

// hasSelectiveFilter reports a positive filter on a field with its own
// index or few matches.
func hasSelectiveFilter(q Query) bool {
	for _, f := range q.Filters {
		switch f.Field {
		case "actor", "resource", "ray", "ip", "token":
			if !f.Negate {
				return true
			}
		}
	}
	return false
}

// columnsFor picks the one column a value can be in where the field has two:
// an OR over two columns keeps SQLite off their indexes (measured: 508 ms
// against 94 ms for an actor search over 2,000,000 entries).
func columnsFor(f Filter) []string {
	cols := Fields[f.Field]
	switch f.Field {
	case "actor":
		if strings.Contains(f.Value, "@") {
			return cols[:1]
		}
		return cols[1:]
	case "token":
		if isHexID(f.Value) {
			return cols[1:]
		}
		return cols[:1]
	}
	return cols
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ftsPhrase quotes text as one FTS5 phrase (the tokenizer splits it).
func ftsPhrase(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	return `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
}

func mapCols(cols []string, f func(string) string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = f(c)
	}
	return out
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// Cursor is the position after a row, for the next page.
type Cursor struct {
	Time  int64
	RowID int64
}

func (c Cursor) String() string {
	return strconv.FormatInt(c.Time, 10) + "_" + strconv.FormatInt(c.RowID, 10)
}

// ParseCursor reads a cursor; "" is the first page.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "_")
	t, err1 := strconv.ParseInt(a, 10, 64)
	r, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, errors.New("not a cursor")
	}
	return &Cursor{t, r}, nil
}

// Row is one result.
type Row struct {
	RowID int64
	Entry api.AuditEntry
}

// Page is one page of results.
type Page struct {
	Rows []Row
	Next *Cursor
}

// Search returns a page of results, newest first unless ascending.
func (x *Index) Search(ctx context.Context, q Query, s Scope, after *Cursor, ascending bool, limit int) (Page, error) {
	where, args, text, err := x.compileText(q, s, textDeferred)
	if err != nil {
		return Page{}, err
	}
	order, cmp := "time DESC, rowid DESC", "<"
	if ascending {
		order, cmp = "time ASC, rowid ASC", ">"
	}
	if after != nil {
		where += " AND (time, rowid) " + cmp + " (?, ?)"
		args = append(args, after.Time, after.RowID)
	}
	if text != nil {
		return x.searchKeys(ctx, from(q), where, args, order, text, limit)
	}
	rows, err := x.db.R.QueryContext(ctx, "SELECT rowid, body FROM "+from(q)+" WHERE "+where+" ORDER BY "+order+" LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return Page{}, err
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		if len(p.Rows) == limit {
			p.Next = p.after()
			break
		}
		var r Row
		var body []byte
		if err := rows.Scan(&r.RowID, &body); err != nil {
			return p, err
		}
		if err := json.Unmarshal(body, &r.Entry); err != nil {
			return p, err
		}
		p.Rows = append(p.Rows, r)
	}
	return p, rows.Err()
}

// after is the cursor after the page's last row.
func (p *Page) after() *Cursor {
	last := p.Rows[len(p.Rows)-1]
	return &Cursor{last.Entry.Action.Time.UnixMicro(), last.RowID}
}

// searchKeys is Search for a selective query whose free text is checked
// row by row. The matching rows are sorted by their keys alone (from the
// index, when the filters are indexed: the organization, actor or resource
// and time), and entries are read in that order, a few at a time, only
// until the page is full: sorting whole entries of a busy actor over 2,000
// organizations took 117 ms, most of it for rows the page never shows.
func (x *Index) searchKeys(ctx context.Context, from, where string, args []any, order string, text *textCheck, limit int) (Page, error) {
	keys, err := x.keys(ctx, "SELECT rowid FROM "+from+" WHERE "+where+" ORDER BY "+order, args)
	if err != nil {
		return Page{}, err
	}
	var p Page
	for start, n := 0, 32; start < len(keys); start, n = start+n, min(2*n, 512) {
		batch := keys[start:min(start+n, len(keys))]
		bodies, err := x.bodies(ctx, batch)
		if err != nil {
			return p, err
		}
		for _, id := range batch {
			body, ok := bodies[id]
			if !ok || !text.maybeRaw(body) {
				continue // gone since the keys were read, or cannot match
			}
			r := Row{RowID: id}
			if err := json.Unmarshal(body, &r.Entry); err != nil {
				return p, err
			}
			match, err := text.matches(ctx, x, id, &r.Entry)
			if err != nil {
				return p, err
			}
			if !match {
				continue
			}
			if len(p.Rows) == limit {
				p.Next = p.after()
				return p, nil
			}
			p.Rows = append(p.Rows, r)
		}
	}
	return p, nil
}

func (x *Index) keys(ctx context.Context, query string, args []any) ([]int64, error) {
	rows, err := x.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// bodies reads the entries of some rows.
func (x *Index) bodies(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := x.db.R.QueryContext(ctx, "SELECT rowid, body FROM entries WHERE rowid IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(ids))
	for rows.Next() {
		var id int64
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		out[id] = body
	}
	return out, rows.Err()
}

// Entry returns one entry by ID, and its organization, if it belongs to an
// organization of the scope.
func (x *Index) Entry(ctx context.Context, id string, s Scope) (api.AuditEntry, string, error) {
	var e api.AuditEntry
	if len(s.Orgs) == 0 {
		return e, "", ErrNotFound
	}
	args := []any{id}
	for _, o := range s.Orgs {
		args = append(args, o)
	}
	var org string
	var body []byte
	err := x.db.R.QueryRowContext(ctx, `SELECT org_id, body FROM entries INDEXED BY entries_org_id WHERE id = ? AND org_id IN (`+placeholders(len(s.Orgs))+`)`, args...).Scan(&org, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return e, "", ErrNotFound
	}
	if err != nil {
		return e, "", err
	}
	return e, org, json.Unmarshal(body, &e)
}

// History is every entry for one resource in time order, within the scope.
func (x *Index) History(ctx context.Context, resource string, s Scope) ([]api.AuditEntry, error) {
	if len(s.Orgs) == 0 {
		return nil, nil
	}
	args := []any{resource}
	for _, o := range s.Orgs {
		args = append(args, o)
	}
	rows, err := x.db.R.QueryContext(ctx, `SELECT body FROM entries INDEXED BY entries_org_resource WHERE resource_id = ? AND org_id IN (`+placeholders(len(s.Orgs))+`)
		ORDER BY time, rowid LIMIT 5000`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []api.AuditEntry
	for rows.Next() {
		var body []byte
		var e api.AuditEntry
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// All streams every result of a query, newest first, for export: rows are
// read in pages so that nothing holds the whole result.
func (x *Index) All(ctx context.Context, q Query, s Scope) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		var after *Cursor
		for {
			where, args, err := x.compile(q, s, textAuto)
			if err != nil {
				yield(nil, err)
				return
			}
			if after != nil {
				where += " AND (time, rowid) < (?, ?)"
				args = append(args, after.Time, after.RowID)
			}
			rows, err := x.db.R.QueryContext(ctx, "SELECT rowid, time, body FROM "+from(q)+" WHERE "+where+" ORDER BY time DESC, rowid DESC LIMIT 2000", args...)
			if err != nil {
				yield(nil, err)
				return
			}
			n := 0
			for rows.Next() {
				var body []byte
				var c Cursor
				if err := rows.Scan(&c.RowID, &c.Time, &body); err != nil {
					rows.Close()
					yield(nil, err)
					return
				}
				after, n = &c, n+1
				if !yield(body, nil) {
					rows.Close()
					return
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				yield(nil, err)
				return
			}
			if n < 2000 {
				return
			}
		}
	}
}

// Count is the size of a query's result.
func (x *Index) Count(ctx context.Context, q Query, s Scope) (int, error) {
	where, args, err := x.compile(q, s, textCounting)
	if err != nil {
		return 0, err
	}
	var n int
	err = x.db.R.QueryRowContext(ctx, "SELECT count(*) FROM "+from(q)+" WHERE "+where, args...).Scan(&n)
	return n, err
}

// ErrNotFound is a missing entry or saved search.
var ErrNotFound = errors.New("not found")

// IsNotFound reports a missing entry or saved search.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
