// store.go opens the local API's SQLite database and holds its layout.

package localapi

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Store holds the local API's data: one writer connection (SQLite allows one
// writer; immediate transactions avoid SQLITE_BUSY upgrades) and a reader pool.
type Store struct {
	w *sql.DB
	r *sql.DB

	mu   sync.RWMutex
	orgs *orgTree // every organization, kept in memory for scope checks and lists
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS organizations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	parent_id TEXT REFERENCES organizations(id),
	create_time TEXT NOT NULL,
	flags TEXT,
	managed_by TEXT,
	hierarchy_tags TEXT,
	profile TEXT
);
CREATE INDEX IF NOT EXISTS organizations_parent ON organizations(parent_id);
CREATE TABLE IF NOT EXISTS accounts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES organizations(id),
	name TEXT,
	pubname TEXT NOT NULL,
	type TEXT NOT NULL,
	created_on TEXT NOT NULL,
	settings TEXT NOT NULL,
	region TEXT NOT NULL,
	usage_seed INTEGER NOT NULL,
	currency TEXT NOT NULL,
	has_cost INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_org ON accounts(org_id, id);
CREATE INDEX IF NOT EXISTS accounts_org_name ON accounts(org_id, name, id);
CREATE TABLE IF NOT EXISTS users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE COLLATE NOCASE,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	two_factor INTEGER NOT NULL,
	telephone TEXT,
	country TEXT,
	zipcode TEXT
);
CREATE TABLE IF NOT EXISTS members (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL REFERENCES organizations(id),
	user_id TEXT NOT NULL REFERENCES users(id),
	status TEXT NOT NULL,
	create_time TEXT NOT NULL,
	update_time TEXT NOT NULL,
	UNIQUE (org_id, user_id)
);
CREATE INDEX IF NOT EXISTS members_org ON members(org_id, seq);
CREATE TABLE IF NOT EXISTS tokens (
	id TEXT PRIMARY KEY,
	hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	status TEXT NOT NULL,
	expires_on TEXT,
	not_before TEXT
);
CREATE TABLE IF NOT EXISTS api_keys (
	hash TEXT PRIMARY KEY,       -- SHA-256 of the key
	token_id TEXT NOT NULL REFERENCES tokens(id) -- the token whose rights the key carries
);
CREATE TABLE IF NOT EXISTS token_grants (
	token_id TEXT NOT NULL REFERENCES tokens(id),
	org_id TEXT NOT NULL,
	PRIMARY KEY (token_id, org_id)
);
CREATE TABLE IF NOT EXISTS audit (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL,
	time INTEGER NOT NULL,
	description TEXT NOT NULL,
	result TEXT NOT NULL,
	action_type TEXT NOT NULL,
	actor_id TEXT NOT NULL,
	actor_context TEXT NOT NULL,
	actor_email TEXT NOT NULL,
	actor_ip TEXT NOT NULL,
	actor_token_id TEXT NOT NULL,
	actor_token_name TEXT NOT NULL,
	actor_type TEXT NOT NULL,
	ray TEXT NOT NULL,
	method TEXT NOT NULL,
	status_code INTEGER NOT NULL,
	uri TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	product TEXT NOT NULL,
	resource_type TEXT NOT NULL,
	scope TEXT NOT NULL,
	request TEXT,
	response TEXT,
	body TEXT NOT NULL, -- the entry as the API renders it
	account_id TEXT NOT NULL DEFAULT '' -- the account the entry is in, if any (its account's log)
);
CREATE INDEX IF NOT EXISTS audit_org_time ON audit(org_id, time, seq);
`

// writerCache is the page cache of the store's connections (64 MB).
const writerCache = "-65536"

// Open opens (creating if needed) the database in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localapi data dir: %w", err)
	}
	file := filepath.Join(dir, "localapi.db")
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=cache_size(" + writerCache + ")&_pragma=mmap_size(1073741824)"
	dsn := func(extra string) string {
		return "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + pragmas + extra
	}
	w, err := sql.Open("sqlite", dsn("&_pragma=synchronous(FULL)&_txlock=immediate"))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	// 16 KB pages for a new file (a quarter of the writes of the default
	// 4 KB; the driver would run a page_size given in the name after
	// journal_mode, when it can no longer change), then the write-ahead log
	if _, err := w.Exec(`PRAGMA page_size = 16384; PRAGMA journal_mode = WAL`); err != nil {
		w.Close()
		return nil, fmt.Errorf("localapi journal: %w", err)
	}
	if _, err := w.Exec(schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("localapi schema: %w", err)
	}
	if err := upgrade(w); err != nil {
		w.Close()
		return nil, fmt.Errorf("localapi layout: %w", err)
	}
	// a write-ahead log left large (by a seed, or a crash) slows every read
	// that has to search it: fold it into the database first
	if _, err := w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		w.Close()
		return nil, fmt.Errorf("localapi checkpoint: %w", err)
	}
	r, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8) // database/sql keeps two by default: the others were closed after each burst, and their page caches with them
	s := &Store{w: w, r: r}
	if err := s.loadTree(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

func (s *Store) meta(key string) (string, error) {
	var v string
	err := s.r.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}
