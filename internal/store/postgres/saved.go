// saved.go keeps each user's named audit searches (audit.SavedSearches).

package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/audit"
)

// SavedSearches is audit.SavedSearches in PostgreSQL.
type SavedSearches struct{ db *DB }

// NewSavedSearches keeps saved searches in db.
func NewSavedSearches(db *DB) *SavedSearches { return &SavedSearches{db: db} }

var _ audit.SavedSearches = (*SavedSearches)(nil)

// Save stores (or replaces, by name) a search, within the owner's limit;
// a lock on the owner makes the count and the insert one step whatever
// the instance.
func (s *SavedSearches) Save(ctx context.Context, owner, scope, name, query string) error {
	return pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('saved_searches:' || $1, 0))`, owner); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM saved_searches WHERE owner = $1 AND NOT (scope = $2 AND name = $3)`, owner, scope, name).Scan(&n); err != nil {
			return err
		}
		if n >= audit.MaxSaved {
			return audit.ErrTooManySaved
		}
		_, err := tx.Exec(ctx, `INSERT INTO saved_searches(owner, name, scope, query) VALUES ($1, $2, $3, $4)
			ON CONFLICT (owner, scope, name) DO UPDATE SET query = excluded.query`, owner, name, scope, query)
		return err
	})
}

// List returns the owner's searches of one scope, by name.
func (s *SavedSearches) List(ctx context.Context, owner, scope string) ([]audit.Saved, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT id, name, scope, query FROM saved_searches WHERE owner = $1 AND scope = $2 ORDER BY name COLLATE "C"`, owner, scope)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.Saved, error) {
		var sv audit.Saved
		return sv, r.Scan(&sv.ID, &sv.Name, &sv.Scope, &sv.Query)
	})
}

// Delete removes one of the owner's searches.
func (s *SavedSearches) Delete(ctx context.Context, owner string, id int64) error {
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM saved_searches WHERE id = $1 AND owner = $2`, id, owner)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return audit.ErrNotFound
	}
	return nil
}
