// manager.go signs users in and out and issues CSRF tokens.

package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
)

// CookieName is the session cookie; PreCookieName carries the CSRF secret of
// visitors who have not signed in yet.
const (
	CookieName    = "orgboard_session"
	PreCookieName = "orgboard_pre"
)

// Identity is a signed-in user as the console sees them.
type Identity struct {
	SessionID string
	Token     string // the user's API token: only for upstream calls, never for output; "" for a person
	TokenID   string
	Email     string
	// Person is who signed in through the identity provider (nil for a
	// token session): the console acts for them with its own token, within
	// the rights the delegation file gives them.
	Person *Person
}

// Label is who is signed in, for the header.
func (id *Identity) Label() string {
	if id.Email != "" {
		return id.Email
	}
	return "token " + id.TokenID
}

// Manager signs users in and out and issues CSRF tokens.
type Manager struct {
	store *Store
	key   []byte
	// Secure forces the cookies' Secure flag; otherwise it follows the request's TLS.
	Secure bool
}

// NewManager wraps a session store; key signs CSRF tokens.
func NewManager(store *Store, key []byte, secure bool) *Manager {
	return &Manager{store: store, key: key, Secure: secure}
}

func (m *Manager) options(r *http.Request) sessions.Options {
	o := m.store.Options
	o.Secure = m.Secure || r.TLS != nil
	return o
}

// Identify returns the signed-in identity of the request, or nil. It reads
// the session through gorilla/sessions' Store interface (and so its
// per-request registry), like every other use of the store.
func (m *Manager) Identify(r *http.Request) (*Identity, error) {
	var store sessions.Store = m.store
	sess, err := store.Get(r, CookieName)
	if err != nil || sess.IsNew {
		return nil, err
	}
	id := &Identity{SessionID: sess.ID}
	id.Token, _ = sess.Values[keyToken].(string)
	id.TokenID, _ = sess.Values[keyTokenID].(string)
	id.Email, _ = sess.Values[keyEmail].(string)
	if p, ok := personOf(id.Token); ok {
		id.Token, id.Person = "", p
	}
	return id, nil
}

// SignIn ends any session the request carried and starts a new one under a
// new random ID, so that an ID planted before sign-in is never adopted.
func (m *Manager) SignIn(w http.ResponseWriter, r *http.Request, token, tokenID, email string) (*Identity, error) {
	if err := m.SignOut(w, r); err != nil {
		return nil, err
	}
	sess := sessions.NewSession(m.store, CookieName)
	opts := m.options(r)
	sess.Options = &opts
	sess.Values[keyToken], sess.Values[keyTokenID], sess.Values[keyEmail] = token, tokenID, email
	if err := m.store.Save(r, w, sess); err != nil {
		return nil, err
	}
	m.setPre(w, r, randomID()) // a fresh CSRF secret for the new session
	return &Identity{SessionID: sess.ID, Token: token, TokenID: tokenID, Email: email}, nil
}

// SignOut deletes the request's session record and its cookie.
func (m *Manager) SignOut(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil
	}
	sess := sessions.NewSession(m.store, CookieName)
	opts := m.options(r)
	opts.MaxAge = -1
	sess.Options, sess.ID = &opts, c.Value
	return m.store.Save(r, w, sess)
}

// CSRF returns the request's CSRF token, setting the secret cookie when the
// visitor has none. The token binds that secret to the session; sign-in
// rotates the secret and redirects, so the next page carries new tokens.
// Each token handed out is masked afresh (BREACH): a compressed page that
// also reflects what a visitor typed then leaks nothing of the token
// through its length.
func (m *Manager) CSRF(w http.ResponseWriter, r *http.Request, id *Identity) string {
	secret := preSecret(r)
	if secret == "" {
		secret = randomID()
		m.setPre(w, r, secret)
		r.AddCookie(&http.Cookie{Name: PreCookieName, Value: secret})
	}
	sid := ""
	if id != nil {
		sid = id.SessionID
	}
	return mask(macBytes(m.key, "csrf", secret, sid))
}

// mask writes raw as a fresh random pad followed by raw XOR the pad.
func mask(raw []byte) string {
	out := make([]byte, 2*len(raw))
	rand.Read(out[:len(raw)])
	for i, b := range raw {
		out[len(raw)+i] = b ^ out[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// unmask undoes mask; ok is false for anything mask did not write.
func unmask(s string, n int) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 2*n {
		return nil, false
	}
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = b[n+i] ^ b[i]
	}
	return raw, true
}

func preSecret(r *http.Request) string {
	if c, err := r.Cookie(PreCookieName); err == nil {
		return c.Value
	}
	return ""
}

// ValidCSRF checks a submitted token against the request's secret and session.
func (m *Manager) ValidCSRF(r *http.Request, id *Identity, token string) bool {
	c, err := r.Cookie(PreCookieName)
	if err != nil || c.Value == "" || token == "" {
		return false
	}
	sid := ""
	if id != nil {
		sid = id.SessionID
	}
	want := macBytes(m.key, "csrf", c.Value, sid)
	got, ok := unmask(token, len(want))
	return ok && hmac.Equal(want, got)
}

func (m *Manager) setPre(w http.ResponseWriter, r *http.Request, v string) {
	http.SetCookie(w, &http.Cookie{Name: PreCookieName, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: m.Secure || r.TLS != nil, MaxAge: int((24 * time.Hour).Seconds())})
}

// Seal encrypts a secret for purpose with the console's key (Open reads it).
func (m *Manager) Seal(purpose, secret string) []byte { return m.store.Seal(purpose, secret) }

// Open reads what Seal sealed for purpose.
func (m *Manager) Open(purpose string, sealed []byte) (string, error) {
	return m.store.Open(purpose, sealed)
}

// SecureCookies reports whether a cookie set for r is marked Secure.
func (m *Manager) SecureCookies(r *http.Request) bool { return m.Secure || r.TLS != nil }
