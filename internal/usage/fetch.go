// fetch.go fetches a range's usage as 31-day windows, a few at a time.

package usage

import (
	"context"
	"errors"
	"iter"
	"sort"
	"sync"
	"time"

	"orgboard/internal/api"
)

// Source streams one organization's records of one window; *api.Client is one.
type Source interface {
	UsageRecords(ctx context.Context, orgID string, p api.UsageParams) iter.Seq2[api.UsageRecord, error]
}

// Part is one API call: an organization's window, of the range or of the
// period before it.
type Part struct {
	Org    string
	Window Window
	Prev   bool
}

// Failure is a part that did not arrive whole; its records are not counted.
type Failure struct {
	Part
	Reason string
	Err    error
}

// Request is what a job fetches.
type Request struct {
	Orgs     []string
	From, To time.Time
	Measure  Measure
	Filters  []Filter
	// Today, when set, lets the job fetch what the month's forecast needs:
	// the last complete week, when it begins before From (on the first
	// days of a month), is fetched day by day with the period before.
	Today time.Time
}

// Job fetches a request's parts a few at a time, folding each part into
// its own Agg and merging it whole when it succeeds, so that a failed or
// retried part is never counted twice. Agg and Prev fill as parts arrive.
type Job struct {
	Req        Request
	Agg, Prev  *Agg
	Started    time.Time
	concurrent int
	onPart     func(ok bool)

	mu       sync.Mutex
	todo     []Part
	done     int
	total    int
	failed   []Failure
	running  int
	finished chan struct{}
}

// Concurrency is how many API calls a job makes at once.
const Concurrency = 4

// NewJob prepares the parts of req: its windows and those of the period
// before, for every organization.
func NewJob(req Request) *Job {
	pf, pt := Previous(req.From, req.To)
	prev := NewTotals(pf, pt, req.Measure, req.Filters)
	if rf, _ := RateWeek(req.Today); !req.Today.IsZero() && forecastApplies(req.From, req.To, req.Today) && rf.Before(req.From) {
		if rf.Before(pf) {
			pf = rf // the range is then shorter than a week: the period before stays small
		}
		prev = NewAgg(pf, pt, req.Measure, req.Filters)
	}
	j := &Job{Req: req, Agg: NewAgg(req.From, req.To, req.Measure, req.Filters), Prev: prev, concurrent: Concurrency}
	for _, prev := range []bool{false, true} {
		from, to := req.From, req.To
		if prev {
			from, to = pf, pt
		}
		for _, w := range Windows(from, to) {
			for _, o := range req.Orgs {
				j.todo = append(j.todo, Part{Org: o, Window: w, Prev: prev})
			}
		}
	}
	j.total = len(j.todo)
	return j
}

// Run fetches every part not yet fetched, then returns.
func (j *Job) Run(ctx context.Context, src Source) {
	j.runWith(ctx, src, nil)
}

// runWith claims the parts to fetch, closes ready (the job now shows as
// running), and fetches them.
func (j *Job) runWith(ctx context.Context, src Source, ready chan struct{}) {
	j.mu.Lock()
	parts := j.todo
	j.todo = nil
	j.running++
	j.finished = make(chan struct{}) // Wait follows this run
	finished := j.finished
	j.mu.Unlock()
	if ready != nil {
		close(ready)
	}
	defer func() {
		j.mu.Lock()
		j.running--
		j.mu.Unlock()
		close(finished)
	}()
	next := make(chan Part)
	var wg sync.WaitGroup
	for range min(j.concurrent, len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				j.fetch(ctx, src, p)
			}
		}()
	}
	for _, p := range parts {
		if ctx.Err() != nil {
			j.fail(Failure{Part: p, Reason: "stopped", Err: ctx.Err()})
			continue
		}
		next <- p
	}
	close(next)
	wg.Wait()
}

func (j *Job) fetch(ctx context.Context, src Source, p Part) {
	into := j.Agg
	if p.Prev {
		into = j.Prev
	}
	part := NewAgg(p.Window.From, p.Window.To, into.Measure, into.Filters)
	if into.Collapsed {
		part = NewTotals(p.Window.From, p.Window.To, into.Measure, into.Filters)
	}
	params := api.UsageParams{From: p.Window.From.Format(time.DateOnly), To: p.Window.To.Format(time.DateOnly)}
	for _, f := range into.Filters {
		if f.Dim == DimMetric {
			params.Metric = f.Key // the API filters by metric itself
		}
	}
	for r, err := range src.UsageRecords(ctx, p.Org, params) {
		if err != nil {
			j.fail(Failure{Part: p, Reason: reason(err), Err: err})
			return
		}
		part.Add(&r)
	}
	if err := into.Merge(part); err != nil {
		j.fail(Failure{Part: p, Reason: err.Error(), Err: err})
		return
	}
	j.mu.Lock()
	j.done++
	j.mu.Unlock()
	if j.onPart != nil {
		j.onPart(true)
	}
}

func reason(err error) string {
	var ae *api.Error
	switch {
	case errors.As(err, &ae) && ae.StatusCode == 429:
		return "Cloudflare is limiting requests"
	case errors.As(err, &ae) && ae.StatusCode >= 500:
		return "Cloudflare did not answer usably"
	case errors.As(err, &ae):
		return ae.Reason
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return "the request failed"
}

func (j *Job) fail(f Failure) {
	if j.onPart != nil {
		j.onPart(false)
	}
	j.mu.Lock()
	j.failed = append(j.failed, f)
	j.mu.Unlock()
}

// Requeue moves the failed parts back to be fetched by the next Run and
// reports how many there were.
func (j *Job) Requeue() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running > 0 {
		return 0
	}
	for _, f := range j.failed {
		j.todo = append(j.todo, f.Part)
	}
	n := len(j.failed)
	j.failed = nil
	return n
}

// Progress is how far a job is.
type Progress struct {
	Done, Failed, Total int
	Records             int64
	Running             bool
}

// Progress reports how far the job is.
func (j *Job) Progress() Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.Agg.mu.Lock()
	recs := j.Agg.Records
	j.Agg.mu.Unlock()
	return Progress{Done: j.done, Failed: len(j.failed), Total: j.total, Records: recs, Running: j.running > 0 || len(j.todo) > 0}
}

// Wait blocks until the current Run ends or ctx does.
func (j *Job) Wait(ctx context.Context) error {
	j.mu.Lock()
	ch := j.finished
	j.mu.Unlock()
	if ch == nil {
		return errors.New("the job has not started")
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Gap is a run of days missing from the range (or the period before), and why.
type Gap struct {
	From, To time.Time
	Orgs     int
	Prev     bool
	Reason   string
}

// Gaps lists the days whose records did not all arrive, merged per window.
func (j *Job) Gaps() []Gap {
	j.mu.Lock()
	defer j.mu.Unlock()
	type k struct {
		w    Window
		prev bool
	}
	by := map[k]*Gap{}
	for _, f := range j.failed {
		g := by[k{f.Window, f.Prev}]
		if g == nil {
			g = &Gap{From: f.Window.From, To: f.Window.To, Prev: f.Prev, Reason: f.Reason}
			by[k{f.Window, f.Prev}] = g
		}
		g.Orgs++
	}
	out := make([]Gap, 0, len(by))
	for _, g := range by {
		out = append(out, *g)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Prev != out[b].Prev {
			return !out[a].Prev
		}
		return out[a].From.Before(out[b].From)
	})
	return out
}
