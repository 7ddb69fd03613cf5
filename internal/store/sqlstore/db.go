// Package sqlstore is the console's stores written once, on database/sql,
// for both databases: SQLite (internal/store/sqlite: files in the data
// directory) and PostgreSQL (internal/store/postgres, through pgx's
// database/sql driver). Both give their tables the same names and
// columns; a Dialect writes what differs (placeholders, times, a planner
// hint). What truly differs stays with its backend: the audit index's
// full text (FTS5 against tsvector), how it writes, leases, the shared
// upstream budget.
package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// Shared are the stores both backends keep through this package, each on
// the database the backend gives it.
type Shared struct {
	Sessions *Sessions
	Saved    *SavedSearches
	Budgets  *Budgets
	Usage    *Usage
	Alerts   *Alerts
	Changes  *Changes
}

// DB is a database as the stores use it: a writer and readers (one pool
// in PostgreSQL; in SQLite the one writer connection, whose transactions
// are immediate, and a pool of readers), and its dialect.
type DB struct {
	W, R *sql.DB
	D    *Dialect
}

// Exec runs a statement on the writer.
func (db *DB) Exec(ctx context.Context, stmt string, args ...any) (sql.Result, error) {
	return db.W.ExecContext(ctx, db.D.Q(stmt), args...)
}

// Query reads from a reader.
func (db *DB) Query(ctx context.Context, stmt string, args ...any) (*sql.Rows, error) {
	return db.R.QueryContext(ctx, db.D.Q(stmt), args...)
}

// QueryRow reads one row from a reader.
func (db *DB) QueryRow(ctx context.Context, stmt string, args ...any) *sql.Row {
	return db.R.QueryRowContext(ctx, db.D.Q(stmt), args...)
}

// WriteRow runs a statement that writes and returns a row (RETURNING).
func (db *DB) WriteRow(ctx context.Context, stmt string, args ...any) *sql.Row {
	return db.W.QueryRowContext(ctx, db.D.Q(stmt), args...)
}

// InTx runs fn in a transaction on the writer, committed when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&Tx{tx: tx, d: db.D}); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx is a transaction with the database's dialect.
type Tx struct {
	tx *sql.Tx
	d  *Dialect
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, stmt string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.d.Q(stmt), args...)
}

// QueryRow reads one row in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, stmt string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.d.Q(stmt), args...)
}

// Query reads rows in the transaction.
func (tx *Tx) Query(ctx context.Context, stmt string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.d.Q(stmt), args...)
}

// Prepare prepares a statement for the transaction.
func (tx *Tx) Prepare(ctx context.Context, stmt string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, tx.d.Q(stmt))
}

// Raw is the transaction itself, for a backend's own statements.
func (tx *Tx) Raw() *sql.Tx { return tx.tx }

// Placeholders is n placeholders, for an IN list.
func Placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// Args are a list's values as statement arguments.
func Args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// Chunks splits a long IN list so that no statement binds too many values.
func Chunks(ids []string) [][]string {
	const size = 5000
	var out [][]string
	for len(ids) > size {
		out, ids = append(out, ids[:size]), ids[size:]
	}
	return append(out, ids)
}

// Rows calls each for every row of a query, closing it at the end.
func Rows(rows *sql.Rows, err error, each func(*sql.Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
