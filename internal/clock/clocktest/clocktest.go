// Package clocktest gives tests their "now". ORGBOARD_TEST_NOW (an RFC 3339
// time or a YYYY-MM-DD date) pins the date the whole test process runs on;
// without it tests run on the machine's date. Only tests read the variable,
// never the product.
package clocktest

import (
	"fmt"
	"os"
	"sync"
	"time"

	"orgboard/internal/clock"
)

// Env is the variable that pins the tests' date.
const Env = "ORGBOARD_TEST_NOW"

var (
	once    sync.Once
	process *clock.Shifted
)

// Clock is the test process's clock: it starts at ORGBOARD_TEST_NOW (or
// the machine's time) and runs at the machine's pace.
func Clock() *clock.Shifted {
	once.Do(func() {
		start, err := Start()
		if err != nil {
			panic(err)
		}
		process = clock.StartingAt(start)
	})
	return process
}

// Now is the test process's time.
func Now() time.Time { return Clock().Now() }

// Start is the time the tests are pinned to, or the machine's time.
func Start() (time.Time, error) {
	v := os.Getenv(Env)
	if v == "" {
		return clock.System.Now(), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(9 * time.Hour), nil // a working morning in UTC
	}
	return time.Time{}, fmt.Errorf("%s=%q: want an RFC 3339 time or a date YYYY-MM-DD", Env, v)
}

// At is a new clock of its own reading t now (a test that moves time).
func At(t time.Time) *clock.Shifted { return clock.StartingAt(t) }
