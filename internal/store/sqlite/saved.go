// saved.go keeps each user's named audit searches (audit.SavedSearches).

package sqlite

import (
	"context"

	"orgboard/internal/audit"
	"orgboard/internal/sqlitedb"
)

// SavedSearches is audit.SavedSearches in orgboard.db.
type SavedSearches struct{ db *sqlitedb.DB }

// NewSavedSearches keeps saved searches in db.Console.
func NewSavedSearches(db *DB) *SavedSearches { return &SavedSearches{db: db.Console} }

var _ audit.SavedSearches = (*SavedSearches)(nil)

// Save stores (or replaces, by name) a search, within the owner's limit.
func (s *SavedSearches) Save(ctx context.Context, owner, scope, name, query string) error {
	tx, err := s.db.W.BeginTx(ctx, nil) // the one writer: the count and the insert are one step
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_searches WHERE owner = ? AND NOT (scope = ? AND name = ?)`, owner, scope, name).Scan(&n); err != nil {
		return err
	}
	if n >= audit.MaxSaved {
		return audit.ErrTooManySaved
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO saved_searches(owner, name, scope, query, created) VALUES (?, ?, ?, ?, strftime('%s','now'))
		ON CONFLICT(owner, scope, name) DO UPDATE SET query = excluded.query`, owner, name, scope, query); err != nil {
		return err
	}
	return tx.Commit()
}

// List returns the owner's searches of one scope, by name.
func (s *SavedSearches) List(ctx context.Context, owner, scope string) ([]audit.Saved, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, scope, query FROM saved_searches WHERE owner = ? AND scope = ? ORDER BY name`, owner, scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Saved
	for rows.Next() {
		var sv audit.Saved
		if err := rows.Scan(&sv.ID, &sv.Name, &sv.Scope, &sv.Query); err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// Delete removes one of the owner's searches.
func (s *SavedSearches) Delete(ctx context.Context, owner string, id int64) error {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM saved_searches WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.ErrNotFound
	}
	return nil
}
