// faults.go makes the local API misbehave on purpose, for tests and
// benchmarks.

package localapi

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults makes the local API misbehave on purpose, for tests and benchmarks:
// added latency and shares (0..1) of requests answered 429, 500 or with a
// malformed body. Safe to change while serving.
type Faults struct {
	mu         sync.RWMutex
	Latency    time.Duration
	Rate429    float64
	Rate500    float64
	Malformed  float64
	RetryAfter time.Duration // sent with each injected 429; default 1s
}

// FaultSettings is a snapshot of the knobs.
type FaultSettings struct {
	Latency    time.Duration
	Rate429    float64
	Rate500    float64
	Malformed  float64
	RetryAfter time.Duration
}

// Set replaces every knob at once.
func (f *Faults) Set(v FaultSettings) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Latency, f.Rate429, f.Rate500, f.Malformed, f.RetryAfter = v.Latency, v.Rate429, v.Rate500, v.Malformed, v.RetryAfter
}

// Get returns the knobs.
func (f *Faults) Get() FaultSettings {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return FaultSettings{f.Latency, f.Rate429, f.Rate500, f.Malformed, f.RetryAfter}
}

// inject applies the knobs to one request; true means it was answered.
func (f *Faults) inject(w http.ResponseWriter, r *http.Request) bool {
	v := f.Get()
	if v.Latency > 0 {
		t := time.NewTimer(v.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	x := rand.Float64()
	switch {
	case x < v.Rate429:
		ra := v.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((ra+time.Second-1)/time.Second)))
		writeError(w, http.StatusTooManyRequests, 971, "Please wait and consider throttling your request speed")
		return true
	case x < v.Rate429+v.Rate500:
		writeError(w, http.StatusInternalServerError, 10001, "Internal error (injected fault)")
		return true
	case x < v.Rate429+v.Rate500+v.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"success":true,"errors":[],"messages":[],"result":[{"id":"trunc`))
		return true
	}
	return false
}
