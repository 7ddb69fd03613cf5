package localapi

import (
	"testing"
	"time"
)

func TestRateLimitLocksOutForFiveMinutes(t *testing.T) {
	l := &rateLimiter{limit: 3, hits: map[string][]time.Time{}, blocked: map[string]time.Time{}}
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.allow("a", t0.Add(time.Duration(i)*time.Second)); !ok {
			t.Fatalf("call %d refused", i+1)
		}
	}
	if ok, _ := l.allow("b", t0); !ok {
		t.Fatal("another token shares the budget")
	}
	ok, wait := l.allow("a", t0.Add(10*time.Second))
	if ok || wait != RateWindow {
		t.Fatalf("the fourth call: ok=%v wait=%v", ok, wait)
	}
	if ok, wait := l.allow("a", t0.Add(4*time.Minute)); ok || wait != time.Minute+10*time.Second {
		t.Errorf("during the lockout: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.allow("a", t0.Add(10*time.Second+RateWindow)); !ok {
		t.Error("still locked out after five minutes")
	}
}
