// fetch.go fetches a range's usage as 31-day windows, a few at a time.

package usage

import (
	"context"
	"errors"
	"iter"
	"orgboard/internal/clock"
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
	// Fine: the job reads the store's fine sums (it groups or filters by
	// account, zone, region or subscription).
	Fine bool
	// Rates price quantities (the Estimated measure, and records without
	// the chosen cost).
	Rates *RateCard
	// NoPrev: the job brings the range alone into the store, not the
	// period before (a showback of one month).
	NoPrev bool
	// Today, when set, lets the job fetch what the month's forecast needs:
	// the last complete week, when it begins before From (on the first
	// days of a month), is fetched day by day with the period before.
	Today time.Time
}

// Job brings a request's range and the period before it into the store
// (only what is missing or may still change, a few calls at a time), then
// reads its sums from the store. A failed part leaves its days missing,
// never counted twice; Retry fetches the failed parts again.
type Job struct {
	Req     Request
	Started time.Time
	keeper  *Keeper
	onPart  func(ok bool)

	mu         sync.Mutex
	agg, prev  *Agg
	pf, pt     time.Time // the period before
	collapsed  bool      // the period before keeps totals only
	planned    bool
	todo       []Part
	done       int
	total      int
	records    int64
	failed     []Failure
	storeErr   error // the store could not be read or planned from
	running    int
	finished   chan struct{}
	run        clock.Stopwatch // since this run began
	doneBefore int             // parts done before this run
	concurrent int
}

// Concurrency is how many API calls a job makes at once.
const Concurrency = 4

// NewJob prepares req's job on keeper: the range, and the period before it
// (on the first days of a month, the last complete week, day by day, for
// the forecast).
func NewJob(req Request, keeper *Keeper) *Job {
	pf, pt := Previous(req.From, req.To)
	collapsed := false // day by day: the days that hold usage tell whether the periods compare
	if rf, _ := RateWeek(req.Today); !req.Today.IsZero() && forecastApplies(req.From, req.To, req.Today) && rf.Before(req.From) {
		// the period before is kept day by day, reaching from its start or
		// the week's (whichever is earlier) to the day before the range
		if rf.Before(pf) {
			pf = rf
		}
		pt = req.From.AddDate(0, 0, -1)
		collapsed = false
	}
	j := &Job{Req: req, keeper: keeper, pf: pf, pt: pt, collapsed: collapsed, concurrent: Concurrency}
	j.agg, j.prev = j.empty()
	return j
}

func (j *Job) empty() (*Agg, *Agg) {
	a := NewAgg(j.Req.From, j.Req.To, j.Req.Measure, j.Req.Filters)
	p := NewAgg(j.pf, j.pt, j.Req.Measure, j.Req.Filters)
	if j.collapsed {
		p = NewTotals(j.pf, j.pt, j.Req.Measure, j.Req.Filters)
	}
	for _, x := range []*Agg{a, p} {
		x.Rates, x.Coarse = j.Req.Rates, !j.Req.Fine
	}
	return a, p
}

// Result is the range's sums and the period before's, as last read from
// the store.
func (j *Job) Result() (agg, prev *Agg) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.agg, j.prev
}

// Run fetches every part not yet fetched, reads the sums, then returns.
func (j *Job) Run(ctx context.Context, src Source) {
	j.runWith(ctx, src, nil)
}

// runWith claims the parts to fetch, closes ready (the job now shows as
// running), fetches them and reads the store.
func (j *Job) runWith(ctx context.Context, src Source, ready chan struct{}) {
	j.mu.Lock()
	j.running++
	j.finished = make(chan struct{}) // Wait follows this run
	j.run, j.doneBefore = clock.Start(), j.done+len(j.failed)
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
	if err := j.plan(ctx); err != nil {
		j.storeFailed(err)
		return
	}
	j.mu.Lock()
	parts := j.todo
	j.todo = nil
	j.mu.Unlock()
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
	if err := j.load(ctx); err != nil {
		j.storeFailed(err)
	}
}

func (j *Job) storeFailed(err error) {
	j.mu.Lock()
	j.storeErr = err
	j.mu.Unlock()
}

// StoreErr is the error of the last run's reading of the store, if any.
func (j *Job) StoreErr() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.storeErr
}

// plan asks the keeper, once, which parts the range and the period before need.
func (j *Job) plan(ctx context.Context) error {
	j.mu.Lock()
	planned := j.planned
	j.mu.Unlock()
	if planned {
		return nil
	}
	var parts []Part
	for _, prev := range []bool{false, true} {
		if prev && j.Req.NoPrev {
			continue
		}
		from, to := j.Req.From, j.Req.To
		if prev {
			from, to = j.pf, j.pt
		}
		ps, err := j.keeper.Plan(ctx, j.Req.Orgs, from, to)
		if err != nil {
			return err
		}
		for i := range ps {
			ps[i].Prev = prev
		}
		parts = append(parts, ps...)
	}
	j.mu.Lock()
	j.planned, j.todo, j.total = true, parts, len(parts)
	j.mu.Unlock()
	return nil
}

// Planned is a job of req, not started, with its plan made: calls is how
// many API calls it needs now (the parts its range and the period before
// lack in the store). Jobs.Start runs it without planning again.
func (k *Keeper) Planned(ctx context.Context, req Request) (job *Job, calls int, err error) {
	j := NewJob(req, k)
	if err := j.plan(ctx); err != nil {
		return nil, 0, err
	}
	return j, j.total, nil
}

// load reads the range and the period before from the store.
func (j *Job) load(ctx context.Context) error {
	a, p := j.empty()
	prev := make(chan error, 1)
	go func() { // at once: each folds one value at a time
		if j.Req.NoPrev {
			prev <- nil
			return
		}
		prev <- j.keeper.Load(ctx, j.Req.Orgs, p, j.Req.Fine)
	}()
	err := j.keeper.Load(ctx, j.Req.Orgs, a, j.Req.Fine)
	if perr := <-prev; err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	j.mu.Lock()
	j.agg, j.prev = a, p
	j.mu.Unlock()
	return nil
}

func (j *Job) fetch(ctx context.Context, src Source, p Part) {
	n, err := j.keeper.Fetch(ctx, src, p)
	if err != nil {
		j.fail(Failure{Part: p, Reason: reason(err), Err: err})
		return
	}
	j.mu.Lock()
	j.done++
	j.records += n
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
	if j.storeErr != nil { // the next run plans (if it must) and reads again
		j.storeErr = nil
		n++
	}
	j.failed = nil
	return n
}

// Progress is how far a job is.
type Progress struct {
	Done, Failed, Total int
	Records             int64
	Running             bool
	// ThisRun is the parts this run has finished, in Elapsed: the pace the
	// fetch actually achieves, for an estimate of the time left.
	ThisRun int
	Elapsed time.Duration
}

// Left estimates the time the remaining parts take at the pace this run
// has achieved; ok is false until a few parts tell it.
func (p Progress) Left() (time.Duration, bool) {
	if p.ThisRun < 3 || p.Elapsed <= 0 {
		return 0, false
	}
	return time.Duration(int64(p.Elapsed) * int64(p.Total-p.Done-p.Failed) / int64(p.ThisRun)), true
}

// Progress reports how far the job is.
func (j *Job) Progress() Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Progress{Done: j.done, Failed: len(j.failed), Total: j.total, Records: j.records, Running: j.running > 0 || len(j.todo) > 0,
		ThisRun: j.done + len(j.failed) - j.doneBefore, Elapsed: j.run.Elapsed()}
}

// errNotSoon is Settle's answer for a job that cannot finish in time.
var errNotSoon = errors.New("the fetch cannot finish in time")

// Settle waits for the job's run to finish within its first `within`, and
// no longer than it can be expected to: once a tenth of that has passed, a
// run whose pace (parts done so far) cannot finish in the time left (it
// waits for its token's budget, say) returns at once, as does a run older
// than within. A page then shows what is stored and the progress.
func (j *Job) Settle(ctx context.Context, within time.Duration) error {
	for {
		j.mu.Lock()
		ch, age, done, total := j.finished, j.run.Elapsed(), j.done+len(j.failed)-j.doneBefore, j.total-j.doneBefore
		j.mu.Unlock()
		if ch == nil {
			return errors.New("the job has not started")
		}
		select {
		case <-ch:
			return nil
		default:
		}
		left := within - age
		if left <= 0 {
			return errNotSoon
		}
		if age >= within/10 && (done <= 0 || time.Duration(int64(age)*int64(total-done)/int64(done)) > left) {
			return errNotSoon
		}
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(left, within/60)):
		}
	}
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

// Agg is the range's sums as last read from the store.
func (j *Job) Agg() *Agg { a, _ := j.Result(); return a }

// PrevAgg is the period before's sums as last read from the store.
func (j *Job) PrevAgg() *Agg { _, p := j.Result(); return p }

// Snapshot reads what the store holds of the range and the period before
// now, while the job may still be fetching: the page fills in as the
// windows arrive.
func (j *Job) Snapshot(ctx context.Context) (agg, prev *Agg, err error) {
	a, p := j.empty()
	if err := j.keeper.Peek(ctx, j.Req.Orgs, a, j.Req.Fine); err != nil {
		return nil, nil, err
	}
	if !j.Req.NoPrev {
		if err := j.keeper.Peek(ctx, j.Req.Orgs, p, j.Req.Fine); err != nil {
			return nil, nil, err
		}
	}
	return a, p, nil
}
