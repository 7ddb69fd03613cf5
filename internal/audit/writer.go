// writer.go is the index's one writer: every sync's pages stored in group
// commits.

package audit

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock"
)

// The index has one writer. Syncing organizations hand it pages and go on
// fetching; it stores whatever has queued up since its last commit in one
// transaction (a group commit). Each organization holds about a thousand
// entries, so a transaction per organization wrote the time index's pages
// again and again: a commit costs per page touched, not per entry.

// item is a page of one organization's entries and the sync state that
// holds once they are stored.
type item struct {
	batch Batch
	done  chan error   // receives the commit's outcome, once
	sync  *atomic.Bool // set when a page of the same sync failed to store
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
	w.queued += len(it.batch.Rows)
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
			w.idx.store.Idle() // e.g. keep the planner's statistics current as the index grows
			return
		}
		live := group[:0:0]
		for _, it := range group {
			if it.sync.Load() {
				it.batch.Rows = nil
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
		for _, it := range live {
			err := cmp.Or(err, it.batch.Refused)
			if err != nil {
				it.sync.Store(true)
			}
			it.batch.Rows = nil // stored (or not): the entries need not stay in memory
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

// take removes the items of the next transaction from the queue; when it
// is empty the writer stops.
func (w *writer) take() []*item {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, rows := 0, 0
	for n < len(w.queue) && (n == 0 || rows+len(w.queue[n].batch.Rows) <= maxGroup) {
		rows += len(w.queue[n].batch.Rows)
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
	batches := make([]*Batch, len(group))
	var tree []*api.AuditEntry
	for i, it := range group {
		batches[i] = &it.batch
		for _, r := range it.batch.Rows {
			if r.Entry.Resource.Product == "organizations" {
				tree = append(tree, r.Entry)
			}
		}
	}
	if w.idx.Tree != nil && len(tree) > 0 {
		if err := w.idx.Tree.RecordEntries(context.Background(), tree); err != nil {
			return err
		}
	}
	return w.idx.store.Write(context.Background(), batches, w.idx.now())
}

// WriterStats is how long the index writer has spent committing, and how many commits.
func (s *Syncer) WriterStats() (time.Duration, int64) {
	return time.Duration(s.w.busy.Load()), s.w.commits.Load()
}
