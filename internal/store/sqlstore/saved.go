// saved.go keeps each user's named audit searches (audit.SavedSearches).

package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"orgboard/internal/audit"
)

// SavedSearches is audit.SavedSearches.
type SavedSearches struct{ db *DB }

// NewSavedSearches keeps saved searches in db.
func NewSavedSearches(db *DB) *SavedSearches { return &SavedSearches{db: db} }

var _ audit.SavedSearches = (*SavedSearches)(nil)

// Save stores (or replaces, by name) a search, within the owner's limit;
// a lock on the owner makes the count and the insert one step whatever
// the instance.
func (s *SavedSearches) Save(ctx context.Context, owner, scope, name, query string, at time.Time) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		if err := s.db.D.Lock(ctx, tx, "saved_searches:"+owner); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM saved_searches WHERE owner = ? AND NOT (scope = ? AND name = ?)`, owner, scope, name).Scan(&n); err != nil {
			return err
		}
		if n >= audit.MaxSaved {
			return audit.ErrTooManySaved
		}
		// created is kept for the operator's eyes only
		_, err := tx.Exec(ctx, `INSERT INTO saved_searches(owner, name, scope, query, created) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (owner, scope, name) DO UPDATE SET query = excluded.query`, owner, name, scope, query, s.db.D.Time(at))
		return err
	})
}

// List returns the owner's searches of one scope, by name.
func (s *SavedSearches) List(ctx context.Context, owner, scope string) ([]audit.Saved, error) {
	var out []audit.Saved
	rows, err := s.db.Query(ctx, `SELECT id, name, scope, query FROM saved_searches WHERE owner = ? AND scope = ? ORDER BY `+s.db.D.Bytewise("name"), owner, scope)
	return out, Rows(rows, err, func(r *sql.Rows) error {
		var sv audit.Saved
		err := r.Scan(&sv.ID, &sv.Name, &sv.Scope, &sv.Query)
		out = append(out, sv)
		return err
	})
}

// Delete removes one of the owner's searches.
func (s *SavedSearches) Delete(ctx context.Context, owner string, id int64) error {
	res, err := s.db.Exec(ctx, `DELETE FROM saved_searches WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return audit.ErrNotFound
	}
	return nil
}
