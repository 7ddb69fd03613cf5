// migrate.go applies a database's layouts in order: each migration in a
// transaction of its own that also records the version it brings.

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Migration is one step of a database's layout; a new one goes at the end,
// never in between, and none is edited once released.
type Migration struct {
	Name string
	SQL  string
	// Then, when set, runs after SQL in the same transaction: a step that
	// SQL alone cannot write in both dialects (reading JSON, say).
	Then func(ctx context.Context, tx *sql.Tx) error
}

// Versions is how a database records its layout's version.
type Versions interface {
	// Current locks the version against other instances until tx ends,
	// where they share the database, and reads it.
	Current(ctx context.Context, tx *sql.Tx) (int, error)
	// Set records v in tx.
	Set(ctx context.Context, tx *sql.Tx, v int) error
}

// Migrate applies the migrations of list that db has not had, up to
// version to. A database of a newer layout than this program knows is
// refused rather than used wrongly.
func Migrate(ctx context.Context, db *sql.DB, list []Migration, to int, vs Versions) error {
	for {
		done, err := step(ctx, db, list, to, vs)
		if err != nil || done {
			return err
		}
	}
}

// step applies the next migration, or reports that none is left.
func step(ctx context.Context, db *sql.DB, list []Migration, to int, vs Versions) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	v, err := vs.Current(ctx, tx)
	if err != nil {
		return false, err
	}
	if v > len(list) {
		return false, fmt.Errorf("the database is of layout %d, newer than this Orgboard knows (%d): run a newer Orgboard", v, len(list))
	}
	if v >= to {
		return true, nil
	}
	if list[v].SQL != "" {
		if _, err := tx.ExecContext(ctx, list[v].SQL); err != nil {
			return false, fmt.Errorf("migration %d (%s): %w", v+1, list[v].Name, err)
		}
	}
	if then := list[v].Then; then != nil {
		if err := then(ctx, tx); err != nil {
			return false, fmt.Errorf("migration %d (%s): %w", v+1, list[v].Name, err)
		}
	}
	if err := vs.Set(ctx, tx, v+1); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d (%s): %w", v+1, list[v].Name, err)
	}
	return false, nil
}
