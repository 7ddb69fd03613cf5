// history.go reads single entries and a resource's entries in time order.

package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"orgboard/internal/api"
)

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

// ErrNotFound is a missing entry or saved search.
var ErrNotFound = errors.New("not found")

// IsNotFound reports a missing entry or saved search.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
