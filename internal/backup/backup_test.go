package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"orgboard/internal/store/sqlite"
)

// A backup taken while the console writes is one consistent copy: restored
// into another data directory, every file passes SQLite's integrity check,
// holds every row written before the backup began, and the stores open it.
func TestBackupDuringWritesRestores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, Key), []byte("0123456789abcdef0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	insert := func(i int64) error {
		_, err := db.Console.W.ExecContext(ctx, `INSERT INTO usage_budgets(org_id, amount, currency, updated) VALUES (?, 1, 'USD', 0)`, fmt.Sprintf("org%07d", i))
		return err
	}
	for ; written.Load() < 2000; written.Add(1) {
		if err := insert(written.Load()); err != nil {
			t.Fatal(err)
		}
	}
	before := written.Load()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // the console goes on writing meanwhile
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := insert(written.Load()); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	})
	target := filepath.Join(t.TempDir(), "backup")
	files, err := Take(ctx, dir, target)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"orgboard.db", "audit.db", "usage.db", Key}; !slices.Equal(files, want) {
		t.Errorf("backed up %v", files)
	}
	if _, err := Take(ctx, dir, target); err == nil {
		t.Error("a second backup into the same folder overwrote the first")
	}
	db.Close()

	restored := t.TempDir()
	if _, err := Restore(ctx, target, restored, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orgboard.db", "audit.db", "usage.db"} {
		if err := Check(ctx, filepath.Join(restored, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	again, err := sqlite.Open(ctx, restored)
	if err != nil {
		t.Fatalf("the restored files do not open: %v", err)
	}
	var n int64
	if err := again.Console.R.QueryRowContext(ctx, `SELECT count(*) FROM usage_budgets`).Scan(&n); err != nil || n < before || n > written.Load() {
		t.Errorf("restored %d rows: %d were written before the backup, %d by its end (%v)", n, before, written.Load(), err)
	}
	again.Close()
	if st, err := os.Stat(filepath.Join(restored, Key)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the key: %v %v", st, err)
	}
	// a restore over files moves them aside, never loses them
	if _, err := Restore(ctx, target, restored, time.Now().Add(time.Second)); err == nil {
		aside, _ := filepath.Glob(filepath.Join(restored, "orgboard.db.before-restore-*"))
		if len(aside) == 0 {
			t.Error("the replaced file is gone")
		}
	}
	if _, err := Restore(ctx, t.TempDir(), restored, time.Now()); err == nil {
		t.Error("an empty folder was restored")
	}
}
