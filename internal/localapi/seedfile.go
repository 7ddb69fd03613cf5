// seedfile.go keeps one seeded database per process for tests and
// benchmarks to copy: seeding the demo company takes seconds, copying its
// file milliseconds.

package localapi

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"
)

var seedFile struct {
	once sync.Once
	db   []byte
	day  time.Time
	err  error
}

// SeededFile is the bytes of a localapi.db freshly seeded with the demo
// company (ScaleDefault) as of now, and the day it was seeded on. The first
// call of the process seeds; later calls get the same file whatever their
// now. It seeds only when asked: a test run that needs none pays nothing.
func SeededFile(now time.Time) ([]byte, time.Time, error) {
	seedFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "orgboard-seed")
		if err != nil {
			seedFile.err = err
			return
		}
		defer os.RemoveAll(dir)
		st, err := Open(dir)
		if err != nil {
			seedFile.err = err
			return
		}
		defer st.Close()
		seedFile.day = now.UTC().Truncate(24 * time.Hour)
		if _, err := st.Seed(context.Background(), ScaleDefault, now); err != nil {
			seedFile.err = err
			return
		}
		if seedFile.err = st.Checkpoint(); seedFile.err != nil {
			return
		}
		seedFile.db, seedFile.err = os.ReadFile(filepath.Join(dir, "localapi.db"))
	})
	return seedFile.db, seedFile.day, seedFile.err
}
