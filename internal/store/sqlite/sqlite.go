// Package sqlite keeps the console's state in SQLite files in its data
// directory, for one instance: orgboard.db (sessions, budgets) and audit.db
// (the audit index, its sync state, saved searches). It is the default;
// internal/store/postgres is the same for several instances.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"orgboard/internal/clock"
	"orgboard/internal/sqlitedb"
)

// DB is the console's two databases.
type DB struct {
	Console, Audit *sqlitedb.DB
	// Rebuilt says, when audit.db was found damaged at start, where it was
	// moved and that it is being built again ("" otherwise).
	Rebuilt string
}

// Open opens (creating) the databases in dir and brings their layouts up
// to date.
func Open(ctx context.Context, dir string) (*DB, error) {
	db := &DB{}
	var err error
	console := filepath.Join(dir, "orgboard.db")
	if err := quickCheck(ctx, console); err != nil {
		return nil, damagedState(console, err)
	}
	if db.Console, err = open(ctx, console, consoleMigrations); err != nil {
		if Damaged(err) {
			return nil, damagedState(console, err)
		}
		return nil, err
	}
	index := filepath.Join(dir, "audit.db")
	cause := quickCheck(ctx, index)
	if cause == nil {
		db.Audit, cause = open(ctx, index, auditMigrations)
		if cause != nil && !Damaged(cause) {
			db.Console.Close()
			return nil, cause
		}
	}
	if cause != nil { // a copy of Cloudflare's: moved aside, and synced again
		aside, err := moveAside(index, clock.System.Now()) // a file name, on the machine's clock
		if err != nil {
			db.Console.Close()
			return nil, fmt.Errorf("audit.db is damaged (%v) and could not be moved aside: %w", cause, err)
		}
		db.Rebuilt = fmt.Sprintf("The audit index (audit.db) was damaged (%v): it was moved aside to %s and is being built again from Cloudflare.", cause, filepath.Base(aside))
		if db.Audit, err = open(ctx, index, auditMigrations); err != nil {
			db.Console.Close()
			return nil, err
		}
	}
	// the writer checkpoints by itself only as a safety net (256 MB of
	// log): the index's writer has checkpoints run beside it
	if _, err := db.Audit.W.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 16384`); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func open(ctx context.Context, file string, list []migration) (*sqlitedb.DB, error) {
	db, err := sqlitedb.Open(file, "")
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db.W, list); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	return db, nil
}

// Close closes both databases.
func (db *DB) Close() error {
	return errors.Join(db.Audit.Close(), db.Console.Close())
}

// Ping checks both databases answer.
func (db *DB) Ping(ctx context.Context) error {
	return errors.Join(db.Console.Ping(ctx), db.Audit.Ping(ctx))
}
