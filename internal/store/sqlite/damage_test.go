package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"orgboard/internal/sqlitedb"
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
		if _, err := db.Console.W.ExecContext(ctx, `INSERT INTO saved_searches(owner, name, query, scope, created) VALUES (?, ?, ?, '', 0)`,
			"a@example.com", fmt.Sprintf("search %d", i), strings.Repeat("action:delete ", 20)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Audit.W.ExecContext(ctx, `INSERT INTO audit_api_history(org_id, resource_id, status, before, body, fetched) VALUES (?, 'r', 'exact', 0, ?, 0)`,
			fmt.Sprintf("org%05d", i), strings.Repeat("[]", 100)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Usage.W.ExecContext(ctx, `INSERT INTO usage_fine(org_id, day, sums) VALUES (?, 1, ?)`,
			fmt.Sprintf("org%05d", i), strings.Repeat("u", 100)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Console.W.ExecContext(ctx, `INSERT INTO usage_budgets(org_id, amount, currency, updated) VALUES (?, 1, 'USD', 0)`, fmt.Sprintf("org%05d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []*sqlitedb.DB{db.Audit, db.Console, db.Usage} {
		d.W.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// A damaged audit index or usage store (copies of Cloudflare's) is moved
// aside and opened anew, saying so, and the console's own state beside it
// is untouched; a damaged orgboard.db (the console's own state) stops the
// start, naming the file and the way to restore it.
func TestDamagedFilesAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	filled(t, dir)
	for _, c := range []struct{ file, table string }{{"audit.db", "audit_api_history"}, {"usage.db", "usage_fine"}} {
		damage(t, filepath.Join(dir, c.file))
		db, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("a damaged %s stopped the start: %v", c.file, err)
		}
		notice, other := db.RebuiltAudit, db.RebuiltUsage
		if c.file == "usage.db" {
			notice, other = other, notice
		}
		if !strings.Contains(notice, "moved aside to "+c.file+".damaged-") || !strings.Contains(notice, "again from Cloudflare") || other != "" {
			t.Errorf("%s: the notices read %q and %q", c.file, notice, other)
		}
		var n int
		copyOf := map[string]*sqlitedb.DB{"audit.db": db.Audit, "usage.db": db.Usage}[c.file]
		if err := copyOf.R.QueryRowContext(ctx, `SELECT count(*) FROM `+c.table).Scan(&n); err != nil || n != 0 {
			t.Errorf("the new %s: %d rows, %v", c.file, n, err)
		}
		if err := db.Console.R.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM usage_budgets) + (SELECT count(*) FROM saved_searches)`).Scan(&n); err != nil || n != 6000 {
			t.Errorf("the console's own state was touched: %d budgets and saved searches, %v", n, err)
		}
		aside, _ := filepath.Glob(filepath.Join(dir, c.file+".damaged-*"))
		if len(aside) == 0 {
			t.Errorf("the damaged %s is not kept aside", c.file)
		}
		db.Close()
	}

	damage(t, filepath.Join(dir, "orgboard.db"))
	_, err := Open(ctx, dir)
	if err == nil || !strings.Contains(err.Error(), "orgboard.db is damaged") || !strings.Contains(err.Error(), "orgboard restore") {
		t.Fatalf("a damaged orgboard.db: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "orgboard.db")); err != nil {
		t.Error("the console's own file was moved or removed")
	}
}
