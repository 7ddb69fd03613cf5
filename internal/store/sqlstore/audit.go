// audit.go is the part of the audit index (audit.Store) both databases
// keep alike: the entries' fields as conditions, single entries, a
// resource's history, and what reads a whole selection (export, count,
// summary). A backend adds its full text (FullText) and how it searches
// a page and writes.

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"iter"
	"strconv"
	"strings"

	"orgboard/internal/api"
	"orgboard/internal/audit"
)

// FullText is what a backend's full-text index adds to a selection.
type FullText interface {
	// Select is the FROM clause (audit_entries, perhaps with the index
	// to use) and the WHERE clause, with ? placeholders, of every entry of
	// a selection; counting: every match is to be read.
	Select(s audit.Selection, counting bool) (from, where string, args []any)
	// Forget removes an entry's text, in the transaction that deletes its
	// row (nothing to do where the text is a column of the row).
	Forget(ctx context.Context, tx *Tx, rowid int64, body []byte) error
}

// AuditIndex is the shared part of audit.Store.
type AuditIndex struct {
	DB       *DB
	Text     FullText
	scanOnly bool // see ScanOnly
}

// ScanOnly makes every summary read the entries, never audit_days:
// benchmarks compare the two (set it before the index is used).
func (x *AuditIndex) ScanOnly(on bool) { x.scanOnly = on }

// Filters are the conditions of a plan on the entries' fields: its
// organizations, its time range, and each filter's alternatives. email
// is the condition of one address (the databases compare addresses
// without ASCII case in their own ways).
func Filters(d *Dialect, p audit.Plan, email func(string) (cond string, arg any)) ([]string, []any) {
	conds := []string{"org_id IN (" + Placeholders(len(p.Orgs)) + ")", "action_time >= ? AND action_time < ?"}
	args := append(Args(p.Orgs), d.Time(p.Since), d.Time(p.Before))
	match := func(m audit.Match) string {
		alts := make([]string, 0, len(m))
		for _, cv := range m {
			switch cv.Column {
			case "actor_email":
				cond, arg := email(cv.Value)
				alts, args = append(alts, cond), append(args, arg)
			case "status_code":
				n, err := strconv.ParseInt(cv.Value, 10, 32)
				if err != nil {
					alts = append(alts, "1 = 0") // not a number: no entry has it
					continue
				}
				alts, args = append(alts, "status_code = ?"), append(args, n)
			default:
				alts, args = append(alts, cv.Column+" = ?"), append(args, cv.Value) // audit's columns are the table's
			}
		}
		return "(" + strings.Join(alts, " OR ") + ")"
	}
	for _, m := range p.None {
		conds = append(conds, "NOT "+match(m))
	}
	for _, m := range p.All {
		conds = append(conds, match(m))
	}
	return conds, args
}

// exportPage is how many entries an export reads at a time: nothing holds
// the whole result.
const exportPage = 2000

// All streams every entry of a selection, newest first, a page at a time.
func (x *AuditIndex) All(ctx context.Context, s audit.Selection) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		var after *audit.Cursor
		for {
			from, where, args := x.Text.Select(s, false)
			if after != nil {
				where += " AND (action_time, rowid) < (?, ?)"
				args = append(args, x.DB.D.Micros(after.Time), after.RowID)
			}
			n := 0
			stop := false
			rows, err := x.DB.Query(ctx, "SELECT rowid, action_time, body FROM "+from+" WHERE "+where+
				" ORDER BY action_time DESC, rowid DESC LIMIT "+strconv.Itoa(exportPage), args...)
			err = Rows(rows, err, func(rows *sql.Rows) error {
				var c audit.Cursor
				var body []byte
				if err := rows.Scan(&c.RowID, MicrosOf(&c.Time), &body); err != nil {
					return err
				}
				after, n = &c, n+1
				if !yield(body, nil) {
					stop = true
					return errStop
				}
				return nil
			})
			switch {
			case stop:
				return
			case err != nil:
				yield(nil, err)
				return
			case n < exportPage:
				return
			}
		}
	}
}

var errStop = errors.New("stopped")

// Count is the number of entries of a selection.
func (x *AuditIndex) Count(ctx context.Context, s audit.Selection) (int, error) {
	from, where, args := x.Text.Select(s, true)
	var n int
	err := x.DB.QueryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args...).Scan(&n)
	return n, err
}

// Facts reads the summary's fields of every match in one pass (six
// queries, one per number, read a broad result six times); a summary
// counts from audit_days first where they can answer (CountFacts).
func (x *AuditIndex) Facts(ctx context.Context, s audit.Selection, each func(audit.Fact)) error {
	from, where, args := x.Text.Select(s, true)
	rows, err := x.DB.Query(ctx, `SELECT action_time, actor_email, action_type, action_result, resource_product, resource_type FROM `+
		from+` WHERE `+where, args...)
	return Rows(rows, err, func(rows *sql.Rows) error {
		var f audit.Fact
		if err := rows.Scan(TimeOf(&f.Time), &f.Actor, &f.Action, &f.Result, &f.Product, &f.Type); err != nil {
			return err
		}
		each(f)
		return nil
	})
}

// Entry returns one entry by ID, and its organization, if it is one of orgs'.
func (x *AuditIndex) Entry(ctx context.Context, id string, orgs []string) (api.AuditEntry, string, error) {
	var e api.AuditEntry
	var org string
	var body []byte
	err := x.DB.QueryRow(ctx, `SELECT org_id, body FROM `+x.DB.D.From("audit_entries", "entries_org_id")+` WHERE id = ? AND org_id IN (`+
		Placeholders(len(orgs))+`) LIMIT 1`, append([]any{id}, Args(orgs)...)...).Scan(&org, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return e, "", audit.ErrNotFound
	}
	if err != nil {
		return e, "", err
	}
	return e, org, json.Unmarshal(body, &e)
}

// History is a resource's entries in orgs, oldest first (at most 5,000).
func (x *AuditIndex) History(ctx context.Context, resource string, orgs []string) ([]api.AuditEntry, error) {
	var out []api.AuditEntry
	rows, err := x.DB.Query(ctx, `SELECT body FROM `+x.DB.D.From("audit_entries", "entries_org_resource")+` WHERE resource_id = ? AND org_id IN (`+
		Placeholders(len(orgs))+`) ORDER BY action_time, rowid LIMIT 5000`, append([]any{resource}, Args(orgs)...)...)
	return out, Rows(rows, err, func(rows *sql.Rows) error {
		var body []byte
		var e api.AuditEntry
		if err := rows.Scan(&body); err != nil {
			return err
		}
		out = append(out, e)
		return json.Unmarshal(body, &out[len(out)-1])
	})
}
