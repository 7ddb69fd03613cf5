// ray.go keeps the ray ID Cloudflare gave a request: the console's own
// record of a write it made names it, and so finds Cloudflare's audit
// entry of the same write (raw.cf_ray_id).

package api

import (
	"context"
	"sync"
)

type rayKey struct{}

type rayBox struct {
	mu  sync.Mutex
	ray string
}

func (b *rayBox) set(ray string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ray != "" {
		b.ray = ray
	}
}

// WithRay returns a context whose calls keep the ray ID of the last
// answer, and the function that reads it.
func WithRay(ctx context.Context) (context.Context, func() string) {
	b := &rayBox{}
	return context.WithValue(ctx, rayKey{}, b), func() string {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.ray
	}
}
