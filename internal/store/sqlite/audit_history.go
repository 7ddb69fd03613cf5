// audit_history.go reads single entries and a resource's entries in time
// order.

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"orgboard/internal/api"
	"orgboard/internal/audit"
)

// Entry returns one entry by ID, and its organization, if it belongs to an
// organization of the scope.
func (x *AuditIndex) Entry(ctx context.Context, id string, orgs []string) (api.AuditEntry, string, error) {
	var e api.AuditEntry
	args := []any{id}
	for _, o := range orgs {
		args = append(args, o)
	}
	var org string
	var body []byte
	err := x.db.R.QueryRowContext(ctx, `SELECT org_id, body FROM entries INDEXED BY entries_org_id WHERE id = ? AND org_id IN (`+placeholders(len(orgs))+`)`, args...).Scan(&org, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return e, "", audit.ErrNotFound
	}
	if err != nil {
		return e, "", err
	}
	return e, org, json.Unmarshal(body, &e)
}

// History is every entry for one resource in time order, within the scope.
func (x *AuditIndex) History(ctx context.Context, resource string, orgs []string) ([]api.AuditEntry, error) {
	args := []any{resource}
	for _, o := range orgs {
		args = append(args, o)
	}
	rows, err := x.db.R.QueryContext(ctx, `SELECT body FROM entries INDEXED BY entries_org_resource WHERE resource_id = ? AND org_id IN (`+placeholders(len(orgs))+`)
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
