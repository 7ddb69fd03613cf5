// sessions.go keeps the console's sessions (auth.SessionStore): a session
// begun on one instance goes on on another.

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"orgboard/internal/auth"
)

// Sessions is auth.SessionStore.
type Sessions struct{ db *DB }

// NewSessions keeps sessions in db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

var _ auth.SessionStore = (*Sessions)(nil)

// Load reads a session.
func (s *Sessions) Load(ctx context.Context, idHash string) (auth.SessionRecord, bool, error) {
	var r auth.SessionRecord
	err := s.db.QueryRow(ctx, `SELECT sealed, token_id, email, created, last_seen FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&r.Sealed, &r.TokenID, &r.Email, TimeOf(&r.Created), TimeOf(&r.LastSeen))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// Save writes a session, keeping its created time.
func (s *Sessions) Save(ctx context.Context, idHash string, r auth.SessionRecord) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions(id_hash, sealed, token_id, email, created, last_seen) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id_hash) DO UPDATE SET sealed = excluded.sealed, token_id = excluded.token_id, email = excluded.email, last_seen = excluded.last_seen`,
		idHash, r.Sealed, r.TokenID, r.Email, s.db.D.Time(r.Created), s.db.D.Time(r.LastSeen))
	return err
}

// Touch records the session's use.
func (s *Sessions) Touch(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, s.db.D.Time(at), idHash)
	return err
}

// Delete ends a session, on every instance at once.
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// Purge deletes expired sessions.
func (s *Sessions) Purge(ctx context.Context, seen, created time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE last_seen < ? OR created < ?`, s.db.D.Time(seen), s.db.D.Time(created))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
