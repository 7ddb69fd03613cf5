// audit_read.go answers selections: pages with cursors, exports, counts,
// summaries, single entries and a resource's history.

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/api"
	"orgboard/internal/audit"
)

// Search returns a page of a selection, newest first unless ascending.
func (x *AuditIndex) Search(ctx context.Context, s audit.Selection, after *audit.Cursor, ascending bool, limit int) (audit.Page, error) {
	var q query
	plan := s.Plan()
	filters, text := q.parts(plan)
	order, cmp := "action_time DESC, rowid DESC", "<"
	if ascending {
		order, cmp = "action_time ASC, rowid ASC", ">"
	}
	if after != nil {
		filters = append(filters, "(action_time, rowid) "+cmp+" ("+q.arg(micros(after.Time))+", "+q.arg(after.RowID)+")")
	}
	n := q.arg(limit + 1)
	stmt := "SELECT rowid, body FROM audit_entries WHERE " + strings.Join(append(filters, text...), " AND ") + " ORDER BY " + order + " LIMIT " + n
	if plan.Index != "" {
		// An actor's or a resource's entries are few: read them by their
		// index, check their words, and only then the page's entries. Left
		// to itself, the planner (misjudging how many entries hold a
		// phrase) intersected the full-text index with the time index:
		// 70 against 16 ms for a busy actor's week over 2,000 organizations.
		stmt = `WITH candidates AS MATERIALIZED (SELECT rowid, action_time, doc FROM audit_entries WHERE ` + strings.Join(filters, " AND ") + `),
			page AS (SELECT rowid, action_time FROM candidates WHERE ` + strings.Join(append(text, "TRUE"), " AND ") + ` ORDER BY ` + order + ` LIMIT ` + n + `)
			SELECT e.rowid, e.body FROM page JOIN audit_entries e USING (rowid) ORDER BY page.` + strings.ReplaceAll(order, ", rowid", ", page.rowid")
	}
	rows, err := x.db.Pool.Query(ctx, stmt, q.args...)
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

// exportPage is how many entries an export reads at a time.
const exportPage = 2000

// All streams every entry of a selection, newest first, a page at a time.
func (x *AuditIndex) All(ctx context.Context, s audit.Selection) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		var after *audit.Cursor
		for {
			var q query
			where := q.where(s)
			if after != nil {
				where += " AND (action_time, rowid) < (" + q.arg(micros(after.Time)) + ", " + q.arg(after.RowID) + ")"
			}
			rows, err := x.db.Pool.Query(ctx, "SELECT rowid, action_time, body FROM audit_entries WHERE "+where+
				" ORDER BY action_time DESC, rowid DESC LIMIT "+q.arg(exportPage), q.args...)
			if err != nil {
				yield(nil, err)
				return
			}
			n := 0
			for rows.Next() {
				var c audit.Cursor
				var body []byte
				var t time.Time
				if err := rows.Scan(&c.RowID, &t, &body); err != nil {
					rows.Close()
					yield(nil, err)
					return
				}
				c.Time = t.UnixMicro()
				after, n = &c, n+1
				if !yield(body, nil) {
					rows.Close()
					return
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				yield(nil, err)
				return
			}
			if n < exportPage {
				return
			}
		}
	}
}

// Count is the number of entries of a selection.
func (x *AuditIndex) Count(ctx context.Context, s audit.Selection) (int, error) {
	var q query
	where := q.where(s)
	var n int
	err := x.db.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_entries WHERE "+where, q.args...).Scan(&n)
	return n, err
}

// Facts reads the summary's fields of every entry of a selection.
func (x *AuditIndex) Facts(ctx context.Context, s audit.Selection, each func(audit.Fact)) error {
	var q query
	where := q.where(s)
	rows, err := x.db.Pool.Query(ctx, `SELECT action_time, actor_email, action_type, action_result, resource_product, resource_type
		FROM audit_entries WHERE `+where, q.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f audit.Fact
		if err := rows.Scan(&f.Time, &f.Actor, &f.Action, &f.Result, &f.Product, &f.Type); err != nil {
			return err
		}
		each(f)
	}
	return rows.Err()
}

// Entry returns one entry by ID, and its organization, if it is one of orgs'.
func (x *AuditIndex) Entry(ctx context.Context, id string, orgs []string) (api.AuditEntry, string, error) {
	var e api.AuditEntry
	var org string
	var body []byte
	err := x.db.Pool.QueryRow(ctx, `SELECT org_id, body FROM audit_entries WHERE id = $1 AND org_id = ANY($2) LIMIT 1`, id, orgs).Scan(&org, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, "", audit.ErrNotFound
	}
	if err != nil {
		return e, "", err
	}
	return e, org, json.Unmarshal(body, &e)
}

// History is a resource's entries in orgs, oldest first.
func (x *AuditIndex) History(ctx context.Context, resource string, orgs []string) ([]api.AuditEntry, error) {
	rows, err := x.db.Pool.Query(ctx, `SELECT body FROM audit_entries WHERE resource_id = $1 AND org_id = ANY($2)
		ORDER BY action_time, rowid LIMIT 5000`, resource, orgs)
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
