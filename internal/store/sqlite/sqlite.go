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

	"orgboard/internal/sqlitedb"
)

// DB is the console's two databases.
type DB struct {
	Console, Audit *sqlitedb.DB
}

// Open opens (creating) the databases in dir and brings their layouts up
// to date.
func Open(ctx context.Context, dir string) (*DB, error) {
	db := &DB{}
	var err error
	if db.Console, err = open(ctx, filepath.Join(dir, "orgboard.db"), consoleMigrations); err != nil {
		return nil, err
	}
	if db.Audit, err = open(ctx, filepath.Join(dir, "audit.db"), auditMigrations); err != nil {
		db.Console.Close()
		return nil, err
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
