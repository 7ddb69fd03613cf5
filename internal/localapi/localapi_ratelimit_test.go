package localapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
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

// Made-up tokens are refused without being counted: a flood of large random
// bearer strings leaves the limiter as small as it was.
func TestRateLimiterCountsOnlyKnownTokens(t *testing.T) {
	e := newEnv(t)
	e.srv.SetRateLimit(1200)
	big := strings.Repeat("x", 32<<10)
	for i := range 50 {
		if status, _, _ := e.raw("GET", "/organizations", big+strconv.Itoa(i), nil); status != 401 {
			t.Fatalf("a made-up token: %d", status)
		}
	}
	e.raw("GET", "/organizations", DemoAdminToken, nil)
	e.srv.rate.mu.Lock()
	n := len(e.srv.rate.hits)
	e.srv.rate.mu.Unlock()
	if n != 1 {
		t.Errorf("the limiter keeps %d counters, want 1 (the known token)", n)
	}
}

// A request whose headers or body never finish is cut off.
func TestServeCutsOffSlowAndHugeRequests(t *testing.T) {
	st := newEnv(t).store
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Serve(ctx, ln, NewServer(st, nil, nil))
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s/organizations HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", BasePath, strings.Repeat("y", 100<<10))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if !strings.Contains(line, "431") {
		t.Errorf("100 KB of headers: %q, want 431", line)
	}
}
