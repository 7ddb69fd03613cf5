package audit_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"orgboard/internal/audit"
)

// An index of the first layout (an `id` unique across organizations, no
// version) is emptied when it opens, to be synced again; saved searches
// stay. A current index opens as it is.
func TestOpenEmptiesAnIndexOfAnOlderLayout(t *testing.T) {
	file := filepath.Join(t.TempDir(), "audit.db")
	old, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = old.Exec(`CREATE TABLE entries (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL, time INTEGER NOT NULL, body TEXT NOT NULL);
		INSERT INTO entries(id, org_id, time, body) VALUES ('e1', 'o1', 1, '{}');
		CREATE TABLE sync_state (org_id TEXT PRIMARY KEY, window_start INTEGER NOT NULL, backfill_before INTEGER, newest INTEGER NOT NULL,
			synced INTEGER NOT NULL, paused_until INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '', updated INTEGER NOT NULL);
		INSERT INTO sync_state VALUES ('o1', 0, NULL, 1, 1, 0, '', 1);
		CREATE TABLE saved_searches (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, scope TEXT NOT NULL,
			query TEXT NOT NULL, created INTEGER NOT NULL, UNIQUE (owner, scope, name));
		INSERT INTO saved_searches(owner, name, scope, query, created) VALUES ('u', 'mine', '', 'product:dns', 1)`)
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	counts := func(add ...string) (entries, states, saved int) {
		db, err := audit.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.R.QueryRow(`SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM sync_state), (SELECT count(*) FROM saved_searches)`).
			Scan(&entries, &states, &saved); err != nil {
			t.Fatal(err)
		}
		for _, org := range add { // one entry ID in two organizations: unique per organization now
			if _, err := db.W.Exec(`INSERT INTO entries(id, org_id, time, actor_email, actor_id, actor_ip, actor_token_id, actor_token_name,
				actor_context, action_type, action_result, resource_id, resource_product, resource_type, method, status_code, ray, body)
				VALUES ('e1', ?, 1, '', '', '', '', '', '', '', '', '', '', '', '', 0, '', '{}')`, org); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if e, s, saved := counts("o1", "o2"); e != 0 || s != 0 || saved != 1 {
		t.Fatalf("after the upgrade: %d entries, %d sync states, %d saved searches; want 0, 0, 1", e, s, saved)
	}
	if e, _, saved := counts(); e != 2 || saved != 1 {
		t.Fatalf("reopened: %d entries, %d saved searches; want what was there", e, saved)
	}
}
