// leases.go lets one instance at a time sync an organization's audit log
// (audit.Leases): a row per organization naming its holder, with an expiry
// by the database's clock, which every instance shares.

package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/audit"
)

// Leases is audit.Leases in PostgreSQL, for one instance.
type Leases struct {
	db     *DB
	holder string
	ttl    time.Duration
}

// DefaultLeaseTTL is how long a lease lasts unless renewed: a dead
// instance's organizations are taken over after at most this long.
const DefaultLeaseTTL = 30 * time.Second

// NewLeases makes this instance's leases (ttl 0: DefaultLeaseTTL).
func NewLeases(db *DB, ttl time.Duration) *Leases {
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return &Leases{db: db, ttl: ttl, holder: host + "/" + hex.EncodeToString(b)}
}

var _ audit.Leases = (*Leases)(nil)

// TTL is how long a lease lasts unless renewed.
func (l *Leases) TTL() time.Duration { return l.ttl }

// Take takes org's lease if nobody holds it, its holder let it expire, or
// this instance holds it already.
func (l *Leases) Take(ctx context.Context, org string) (bool, error) {
	var holder string
	err := l.db.Pool.QueryRow(ctx, `INSERT INTO audit_sync_leases(org_id, holder, expires) VALUES ($1, $2, now() + make_interval(secs => $3))
		ON CONFLICT (org_id) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE audit_sync_leases.expires < now() OR audit_sync_leases.holder = excluded.holder
		RETURNING holder`, org, l.holder, l.ttl.Seconds()).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Renew extends a lease this instance holds; false when it was lost.
func (l *Leases) Renew(ctx context.Context, org string) (bool, error) {
	tag, err := l.db.Pool.Exec(ctx, `UPDATE audit_sync_leases SET expires = now() + make_interval(secs => $3)
		WHERE org_id = $1 AND holder = $2 AND expires > now()`, org, l.holder, l.ttl.Seconds())
	return err == nil && tag.RowsAffected() == 1, err
}

// Release gives a lease up, so that another instance may sync at once.
func (l *Leases) Release(ctx context.Context, org string) error {
	_, err := l.db.Pool.Exec(ctx, `DELETE FROM audit_sync_leases WHERE org_id = $1 AND holder = $2`, org, l.holder)
	return err
}
