// audit_older.go keeps what the API's history endpoint answered for a
// resource, for its entries older than the synced window.

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/audit"
)

// OlderHistory returns what is kept of a resource's older history.
func (x *AuditIndex) OlderHistory(ctx context.Context, org, resource string) (audit.OlderHistory, bool, error) {
	var h audit.OlderHistory
	var body []byte
	err := x.db.Pool.QueryRow(ctx, `SELECT status, before, body FROM audit_api_history WHERE org_id = $1 AND resource_id = $2`, org, resource).
		Scan(&h.Status, &h.Before, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, err
	}
	return h, true, json.Unmarshal(body, &h.Entries)
}

// KeepOlderHistory stores a resource's older history.
func (x *AuditIndex) KeepOlderHistory(ctx context.Context, org, resource string, h audit.OlderHistory, at time.Time) error {
	body, err := json.Marshal(h.Entries)
	if err != nil {
		return err
	}
	_, err = x.db.Pool.Exec(ctx, `INSERT INTO audit_api_history(org_id, resource_id, status, before, body, fetched) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id, resource_id) DO UPDATE SET status = excluded.status, before = excluded.before, body = excluded.body, fetched = excluded.fetched`,
		org, resource, h.Status, h.Before.UTC(), string(body), at.UTC())
	return err
}
