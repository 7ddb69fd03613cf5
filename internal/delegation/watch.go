// watch.go reloads the delegation file when it changes: a file that no
// longer parses keeps the grants in force, and the log says why.

package delegation

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"
)

// File is a delegation file in force, reloaded on change.
type File struct {
	Path  string
	check func(*Policy) error // what a new version must also pass (its organizations known)
	log   *slog.Logger

	mu     sync.RWMutex
	policy *Policy
	stamp  time.Time
	size   int64
}

// Load reads the file and checks it; check (may be nil) adds what only the
// console can know, such as which organizations exist.
func Load(path string, check func(*Policy) error, log *slog.Logger) (*File, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &File{Path: path, check: check, log: log}
	if err := f.reload(); err != nil {
		return nil, err
	}
	return f, nil
}

// Policy is the grants in force.
func (f *File) Policy() *Policy {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.policy
}

func (f *File) reload() error {
	st, err := os.Stat(f.Path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return err
	}
	p, err := Parse(data)
	if err != nil {
		return err
	}
	if f.check != nil {
		if err := f.check(p); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.policy, f.stamp, f.size = p, st.ModTime(), st.Size()
	f.mu.Unlock()
	return nil
}

// changed reports whether the file differs from the version in force.
func (f *File) changed() bool {
	st, err := os.Stat(f.Path)
	if err != nil {
		return false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	return !st.ModTime().Equal(f.stamp) || st.Size() != f.size
}

// Watch reloads the file every so often when it changed, until ctx ends.
func (f *File) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !f.changed() {
			continue
		}
		if err := f.reload(); err != nil {
			f.log.Error("the delegation file changed but is not used: the grants before it stay in force", "file", f.Path, "error", err)
			f.mu.Lock() // do not say it again until the file changes once more
			if st, err := os.Stat(f.Path); err == nil {
				f.stamp, f.size = st.ModTime(), st.Size()
			}
			f.mu.Unlock()
			continue
		}
		f.log.Info("the delegation file was reloaded", "file", f.Path)
	}
}
