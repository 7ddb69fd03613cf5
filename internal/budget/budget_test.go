package budget

import (
	"context"
	"errors"
	"testing"
	"time"

	"orgboard/internal/api"
)

func TestBucketNeverExceedsTheFiveMinuteBudget(t *testing.T) {
	clock := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	b := NewBucket(DefaultRate, DefaultBurst)
	b.now = func() time.Time { return clock }
	// a caller that always wants more: count the calls any five minutes allow
	var times []time.Time
	for len(times) < 5000 {
		d := b.reserve()
		clock = clock.Add(d)
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
	ctx := context.Background()
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for range 11 {
		b.reserve() // someone queued eleven calls ahead
	}
	var ae *api.Error
	if err := b.Wait(ctx); !errors.As(err, &ae) || ae.StatusCode != 429 || ae.RetryAfter < 10*time.Second {
		t.Fatalf("an interactive wait of 12 s: %v", err)
	}
	short, cancel := context.WithTimeout(api.Patient(ctx), 50*time.Millisecond)
	defer cancel()
	if err := b.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a patient wait ends with its context: %v", err)
	}
}

// Background work leaves the pages a reserve: while a sync takes every
// call it may, a page still gets its calls at once.
func TestBackgroundWorkLeavesPagesAReserve(t *testing.T) {
	b := NewBucket(50, 40) // a reserve of 10
	ctx, cancel := context.WithCancel(api.Patient(context.Background()))
	defer cancel()
	taken := make(chan struct{}, 1000)
	go func() {
		for b.Wait(ctx) == nil {
			taken <- struct{}{}
		}
	}()
	for len(taken) < 30 { // the sync has drained the bucket down to the reserve
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	for range 5 {
		if err := b.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("five page calls waited %v behind the sync", d)
	}
}

func TestSetSharesOneBucketPerToken(t *testing.T) {
	s := NewSet()
	a1, a2 := s.For("a"), s.For("a")
	if a1 != a2 || a1 == s.For("b") {
		t.Error("buckets are not one per key")
	}
}
