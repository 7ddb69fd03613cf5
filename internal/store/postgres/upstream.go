// upstream.go is each token's upstream budget shared by every instance
// (pacing.Budget): one token bucket per token in a row, taken from with one
// statement per call, so that N instances together stay within Cloudflare's
// 1,200 calls per five minutes. The rules are pacing.Bucket's: background
// work leaves pages a reserve, and a page that would wait too long is
// refused with a 429 that says when to try again.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/api"
	"orgboard/internal/pacing"
)

// UpstreamBudget is pacing.Budget in PostgreSQL.
type UpstreamBudget struct {
	db      *DB
	rate    float64 // calls a second
	burst   float64
	reserve float64
	log     *slog.Logger
}

// NewUpstreamBudget shares buckets of rate calls a second and burst at once
// (0: pacing's defaults).
func NewUpstreamBudget(db *DB, rate float64, burst int, log *slog.Logger) *UpstreamBudget {
	if rate <= 0 || burst <= 0 {
		rate, burst = pacing.DefaultRate, pacing.DefaultBurst
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &UpstreamBudget{db: db, rate: rate, burst: float64(burst), reserve: pacing.Reserve(burst), log: log}
}

var _ pacing.Budget = (*UpstreamBudget)(nil)

// For returns the limiter of the token key names.
func (u *UpstreamBudget) For(key string) api.Limiter { return &sharedBucket{u: u, key: key} }

// Sweep forgets the buckets that have refilled (a new one starts full).
func (u *UpstreamBudget) Sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := u.db.Pool.Exec(ctx, `DELETE FROM upstream_budgets WHERE at < now() - make_interval(secs => $1)`, u.burst/u.rate); err != nil {
		u.log.Warn("sweep the upstream budgets", "error", err)
	}
}

type sharedBucket struct {
	u   *UpstreamBudget
	key string
}

// take takes a call if the bucket stays at or above floor afterwards; it
// returns the tokens left (negative: the call waits for them), or, when it
// may not take, the tokens there are now.
const take = `INSERT INTO upstream_budgets AS b (token_key, tokens, at) VALUES ($1, $2::float8 - 1, now())
	ON CONFLICT (token_key) DO UPDATE SET tokens = least($2::float8, b.tokens + extract(epoch FROM now() - b.at)::float8 * $3::float8) - 1, at = now()
	WHERE least($2::float8, b.tokens + extract(epoch FROM now() - b.at)::float8 * $3::float8) - 1 >= $4::float8
	RETURNING tokens`

const level = `SELECT least($2::float8, tokens + extract(epoch FROM now() - at)::float8 * $3::float8) FROM upstream_budgets WHERE token_key = $1`

// Wait blocks until a call may be made; a context that is not
// api.Patient gets a 429 instead of a wait over pacing.MaxInteractiveWait.
func (b *sharedBucket) Wait(ctx context.Context) error {
	patient := api.IsPatient(ctx)
	floor := -b.u.rate * pacing.MaxInteractiveWait.Seconds() // a page may wait for a few calls' worth
	if patient {
		floor = b.u.reserve // background work leaves pages their share
	}
	for {
		var left float64
		err := b.u.db.Pool.QueryRow(ctx, take, b.key, b.u.burst, b.u.rate, floor).Scan(&left)
		if err == nil {
			if left >= 0 {
				return nil
			}
			return b.sleep(ctx, seconds(-left/b.u.rate), true)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("the shared upstream budget: %w", err)
		}
		var now float64
		if err := b.u.db.Pool.QueryRow(ctx, level, b.key, b.u.burst, b.u.rate).Scan(&now); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("the shared upstream budget: %w", err)
		}
		if !patient {
			return pacing.Refusal(seconds((1 - now) / b.u.rate))
		}
		if err := b.sleep(ctx, max(seconds((floor+1-now)/b.u.rate), 10*time.Millisecond), false); err != nil {
			return err
		}
	}
}

// sleep waits d; a call given up while it waits gives its place back.
func (b *sharedBucket) sleep(ctx context.Context, d time.Duration, taken bool) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		if taken {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			b.u.db.Pool.Exec(rctx, `UPDATE upstream_budgets SET tokens = tokens + 1 WHERE token_key = $1`, b.key)
		}
		return ctx.Err()
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
