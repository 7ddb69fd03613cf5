// cache.go keeps each user's recent upstream reads a short time.

package server

import (
	"context"
	"orgboard/internal/api"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache keeps each user's recent upstream reads for a short time, so that a
// repeat view makes no upstream call; a user's write forgets that user's
// entries. Concurrent identical reads share one call.
type Cache struct {
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	users map[string]map[string]cacheEntry
	calls singleflight.Group
	hits  uint64
	miss  uint64
}

type cacheEntry struct {
	v       any
	expires time.Time
}

// maxUserEntries bounds one user's entries; past it they start again.
const maxUserEntries = 5000

// NewCache makes a cache whose entries live ttl.
func NewCache(ttl time.Duration) *Cache {
	return &Cache{ttl: ttl, now: time.Now, users: map[string]map[string]cacheEntry{}}
}

// userKey names a user by their token without keeping the token.
func userKey(token string) string { return api.TokenKey(token) }

func (c *Cache) get(user, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.users[user][key]
	if !ok || c.now().After(e.expires) {
		c.miss++
		return nil, false
	}
	c.hits++
	return e.v, true
}

// has reports whether user holds key now, without counting a hit or a miss
// (notes kept beside the reads, such as refusals).
func (c *Cache) has(user, key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.users[user][key]
	return ok && !c.now().After(e.expires)
}

func (c *Cache) put(user, key string, v any, ttl time.Duration) {
	if ttl <= 0 {
		return // the cache is off
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.users[user]
	if m == nil || len(m) >= maxUserEntries {
		m = map[string]cacheEntry{}
		c.users[user] = m
	}
	m[key] = cacheEntry{v: v, expires: c.now().Add(ttl)}
}

// Forget drops a user's entries (after a write of theirs).
func (c *Cache) Forget(user string) {
	c.mu.Lock()
	delete(c.users, user)
	c.mu.Unlock()
}

// Sweep drops expired entries of every user.
func (c *Cache) Sweep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for u, m := range c.users {
		for k, e := range m {
			if now.After(e.expires) {
				delete(m, k)
			}
		}
		if len(m) == 0 {
			delete(c.users, u)
		}
	}
}

// Stats are the hit and miss counts so far.
func (c *Cache) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.miss
}

// sharedCallTimeout bounds a call that several requests wait for.
const sharedCallTimeout = 2 * time.Minute

// cached answers from the user's cache or makes the call once for every
// request that asks meanwhile. The call runs detached from the request
// that started it: when that one goes away, the others still get their
// answer; each caller stops waiting when its own request ends.
func cached[T any](ctx context.Context, c *Cache, user, key string, fetch func(context.Context) (T, error)) (T, error) {
	var zero T
	if v, ok := c.get(user, key); ok {
		return v.(T), nil
	}
	ch := c.calls.DoChan(user+"\x00"+key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedCallTimeout)
		defer cancel()
		v, err := fetch(fctx)
		if err == nil {
			c.put(user, key, v, c.ttl)
		}
		return v, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
