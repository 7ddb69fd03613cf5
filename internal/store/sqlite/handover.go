// handover.go moves tables between the data directory's files when an
// earlier layout kept them elsewhere: the usage store leaves orgboard.db
// for usage.db (a copy of Cloudflare's, rebuilt when damaged, unlike the
// console's own state), and saved searches leave audit.db (which may be
// moved aside and rebuilt) for orgboard.db. Each copy commits before its
// source is dropped, and is idempotent, so a start stopped half-way
// repeats it without loss.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
)

// handOverUsage copies the usage store's tables from console (orgboard.db
// before its seventh layout) into the usage.db file; the console's
// migration then drops them.
func handOverUsage(ctx context.Context, console *sql.DB, usageFile string) error {
	return attached(ctx, console, usageFile, func(conn *sql.Conn) error {
		if !hasTable(ctx, conn, "main", "usage_days") {
			return nil
		}
		// fetch times were Unix seconds then; usage.db keeps microseconds
		return inTx(ctx, conn, `INSERT OR REPLACE INTO other.usage_days SELECT org_id, day, fetched * 1000000, corrected, coarse FROM main.usage_days;
INSERT OR REPLACE INTO other.usage_fine SELECT org_id, day, sums FROM main.usage_fine`,
			optional(hasTable(ctx, conn, "main", "usage_rollups"), `INSERT OR REPLACE INTO other.usage_rollups SELECT set_id, day, stamp, sums FROM main.usage_rollups`))
	})
}

// takeSavedSearches copies the saved searches of auditFile (audit.db
// before its fourth layout) into console and then drops them there.
func takeSavedSearches(ctx context.Context, console *sql.DB, auditFile string) error {
	if _, err := os.Stat(auditFile); errors.Is(err, os.ErrNotExist) {
		return nil // ATTACH would make an empty file with the wrong page size
	}
	return attached(ctx, console, auditFile, func(conn *sql.Conn) error {
		if !hasTable(ctx, conn, "other", "saved_searches") {
			return nil
		}
		// their created times were Unix seconds then
		if err := inTx(ctx, conn, `INSERT OR IGNORE INTO main.saved_searches(owner, name, scope, query, created)
			SELECT owner, name, scope, query, created * 1000000 FROM other.saved_searches`); err != nil {
			return err
		}
		return inTx(ctx, conn, `DROP TABLE other.saved_searches`)
	})
}

// attached runs fn on one connection of db with file attached as "other".
func attached(ctx context.Context, db *sql.DB, file string, fn func(*sql.Conn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS other`, file); err != nil {
		return err
	}
	err = fn(conn)
	if _, derr := conn.ExecContext(ctx, `DETACH DATABASE other`); err == nil {
		err = derr
	}
	return err
}

func hasTable(ctx context.Context, conn *sql.Conn, schema, name string) bool {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+schema+`.sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return err == nil && n > 0
}

func optional(when bool, stmt string) string {
	if when {
		return stmt
	}
	return ""
}

// inTx runs the statements in one transaction on conn.
func inTx(ctx context.Context, conn *sql.Conn, stmts ...string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range stmts {
		if s == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}
