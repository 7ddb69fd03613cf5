// jobs.go remembers recent jobs, so a page's next view reads the same sums.

package usage

import (
	"context"
	"sync"
	"time"

	"orgboard/internal/clock"
)

// Jobs remembers recent jobs by key (the user and the request), so that
// switching grouping, step or chart reads the same sums instead of
// fetching again. Entries expire after TTL; at most Max are kept.
type Jobs struct {
	TTL time.Duration
	Max int
	// OnPart, when set, hears of every part fetched (ok) or failed.
	OnPart func(ok bool)

	ctx    context.Context // ends every job's fetching (shutdown)
	keeper *Keeper
	now    func() time.Time
	mu     sync.Mutex
	jobs   map[string]*entry
}

type entry struct {
	job  *Job
	used time.Time
}

// NewJobs keeps jobs for ttl by clk (nil: the machine's), fetching into
// keeper's store; their fetching stops when ctx ends.
func NewJobs(ctx context.Context, keeper *Keeper, ttl time.Duration, max int, clk clock.Clock) *Jobs {
	return &Jobs{TTL: ttl, Max: max, ctx: ctx, keeper: keeper, now: clock.Or(clk).Now, jobs: map[string]*entry{}}
}

// Keeper is the store the jobs fetch into.
func (js *Jobs) Keeper() *Keeper { return js.keeper }

// Get returns the job for key, starting it with src when there is none
// (or it expired). started reports whether this call started it.
func (js *Jobs) Get(key string, req Request, src Source) (job *Job, started bool) {
	return js.Start(key, NewJob(req, js.keeper), src)
}

// Start is Get of a job already made (Keeper.Planned): the live job for
// key, else j, started.
func (js *Jobs) Start(key string, j *Job, src Source) (job *Job, started bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	now := js.now()
	if e := js.jobs[key]; e != nil && now.Sub(e.job.Started) < js.TTL {
		e.used = now
		return e.job, false
	}
	js.evict(now)
	j.Started = now
	j.onPart = js.OnPart
	js.jobs[key] = &entry{job: j, used: now}
	j.start(js.ctx, src)
	return j, true
}

// Lookup returns a live job for key without starting one.
func (js *Jobs) Lookup(key string) *Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	now := js.now()
	if e := js.jobs[key]; e != nil && now.Sub(e.job.Started) < js.TTL {
		e.used = now
		return e.job
	}
	return nil
}

// Forget drops every job whose key starts with prefix (a user signing out).
func (js *Jobs) Forget(prefix string) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for k := range js.jobs {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(js.jobs, k)
		}
	}
}

// evict drops expired jobs, then the least recently used beyond Max.
func (js *Jobs) evict(now time.Time) {
	for k, e := range js.jobs {
		if now.Sub(e.job.Started) >= js.TTL {
			delete(js.jobs, k)
		}
	}
	for len(js.jobs) >= js.Max && len(js.jobs) > 0 {
		var oldest string
		for k, e := range js.jobs {
			if oldest == "" || e.used.Before(js.jobs[oldest].used) {
				oldest = k
			}
		}
		delete(js.jobs, oldest)
	}
}

// start runs the job in the background; Wait and Progress follow it.
func (j *Job) start(ctx context.Context, src Source) {
	ready := make(chan struct{})
	go j.runWith(ctx, src, ready)
	<-ready // the job shows as running before Get returns it
}

// Retry fetches the failed parts again in the background; it reports how
// many parts it retries (none while the job still runs).
func (j *Job) Retry(ctx context.Context, src Source) int {
	n := j.Requeue()
	if n > 0 {
		j.start(ctx, src)
	}
	return n
}

// Context is the context jobs fetch under (it ends at shutdown).
func (js *Jobs) Context() context.Context { return js.ctx }
