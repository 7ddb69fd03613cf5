// sessions.go keeps the console's sessions (auth.SessionStore), shared by
// every instance: a session begun on one goes on on another.

package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/auth"
)

// Sessions is auth.SessionStore in PostgreSQL.
type Sessions struct{ db *DB }

// NewSessions keeps sessions in db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

var _ auth.SessionStore = (*Sessions)(nil)

// Load reads a session.
func (s *Sessions) Load(ctx context.Context, idHash string) (auth.SessionRecord, bool, error) {
	var r auth.SessionRecord
	err := s.db.Pool.QueryRow(ctx, `SELECT sealed, token_id, email, created, last_seen FROM sessions WHERE id_hash = $1`, idHash).
		Scan(&r.Sealed, &r.TokenID, &r.Email, &r.Created, &r.LastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// Save writes a session, keeping its created time.
func (s *Sessions) Save(ctx context.Context, idHash string, r auth.SessionRecord) error {
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO sessions(id_hash, sealed, token_id, email, created, last_seen) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id_hash) DO UPDATE SET sealed = excluded.sealed, token_id = excluded.token_id, email = excluded.email, last_seen = excluded.last_seen`,
		idHash, r.Sealed, r.TokenID, r.Email, r.Created.UTC(), r.LastSeen.UTC())
	return err
}

// Touch records the session's use.
func (s *Sessions) Touch(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `UPDATE sessions SET last_seen = $1 WHERE id_hash = $2`, at.UTC(), idHash)
	return err
}

// Delete ends a session, on every instance at once.
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.db.Pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return err
}

// Purge deletes expired sessions.
func (s *Sessions) Purge(ctx context.Context, seen, created time.Time) (int64, error) {
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM sessions WHERE last_seen < $1 OR created < $2`, seen.UTC(), created.UTC())
	return tag.RowsAffected(), err
}
