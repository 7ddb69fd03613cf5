// tokens.go holds the API tokens, their roles and the organizations they
// cover.

package localapi

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"time"

	"orgboard/internal/api"
)

// Role is what a token may do within its organizations.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"  // everything, sub-organizations included
	RoleEditor Role = "editor" // profiles and members
	RoleViewer Role = "viewer" // read only
)

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleEditor:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// principal is the caller behind a token.
type principal struct {
	TokenID   string
	TokenName string
	Status    string
	ExpiresOn *time.Time
	NotBefore *time.Time
	Role      Role
	Grants    []string // organizations granted, with their descendants
	User      userRow
	Key       bool // authenticated by an API key carrying the token's rights
}

type userRow struct {
	ID, Email, FirstName, LastName string
	TwoFactor                      bool
	Telephone, Country, Zipcode    *string
}

// active reports whether the token may be used now.
func (p *principal) active(now time.Time) bool {
	if p.Status != "active" {
		return false
	}
	if p.ExpiresOn != nil && !now.Before(*p.ExpiresOn) {
		return false
	}
	return p.NotBefore == nil || !now.Before(*p.NotBefore)
}

// effectiveStatus is what /user/tokens/verify reports.
func (p *principal) effectiveStatus(now time.Time) string {
	if p.Status == "active" && p.ExpiresOn != nil && !now.Before(*p.ExpiresOn) {
		return "expired"
	}
	return p.Status
}

// may reports whether the token holds at least role over org.
func (p *principal) may(t *orgTree, org string, role Role) bool {
	if p.Role.rank() < role.rank() {
		return false
	}
	for _, g := range p.Grants {
		if t.within(org, g) {
			return true
		}
	}
	return false
}

// holdsRoot reports whether the token's grants include a root organization:
// only such tokens may create or move organizations to the top level.
func (p *principal) holdsRoot(t *orgTree) bool {
	for _, g := range p.Grants {
		if r := t.byID[g]; r != nil && r.ParentID == "" {
			return p.Role == RoleAdmin
		}
	}
	return false
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// principal looks a token up; nil when unknown.
func (s *Store) principal(token string) (*principal, error) {
	return s.principalByHash(hashToken(token))
}

// principalByHash looks a token up by its hash; nil when unknown.
func (s *Store) principalByHash(hash string) (*principal, error) {
	var p principal
	var expires, notBefore sql.NullString
	var tfa int
	err := s.r.QueryRow(`SELECT t.id, t.name, t.status, t.expires_on, t.not_before, t.role,
		u.id, u.email, u.first_name, u.last_name, u.two_factor, u.telephone, u.country, u.zipcode
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hash).
		Scan(&p.TokenID, &p.TokenName, &p.Status, &expires, &notBefore, &p.Role,
			&p.User.ID, &p.User.Email, &p.User.FirstName, &p.User.LastName, &tfa, &p.User.Telephone, &p.User.Country, &p.User.Zipcode)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.User.TwoFactor = tfa == 1
	p.ExpiresOn = parseOptTime(expires)
	p.NotBefore = parseOptTime(notBefore)
	rows, err := s.r.Query(`SELECT org_id FROM token_grants WHERE token_id = ? ORDER BY org_id`, p.TokenID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		p.Grants = append(p.Grants, g)
	}
	return &p, rows.Err()
}

func parseOptTime(s sql.NullString) *time.Time {
	if !s.Valid || s.String == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return nil
	}
	return &t
}

// SetTokenStatus changes a token's status (active, disabled): revoking a
// token, as a user would in Cloudflare's dashboard.
func (s *Store) SetTokenStatus(token, status string) error {
	res, err := s.w.Exec(`UPDATE tokens SET status = ? WHERE hash = ?`, status, hashToken(token))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// Checkpoint folds the write-ahead log into the database file, so that the
// file alone is a complete copy.
func (s *Store) Checkpoint() error {
	_, err := s.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// AddToken adds an active token of role over org and its descendants,
// owned by the demo administrator's user: benchmarks of many people each
// signed in with a token of their own.
func (s *Store) AddToken(token, name string, role Role, org string) error {
	return s.writeTx(func(tx *sql.Tx) error {
		var user string
		if err := tx.QueryRow(`SELECT user_id FROM tokens WHERE hash = ?`, hashToken(DemoAdminToken)).Scan(&user); err != nil {
			return err
		}
		id := newID()
		if _, err := tx.Exec(`INSERT INTO tokens(id, hash, name, user_id, role, status, expires_on, not_before) VALUES (?, ?, ?, ?, ?, 'active', NULL, NULL)`,
			id, hashToken(token), name, user, string(role)); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO token_grants(token_id, org_id) VALUES (?, ?)`, id, org)
		return err
	})
}

// actor is the audit entry's actor of the principal's writes.
func (p *principal) actor(ip string) api.AuditActor {
	if p.Key {
		return api.AuditActor{ID: p.User.ID, Context: "api_key", Email: p.User.Email, IPAddress: ip, Type: "user"}
	}
	return api.AuditActor{ID: p.User.ID, Context: "api_token", Email: p.User.Email, IPAddress: ip, TokenID: p.TokenID, TokenName: p.TokenName, Type: "user"}
}
