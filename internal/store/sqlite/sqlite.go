// Package sqlite keeps the console's state in SQLite files in its data
// directory, for one instance: orgboard.db (the console's own state:
// sessions, budgets, rate cards, alert rules, saved searches), audit.db
// (the audit index and its sync state) and usage.db (the usage store).
// The last two are copies of what Cloudflare holds: a damaged one is moved
// aside and built again. It is the default; internal/store/postgres is
// the same for several instances.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"orgboard/internal/clock"
	"orgboard/internal/sqlitedb"
	"orgboard/internal/store/sqlstore"
)

// DB is the console's three databases.
type DB struct {
	Console, Audit, Usage *sqlitedb.DB
	// RebuiltAudit and RebuiltUsage say, when audit.db or usage.db was
	// found damaged at start, where it was moved and that it is being
	// built again ("" otherwise).
	RebuiltAudit, RebuiltUsage string
}

// shared is a database as the shared stores use it.
func shared(db *sqlitedb.DB) *sqlstore.DB { return &sqlstore.DB{W: db.W, R: db.R, D: sqlstore.SQLite} }

// Stores are the shared stores on the three databases: the console's own
// state in orgboard.db, the usage store in usage.db.
func (db *DB) Stores() sqlstore.Shared {
	console := shared(db.Console)
	return sqlstore.Shared{Sessions: sqlstore.NewSessions(console), Saved: sqlstore.NewSavedSearches(console), Budgets: sqlstore.NewBudgets(console),
		Usage: sqlstore.NewUsage(shared(db.Usage), console), Alerts: sqlstore.NewAlerts(console), Changes: sqlstore.NewChanges(console)}
}

// Tree is the tree's history, kept in audit.db beside the entries it is
// learnt from.
func (db *DB) Tree() *sqlstore.Tree { return sqlstore.NewTree(shared(db.Audit)) }

// Open opens (creating) the databases in dir and brings their layouts up
// to date. A database of an earlier layout hands over what moved: the
// usage store leaves orgboard.db for usage.db, saved searches leave
// audit.db for orgboard.db.
func Open(ctx context.Context, dir string) (_ *DB, err error) {
	db := &DB{}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if db.Usage, db.RebuiltUsage, err = openCopy(ctx, filepath.Join(dir, "usage.db"), usageMigrations,
		"The usage store (usage.db)", "is filled again from Cloudflare as its pages are viewed"); err != nil {
		return nil, err
	}
	console := filepath.Join(dir, "orgboard.db")
	if err := quickCheck(ctx, console); err != nil {
		return nil, damagedState(console, err)
	}
	if db.Console, err = sqlitedb.Open(console, ""); err != nil {
		return nil, err
	}
	if err := handOverUsage(ctx, db.Console.W, filepath.Join(dir, "usage.db")); err != nil {
		return nil, fmt.Errorf("move the usage store to usage.db: %w", err)
	}
	if err := migrate(ctx, db.Console.W, consoleMigrations, len(consoleMigrations)); err != nil {
		if Damaged(err) {
			return nil, damagedState(console, err)
		}
		return nil, fmt.Errorf("orgboard.db: %w", err)
	}
	index := filepath.Join(dir, "audit.db")
	if quickCheck(ctx, index) == nil {
		// saved searches are the console's own: taken before a damaged
		// index could be moved aside, and before its layout drops them
		if err := takeSavedSearches(ctx, db.Console.W, index); err != nil && !Damaged(err) {
			return nil, fmt.Errorf("move saved searches to orgboard.db: %w", err)
		}
	}
	if db.Audit, db.RebuiltAudit, err = openCopy(ctx, index, auditMigrations,
		"The audit index (audit.db)", "is being built again from Cloudflare; what Cloudflare no longer holds (deleted organizations' entries, entries older than 18 months, the tree's history) is in the file moved aside and in your backups"); err != nil {
		return nil, err
	}
	// the writer checkpoints by itself only as a safety net (256 MB of
	// log): the index's writer has checkpoints run beside it
	if _, err := db.Audit.W.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 16384`); err != nil {
		return nil, err
	}
	return db, nil
}

// openCopy opens a database that holds a copy of Cloudflare's: a damaged
// file is moved aside and a new one made, and the notice says so.
func openCopy(ctx context.Context, file string, list []migration, what, again string) (*sqlitedb.DB, string, error) {
	cause := quickCheck(ctx, file)
	if cause == nil {
		db, err := open(ctx, file, list)
		if err == nil || !Damaged(err) {
			return db, "", err
		}
		cause = err
	}
	aside, err := moveAside(file, clock.System.Now()) // a file name, on the machine's clock
	if err != nil {
		return nil, "", fmt.Errorf("%s is damaged (%v) and could not be moved aside: %w", filepath.Base(file), cause, err)
	}
	notice := fmt.Sprintf("%s was damaged (%v): it was moved aside to %s and %s.", what, cause, filepath.Base(aside), again)
	db, err := open(ctx, file, list)
	return db, notice, err
}

func open(ctx context.Context, file string, list []migration) (*sqlitedb.DB, error) {
	db, err := sqlitedb.Open(file, "")
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db.W, list, len(list)); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	return db, nil
}

// Close closes the databases that are open.
func (db *DB) Close() error {
	var errs []error
	for _, d := range []*sqlitedb.DB{db.Audit, db.Usage, db.Console} {
		if d != nil {
			errs = append(errs, d.Close())
		}
	}
	return errors.Join(errs...)
}

// Ping checks the databases answer.
func (db *DB) Ping(ctx context.Context) error {
	return errors.Join(db.Console.Ping(ctx), db.Audit.Ping(ctx), db.Usage.Ping(ctx))
}
