package auth

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"orgboard/internal/clock/clocktest"
)

// memSessions keeps sessions in a map: the SQL stores have their own
// tests, on both backends, in internal/store.
type memSessions struct {
	mu sync.Mutex
	m  map[string]SessionRecord
}

func (s *memSessions) Load(_ context.Context, id string) (SessionRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[id]
	return r, ok, nil
}

func (s *memSessions) Save(_ context.Context, id string, r SessionRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[id]; ok {
		r.Created = old.Created
	}
	s.m[id] = r
	return nil
}

func (s *memSessions) Touch(_ context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.m[id]; ok {
		r.LastSeen = at
		s.m[id] = r
	}
	return nil
}

func (s *memSessions) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
	return nil
}

func (s *memSessions) Purge(_ context.Context, seen, created time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int64(0)
	for id, r := range s.m {
		if r.LastSeen.Before(seen) || r.Created.Before(created) {
			delete(s.m, id)
			n++
		}
	}
	return n, nil
}

func newManager(t *testing.T) (*Manager, *Store, *memSessions) {
	t.Helper()
	dir := t.TempDir()
	db := &memSessions{m: map[string]SessionRecord{}}
	key, err := LoadKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStore(db, key, 30*time.Minute, 12*time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewManager(st, key, false), st, db
}

// signIn returns a request that carries the new session's cookies.
func signIn(t *testing.T, m *Manager, token string) *http.Request {
	t.Helper()
	w := httptest.NewRecorder()
	if _, err := m.SignIn(w, httptest.NewRequest("POST", "/login", nil), token, "tok-id", "a@example.com"); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/orgs", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

// next is another request with r's cookies: gorilla/sessions keeps a
// session per request, so a later visit is a new request.
func next(r *http.Request) *http.Request {
	n := httptest.NewRequest("GET", "/orgs", nil)
	for _, c := range r.Cookies() {
		n.AddCookie(c)
	}
	return n
}

func TestSessionsExpire(t *testing.T) {
	m, st, _ := newManager(t)
	now := clocktest.Now()
	st.now = func() time.Time { return now }
	r := signIn(t, m, "secret-token")
	steps := []struct {
		name  string
		wait  time.Duration // since the previous use
		alive bool
	}{
		{"a minute after sign-in", time.Minute, true},
		{"29 minutes after the last use", 29 * time.Minute, true},
		{"31 minutes after the last use", 31 * time.Minute, false},
	}
	for _, tt := range steps {
		now = now.Add(tt.wait)
		id, err := m.Identify(next(r))
		if err != nil {
			t.Fatal(err)
		}
		if (id != nil) != tt.alive {
			t.Errorf("%s: alive %v, want %v", tt.name, id != nil, tt.alive)
		}
	}
	// absolute limit: used every 20 minutes, still ends after 12 hours
	r = signIn(t, m, "secret-token")
	start := now
	for now = start; now.Sub(start) < 12*time.Hour; now = now.Add(20 * time.Minute) {
		if id, _ := m.Identify(next(r)); id == nil {
			t.Fatalf("ended early, after %v", now.Sub(start))
		}
	}
	now = start.Add(12*time.Hour + time.Minute)
	if id, _ := m.Identify(next(r)); id != nil {
		t.Error("a session outlived the absolute limit")
	}
}

func TestTokenIsEncryptedAtRest(t *testing.T) {
	m, _, db := newManager(t)
	r := signIn(t, m, "very-secret-token-value")
	var sealed []byte
	var idHash string
	for id, rec := range db.m {
		sealed, idHash = rec.Sealed, id
	}
	c, _ := r.Cookie(CookieName)
	if bytes.Contains(sealed, []byte("very-secret")) || idHash == c.Value {
		t.Error("the token or the cookie's ID is stored in the clear")
	}
	id, err := m.Identify(next(r))
	if err != nil || id == nil || id.Token != "very-secret-token-value" {
		t.Errorf("identify: %+v, %v", id, err)
	}
	if bytes.Contains([]byte(c.Value), []byte("secret")) {
		t.Error("the cookie holds the token")
	}
}

func TestKeyFileIsPrivateAndStable(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "session.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", fi.Mode().Perm(), err)
	}
	k2, _ := LoadKey(dir, "")
	if !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Error("the generated key changed between loads")
	}
	s1, _ := LoadKey(dir, "a long enough secret")
	if bytes.Equal(s1, k1) {
		t.Error("ORGBOARD_SECRET was ignored")
	}
	if _, err := LoadKey(dir, "short"); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestCSRFTokensBindSecretAndSession(t *testing.T) {
	m, _, _ := newManager(t)
	r := signIn(t, m, "tok")
	id, _ := m.Identify(r)
	w := httptest.NewRecorder()
	token := m.CSRF(w, r, id)
	if !m.ValidCSRF(r, id, token) {
		t.Fatal("own token refused")
	}
	if m.ValidCSRF(r, nil, token) || m.ValidCSRF(r, id, token+"x") || m.ValidCSRF(r, id, "") {
		t.Error("a token was accepted for the wrong session or altered")
	}
	bare := httptest.NewRequest("POST", "/", nil)
	if m.ValidCSRF(bare, id, token) {
		t.Error("a token was accepted without its secret cookie")
	}
}

func TestSecureCookiesWhenAskedOrOverTLS(t *testing.T) {
	m, st, _ := newManager(t)
	secure := NewManager(st, m.key, true)
	for name, tc := range map[string]struct {
		m      *Manager
		tls    bool
		secure bool
	}{"plain": {m, false, false}, "--secure-cookies": {secure, false, true}, "TLS": {m, true, true}} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/login", nil)
		if tc.tls {
			r = httptest.NewRequest("POST", "https://example.com/login", nil)
		}
		if _, err := tc.m.SignIn(w, r, "tok", "id", "a@example.com"); err != nil {
			t.Fatal(err)
		}
		for _, c := range w.Result().Cookies() {
			if c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("%s: cookie %s Secure=%v HttpOnly=%v SameSite=%v", name, c.Name, c.Secure, c.HttpOnly, c.SameSite)
			}
		}
	}
}

// Every token handed out is masked afresh, and every one of them is valid:
// a compressed page that reflects input leaks nothing of the token through
// its length (BREACH), since no two responses carry the same bytes.
func TestCSRFTokensAreMaskedPerResponse(t *testing.T) {
	m, _, _ := newManager(t)
	r := signIn(t, m, "tok")
	id, _ := m.Identify(r)
	seen := map[string]bool{}
	for range 50 {
		token := m.CSRF(httptest.NewRecorder(), r, id)
		if seen[token] {
			t.Fatal("a token was handed out twice")
		}
		seen[token] = true
		if !m.ValidCSRF(r, id, token) {
			t.Fatal("a masked token was refused")
		}
	}
	for token := range seen {
		b := []byte(token)
		b[len(b)/2] ^= 1 // one bit of the masked half
		if m.ValidCSRF(r, id, string(b)) {
			t.Error("an altered token was accepted")
		}
		break
	}
}
