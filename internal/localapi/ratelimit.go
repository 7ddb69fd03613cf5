// ratelimit.go limits each token as Cloudflare does: 1,200 calls per five
// minutes.

package localapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Cloudflare allows 1,200 requests per five minutes per user; past it,
// every call is answered 429 for the next five minutes. The local API does
// the same per token when SetRateLimit is on (the commands turn it on; the
// library default is off, for benchmarks).

// RateWindow is the window of the limit, and the lockout past it.
const RateWindow = 5 * time.Minute

type rateLimiter struct {
	mu      sync.Mutex
	limit   int
	hits    map[string][]time.Time // per token, oldest first, within the window
	blocked map[string]time.Time
}

// SetRateLimit allows limit requests per token per five minutes (0: no limit).
func (s *Server) SetRateLimit(limit int) {
	s.rate = nil
	if limit > 0 {
		s.rate = &rateLimiter{limit: limit, hits: map[string][]time.Time{}, blocked: map[string]time.Time{}}
	}
}

// allow counts a request of key; when it is refused, wait says for how long.
func (l *rateLimiter) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until, ok := l.blocked[key]; ok {
		if now.Before(until) {
			return false, until.Sub(now)
		}
		delete(l.blocked, key)
	}
	h := l.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= RateWindow {
		i++
	}
	h = append(h[i:], now)
	l.hits[key] = h
	if len(h) > l.limit {
		l.blocked[key] = now.Add(RateWindow)
		delete(l.hits, key)
		return false, RateWindow
	}
	return true, 0
}

// rateLimited answers 429 when p's token is over its budget; the limiter
// keeps counters for tokens that exist only.
func (s *Server) rateLimited(w http.ResponseWriter, p *principal) bool {
	if s.rate == nil {
		return false
	}
	allowed, wait := s.rate.allow(p.TokenID, s.now())
	if allowed {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	writeError(w, http.StatusTooManyRequests, 971, "Please wait and consider throttling your request speed")
	return true
}
