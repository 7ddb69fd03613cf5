// ratelimit.go limits sign-in attempts per client address.

package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter allows n events per window per key (sign-in attempts per
// client address), as x/time/rate token buckets: n at once, then one every
// window/n. Refilled buckets are forgotten, so a flood of addresses keeps
// no memory once it passes.
type rateLimiter struct {
	every time.Duration
	n     int
	now   func() time.Time
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

func newRateLimiter(n int, window time.Duration) *rateLimiter {
	return &rateLimiter{every: window / time.Duration(n), n: n, now: time.Now, keys: map[string]*rate.Limiter{}}
}

// allow counts one event for key; false (with the wait) when over the limit.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.keys) > 10000 {
		for k, lim := range l.keys {
			if lim.TokensAt(now) >= float64(l.n) {
				delete(l.keys, k)
			}
		}
	}
	lim := l.keys[key]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(l.every), l.n)
		l.keys[key] = lim
	}
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}
