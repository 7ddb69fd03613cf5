package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damage overwrites 200 bytes every 28 KB of file past its first page, as
// a failing disk would.
func damage(t *testing.T, file string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 50))
	for off := int64(16384); off < st.Size(); off += 28 << 10 {
		if _, err := f.WriteAt(junk, off); err != nil {
			t.Fatal(err)
		}
	}
}

// filled opens the databases in dir and fills them enough to span pages.
func filled(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		if _, err := db.Audit.W.ExecContext(ctx, `INSERT INTO saved_searches(owner, name, query, scope, created) VALUES (?, ?, ?, '', 0)`,
			"a@example.com", fmt.Sprintf("search %d", i), strings.Repeat("action:delete ", 20)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Console.W.ExecContext(ctx, `INSERT INTO usage_budgets(org_id, amount, currency, updated) VALUES (?, 1, 'USD', 0)`, fmt.Sprintf("org%05d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []*DB{db} {
		d.Audit.W.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		d.Console.W.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// A damaged audit index (a copy of Cloudflare's) is moved aside and opened
// anew, saying so; a damaged orgboard.db (the console's own state) stops
// the start, naming the file and the way to restore it.
func TestDamagedFilesAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	filled(t, dir)
	damage(t, filepath.Join(dir, "audit.db"))
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("a damaged audit index stopped the start: %v", err)
	}
	if !strings.Contains(db.Rebuilt, "moved aside to audit.db.damaged-") || !strings.Contains(db.Rebuilt, "built again from Cloudflare") {
		t.Errorf("the notice reads %q", db.Rebuilt)
	}
	var n int
	if err := db.Audit.R.QueryRowContext(ctx, `SELECT count(*) FROM saved_searches`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the new index: %d rows, %v", n, err)
	}
	if err := db.Console.R.QueryRowContext(ctx, `SELECT count(*) FROM usage_budgets`).Scan(&n); err != nil || n != 3000 {
		t.Errorf("the console's own state was touched: %d budgets, %v", n, err)
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "audit.db.damaged-*"))
	if len(aside) == 0 {
		t.Error("the damaged file is not kept aside")
	}
	db.Close()

	damage(t, filepath.Join(dir, "orgboard.db"))
	_, err = Open(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "orgboard.db is damaged") || !strings.Contains(err.Error(), "orgboard restore") {
		t.Fatalf("a damaged orgboard.db: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "orgboard.db")); err != nil {
		t.Error("the console's own file was moved or removed")
	}
}
