package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// One user gets at most perUser heavy reads at once, and everyone together
// at most total: a user's flood of searches leaves slots for others.
func TestQueryGateBoundsEachUserAndAll(t *testing.T) {
	t.Parallel()
	g := newQueryGate(2, 3, 50*time.Millisecond)
	ctx := context.Background()
	var held []func()
	for range 2 {
		release, err := g.enter(ctx, "viewer")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, release)
	}
	var ue *userError
	if _, err := g.enter(ctx, "viewer"); !errors.As(err, &ue) || ue.status != http.StatusTooManyRequests {
		t.Fatalf("a third search of the same user: %v", err)
	}
	other, err := g.enter(ctx, "admin")
	if err != nil {
		t.Fatalf("another user was kept waiting by the viewer's searches: %v", err)
	}
	if _, err := g.enter(ctx, "auditor"); !errors.As(err, &ue) || ue.status != http.StatusServiceUnavailable || ue.retryAfter == 0 {
		t.Fatalf("past the total: %v", err)
	}
	other()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); time.Sleep(10 * time.Millisecond); held[0]() }()
	release, err := g.enter(ctx, "auditor") // waits for a slot to free
	if err != nil {
		t.Fatalf("a free slot was not taken: %v", err)
	}
	release()
	wg.Wait()
	held[1]()
	if len(g.running) != 0 {
		t.Errorf("slots left held: %v", g.running)
	}
}

// Work that runs out of its deadline says how to narrow the search.
func TestAuditWorkDeadlineSaysHowToNarrow(t *testing.T) {
	t.Parallel()
	err := tooLong(10 * time.Second)
	var ue *userError
	if !errors.As(err, &ue) || !strings.Contains(ue.message, "after 10s") || !strings.Contains(ue.message, "since:") {
		t.Errorf("got %v", err)
	}
}
