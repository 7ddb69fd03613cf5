// audit_search.go answers a selection page by page, newest first, with
// cursors.

package sqlite

import (
	"context"
	"encoding/json"

	"orgboard/internal/audit"
	"orgboard/internal/store/sqlstore"
)

// Search returns a page of results, newest first unless ascending.
func (x *AuditIndex) Search(ctx context.Context, s audit.Selection, after *audit.Cursor, ascending bool, limit int) (audit.Page, error) {
	where, args, text := compileText(s, textDeferred)
	order, cmp := "action_time DESC, rowid DESC", "<"
	if ascending {
		order, cmp = "action_time ASC, rowid ASC", ">"
	}
	if after != nil {
		where += " AND (action_time, rowid) " + cmp + " (?, ?)"
		args = append(args, after.Time, after.RowID)
	}
	if text != nil {
		return x.searchKeys(ctx, from(s), where, args, order, text, limit)
	}
	rows, err := x.db.R.QueryContext(ctx, "SELECT rowid, body FROM "+from(s)+" WHERE "+where+" ORDER BY "+order+" LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return audit.Page{}, err
	}
	defer rows.Close()
	var p audit.Page
	for rows.Next() {
		if len(p.Rows) == limit {
			p.Next = p.After()
			break
		}
		var r audit.Row
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

// searchKeys is Search for a selective query whose free text is checked
// row by row. The matching rows are sorted by their keys alone (from the
// index, when the filters are indexed: the organization, actor or resource
// and time), and entries are read in that order, a few at a time, only
// until the page is full: sorting whole entries of a busy actor over 2,000
// organizations took 117 ms, most of it for rows the page never shows.
func (x *AuditIndex) searchKeys(ctx context.Context, from, where string, args []any, order string, text *textCheck, limit int) (audit.Page, error) {
	keys, err := x.keys(ctx, "SELECT rowid FROM "+from+" WHERE "+where+" ORDER BY "+order, args)
	if err != nil {
		return audit.Page{}, err
	}
	var p audit.Page
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
			r := audit.Row{RowID: id}
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
				p.Next = p.After()
				return p, nil
			}
			p.Rows = append(p.Rows, r)
		}
	}
	return p, nil
}

func (x *AuditIndex) keys(ctx context.Context, query string, args []any) ([]int64, error) {
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
func (x *AuditIndex) bodies(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := x.db.R.QueryContext(ctx, "SELECT rowid, body FROM audit_entries WHERE rowid IN ("+sqlstore.Placeholders(len(ids))+")", args...)
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
