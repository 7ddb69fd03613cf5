// saved.go keeps each user's named searches.

package audit

import (
	"context"
	"errors"

	"orgboard/internal/sqlitedb"
)

// SavedSearches are named queries per user (per token).
type SavedSearches struct{ db *sqlitedb.DB }

// NewSavedSearches keeps saved searches in db (Schema applied).
func NewSavedSearches(db *sqlitedb.DB) *SavedSearches { return &SavedSearches{db: db} }

// Saved is one saved search.
type Saved struct {
	ID                 int64
	Name, Scope, Query string
}

// maxSaved bounds one user's saved searches.
const maxSaved = 200

// ErrTooManySaved refuses a save past maxSaved.
var ErrTooManySaved = errors.New("at most 200 saved searches")

// Save stores (or replaces, by name) a search.
func (s *SavedSearches) Save(ctx context.Context, owner, scope, name, query string) error {
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM saved_searches WHERE owner = ?`, owner).Scan(&n); err != nil {
		return err
	}
	if n >= maxSaved {
		return ErrTooManySaved
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO saved_searches(owner, name, scope, query, created) VALUES (?, ?, ?, ?, strftime('%s','now'))
		ON CONFLICT(owner, scope, name) DO UPDATE SET query = excluded.query`, owner, name, scope, query)
	return err
}

// List returns the user's searches of one scope ("" for every organization).
func (s *SavedSearches) List(ctx context.Context, owner, scope string) ([]Saved, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, scope, query FROM saved_searches WHERE owner = ? AND scope = ? ORDER BY name`, owner, scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Saved
	for rows.Next() {
		var sv Saved
		if err := rows.Scan(&sv.ID, &sv.Name, &sv.Scope, &sv.Query); err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// Delete removes one of the user's searches.
func (s *SavedSearches) Delete(ctx context.Context, owner string, id int64) error {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM saved_searches WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
