// audit_older.go keeps what the API's history endpoint answered for a
// resource, for its entries older than the synced window.

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"orgboard/internal/audit"
)

// OlderHistory returns what is kept of a resource's older history.
func (x *AuditIndex) OlderHistory(ctx context.Context, org, resource string) (audit.OlderHistory, bool, error) {
	var h audit.OlderHistory
	var before int64
	var body string
	err := x.db.R.QueryRowContext(ctx, `SELECT status, before, body FROM api_history WHERE org_id = ? AND resource_id = ?`, org, resource).Scan(&h.Status, &before, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, err
	}
	h.Before = time.UnixMicro(before)
	return h, true, json.Unmarshal([]byte(body), &h.Entries)
}

// KeepOlderHistory stores a resource's older history.
func (x *AuditIndex) KeepOlderHistory(ctx context.Context, org, resource string, h audit.OlderHistory, at time.Time) error {
	body, err := json.Marshal(h.Entries)
	if err != nil {
		return err
	}
	_, err = x.db.W.ExecContext(ctx, `INSERT INTO api_history(org_id, resource_id, status, before, body, fetched) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(org_id, resource_id) DO UPDATE SET status = excluded.status, before = excluded.before, body = excluded.body, fetched = excluded.fetched`,
		org, resource, h.Status, h.Before.UnixMicro(), string(body), at.UnixMicro())
	return err
}
