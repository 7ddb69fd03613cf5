package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"orgboard/internal/clock/clocktest"
)

func TestSweepDropsExpiredEntriesAndUsers(t *testing.T) {
	t.Parallel()
	c := NewCache(time.Minute)
	now := clocktest.Now()
	c.now = func() time.Time { return now }
	c.put("u1", "a", 1, time.Minute)
	c.put("u2", "b", 2, time.Hour)
	now = now.Add(2 * time.Minute)
	c.Sweep()
	if _, ok := c.users["u1"]; ok {
		t.Error("a user with only expired entries was kept")
	}
	if v, ok := c.get("u2", "b"); !ok || v.(int) != 2 {
		t.Error("a live entry was dropped")
	}
}

// The shared call of identical reads does not belong to the request that
// started it: when that request goes away, the others still get the answer.
func TestSharedReadOutlivesTheFirstCaller(t *testing.T) {
	t.Parallel()
	c := NewCache(time.Minute)
	started, release := make(chan struct{}), make(chan struct{})
	fetch := func(ctx context.Context) (string, error) {
		close(started)
		select {
		case <-release:
			return "orgs", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, err := cached(first, c, "u", "k", fetch); firstErr <- err }()
	<-started
	second := make(chan string, 1)
	go func() {
		v, err := cached(context.Background(), c, "u", "k", func(context.Context) (string, error) { return "", errors.New("a second call was made") })
		if err != nil {
			v = err.Error()
		}
		second <- v
	}()
	time.Sleep(20 * time.Millisecond) // the second caller joins the call
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled caller got %v", err)
	}
	close(release)
	if v := <-second; v != "orgs" {
		t.Errorf("the other caller got %q", v)
	}
}
