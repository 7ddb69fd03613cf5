// Package pacing keeps each token's upstream calls within Cloudflare's
// limit of 1,200 requests per five minutes: one token bucket per token
// (golang.org/x/time/rate), shared by every page, audit sync and usage
// fetch made with it. Background work queues and leaves pages a reserve;
// an interactive request that would wait too long is refused with a 429
// that says when to try again.
package pacing

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"orgboard/internal/api"
)

// Defaults: a burst of 200, then 3.2 calls a second. Any five minutes then
// hold at most 200 + 960 = 1,160 calls, under Cloudflare's 1,200.
const (
	DefaultBurst = 200
	DefaultRate  = 3.2
	// MaxInteractiveWait is the longest a page waits for its turn.
	MaxInteractiveWait = 10 * time.Second
)

// ErrPacing is inside the 429 errors a bucket returns: the console's own
// pacing, not Cloudflare's refusal.
var ErrPacing = errors.New("paced by the console to stay within the budget")

// Bucket is one token's budget: x/time/rate's token bucket, and one rule on
// top of it: background work (an api.Patient context) takes a call only
// while more than a quarter of the burst is left, so that a large sync or
// usage fetch never makes the people using the console wait.
type Bucket struct {
	lim     *rate.Limiter
	reserve float64 // what background work leaves to pages
	now     func() time.Time
}

// NewBucket starts full: rate calls a second, burst at once.
func NewBucket(r float64, burst int) *Bucket {
	return &Bucket{lim: rate.NewLimiter(rate.Limit(r), burst), reserve: Reserve(burst), now: time.Now}
}

// Wait blocks until a call may be made. A context that is not api.Patient
// gets a 429 error instead of a wait over MaxInteractiveWait.
func (b *Bucket) Wait(ctx context.Context) error {
	if api.IsPatient(ctx) {
		return b.waitBehindPages(ctx)
	}
	now := b.now()
	res := b.lim.ReserveN(now, 1)
	d := res.DelayFrom(now)
	if d == 0 {
		return nil
	}
	if d > MaxInteractiveWait {
		res.CancelAt(now)
		return Refusal(d)
	}
	return sleep(ctx, d, res.Cancel)
}

// waitBehindPages takes a call only while the pages' reserve stays.
func (b *Bucket) waitBehindPages(ctx context.Context) error {
	for {
		d, ok := b.takeBehindPages(b.now())
		if ok {
			return nil
		}
		if err := sleep(ctx, max(d, time.Millisecond), nil); err != nil {
			return err
		}
	}
}

// takeBehindPages takes a call at now when more than the reserve is left;
// otherwise it says how long until there is.
func (b *Bucket) takeBehindPages(now time.Time) (time.Duration, bool) {
	left := b.lim.TokensAt(now)
	if left >= b.reserve+1 && b.lim.AllowN(now, 1) {
		return 0, true
	}
	need := b.reserve + 1 - b.lim.TokensAt(now)
	return time.Duration(need / float64(b.lim.Limit()) * float64(time.Second)), false
}

func sleep(ctx context.Context, d time.Duration, cancel func()) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		if cancel != nil {
			cancel() // the call is not made: its place goes back
		}
		return ctx.Err()
	}
}

// full reports whether the bucket has refilled: it can then be forgotten
// (a new one starts full).
func (b *Bucket) full(now time.Time) bool { return b.lim.TokensAt(now) >= float64(b.lim.Burst()) }

// Budget hands out the limiter of each token, by a key naming the token:
// a Set keeps them in this instance; internal/store/postgres shares them
// between instances.
type Budget interface {
	For(key string) api.Limiter
	// Sweep forgets what need not be kept (buckets that have refilled).
	Sweep()
}

// Refusal is the 429 an interactive request gets when its turn is further
// away than MaxInteractiveWait.
func Refusal(wait time.Duration) error {
	return &api.Error{StatusCode: http.StatusTooManyRequests, RetryAfter: wait.Round(time.Second), Err: ErrPacing,
		Reason: "Orgboard is pacing this token's requests to stay within Cloudflare's limit of 1,200 per five minutes"}
}

// Reserve is what background work leaves to pages of a bucket of burst.
func Reserve(burst int) float64 { return math.Floor(float64(burst) / 4) }

// Set is the buckets of every token in use, by a key naming the token.
type Set struct {
	Rate  float64
	Burst int
	mu    sync.Mutex
	byKey map[string]*Bucket
}

// NewSet makes buckets of the default size.
func NewSet() *Set { return &Set{Rate: DefaultRate, Burst: DefaultBurst, byKey: map[string]*Bucket{}} }

// PerFiveMinutes makes buckets that allow at most calls in any five
// minutes: a sixth of them at once, the rest spread evenly.
func PerFiveMinutes(calls int) *Set {
	burst := max(calls/6, 1)
	return &Set{Rate: float64(calls-burst) / 300, Burst: burst, byKey: map[string]*Bucket{}}
}

// For returns key's bucket.
func (s *Set) For(key string) api.Limiter { return s.bucket(key) }

func (s *Set) bucket(key string) *Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.byKey[key]
	if b == nil {
		b = NewBucket(s.Rate, s.Burst)
		s.byKey[key] = b
	}
	return b
}

// Sweep forgets the buckets that have refilled.
func (s *Set) Sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, b := range s.byKey {
		if b.full(b.now()) {
			delete(s.byKey, k)
		}
	}
}
