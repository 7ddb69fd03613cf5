// Package clock is the console's one source of the time of day. Everything
// a user sees as a date (today's usage, an audit search's "7d", the local
// API's entries) takes "now" from a Clock passed in from main.go, so that
// tests can pin the calendar and pass on any day of the year.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the machine's clock.
var System Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Func is a function used as a Clock.
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f() }

// Or is c, or System when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return System
	}
	return c
}

// Shifted runs at the machine's pace from a chosen time: durations are
// real, dates are the chosen ones. Tests pin the calendar with it.
type Shifted struct {
	mu     sync.Mutex
	offset time.Duration
}

// StartingAt is a clock that reads t now and runs on from there.
func StartingAt(t time.Time) *Shifted {
	return &Shifted{offset: t.Sub(System.Now())}
}

// Now is the machine's time moved by the clock's offset.
func (s *Shifted) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return System.Now().Add(s.offset)
}

// Set makes the clock read t now.
func (s *Shifted) Set(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = t.Sub(System.Now())
}

// Advance moves the clock on by d.
func (s *Shifted) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Stopwatch measures a duration on the monotonic clock (logs, metrics):
// never a date.
type Stopwatch struct{ start time.Time }

// Start starts a stopwatch.
func Start() Stopwatch { return Stopwatch{start: time.Now()} }

// Elapsed is the time since Start.
func (s Stopwatch) Elapsed() time.Duration { return time.Since(s.start) }
