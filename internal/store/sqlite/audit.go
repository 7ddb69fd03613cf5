// audit.go is the audit index in audit.db (audit.Store): the shared part
// (sqlstore.AuditIndex) over the entries' rows, and a contentless FTS5
// table over their text.

package sqlite

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/sqlitedb"
	"orgboard/internal/store/sqlstore"
)

// AuditIndex is audit.Store in audit.db.
type AuditIndex struct {
	*sqlstore.AuditIndex
	db *sqlitedb.DB
	// checkpoints run beside the writer (see checkpoint)
	checkpointing atomic.Bool
	wg            sync.WaitGroup
}

// NewAuditIndex keeps the index in db.Audit.
func NewAuditIndex(db *DB) *AuditIndex {
	x := &AuditIndex{db: db.Audit}
	x.AuditIndex = &sqlstore.AuditIndex{DB: shared(db.Audit), Text: fts{}}
	return x
}

var _ audit.Store = (*AuditIndex)(nil)

// Document is the entry's text, which FTS5's unicode61 tokenizer cuts.
func (x *AuditIndex) Document(e *api.AuditEntry) any { return audit.Document(e) }

// Wait lets a checkpoint in progress finish (before the database closes).
func (x *AuditIndex) Wait() { x.wg.Wait() }

// Size is the index's size on disk, after copying the write-ahead log into
// the database file (for benchmarks).
func (x *AuditIndex) Size(ctx context.Context) (int64, error) {
	// the whole log into the file: a reader's snapshot makes a checkpoint
	// stop short (busy), so it is tried again a few times
	for range 20 {
		var busy, logged, done int
		if err := x.db.W.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done); err != nil {
			return 0, err
		}
		if busy == 0 {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	var pages, size int64
	if err := x.db.R.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	err := x.db.R.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size)
	return pages * size, err
}
