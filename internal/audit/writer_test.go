package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"orgboard/internal/api"
)

// refusing is a store whose writes fail for an entry named "bad"; it keeps
// the IDs of what it stored.
type refusing struct {
	Store  // the rest is not used by the writer
	mu     sync.Mutex
	stored []string
}

func (r *refusing) Document(e *api.AuditEntry) any { return Document(e) }
func (r *refusing) Idle()                          {}
func (r *refusing) Write(_ context.Context, batches []*Batch, _ time.Time) error {
	for _, b := range batches {
		for _, row := range b.Rows {
			if row.Entry.ID == "bad" {
				return errors.New("refused")
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range batches {
		for _, row := range b.Rows {
			r.stored = append(r.stored, row.Entry.ID)
		}
	}
	return nil
}

// A page that fails to store makes the writer refuse the later pages of
// the same sync, whose state would claim the lost page's entries; other
// syncs go on.
func TestWriterRefusesPagesAfterALostOne(t *testing.T) {
	st := &refusing{}
	idx := NewIndex(st, nil)
	var wg sync.WaitGroup
	w := newWriter(idx, slog.New(slog.DiscardHandler), &wg)
	page := func(sync *atomic.Bool, org string, ids ...string) *item {
		var entries []api.AuditEntry
		for _, id := range ids {
			entries = append(entries, api.AuditEntry{ID: id})
		}
		rows, err := idx.prepare(entries)
		if err != nil {
			t.Fatal(err)
		}
		return &item{batch: Batch{Org: org, Rows: rows}, done: make(chan error, 1), sync: sync}
	}
	var lost, other atomic.Bool
	first := page(&lost, "o1", "bad")
	w.submit(first)
	if err := <-first.done; err == nil {
		t.Fatal("the refused page was stored")
	}
	second, third := page(&lost, "o1", "good"), page(&other, "o2", "fine")
	w.submit(second)
	w.submit(third)
	if err := <-second.done; !errors.Is(err, errEarlierPage) {
		t.Errorf("a later page of the failed sync: %v, want it refused", err)
	}
	if err := <-third.done; err != nil {
		t.Errorf("another sync's page: %v", err)
	}
	wg.Wait()
	if len(st.stored) != 1 || st.stored[0] != "fine" {
		t.Errorf("stored %v, want only the other sync's one", st.stored)
	}
}
