package server

import (
	"sync"
	"time"
)

// rateLimiter allows n events per window per key (a fixed window: simple
// and enough to stop guessing tokens).
type rateLimiter struct {
	n      int
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	counts map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

func newRateLimiter(n int, window time.Duration) *rateLimiter {
	return &rateLimiter{n: n, window: window, now: time.Now, counts: map[string]*windowCount{}}
}

// allow counts one event for key; false (with the wait) when over the limit.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.counts) > 100000 {
		for k, w := range l.counts {
			if now.Sub(w.start) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	w := l.counts[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &windowCount{start: now}
		l.counts[key] = w
	}
	if w.n >= l.n {
		return false, w.start.Add(l.window).Sub(now)
	}
	w.n++
	return true, 0
}
