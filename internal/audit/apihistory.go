// apihistory.go keeps what the API's history endpoint answered for a
// resource, for its entries older than the synced window: audit entries
// never change, so each resource's older history is fetched once.

package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"orgboard/internal/api"
)

// OlderHistory is the entries of a resource before a time, as the API's
// history endpoint gave them, and how exactly it identified the resource.
type OlderHistory struct {
	Status  string // api.HistoryExact, api.HistoryApproximate, api.HistoryUnavailable
	Before  time.Time
	Entries []api.AuditEntry
}

// OlderHistory returns what is kept of a resource's older history.
func (x *Index) OlderHistory(ctx context.Context, org, resource string) (OlderHistory, bool, error) {
	var h OlderHistory
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
func (x *Index) KeepOlderHistory(ctx context.Context, org, resource string, h OlderHistory) error {
	body, err := json.Marshal(h.Entries)
	if err != nil {
		return err
	}
	_, err = x.db.W.ExecContext(ctx, `INSERT INTO api_history(org_id, resource_id, status, before, body, fetched) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(org_id, resource_id) DO UPDATE SET status = excluded.status, before = excluded.before, body = excluded.body, fetched = excluded.fetched`,
		org, resource, h.Status, h.Before.UnixMicro(), string(body), x.now().UnixMicro())
	return err
}
