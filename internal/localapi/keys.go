// keys.go is the legacy way to authenticate: X-Auth-Email with the user's
// global API key. A key carries the rights of its user's API token.

package localapi

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
)

// Demo API keys, one per demo user with a live token (docs/api-accounts.md).
const (
	DemoAdminKey  = "orgboard-demo-admin-key"
	DemoEditorKey = "orgboard-demo-editor-key"
	DemoViewerKey = "orgboard-demo-viewer-key"
)

// DemoKey is one demo API key: its user's e-mail and the token whose
// rights it carries.
type DemoKey struct {
	Email, Key, Token string
}

// DemoKeys lists the demo API keys (the seed's demo users).
func DemoKeys() []DemoKey {
	return []DemoKey{
		{"alex.morgan@northwind.example", DemoAdminKey, DemoAdminToken},
		{"priya.patel@northwind.example", DemoEditorKey, DemoEditorToken},
		{"vera.holm@northwind.example", DemoViewerKey, DemoViewerToken},
	}
}

// demoKeys gives each demo user with a live token its key, where the
// token exists (a seeded store) and the key does not.
func demoKeys(w *sql.DB) error {
	for _, k := range DemoKeys() {
		if _, err := w.Exec(`INSERT OR IGNORE INTO api_keys(hash, token_id) SELECT ?, id FROM tokens WHERE hash = ?`,
			hashToken(k.Key), hashToken(k.Token)); err != nil {
			return err
		}
	}
	return nil
}

// errUnknownKey is what a wrong pair of e-mail and key answers.
var errUnknownKey = &apiError{http.StatusUnauthorized, 9103, "Unknown X-Auth-Key or X-Auth-Email"}

// keyPrincipal looks up the caller of an e-mail and key pair: the rights
// of the key's token, always active (a key does not expire), audited as
// an API key.
func (s *Store) keyPrincipal(email, key string) (*principal, error) {
	var tokenHash string
	err := s.r.QueryRow(`SELECT t.hash FROM api_keys k JOIN tokens t ON t.id = k.token_id JOIN users u ON u.id = t.user_id
		WHERE k.hash = ? AND u.email = ? COLLATE NOCASE`, hashToken(key), strings.TrimSpace(email)).Scan(&tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUnknownKey
	}
	if err != nil {
		return nil, err
	}
	p, err := s.principalByHash(tokenHash)
	if err != nil || p == nil {
		return nil, errors.Join(err, errUnknownKey)
	}
	p.Key, p.Status, p.ExpiresOn, p.NotBefore = true, "active", nil, nil
	return p, nil
}
