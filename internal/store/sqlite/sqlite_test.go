package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"orgboard/internal/audit"
	"orgboard/internal/sqlitedb"
)

var bg = context.Background()

// Every earlier version of each database migrates up to the last; what
// users keep (sessions, budgets) and the usage store's days survive, the
// copy of the API's entries may be emptied to be synced again (saved
// searches, once in audit.db, are handed over first: TestHandOver).
func TestMigrationsFromEveryVersion(t *testing.T) {
	for name, list := range map[string][]migration{"orgboard.db": consoleMigrations, "audit.db": auditMigrations, "usage.db": usageMigrations} {
		for from := 0; from <= len(list); from++ {
			t.Run(fmt.Sprintf("%s from version %d", name, from), func(t *testing.T) {
				db, err := sqlitedb.Open(filepath.Join(t.TempDir(), name), "")
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if err := migrate(bg, db.W, list, from); err != nil {
					t.Fatal(err)
				}
				kept := 0
				if from >= 1 {
					state := "sync_state"
					if from >= 5 { // named as in PostgreSQL from the fifth layout
						state = "audit_sync_state"
					}
					stmt := map[string]string{"audit.db": `INSERT INTO ` + state + `(org_id, window_start, newest, synced, updated) VALUES ('o', 1, 1, 0, 1)`,
						"orgboard.db": `INSERT INTO sessions VALUES ('h', x'00', 't', 'e', 1, 1); INSERT INTO usage_budgets VALUES ('o', 10, 'USD', 1)`,
						"usage.db":    `INSERT INTO usage_days VALUES ('o', 1, 1, 0, x'00')`}[name]
					if _, err := db.W.Exec(stmt); err != nil {
						t.Fatal(err)
					}
					kept = 1
				}
				if err := migrate(bg, db.W, list, len(list)); err != nil {
					t.Fatal(err)
				}
				count := map[string]string{"audit.db": `SELECT count(*) FROM audit_sync_state`,
					"orgboard.db": `SELECT (SELECT count(*) FROM sessions) * (SELECT count(*) FROM usage_budgets)`,
					"usage.db":    `SELECT count(*) FROM usage_days`}[name]
				if name == "audit.db" && from == 1 {
					kept = 0 // the second layout empties the first's copy
				}
				var n int
				if err := db.R.QueryRow(count).Scan(&n); err != nil || n != kept {
					t.Errorf("after migrating: %d rows kept (%v), want %d", n, err, kept)
				}
				var v int
				if db.R.QueryRow(`PRAGMA user_version`).Scan(&v); v != len(list) {
					t.Errorf("version %d, want %d", v, len(list))
				}
			})
		}
	}
}

// An index of the first layout (an ID unique across organizations) is
// emptied when it opens, its saved searches kept; the current layout takes
// one ID in two organizations. A database newer than the program is refused.
func TestOpenEmptiesAnIndexOfTheFirstLayout(t *testing.T) {
	dir := t.TempDir()
	old, err := sqlitedb.Open(filepath.Join(dir, "audit.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(bg, old.W, auditMigrations, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := old.W.Exec(`INSERT INTO entries(id, org_id, time, actor_email, actor_id, actor_ip, actor_token_id, actor_token_name,
		actor_context, action_type, action_result, resource_id, resource_product, resource_type, method, status_code, ray, body)
		VALUES ('e1', 'o1', 1, '', '', '', '', '', '', '', '', '', '', '', '', 0, '', '{}');
		INSERT INTO saved_searches(owner, name, scope, query, created) VALUES ('u', 'mine', '', 'product:dns', 1);
		PRAGMA user_version = 0`); err != nil { // made before versions were counted
		t.Fatal(err)
	}
	old.Close()
	db, err := Open(bg, dir)
	if err != nil {
		t.Fatal(err)
	}
	var entries, saved int
	db.Audit.R.QueryRow(`SELECT count(*) FROM audit_entries`).Scan(&entries)
	db.Console.R.QueryRow(`SELECT count(*) FROM saved_searches`).Scan(&saved)
	if entries != 0 || saved != 1 {
		t.Errorf("after opening: %d entries, %d saved searches; want 0 and 1", entries, saved)
	}
	for _, org := range []string{"o1", "o2"} {
		if _, err := db.Audit.W.Exec(`INSERT INTO audit_entries(id, org_id, action_time, actor_email, actor_id, actor_ip, actor_token_id, actor_token_name,
			actor_context, action_type, action_result, resource_id, resource_product, resource_type, method, status_code, ray, body)
			VALUES ('e1', ?, 1, '', '', '', '', '', '', '', '', '', '', '', '', 0, '', '{}')`, org); err != nil {
			t.Fatal(err)
		}
	}
	db.Audit.W.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, len(auditMigrations)+1))
	db.Close()
	if _, err := Open(bg, dir); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("a newer layout opened: %v", err)
	}
}

// audit.Words cuts text as FTS5's unicode61 tokenizer does (PostgreSQL's
// index is built from audit.Words, SQLite's by FTS5): checked against
// FTS5 itself on accented Latin, Greek, Cyrillic, CJK, combining marks,
// digits and punctuation, and on random mixes of them.
func TestWordsAreFTS5s(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE f USING fts5(doc, content='', columnsize=0); CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')`); err != nil {
		t.Fatal(err)
	}
	texts := []string{"Updated DNS record example.com (A, TTL 300)", "Déjà vu Résumé Straße ÆØÅ æøå", "e\u0301cole café naïve", "你好世界 abc",
		"v1.2 Ⅲ ColOUR! Don't", "İstanbul ǅemal ΣΊΣΥΦΟΣ Привет, МИР", "x\u0300y ＡＢＣ ①② ٣٤", "a_b-c.d@e.com 10.0.0.1 /client/v4/zones?page=2",
		`{"name":"www","ttl":1}`, "ŁÓDŹ ĳ ﬁ Ǆ œ ð þ"}
	alphabet := []rune("aZ09 _-./@\"'éÉàÇñøßΣσέЖж中文\u0301\u0308·,;:!?ⅣＡ①")
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n := 1 + r.IntN(30)
		b := make([]rune, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	for i, text := range texts {
		if _, err := db.Exec(`INSERT INTO f(rowid, doc) VALUES (?, ?)`, i+1, text); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.Query(`SELECT doc, term FROM v ORDER BY doc, offset`)
	if err != nil {
		t.Fatal(err)
	}
	fts := map[int][]string{}
	for rows.Next() {
		var doc int
		var term string
		rows.Scan(&doc, &term)
		fts[doc] = append(fts[doc], term)
	}
	rows.Close()
	for i, text := range texts {
		if got, want := audit.Words(text), fts[i+1]; !slices.Equal(got, want) {
			t.Errorf("%q: audit.Words %q, FTS5 %q", text, got, want)
		}
	}
}
