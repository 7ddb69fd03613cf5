// lease.go holds an organization's sync lease while its sync runs, when
// several instances share the store.

package audit

import (
	"context"
	"time"
)

// lease takes org's lease and renews it every third of its TTL until
// release; the returned context ends when the lease is lost. Without
// Leases every sync may run (this instance's own map keeps one per
// organization).
func (s *Syncer) lease(parent context.Context, org string) (context.Context, func(), bool) {
	if s.Leases == nil {
		return parent, func() {}, true
	}
	held, err := s.Leases.Take(parent, org)
	if err != nil {
		s.log.Warn("audit sync lease", "org", org, "error", err)
		return nil, nil, false
	}
	if !held {
		return nil, nil, false
	}
	ctx, cancel := context.WithCancelCause(parent)
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(s.Leases.TTL() / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				held, err := s.Leases.Renew(parent, org)
				if err != nil {
					// the store may be down for a moment: keep trying; once the
					// lease has expired the store refuses this sync's writes
					s.log.Warn("audit sync lease renewal", "org", org, "error", err)
					continue
				}
				if !held {
					cancel(ErrLeaseLost)
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(stop)
		<-renewed
		cancel(nil)
		rctx, done := context.WithTimeout(context.WithoutCancel(parent), 5*time.Second)
		defer done()
		if err := s.Leases.Release(rctx, org); err != nil {
			s.log.Warn("audit sync lease release", "org", org, "error", err)
		}
	}, true
}
