// sessions.go keeps the console's sessions (auth.SessionStore).

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"orgboard/internal/auth"
	"orgboard/internal/sqlitedb"
)

// Sessions is auth.SessionStore in orgboard.db.
type Sessions struct{ db *sqlitedb.DB }

// NewSessions keeps sessions in db.Console.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db.Console} }

var _ auth.SessionStore = (*Sessions)(nil)

// Load reads a session.
func (s *Sessions) Load(ctx context.Context, idHash string) (auth.SessionRecord, bool, error) {
	var r auth.SessionRecord
	var created, seen int64
	err := s.db.R.QueryRowContext(ctx, `SELECT sealed, token_id, email, created, last_seen FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&r.Sealed, &r.TokenID, &r.Email, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	r.Created, r.LastSeen = time.Unix(created, 0), time.Unix(seen, 0)
	return r, err == nil, err
}

// Save writes a session, keeping its created time.
func (s *Sessions) Save(ctx context.Context, idHash string, r auth.SessionRecord) error {
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions(id_hash, sealed, token_id, email, created, last_seen) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id_hash) DO UPDATE SET sealed = excluded.sealed, token_id = excluded.token_id, email = excluded.email, last_seen = excluded.last_seen`,
		idHash, r.Sealed, r.TokenID, r.Email, r.Created.Unix(), r.LastSeen.Unix())
	return err
}

// Touch records the session's use.
func (s *Sessions) Touch(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, at.Unix(), idHash)
	return err
}

// Delete ends a session.
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// Purge deletes expired sessions.
func (s *Sessions) Purge(ctx context.Context, seen, created time.Time) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen < ? OR created < ?`, seen.Unix(), created.Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
