package pacing

import (
	"context"
	"errors"
	"testing"
	"time"

	"orgboard/internal/api"
)

var t0 = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// A caller that always wants more gets at most the budget in any five
// minutes, and not much less.
func TestBucketNeverExceedsTheFiveMinuteBudget(t *testing.T) {
	b := NewBucket(DefaultRate, DefaultBurst)
	clock := t0
	var times []time.Time
	for len(times) < 5000 {
		clock = clock.Add(b.lim.ReserveN(clock, 1).DelayFrom(clock))
		times = append(times, clock)
	}
	most := 0
	for i, j := 0, 0; i < len(times); i++ {
		for times[i].Sub(times[j]) >= 5*time.Minute {
			j++
		}
		most = max(most, i-j+1)
	}
	if most > 1200 {
		t.Errorf("%d calls in five minutes; Cloudflare allows 1,200", most)
	}
	if most < 1100 {
		t.Errorf("only %d calls in five minutes: the budget is wasted", most)
	}
}

func TestInteractiveWaitIsRefusedBackgroundQueues(t *testing.T) {
	b := NewBucket(1, 1) // one call, then one a second
	now := time.Now()
	b.now = func() time.Time { return now }
	ctx := context.Background()
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for range 11 {
		b.lim.ReserveN(now, 1) // someone queued eleven calls ahead
	}
	var ae *api.Error
	if err := b.Wait(ctx); !errors.As(err, &ae) || ae.StatusCode != 429 || ae.RetryAfter < 10*time.Second || !errors.Is(err, ErrPacing) {
		t.Fatalf("an interactive wait of 12 s: %v", err)
	}
	short, cancel := context.WithTimeout(api.Patient(ctx), 20*time.Millisecond)
	defer cancel()
	if err := b.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a patient wait ends with its context: %v", err)
	}
}

// Background work leaves the pages a reserve: once a sync has taken every
// call it may, a page still gets its calls at once.
func TestBackgroundWorkLeavesPagesAReserve(t *testing.T) {
	b := NewBucket(50, 40) // a reserve of 10
	taken := 0
	for {
		if _, ok := b.takeBehindPages(t0); !ok {
			break
		}
		taken++
	}
	if taken != 30 {
		t.Errorf("background work took %d calls of 40, want 30", taken)
	}
	for i := range 10 {
		if d := b.lim.ReserveN(t0, 1).DelayFrom(t0); d != 0 {
			t.Fatalf("page call %d waited %v behind the sync", i+1, d)
		}
	}
	if d, ok := b.takeBehindPages(t0); ok || d <= 0 {
		t.Errorf("background work took a page's reserve: %v %v", d, ok)
	}
	if _, ok := b.takeBehindPages(t0.Add(time.Second)); !ok {
		t.Error("background work did not go on once the bucket refilled")
	}
}

func TestSetSharesOneBucketPerTokenAndForgetsFullOnes(t *testing.T) {
	s := NewSet()
	a1, a2 := s.bucket("a"), s.For("a")
	if a1 != a2 || a2 == s.For("b") {
		t.Error("buckets are not one per key")
	}
	a1.lim.ReserveN(time.Now(), 5)
	s.Sweep()
	if len(s.byKey) != 1 || s.byKey["a"] != a1 {
		t.Errorf("after a sweep %d buckets are kept; want a's only (b is full, and a new one would be too)", len(s.byKey))
	}
}
