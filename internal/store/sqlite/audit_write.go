// audit_write.go stores the sync's pages and states: group commits from the
// index's one writer, checkpoints beside it.

package sqlite

import (
	"context"
	"database/sql"
	"time"

	"orgboard/internal/audit"
	"orgboard/internal/store/sqlstore"
)

// Write stores the batches and their states in one transaction.
func (x *AuditIndex) Write(ctx context.Context, batches []*audit.Batch, at time.Time) error {
	err := x.write(ctx, batches, at)
	x.checkpoint()
	return err
}

func (x *AuditIndex) write(ctx context.Context, batches []*audit.Batch, at time.Time) error {
	return x.DB.InTx(ctx, func(tx *sqlstore.Tx) error {
		ins, err := newInserter(ctx, tx)
		if err != nil {
			return err
		}
		defer ins.close()
		for _, b := range batches {
			if b.Added, err = ins.insert(ctx, b.Org, b.Rows); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, sqlstore.AddState, sqlstore.StateArgs(sqlstore.SQLite, b.Org, b.State, int64(b.Added), at)...); err != nil {
				return err
			}
		}
		return ins.days.Apply(ctx, sqlstore.TxDays(tx))
	})
}

// WriteOwn stores the console's own entries of org (each once), outside
// any sync: they are found beside Cloudflare's, and no sync claims them.
func (x *AuditIndex) WriteOwn(ctx context.Context, org string, rows []audit.Prepared) error {
	return x.DB.InTx(ctx, func(tx *sqlstore.Tx) error {
		ins, err := newInserter(ctx, tx)
		if err != nil {
			return err
		}
		defer ins.close()
		if _, err = ins.insert(ctx, org, rows); err != nil {
			return err
		}
		return ins.days.Apply(ctx, sqlstore.TxDays(tx))
	})
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

// inserter holds the statements of one transaction, and the days its
// new entries change.
type inserter struct {
	entry, text *sql.Stmt
	days        sqlstore.DayChanges
}

func newInserter(ctx context.Context, tx *sqlstore.Tx) (*inserter, error) {
	entry, err := tx.Prepare(ctx, `INSERT OR IGNORE INTO audit_entries(id, org_id, action_time, actor_email, actor_id, actor_ip, actor_token_id,
		actor_token_name, actor_context, action_type, action_result, resource_id, resource_product, resource_type, method, status_code, ray, body)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, err
	}
	text, err := tx.Prepare(ctx, `INSERT INTO audit_entries_fts(rowid, doc) VALUES (?, ?)`)
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
		in.days.Add(org, e)
		added++
	}
	return added, nil
}
