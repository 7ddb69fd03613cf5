// querygate.go bounds the audit index's heavy reads per user and in all, with
// deadlines.

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// queryGate bounds the audit index's heavy reads (searches, summaries,
// histories, exports): each user runs at most perUser at once, and all
// users together at most total, fewer than the index's eight reader
// connections, so that one user's costly searches never make another
// user's page wait for a connection.
type queryGate struct {
	perUser int
	total   chan struct{}
	wait    time.Duration // how long a query waits for a free slot

	mu      sync.Mutex
	running map[string]int
}

func newQueryGate(perUser, total int, wait time.Duration) *queryGate {
	return &queryGate{perUser: perUser, total: make(chan struct{}, total), wait: wait, running: map[string]int{}}
}

// enter takes a slot for user, or says why not.
func (g *queryGate) enter(ctx context.Context, user string) (release func(), err error) {
	g.mu.Lock()
	if g.running[user] >= g.perUser {
		g.mu.Unlock()
		return nil, &userError{status: http.StatusTooManyRequests, retryAfter: 5 * time.Second, title: "Too many searches at once",
			message: fmt.Sprintf("You already have %d audit searches or exports running. Wait for them to finish, then try again.", g.perUser)}
	}
	g.running[user]++
	g.mu.Unlock()
	leave := func() {
		g.mu.Lock()
		if g.running[user]--; g.running[user] <= 0 {
			delete(g.running, user)
		}
		g.mu.Unlock()
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.total <- struct{}{}:
		return func() { <-g.total; leave() }, nil
	case <-t.C:
		leave()
		return nil, &userError{status: http.StatusServiceUnavailable, retryAfter: 5 * time.Second, title: "The audit index is busy",
			message: "Other people's searches are using the index right now. Try again in a few seconds."}
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
}

// Deadlines of the audit index's work, as multiples of Config.AuditTimeout
// (a search or a history is a page someone waits for; a summary counts
// every match; an export streams them all, within the server's write timeout).
const (
	searchDeadline  = 1
	summaryDeadline = 2
	exportDeadline  = 24
)

// auditWork runs heavy index work of the request's user within the gate and
// under a deadline; running out of time is said in words that tell how to
// narrow the search.
func (s *Server) auditWork(c echo.Context, times time.Duration, work func(ctx context.Context) error) error {
	limit := times * s.cfg.AuditTimeout
	release, err := s.gate.enter(c.Request().Context(), s.user(c))
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(c.Request().Context(), limit)
	defer cancel()
	err = work(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && c.Request().Context().Err() == nil {
		return tooLong(limit)
	}
	return err
}

func tooLong(limit time.Duration) error {
	return &userError{status: http.StatusServiceUnavailable, title: "This search takes too long",
		message: fmt.Sprintf("It was stopped after %s. Narrow it: add a filter such as actor:, product: or action:, "+
			"shorten its range with since:, search one organization instead of all, or use fewer free-text words.", limit.Round(time.Millisecond))}
}
