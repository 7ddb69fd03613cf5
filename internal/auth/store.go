// store.go is the server-side session store behind gorilla/sessions.

package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	"orgboard/internal/clock"
)

// SessionStore keeps sessions by the SHA-256 of their cookie's ID (a
// leak of the store yields no usable cookie); implementations are in
// internal/store.
type SessionStore interface {
	// Load reads a session; ok is false when there is none.
	Load(ctx context.Context, idHash string) (r SessionRecord, ok bool, err error)
	// Save writes a session, keeping its created time if it exists.
	Save(ctx context.Context, idHash string, r SessionRecord) error
	// Touch records that the session was used at.
	Touch(ctx context.Context, idHash string, at time.Time) error
	// Delete ends a session.
	Delete(ctx context.Context, idHash string) error
	// Purge deletes the sessions last seen before seen or created before
	// created, and returns how many.
	Purge(ctx context.Context, seen, created time.Time) (int64, error)
}

// SessionRecord is a session as stored: the token sealed (AES-GCM, with the
// session as additional data), whom it belongs to, and its times (to the second).
type SessionRecord struct {
	Sealed            []byte
	TokenID, Email    string
	Created, LastSeen time.Time
}

// Store is a gorilla/sessions Store whose cookie holds only a random ID;
// everything else lives server-side, the token encrypted.
type Store struct {
	db      SessionStore
	aead    cipher.AEAD
	Options sessions.Options
	Idle    time.Duration // a session unused this long ends
	Max     time.Duration // a session ends this long after sign-in, used or not
	now     func() time.Time

	mu    sync.Mutex
	memos map[string]memo // by the ID's hash: sessions read a moment ago
}

// memo is a session read from the database a moment ago, its token opened:
// a page's requests (the page, its fragments, its assets) read the
// database once. A sign-out here forgets it at once; one on another
// instance sharing the database ends it here within memoFor.
type memo struct {
	r     SessionRecord
	token string
	read  time.Time
}

// memoFor is how long a session read is reused; memoMax bounds the memos.
const (
	memoFor = 5 * time.Second
	memoMax = 10000
)

// remembered is the memo of a session read less than memoFor ago.
func (s *Store) remembered(h string, now time.Time) (memo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.memos[h]
	if !ok || now.Sub(m.read) >= memoFor || now.Before(m.read) {
		return memo{}, false
	}
	return m, true
}

func (s *Store) remember(h string, m memo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memos == nil || len(s.memos) >= memoMax {
		s.memos = map[string]memo{}
	}
	s.memos[h] = m
}

func (s *Store) forget(h string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.memos, h)
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
func NewStore(db SessionStore, key []byte, idle, max time.Duration, clk clock.Clock) (*Store, error) {
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
	h, now := hashID(id), s.now()
	m, ok := s.remembered(h, now)
	if !ok {
		r, found, err := s.db.Load(ctx, h)
		if err != nil || !found {
			return false, err
		}
		token, err := s.open(id, r.Sealed)
		if err != nil {
			return false, nil // a key change makes old sessions unreadable: they simply end
		}
		m = memo{r: r, token: token, read: now}
		s.remember(h, m)
	}
	r := m.r
	// last_seen lags by up to touchEvery, so idleness is judged with that slack:
	// a session is never ended before Idle has passed.
	if now.Sub(r.LastSeen) > s.Idle+touchEvery || now.Sub(r.Created) > s.Max {
		s.forget(h)
		return false, s.db.Delete(ctx, h)
	}
	sess.Values[keyToken], sess.Values[keyTokenID], sess.Values[keyEmail] = m.token, r.TokenID, r.Email
	sess.Values[keyCreated] = r.Created.Unix()
	if now.Sub(r.LastSeen) >= touchEvery {
		if err := s.db.Touch(ctx, h, now); err != nil {
			return false, err
		}
		m.r.LastSeen = now
		s.remember(h, m)
	}
	return true, nil
}

// Save writes the session and its cookie; MaxAge < 0 deletes both.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			s.forget(hashID(sess.ID))
			if err := s.db.Delete(r.Context(), hashID(sess.ID)); err != nil {
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
	s.forget(hashID(sess.ID))
	err := s.db.Save(r.Context(), hashID(sess.ID), SessionRecord{Sealed: s.seal(sess.ID, token), TokenID: tokenID, Email: email,
		Created: time.Unix(created, 0), LastSeen: s.now()})
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
	return s.db.Purge(ctx, now.Add(-s.Idle-touchEvery), now.Add(-s.Max))
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

// Seal encrypts a secret the console keeps for later (a rule's API token)
// with the console's key, bound to purpose.
func (s *Store) Seal(purpose, secret string) []byte { return s.seal(purpose, secret) }

// Open decrypts what Seal sealed for purpose.
func (s *Store) Open(purpose string, sealed []byte) (string, error) { return s.open(purpose, sealed) }
