// writer.go is the index's one writer: every sync's pages stored in group
// commits.

package audit

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"orgboard/internal/clock"
	"sync"
	"sync/atomic"
	"time"
)

// The index has one writer. Syncing organizations hand it pages and go on
// fetching; it stores whatever has queued up since its last commit in one
// transaction (a group commit). Each organization holds about a thousand
// entries, so a transaction per organization wrote the time index's pages
// again and again: a commit costs per page touched, not per entry.

// item is a page of one organization's entries and the sync state that
// holds once they are stored.
type item struct {
	org  string
	rows []row
	st   state
	done chan error   // receives the commit's outcome, once
	sync *atomic.Bool // set when a page of the same sync failed to store
}

// errEarlierPage refuses a page whose sync lost an earlier one: storing it
// would save a state that claims the lost page's entries.
var errEarlierPage = errors.New("audit sync: an earlier page of this sync was not stored")

// A transaction waits a moment for minGroup entries, stores at most
// maxGroup, and syncs wait while maxQueued are queued: memory stays near
// (maxGroup + maxQueued) entries of about 3 KB whatever the number of
// organizations syncing.
const (
	minGroup  = 4000
	maxDelay  = 20 * time.Millisecond
	maxGroup  = 20_000
	maxQueued = 20_000
)

type writer struct {
	idx *Index
	log *slog.Logger
	wg  *sync.WaitGroup

	busy, commits atomic.Int64
	checkpointing atomic.Bool

	more    chan struct{} // a page was queued
	mu      sync.Mutex
	room    *sync.Cond // the queue has room
	queue   []*item
	queued  int // entries in the queue
	running bool
}

func newWriter(idx *Index, log *slog.Logger, wg *sync.WaitGroup) *writer {
	w := &writer{idx: idx, log: log, wg: wg, more: make(chan struct{}, 1)}
	w.room = sync.NewCond(&w.mu)
	return w
}

// submit queues it, first waiting while the queue is full; the writer runs
// while there is work and then stops.
func (w *writer) submit(it *item) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.queued >= maxQueued {
		w.room.Wait() // the writer runs: it is what filled the queue
	}
	w.queue = append(w.queue, it)
	w.queued += len(it.rows)
	select {
	case w.more <- struct{}{}:
	default:
	}
	if !w.running {
		w.running = true
		w.wg.Add(1)
		go w.loop()
	}
}

func (w *writer) loop() {
	defer w.wg.Done()
	for {
		w.gather()
		group := w.take()
		if len(group) == 0 {
			// idle: keep the planner's statistics current as the index grows
			if _, err := w.idx.db.W.Exec(`PRAGMA optimize`); err != nil {
				w.log.Warn("audit index optimize", "error", err)
			}
			return
		}
		live := group[:0:0]
		for _, it := range group {
			if it.sync.Load() {
				it.rows = nil
				it.done <- errEarlierPage
				continue
			}
			live = append(live, it)
		}
		if len(live) == 0 {
			continue
		}
		sw := clock.Start()
		err := w.commit(live)
		w.busy.Add(int64(sw.Elapsed()))
		w.commits.Add(1)
		w.checkpoint()
		for _, it := range live {
			if err != nil {
				it.sync.Store(true)
			}
			it.rows = nil // stored (or not): the entries need not stay in memory
			it.done <- err
		}
	}
}

// gather waits a moment for a group worth a commit to queue up.
func (w *writer) gather() {
	deadline := time.NewTimer(maxDelay)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		rows := w.queued
		w.mu.Unlock()
		if rows >= minGroup {
			return
		}
		select {
		case <-w.more:
		case <-deadline.C:
			return
		}
	}
}

// checkpoint copies the write-ahead log into the database file on another
// connection while the writer goes on: the writer's own automatic
// checkpoint (see Open) made a commit wait for it.
func (w *writer) checkpoint() {
	if !w.checkpointing.CompareAndSwap(false, true) {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer w.checkpointing.Store(false)
		var busy, frames, copied int
		if err := w.idx.db.R.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
			w.log.Warn("audit index checkpoint", "error", err) // the writer's own checkpoint still bounds the log
		}
	}()
}

// take removes the items of the next transaction from the queue; when it
// is empty the writer stops.
func (w *writer) take() []*item {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, rows := 0, 0
	for n < len(w.queue) && (n == 0 || rows+len(w.queue[n].rows) <= maxGroup) {
		rows += len(w.queue[n].rows)
		n++
	}
	group := w.queue[:n:n]
	w.queue = w.queue[n:]
	w.queued -= rows
	w.room.Broadcast()
	if len(group) == 0 {
		w.running = false
	}
	return group
}

// commit stores a group and the states it brings in one transaction: a
// state saved never claims entries that are not stored. It runs to the end
// even when syncs are being cancelled: what was fetched is kept.
func (w *writer) commit(group []*item) error {
	ctx := context.Background()
	tx, err := w.idx.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := newInserter(ctx, tx)
	if err != nil {
		return err
	}
	defer ins.close()
	for _, it := range group {
		added, err := ins.insert(ctx, it.org, it.rows)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, addState, it.org, it.st.windowStart, it.st.backfillBefore, it.st.newest, added,
			it.st.pausedUntil, it.st.err, w.idx.now().UnixMicro()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// addState is saveState that adds the entries stored to the count.
const addState = `INSERT INTO sync_state(org_id, window_start, backfill_before, newest, synced, paused_until, error, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(org_id) DO UPDATE SET window_start = excluded.window_start, backfill_before = excluded.backfill_before,
		newest = excluded.newest, synced = sync_state.synced + excluded.synced, paused_until = excluded.paused_until, error = excluded.error, updated = excluded.updated`

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
func (in *inserter) insert(ctx context.Context, org string, rows []row) (int, error) {
	added := 0
	for _, r := range rows {
		e := r.e
		res, err := in.entry.ExecContext(ctx, e.ID, org, e.Action.Time.UnixMicro(), e.Actor.Email, e.Actor.ID, e.Actor.IPAddress, e.Actor.TokenID,
			e.Actor.TokenName, e.Actor.Context, e.Action.Type, e.Action.Result, e.Resource.ID, e.Resource.Product, e.Resource.Type,
			e.Raw.Method, e.Raw.StatusCode, e.Raw.CFRayID, r.body)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		rowid, _ := res.LastInsertId()
		if _, err := in.text.ExecContext(ctx, rowid, r.doc); err != nil {
			return 0, err
		}
		added++
	}
	return added, nil
}

// WriterStats is how long the index writer has spent committing, and how many commits.
func (s *Syncer) WriterStats() (time.Duration, int64) {
	return time.Duration(s.w.busy.Load()), s.w.commits.Load()
}
