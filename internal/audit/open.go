// open.go opens the index database, emptying one of an older layout.

package audit

import (
	"fmt"

	"orgboard/internal/sqlitedb"
)

// schemaVersion counts the index's layouts. 2: indexes start with the
// organization, and an entry's ID is unique within its organization.
const schemaVersion = 2

// Open opens (creating) the index database at file. An index of an older
// layout is emptied first: it is a copy of the API's entries, and the next
// search syncs it again. Saved searches are kept.
func Open(file string) (*sqlitedb.DB, error) {
	db, err := sqlitedb.Open(file, "")
	if err != nil {
		return nil, err
	}
	if err := upgrade(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("audit index %s: %w", file, err)
	}
	return db, nil
}

// ftsConfig: the full-text index keeps a transaction's terms in memory
// (64 MB) and writes them as one segment at the commit, instead of a
// segment per megabyte, and merges segments less eagerly.
const ftsConfig = `INSERT INTO entries_fts(entries_fts, rank) VALUES('hashsize', 67108864);
INSERT INTO entries_fts(entries_fts, rank) VALUES('automerge', 8)`

func upgrade(db *sqlitedb.DB) error {
	var v int
	if err := db.W.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v < schemaVersion {
		if _, err := db.W.Exec(`DROP TABLE IF EXISTS entries_fts; DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS sync_state`); err != nil {
			return err
		}
	}
	if _, err := db.W.Exec(Schema); err != nil {
		return err
	}
	// the writer checkpoints by itself only as a safety net (256 MB of log):
	// the index writer has checkpoints run beside it
	_, err := db.W.Exec(fmt.Sprintf(`PRAGMA user_version = %d; PRAGMA wal_autocheckpoint = 16384`, schemaVersion))
	if err != nil {
		return err
	}
	_, err = db.W.Exec(ftsConfig)
	return err
}
