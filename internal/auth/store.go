// store.go is the server-side session store behind gorilla/sessions.

package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"orgboard/internal/clock"
	"orgboard/internal/sqlitedb"
)

// Schema is the sessions table, kept in the console's database.
const Schema = `
CREATE TABLE IF NOT EXISTS sessions (
	id_hash TEXT PRIMARY KEY,    -- SHA-256 of the cookie's ID: a database leak yields no usable cookie
	sealed BLOB NOT NULL,        -- the token, AES-GCM with the session as additional data
	token_id TEXT NOT NULL,
	email TEXT NOT NULL,
	created INTEGER NOT NULL,
	last_seen INTEGER NOT NULL
);`

// Store is a gorilla/sessions Store whose cookie holds only a random ID;
// everything else lives server-side, the token encrypted.
type Store struct {
	db      *sqlitedb.DB
	aead    cipher.AEAD
	Options sessions.Options
	Idle    time.Duration // a session unused this long ends
	Max     time.Duration // a session ends this long after sign-in, used or not
	now     func() time.Time
}

// touchEvery is how often a used session's last_seen is written: reading a
// session on every request should not mean writing it on every request.
const touchEvery = 15 * time.Second

// Session value keys.
const (
	keyToken   = "token"
	keyTokenID = "token_id"
	keyEmail   = "email"
	keyCreated = "created"
)

// NewStore makes a session store over db with key (32 bytes); sessions
// age by clk (nil: the machine's clock).
func NewStore(db *sqlitedb.DB, key []byte, idle, max time.Duration, clk clock.Clock) (*Store, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, aead: aead, Idle: idle, Max: max, now: clock.Or(clk).Now,
		Options: sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}}, nil
}

// Get returns the request's session (new when it has none or it expired).
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or makes an empty one.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return sess, nil
	}
	ok, err := s.load(r.Context(), c.Value, sess)
	if err != nil {
		return sess, err
	}
	if ok {
		sess.ID, sess.IsNew = c.Value, false
	}
	return sess, nil
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Store) load(ctx context.Context, id string, sess *sessions.Session) (bool, error) {
	var sealed []byte
	var tokenID, email string
	var created, lastSeen int64
	err := s.db.R.QueryRowContext(ctx, `SELECT sealed, token_id, email, created, last_seen FROM sessions WHERE id_hash = ?`, hashID(id)).
		Scan(&sealed, &tokenID, &email, &created, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	now := s.now()
	// last_seen lags by up to touchEvery, so idleness is judged with that slack:
	// a session is never ended before Idle has passed.
	if now.Sub(time.Unix(lastSeen, 0)) > s.Idle+touchEvery || now.Sub(time.Unix(created, 0)) > s.Max {
		_, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hashID(id))
		return false, err
	}
	token, err := s.open(id, sealed)
	if err != nil {
		return false, nil // a key change makes old sessions unreadable: they simply end
	}
	sess.Values[keyToken], sess.Values[keyTokenID], sess.Values[keyEmail] = token, tokenID, email
	sess.Values[keyCreated] = created
	if now.Sub(time.Unix(lastSeen, 0)) >= touchEvery {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, now.Unix(), hashID(id)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Save writes the session and its cookie; MaxAge < 0 deletes both.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if _, err := s.db.W.ExecContext(r.Context(), `DELETE FROM sessions WHERE id_hash = ?`, hashID(sess.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	token, _ := sess.Values[keyToken].(string)
	if token == "" {
		return errors.New("session has no token")
	}
	if sess.ID == "" {
		sess.ID = randomID()
	}
	created, _ := sess.Values[keyCreated].(int64)
	if created == 0 {
		created = s.now().Unix()
		sess.Values[keyCreated] = created
	}
	tokenID, _ := sess.Values[keyTokenID].(string)
	email, _ := sess.Values[keyEmail].(string)
	_, err := s.db.W.ExecContext(r.Context(), `INSERT INTO sessions(id_hash, sealed, token_id, email, created, last_seen) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id_hash) DO UPDATE SET sealed = excluded.sealed, token_id = excluded.token_id, email = excluded.email, last_seen = excluded.last_seen`,
		hashID(sess.ID), s.seal(sess.ID, token), tokenID, email, created, s.now().Unix())
	if err != nil {
		return err
	}
	opts := *sess.Options
	if opts.MaxAge == 0 {
		opts.MaxAge = int(s.Max / time.Second)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), sess.ID, &opts))
	return nil
}

// Purge deletes expired sessions; run it now and then.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen < ? OR created < ?`,
		now.Add(-s.Idle-touchEvery).Unix(), now.Add(-s.Max).Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *Store) seal(id, token string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(token), []byte(hashID(id)))
}

func (s *Store) open(id string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("sealed token too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(hashID(id)))
	if err != nil {
		return "", fmt.Errorf("open sealed token: %w", err)
	}
	return string(plain), nil
}

func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// macBytes is HMAC-SHA256 of parts under the store's key material.
func macBytes(key []byte, parts ...string) []byte {
	h := hmac.New(sha256.New, key)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}
