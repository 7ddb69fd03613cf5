// search.go answers a query page by page, newest first, with cursors.

package audit

import (
	"context"
	"encoding/json"
	"errors"
	"orgboard/internal/api"
	"strconv"
	"strings"
)

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
