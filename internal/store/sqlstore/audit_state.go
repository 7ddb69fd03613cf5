// audit_state.go keeps each organization's sync state and the older
// histories the API's history endpoint answered.

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"orgboard/internal/audit"
)

// The states' upsert. A writer whose window starts later than the stored
// one began before the window was extended: it keeps the stored window and
// backfill point, so that the extension is not undone (the next sync then
// fetches what the writer had fetched again, and stores none of it twice).
const upsertState = `INSERT INTO audit_sync_state(org_id, window_start, backfill_before, newest, synced, paused_until, error, updated)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET
	window_start = CASE WHEN excluded.window_start < audit_sync_state.window_start THEN excluded.window_start ELSE audit_sync_state.window_start END,
	backfill_before = CASE WHEN excluded.window_start > audit_sync_state.window_start THEN audit_sync_state.backfill_before ELSE excluded.backfill_before END,
	newest = excluded.newest, paused_until = excluded.paused_until, error = excluded.error, updated = excluded.updated`

// AddState is the upsert of a write: it adds the entries stored to the
// count (SaveState's leaves the count as it is).
const AddState = upsertState + `, synced = audit_sync_state.synced + excluded.synced`

// StateArgs are the arguments of AddState (and of SaveState's upsert):
// synced is the entries to add, or the count.
func StateArgs(d *Dialect, org string, st audit.State, synced int64, at time.Time) []any {
	var backfill any // NULL once the backfill is done
	if st.Backfilling() {
		backfill = d.Micros(st.Backfill)
	}
	return []any{org, d.Micros(st.WindowStart), backfill, d.Micros(st.Newest), synced, d.Micros(st.PausedUntil), st.Err, d.Time(at)}
}

// SaveState records org's state; the count of entries is Write's to change.
func (x *AuditIndex) SaveState(ctx context.Context, org string, st audit.State, at time.Time) error {
	_, err := x.DB.Exec(ctx, upsertState, StateArgs(x.DB.D, org, st, st.Synced, at)...)
	return err
}

// States reads the states of those of orgs that have one.
func (x *AuditIndex) States(ctx context.Context, orgs []string) (map[string]audit.State, error) {
	out := make(map[string]audit.State, len(orgs))
	for _, chunk := range Chunks(orgs) {
		rows, err := x.DB.Query(ctx, `SELECT org_id, window_start, backfill_before, newest, synced, paused_until, error
			FROM audit_sync_state WHERE org_id IN (`+Placeholders(len(chunk))+`)`, Args(chunk)...)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var org string
			var st audit.State
			err := rows.Scan(&org, MicrosOf(&st.WindowStart), MicrosOf(&st.Backfill), MicrosOf(&st.Newest), &st.Synced, MicrosOf(&st.PausedUntil), &st.Err)
			out[org] = st
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Lag is the oldest update of the states updated since, and their entries.
func (x *AuditIndex) Lag(ctx context.Context, since time.Time) (time.Time, int64, error) {
	var oldest time.Time
	var entries int64
	err := x.DB.QueryRow(ctx, `SELECT min(updated), CAST(coalesce(sum(synced), 0) AS BIGINT) FROM audit_sync_state WHERE updated > ?`,
		x.DB.D.Time(since)).Scan(TimeOf(&oldest), &entries)
	return oldest, entries, err
}

// OlderHistory returns what is kept of a resource's older history.
func (x *AuditIndex) OlderHistory(ctx context.Context, org, resource string) (audit.OlderHistory, bool, error) {
	var h audit.OlderHistory
	var body string
	err := x.DB.QueryRow(ctx, `SELECT status, before, body FROM audit_api_history WHERE org_id = ? AND resource_id = ?`, org, resource).
		Scan(&h.Status, TimeOf(&h.Before), &body)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, err
	}
	return h, true, json.Unmarshal([]byte(body), &h.Entries)
}

// KeepOlderHistory stores a resource's older history.
func (x *AuditIndex) KeepOlderHistory(ctx context.Context, org, resource string, h audit.OlderHistory, at time.Time) error {
	body, err := json.Marshal(h.Entries)
	if err != nil {
		return err
	}
	_, err = x.DB.Exec(ctx, `INSERT INTO audit_api_history(org_id, resource_id, status, before, body, fetched) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, resource_id) DO UPDATE SET status = excluded.status, before = excluded.before, body = excluded.body, fetched = excluded.fetched`,
		org, resource, h.Status, x.DB.D.Time(h.Before), string(body), x.DB.D.Time(at))
	return err
}
