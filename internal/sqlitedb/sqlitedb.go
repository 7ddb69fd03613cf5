// Package sqlitedb opens the console's own SQLite database the way SQLite
// wants it: one writer connection with immediate transactions, a reader pool.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// DB is a writer (one connection) and a reader pool over one file.
type DB struct {
	W *sql.DB
	R *sql.DB
}

// Open opens (creating) file and applies schema on the writer.
func Open(file, schema string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	// page caches (a limit, not an allocation) and memory-mapped reads: with
	// SQLite's 2 MB default, syncing into a multi-gigabyte index spent a third
	// of its time in pread; the writer's cache holds the indexes' hot pages
	base := "file:" + (&url.URL{Path: file}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		"&_pragma=mmap_size(1073741824)&_pragma=wal_autocheckpoint(4096)"
	if err := create(file); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", base+"&_pragma=cache_size(-262144)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("schema of %s: %w", filepath.Base(file), err)
	}
	// statistics for the query planner, sampled so that this stays quick on
	// gigabytes; without them it may pick a poor index for a search
	if _, err := w.Exec(`PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`); err != nil {
		w.Close()
		return nil, fmt.Errorf("optimize %s: %w", filepath.Base(file), err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=cache_size(-65536)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8) // database/sql keeps two by default: the others were closed after each burst, and their page caches with them
	return &DB{W: w, R: r}, nil
}

// Close closes both pools.
func (db *DB) Close() error { return errors.Join(db.R.Close(), db.W.Close()) }

// create makes a new database file with 16 KB pages (the driver applies
// DSN pragmas in alphabetical order, after journal_mode has fixed the page
// size): a bulk sync then writes a quarter as many pages.
func create(file string) error {
	if _, err := os.Stat(file); err == nil {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`PRAGMA page_size = 16384; PRAGMA journal_mode = WAL`)
	return err
}

// Ping checks both pools can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	return errors.Join(db.W.PingContext(ctx), db.R.PingContext(ctx))
}

// Check runs SQLite's quick check (quick: cheap enough at every start) or
// its whole integrity check on file, read only; nil when the file is sound.
func Check(ctx context.Context, file string, quick bool) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	pragma := "PRAGMA integrity_check(5)"
	if quick {
		pragma = "PRAGMA quick_check(5)"
	}
	rows, err := db.QueryContext(ctx, pragma)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", strings.TrimPrefix(pragma, "PRAGMA "), strings.Join(problems, "; "))
	}
	return nil
}
