package audit

import (
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"orgboard/internal/api"
)

// A page that fails to store makes the writer refuse the later pages of
// the same sync, whose state would claim the lost page's entries; other
// syncs go on.
func TestWriterRefusesPagesAfterALostOne(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	w := newWriter(NewIndex(db, nil), slog.New(slog.DiscardHandler), &wg)
	page := func(sync *atomic.Bool, org string, ids ...string) *item {
		var entries []api.AuditEntry
		for _, id := range ids {
			entries = append(entries, api.AuditEntry{ID: id})
		}
		rows, err := prepare(entries)
		if err != nil {
			t.Fatal(err)
		}
		return &item{org: org, rows: rows, done: make(chan error, 1), sync: sync}
	}
	var lost, other atomic.Bool
	if _, err := db.W.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
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
	var n int
	if err := db.R.QueryRow(`SELECT count(*) FROM entries`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d entries stored (%v), want only the other sync's one", n, err)
	}
}
