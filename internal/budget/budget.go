// Package budget keeps each token's upstream calls within Cloudflare's
// limit of 1,200 requests per five minutes: one bucket per token, shared by
// every page, audit sync and usage fetch made with it. Background work
// queues; an interactive request that would wait too long is refused with
// a 429 that says when to try again.
package budget

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"time"

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

// Bucket is one token's budget (a token bucket).
type Bucket struct {
	mu     sync.Mutex
	rate   float64 // calls per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
	used   time.Time
}

// NewBucket starts full.
func NewBucket(rate float64, burst int) *Bucket {
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst), now: time.Now}
}

// refill adds what the time since the last call earned; b.mu is held.
func (b *Bucket) refill(now time.Time) {
	if !b.last.IsZero() {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last, b.used = now, now
}

// reserve takes a call and returns how long to wait before making it.
func (b *Bucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(b.now())
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// unreserve gives back a call that was not made.
func (b *Bucket) unreserve() {
	b.mu.Lock()
	b.tokens = math.Min(b.burst, b.tokens+1)
	b.mu.Unlock()
}

// Wait blocks until a call may be made. A context that is not
// api.Patient gets a 429 error instead of a wait over MaxInteractiveWait.
// Background (patient) work leaves a quarter of the burst to pages: a
// large sync or usage fetch never makes the people using the console wait.
func (b *Bucket) Wait(ctx context.Context) error {
	if api.IsPatient(ctx) {
		return b.waitBehindPages(ctx)
	}
	d := b.reserve()
	if d == 0 {
		return nil
	}
	if d > MaxInteractiveWait && !api.IsPatient(ctx) {
		b.unreserve()
		return &api.Error{StatusCode: http.StatusTooManyRequests, RetryAfter: d.Round(time.Second), Err: ErrPacing,
			Reason: "Orgboard is pacing this token's requests to stay within Cloudflare's limit of 1,200 per five minutes"}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		b.unreserve()
		return ctx.Err()
	}
}

// waitBehindPages takes a call only while more than the pages' reserve is
// left, waiting (and looking again) otherwise.
func (b *Bucket) waitBehindPages(ctx context.Context) error {
	floor := math.Floor(b.burst / 4)
	for {
		b.mu.Lock()
		b.refill(b.now())
		if b.tokens >= floor+1 {
			b.tokens--
			b.mu.Unlock()
			return nil
		}
		d := time.Duration((floor + 1 - b.tokens) / b.rate * float64(time.Second))
		b.mu.Unlock()
		t := time.NewTimer(max(d, time.Millisecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

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
func (s *Set) For(key string) *Bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.byKey[key]
	if b == nil {
		b = NewBucket(s.Rate, s.Burst)
		s.byKey[key] = b
	}
	return b
}

// Sweep forgets buckets unused for long enough to have refilled.
func (s *Set) Sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, b := range s.byKey {
		b.mu.Lock()
		idle := time.Since(b.used) > time.Duration(float64(b.burst)/b.rate*float64(time.Second))
		b.mu.Unlock()
		if idle {
			delete(s.byKey, k)
		}
	}
}
