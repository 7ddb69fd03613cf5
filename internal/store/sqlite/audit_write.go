// audit_write.go stores the sync's pages and states: group commits from the
// index's one writer, checkpoints beside it.

package sqlite

import (
	"context"
	"database/sql"
	"time"

	"orgboard/internal/audit"
)

// Write stores the batches and their states in one transaction.
func (x *AuditIndex) Write(ctx context.Context, batches []*audit.Batch, at time.Time) error {
	err := x.write(ctx, batches, at)
	x.checkpoint()
	return err
}

func (x *AuditIndex) write(ctx context.Context, batches []*audit.Batch, at time.Time) error {
	tx, err := x.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := newInserter(ctx, tx)
	if err != nil {
		return err
	}
	defer ins.close()
	for _, b := range batches {
		if b.Added, err = ins.insert(ctx, b.Org, b.Rows); err != nil {
			return err
		}
		st := b.State
		if _, err := tx.ExecContext(ctx, addState, b.Org, st.WindowStart, backfill(st), st.Newest, b.Added,
			st.PausedUntil, st.Err, at.UnixMicro()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// checkpoint copies the write-ahead log into the database file on another
// connection while the writer goes on: the writer's own automatic
// checkpoint made a commit wait for it.
func (x *AuditIndex) checkpoint() {
	if !x.checkpointing.CompareAndSwap(false, true) {
		return
	}
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		defer x.checkpointing.Store(false)
		var busy, frames, copied int
		// an error leaves it to the writer's own checkpoint, which still bounds the log
		x.db.R.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	}()
}

// Idle keeps the planner's statistics current as the index grows.
func (x *AuditIndex) Idle() { x.db.W.Exec(`PRAGMA optimize`) }

// The states' upserts. A writer whose window starts later than the stored
// one began before the window was extended: it keeps the stored window and
// backfill point, so that the extension is not undone (the next sync then
// fetches what the writer had fetched again, and stores none of it twice).
const upsertState = `INSERT INTO sync_state(org_id, window_start, backfill_before, newest, synced, paused_until, error, updated)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(org_id) DO UPDATE SET
	window_start = min(sync_state.window_start, excluded.window_start),
	backfill_before = CASE WHEN excluded.window_start > sync_state.window_start THEN sync_state.backfill_before ELSE excluded.backfill_before END,
	newest = excluded.newest, paused_until = excluded.paused_until, error = excluded.error, updated = excluded.updated`

// addState adds the entries stored to the count; saveState leaves it.
const (
	addState  = upsertState + `, synced = sync_state.synced + excluded.synced`
	saveState = upsertState
)

// SaveState records org's state.
func (x *AuditIndex) SaveState(ctx context.Context, org string, st audit.State, at time.Time) error {
	_, err := x.db.W.ExecContext(ctx, saveState, org, st.WindowStart, backfill(st), st.Newest, st.Synced, st.PausedUntil, st.Err, at.UnixMicro())
	return err
}

// backfill is the state's backfill point as stored: NULL when done.
func backfill(st audit.State) sql.NullInt64 {
	return sql.NullInt64{Int64: st.Backfill, Valid: st.Backfilling()}
}

// States reads the states of those of orgs that have one.
func (x *AuditIndex) States(ctx context.Context, orgs []string) (map[string]audit.State, error) {
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	out := make(map[string]audit.State, len(orgs))
	rows, err := x.db.R.QueryContext(ctx, `SELECT org_id, window_start, backfill_before, newest, synced, paused_until, error FROM sync_state WHERE org_id IN (`+placeholders(len(orgs))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org string
		var st audit.State
		var bf sql.NullInt64
		if err := rows.Scan(&org, &st.WindowStart, &bf, &st.Newest, &st.Synced, &st.PausedUntil, &st.Err); err != nil {
			return nil, err
		}
		st.Backfill = bf.Int64
		out[org] = st
	}
	return out, rows.Err()
}

// Lag is the oldest update of the states updated since, and their entries.
func (x *AuditIndex) Lag(ctx context.Context, since time.Time) (time.Time, int64, error) {
	var oldest sql.NullInt64
	var entries int64
	err := x.db.R.QueryRowContext(ctx, `SELECT min(updated), coalesce(sum(synced), 0) FROM sync_state WHERE updated > ?`, since.UnixMicro()).
		Scan(&oldest, &entries)
	if err != nil || !oldest.Valid {
		return time.Time{}, entries, err
	}
	return time.UnixMicro(oldest.Int64), entries, nil
}

// inserter holds the statements of one transaction.
type inserter struct {
	entry, text *sql.Stmt
}

func newInserter(ctx context.Context, tx *sql.Tx) (*inserter, error) {
	entry, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO entries(id, org_id, time, actor_email, actor_id, actor_ip, actor_token_id,
		actor_token_name, actor_context, action_type, action_result, resource_id, resource_product, resource_type, method, status_code, ray, body)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, err
	}
	text, err := tx.PrepareContext(ctx, `INSERT INTO entries_fts(rowid, doc) VALUES (?, ?)`)
	if err != nil {
		entry.Close()
		return nil, err
	}
	return &inserter{entry: entry, text: text}, nil
}

func (in *inserter) close() {
	in.entry.Close()
	in.text.Close()
}

// insert stores org's rows, skipping entries the index has; it returns
// how many were new.
func (in *inserter) insert(ctx context.Context, org string, rows []audit.Prepared) (int, error) {
	added := 0
	for _, r := range rows {
		e := r.Entry
		res, err := in.entry.ExecContext(ctx, e.ID, org, e.Action.Time.UnixMicro(), e.Actor.Email, e.Actor.ID, e.Actor.IPAddress, e.Actor.TokenID,
			e.Actor.TokenName, e.Actor.Context, e.Action.Type, e.Action.Result, e.Resource.ID, e.Resource.Product, e.Resource.Type,
			e.Raw.Method, e.Raw.StatusCode, e.Raw.CFRayID, string(r.Body))
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		rowid, _ := res.LastInsertId()
		if _, err := in.text.ExecContext(ctx, rowid, r.Doc); err != nil {
			return 0, err
		}
		added++
	}
	return added, nil
}
