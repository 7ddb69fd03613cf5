package sqlite

import (
	"path/filepath"
	"testing"

	"orgboard/internal/sqlitedb"
)

// A data directory of the earlier layouts (the usage store in orgboard.db,
// saved searches in audit.db) opens with each table in its new file, its
// rows all there, the old tables gone; opening again changes nothing.
func TestHandOver(t *testing.T) {
	dir := t.TempDir()
	for _, old := range []struct {
		file    string
		list    []migration
		version int
		rows    string
	}{
		{"orgboard.db", consoleMigrations, 6, `INSERT INTO usage_days VALUES ('o1', 1, 10, 0, x'01'), ('o1', 2, 10, 1, x'02');
			INSERT INTO usage_fine VALUES ('o1', 1, x'03'), ('o1', 2, x'04');
			INSERT INTO usage_rollups VALUES ('set', 1, 5, x'05');
			INSERT INTO rate_cards VALUES ('o1', '[]', 1)`},
		{"audit.db", auditMigrations, 3, `INSERT INTO saved_searches(owner, name, scope, query, created) VALUES ('u', 'mine', '', 'product:dns', 1), ('u', 'other', 'o1', 'action:delete', 2)`},
	} {
		db, err := sqlitedb.Open(filepath.Join(dir, old.file), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := migrate(bg, db.W, old.list, old.version); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.Exec(old.rows); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for range 2 {
		db, err := Open(bg, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			db    *sqlitedb.DB
			query string
			want  int
		}{
			{db.Usage, `SELECT count(*) FROM usage_days`, 2},
			{db.Usage, `SELECT count(*) FROM usage_fine WHERE sums IN (x'03', x'04')`, 2},
			{db.Usage, `SELECT count(*) FROM usage_rollups`, 1},
			{db.Console, `SELECT count(*) FROM rate_cards`, 1},
			{db.Console, `SELECT count(*) FROM saved_searches`, 2},
			{db.Console, `SELECT count(*) FROM sqlite_master WHERE name LIKE 'usage_days' OR name LIKE 'usage_fine' OR name LIKE 'usage_rollups'`, 0},
			{db.Audit, `SELECT count(*) FROM sqlite_master WHERE name = 'saved_searches'`, 0},
		} {
			var n int
			if err := c.db.R.QueryRow(c.query).Scan(&n); err != nil || n != c.want {
				t.Errorf("%s: %d (%v), want %d", c.query, n, err, c.want)
			}
		}
		db.Close()
	}
}
