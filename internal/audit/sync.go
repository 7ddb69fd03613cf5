// sync.go copies organizations' entries from the API into the index,
// resumably.

package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"orgboard/internal/api"
)

// Syncer copies organizations' audit entries into the index: first the
// newest Window (backfill, newest first, resumable), then incrementally from
// the newest entry it has. Entries are stored once, whatever is fetched twice.
type Syncer struct {
	idx    *Index
	Window time.Duration // how far back the backfill goes
	Limit  int           // entries per API page
	log    *slog.Logger
	w      *writer
	ctx    context.Context // ends every sync at a page boundary when done

	// MinInterval is how soon after a sync of an org another may start:
	// searches (and each page of their results) ask for a sync, and each
	// sync costs at least one API call per organization.
	MinInterval time.Duration

	// Leases, when several instances share the store, let one of them at
	// a time sync an organization; nil: this instance is the only one.
	Leases Leases

	slots    chan struct{} // bounds the organizations synced at once
	mu       sync.Mutex
	running  map[string]bool
	finished map[string]time.Time
	// paused holds, per token (api.TokenKey), when Cloudflare's rate limit
	// for it ends: one user's 429 pauses that user's syncs, not everyone's.
	paused map[string]time.Time
	wg     sync.WaitGroup
}

// Workers is how many organizations sync at once; the others queue.
const Workers = 32

// NewSyncer syncs into idx until ctx ends.
func NewSyncer(ctx context.Context, idx *Index, log *slog.Logger) *Syncer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Syncer{idx: idx, Window: DefaultWindow, Limit: 1000, MinInterval: 30 * time.Second, log: log, ctx: ctx,
		running: map[string]bool{}, finished: map[string]time.Time{}, paused: map[string]time.Time{}, slots: make(chan struct{}, Workers)}
	s.w = newWriter(idx, log, &s.wg)
	return s
}

// Ensure starts a background sync of org with the user's client, unless one
// runs or the client's token is paused by Cloudflare's rate limit.
func (s *Syncer) Ensure(client *api.Client, org string) { s.EnsureFor(client, org, Query{}) }

// EnsureFor is Ensure for a search of q. While org's backfill has not yet
// reached back to the start of q, and q excludes values the API can
// exclude itself, the sync first fetches q's range with those exclusions
// pushed down: the entries the search can show arrive first, without the
// ones it drops. The backfill then fetches everything as before and stores
// nothing twice; the focus pass does not move the sync's state.
func (s *Syncer) EnsureFor(client *api.Client, org string, q Query) {
	token := client.TokenKey()
	s.mu.Lock()
	now := s.idx.now()
	if s.running[org] || s.ctx.Err() != nil || now.Sub(s.finished[org]) < s.MinInterval || now.Before(s.paused[token]) {
		s.mu.Unlock()
		return
	}
	s.running[org] = true
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		limited, elsewhere := false, false
		defer func() {
			s.mu.Lock()
			delete(s.running, org)
			switch {
			case elsewhere: // ask again once the other instance's lease could have expired
				s.finished[org] = s.idx.now().Add(s.Leases.TTL() - s.MinInterval)
			case !limited: // after a rate limit another user's token may sync the org at once
				s.finished[org] = s.idx.now()
			}
			s.mu.Unlock()
		}()
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-s.ctx.Done():
			return
		}
		ctx, release, ok := s.lease(s.ctx, org)
		if !ok {
			elsewhere = s.Leases != nil // another instance syncs it
			return
		}
		defer release()
		err := s.syncOrg(ctx, client, org, q)
		limited = errors.Is(err, errRateLimited)
		if err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("audit sync", "org", org, "error", err)
		}
	}()
}

// errRateLimited marks a sync that Cloudflare's rate limit for its token stopped.
var errRateLimited = errors.New("the token is rate limited")

// PausedUntil is when Cloudflare's rate limit for the token ends, if it
// limits the token now.
func (s *Syncer) PausedUntil(tokenKey string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.paused[tokenKey]
	if ok && !s.idx.now().Before(until) {
		delete(s.paused, tokenKey)
		return time.Time{}, false
	}
	return until, ok
}

// Wait blocks until every background sync has stopped.
func (s *Syncer) Wait() { s.wg.Wait() }

// Running reports whether org is being synced now.
func (s *Syncer) Running(org string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[org]
}

func (s *Syncer) load(ctx context.Context, org string) (State, error) {
	states, err := s.idx.store.States(ctx, []string{org})
	if err != nil {
		return State{}, err
	}
	if st, ok := states[org]; ok {
		return st, nil
	}
	return s.fresh(), nil
}

// fresh is the state of an organization never synced: its window, all of
// it still to fetch.
func (s *Syncer) fresh() State {
	now := s.idx.now()
	return State{WindowStart: now.Add(-s.Window).UnixMicro(), Backfill: now.Add(time.Minute).UnixMicro()}
}

// loadAll reads the states of orgs that have one.
func (s *Syncer) loadAll(ctx context.Context, orgs []string) (map[string]State, error) {
	out := make(map[string]State, len(orgs))
	for start := 0; start < len(orgs); start += 1000 {
		states, err := s.idx.store.States(ctx, orgs[start:min(start+1000, len(orgs))])
		if err != nil {
			return nil, err
		}
		for org, st := range states {
			out[org] = st
		}
	}
	return out, nil
}

func (s *Syncer) save(ctx context.Context, org string, st State) error {
	return s.idx.store.SaveState(ctx, org, st, s.idx.now())
}

// SyncOrg runs one sync of org to completion (or to an error).
func (s *Syncer) SyncOrg(ctx context.Context, client *api.Client, org string) error {
	ctx, release, ok := s.lease(ctx, org)
	if !ok {
		return ErrLeaseLost
	}
	defer release()
	return s.syncOrg(ctx, client, org, Query{})
}

// syncOrg is SyncOrg for a search of q (see EnsureFor).
func (s *Syncer) syncOrg(ctx context.Context, client *api.Client, org string, q Query) error {
	st, err := s.load(ctx, org)
	if err != nil {
		return err
	}
	if until, limited := s.PausedUntil(client.TokenKey()); limited {
		return fmt.Errorf("%w until %s", errRateLimited, until.Format(time.RFC3339))
	}
	st.PausedUntil, st.Err = 0, ""
	if p, ok := s.focus(st, q); ok {
		if err := s.pages(ctx, client, org, &st, p, focusPass); err != nil {
			return s.fail(ctx, client, org, st, err)
		}
	}
	if st.Backfilling() {
		p := api.AuditParams{Since: rfc(st.WindowStart), Before: rfc(st.Backfill)}
		if err := s.pages(ctx, client, org, &st, p, backfillPass); err != nil {
			return s.fail(ctx, client, org, st, err)
		}
	}
	// the newer pass's pages carry the state to its end: nothing to save after
	p := api.AuditParams{Since: rfc(max(st.Newest-int64(time.Second/time.Microsecond), st.WindowStart)), Before: rfc(s.idx.now().Add(time.Minute).UnixMicro())}
	if err := s.pages(ctx, client, org, &st, p, newerPass); err != nil {
		return s.fail(ctx, client, org, st, err)
	}
	return nil
}

// focus is the fetch a search of q needs before the backfill (see
// EnsureFor): its range not yet covered, with its exclusions pushed down.
func (s *Syncer) focus(st State, q Query) (api.AuditParams, bool) {
	x := Pushdown(q)
	if !st.Backfilling() || x.Empty() {
		return api.AuditParams{}, false
	}
	since, _ := s.idx.Window(q)
	from, to := max(since.UnixMicro(), st.WindowStart), st.Backfill
	if !q.Before.IsZero() {
		to = min(to, q.Before.UnixMicro())
	}
	if from >= to {
		return api.AuditParams{}, false
	}
	return api.AuditParams{Since: rfc(from), Before: rfc(to), Exclude: x}, true
}

// A pass is one walk of the API's pages.
type passKind int

const (
	backfillPass passKind = iota // the window, newest first; moves the backfill point back
	newerPass                    // everything since the newest entry stored
	focusPass                    // a search's range with its exclusions (see EnsureFor): the state stays
)

// pages fetches one pass over p's range, newest first (the newer pass has
// a second of overlap: a late entry with an equal time is not missed, and
// a repeat is not stored twice). Each page goes to the writer while the
// next is fetched; *st is the state of what is stored.
func (s *Syncer) pages(ctx context.Context, client *api.Client, org string, st *State, p api.AuditParams, kind passKind) error {
	p.Direction, p.Limit = "desc", s.Limit
	q := queued{st: st}
	work := *st
	for {
		if err := ctx.Err(); err != nil {
			return errors.Join(err, q.drain()) // stop at a page boundary, keeping what was fetched
		}
		page, err := client.ListAuditEntries(ctx, org, p)
		if err != nil {
			return errors.Join(err, q.drain())
		}
		rows, err := s.idx.prepare(page.Entries)
		if err != nil {
			return errors.Join(err, q.drain())
		}
		for _, e := range page.Entries {
			if kind == focusPass {
				break
			}
			t := e.Action.Time.UnixMicro()
			work.Newest = max(work.Newest, t)
			if kind == backfillPass && t+1 < work.Backfill {
				work.Backfill = t + 1 // a restart resumes here: at most one page is fetched again
			}
		}
		last := page.Cursor == "" || len(page.Entries) == 0
		if kind == backfillPass && last {
			work.Backfill = 0 // stored with the last page: the backfill is done
		}
		q.add(s.w, &item{batch: Batch{Org: org, Rows: rows, State: work}, done: make(chan error, 1), sync: &q.failed})
		if q.err != nil { // a commit failed: what follows would not be stored either
			return q.drain()
		}
		if last {
			return q.drain()
		}
		p.Cursor = page.Cursor
	}
}

// queued is one sync's pages handed to the writer and not yet stored.
type queued struct {
	items  []*item
	st     *State // the state of the last page stored
	err    error
	failed atomic.Bool // a page failed to store: the writer refuses the later ones
}

// add hands it to the writer, and takes note of the pages stored since.
func (q *queued) add(w *writer, it *item) {
	q.items = append(q.items, it)
	w.submit(it)
	for len(q.items) > 0 {
		select {
		case err := <-q.items[0].done:
			q.done(err)
		default:
			return
		}
	}
}

// done takes note of the oldest page's outcome.
func (q *queued) done(err error) {
	it := q.items[0]
	q.items = q.items[1:]
	if err != nil {
		q.err = cmp.Or(q.err, err)
	} else if q.err == nil {
		*q.st = it.batch.State // its count of entries is not kept: the writer counts them in the index
	}
}

// drain waits until every queued page is stored (or has failed).
func (q *queued) drain() error {
	for len(q.items) > 0 {
		q.done(<-q.items[0].done)
	}
	return q.err
}

func rfc(micros int64) string { return time.UnixMicro(micros).UTC().Format(time.RFC3339Nano) }

// fail records why a sync stopped. A 429 is the token's, not the
// organization's: it pauses the syncs of that token until Retry-After, and
// other users' tokens go on syncing the organization.
func (s *Syncer) fail(ctx context.Context, client *api.Client, org string, st State, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrLeaseLost) {
		return err // shutdown, or another instance took over: progress is saved, the next sync resumes
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.StatusCode == 429 {
		wait := max(ae.RetryAfter, time.Second)
		s.mu.Lock()
		s.paused[client.TokenKey()] = s.idx.now().Add(wait)
		s.mu.Unlock()
		return fmt.Errorf("%w: %w", errRateLimited, err) // what was stored is in the state already
	}
	st.Err = "the last sync stopped: the API did not answer usably; it is tried again on the next search"
	if serr := s.save(context.WithoutCancel(ctx), org, st); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// Progress is the sync state of the organizations of a search.
type Progress struct {
	Synced   int64
	Covered  time.Time // entries from this time on are in the index, for every organization
	Done     bool      // every organization has finished its backfill and none runs
	Running  int
	OrgsDone int // organizations whose backfill has finished
	Problem  string
}

// Covers reports whether the index holds every entry of the organizations
// from since on (as far as the sync window reaches).
func (p Progress) Covers(since time.Time) bool { return !p.Covered.After(since) }

// Indexing reports whether a search from since waits for the sync: its
// range is not in the index yet, and the sync is still on its way there.
func (p Progress) Indexing(since time.Time) bool { return !p.Covers(since) && !p.Done }

// Progress sums the state of orgs (read in one query per thousand).
func (s *Syncer) Progress(ctx context.Context, orgs []string) (Progress, error) {
	p := Progress{Done: true}
	states, err := s.loadAll(ctx, orgs)
	if err != nil {
		return p, err
	}
	for _, org := range orgs {
		st, ok := states[org]
		if !ok {
			st = s.fresh()
		}
		p.Synced += st.Synced
		covered := st.WindowStart
		if st.Backfilling() {
			covered = min(st.Backfill, s.idx.now().UnixMicro())
			p.Done = false
		} else {
			p.OrgsDone++
		}
		if c := time.UnixMicro(covered); p.Covered.IsZero() || c.After(p.Covered) {
			p.Covered = c
		}
		if s.Running(org) {
			p.Running++
			p.Done = false
		}
		if st.Err != "" {
			p.Problem = st.Err
		}
	}
	return p, nil
}

// MaxWindow is how far back the API keeps audit entries.
const MaxWindow = 548 * 24 * time.Hour // 18 months

// Extend moves org's window back by more (at most to MaxWindow) and queues
// the backfill of the older entries; it returns the new start.
func (s *Syncer) Extend(ctx context.Context, org string, more time.Duration) (time.Time, error) {
	st, err := s.load(ctx, org)
	if err != nil {
		return time.Time{}, err
	}
	oldest := s.idx.now().Add(-MaxWindow).UnixMicro()
	start := max(st.WindowStart-more.Microseconds(), oldest)
	if start == st.WindowStart {
		return time.UnixMicro(start), nil
	}
	if !st.Backfilling() {
		st.Backfill = st.WindowStart
	}
	st.WindowStart = start
	s.mu.Lock()
	delete(s.finished, org) // the older entries are wanted now
	s.mu.Unlock()
	return time.UnixMicro(start), s.save(ctx, org, st)
}

// Lag is how long ago the stalest organization synced in the last day
// finished a sync, and how many entries the index holds.
func (s *Syncer) Lag(ctx context.Context) (lag time.Duration, entries int64, err error) {
	now := s.idx.now()
	oldest, entries, err := s.idx.store.Lag(ctx, now.Add(-24*time.Hour))
	if err != nil || oldest.IsZero() {
		return 0, entries, err
	}
	return now.Sub(oldest), entries, nil
}

// Settled reports whether the index holds every entry of orgs from since
// up to their last sync: an organization still backfilling has reached
// back to since, and one whose backfill is done is not syncing its newest
// entries right now. A backfill going on further back, or a sync that
// stopped on a problem, does not hold it up.
func (s *Syncer) Settled(ctx context.Context, orgs []string, since time.Time) (bool, error) {
	states, err := s.loadAll(ctx, orgs)
	if err != nil {
		return false, err
	}
	for _, org := range orgs {
		st, ok := states[org]
		if !ok {
			st = s.fresh()
		}
		switch {
		case st.Err != "":
		case st.Backfilling():
			if time.UnixMicro(st.Backfill).After(since) {
				return false, nil
			}
		case s.Running(org):
			return false, nil
		}
	}
	return true, nil
}
