// keeper.go decides what to fetch: a day already stored costs no call,
// unless it may still change (the last few days, and days that held a
// correction), and then only once its last fetch is older than Fresh.

package usage

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock"
)

// Keeper is the usage store with its fetching.
type Keeper struct {
	Store Store
	// Settle is how many days after a day its usage stops changing.
	Settle int
	// Fresh is how long a fetch of days that may still change is used.
	Fresh time.Duration
	// Seen, when set, hears which accounts an organization's usage held
	// when it was fetched: the accounts that belonged to it then
	// (history.Keeper.SeeAccounts).
	Seen func(ctx context.Context, org string, accounts []string, at time.Time) error
	now  func() time.Time

	mu       sync.Mutex
	inflight map[string][]*flight // by organization
}

type flight struct {
	w    Window
	done chan struct{}
	err  error
}

// DefaultSettle is the days after which usage stops changing, unless
// configured: Cloudflare's corrections of a month arrive in its first days.
const DefaultSettle = 5

// NewKeeper keeps usage in store by clk (nil: the machine's).
func NewKeeper(store Store, settle int, fresh time.Duration, clk clock.Clock) *Keeper {
	return &Keeper{Store: store, Settle: cmp.Or(settle, DefaultSettle), Fresh: fresh, now: clock.Or(clk).Now, inflight: map[string][]*flight{}}
}

// Plan lists the calls that bring [from, to] of orgs up to date: for each
// organization and calendar month, the stretch from its first day that
// needs fetching to its last. Days from today on are not asked for (usage
// is reported up to yesterday).
func (k *Keeper) Plan(ctx context.Context, orgs []string, from, to time.Time) ([]Part, error) {
	now := k.now()
	yesterday := Civil(now.UTC()).AddDate(0, 0, -1)
	if to.After(yesterday) {
		to = yesterday
	}
	if to.Before(from) {
		return nil, nil
	}
	// a day fetched this long after it never changes (stale says so): the
	// store counts those, and lists the rest
	settled := 2*k.Settle + 1
	stored, counted, err := k.Store.Stored(ctx, orgs, from, to, settled)
	if err != nil {
		return nil, err
	}
	have := make(map[string]map[int64]StoredDay, len(orgs))
	add := func(stored []StoredDay) {
		for _, s := range stored {
			m := have[s.Org]
			if m == nil {
				m = map[int64]StoredDay{}
				have[s.Org] = m
			}
			m[DayNumber(s.Day)] = s
		}
	}
	add(stored)
	// an organization with days missing: which ones is known from all its days
	partial := map[string]bool{}
	var list []string
	for _, o := range orgs {
		if counted[o]+len(have[o]) < Days(from, to) {
			partial[o], list = true, append(list, o)
		}
	}
	if len(list) > 0 {
		all, _, err := k.Store.Stored(ctx, list, from, to, 0)
		if err != nil {
			return nil, err
		}
		add(all)
	}
	var parts []Part
	for _, w := range Windows(from, to) {
		for _, o := range orgs {
			var first, last time.Time
			for day := w.From; !day.After(w.To); day = day.AddDate(0, 0, 1) {
				s, ok := have[o][DayNumber(day)]
				if ok && !k.stale(s, now) || !ok && !partial[o] {
					continue // stored, and either still fresh or settled
				}
				if first.IsZero() {
					first = day
				}
				last = day
			}
			if !first.IsZero() {
				parts = append(parts, Part{Org: o, Window: Window{first, last}})
			}
		}
	}
	return parts, nil
}

// stale reports whether a stored day is to be fetched again: it was
// fetched before it settled (or, holding a correction, before twice
// that), and that fetch is older than Fresh.
func (k *Keeper) stale(s StoredDay, now time.Time) bool {
	settled := s.Day.AddDate(0, 0, k.Settle+1)
	if s.Corrected {
		settled = s.Day.AddDate(0, 0, 2*k.Settle+1)
	}
	return s.Fetched.Before(settled) && now.Sub(s.Fetched) >= k.Fresh
}

// Fetch brings one part into the store: its records are summed by day and
// key and replace what the store held for those days. A part that another
// fetch already covers waits for that one instead. It reports the number
// of records fetched.
func (k *Keeper) Fetch(ctx context.Context, src Source, p Part) (int64, error) {
	f, wait := k.claim(p)
	if wait {
		select {
		case <-f.done:
			return 0, f.err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	n, err := k.fetch(ctx, src, p)
	k.release(p.Org, f, err)
	return n, err
}

func (k *Keeper) claim(p Part) (*flight, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, f := range k.inflight[p.Org] {
		if !f.w.From.After(p.Window.From) && !f.w.To.Before(p.Window.To) {
			return f, true
		}
	}
	f := &flight{w: p.Window, done: make(chan struct{})}
	k.inflight[p.Org] = append(k.inflight[p.Org], f)
	return f, false
}

func (k *Keeper) release(org string, f *flight, err error) {
	k.mu.Lock()
	fs := k.inflight[org]
	for i, g := range fs {
		if g == f {
			fs = append(fs[:i], fs[i+1:]...)
			break
		}
	}
	if len(fs) == 0 {
		delete(k.inflight, org)
	} else {
		k.inflight[org] = fs
	}
	k.mu.Unlock()
	f.err = err
	close(f.done)
}

func (k *Keeper) fetch(ctx context.Context, src Source, p Part) (int64, error) {
	params := api.UsageParams{From: p.Window.From.Format(time.DateOnly), To: p.Window.To.Format(time.DateOnly)}
	type dayKey struct {
		day int64
		key Key
	}
	sums := map[dayKey]*Sum{}
	var order []*Sum
	var n int64
	asked := k.now()
	for r, err := range src.UsageRecords(ctx, p.Org, params) {
		if err != nil {
			return n, err
		}
		n++
		s := SumOf(&r)
		if s.Day.Before(p.Window.From) || s.Day.After(p.Window.To) {
			continue // outside what was asked: not this part's to store
		}
		dk := dayKey{DayNumber(s.Day), s.Key()}
		if have := sums[dk]; have != nil {
			have.AddUp(&s)
			continue
		}
		sums[dk] = &s
		order = append(order, &s)
	}
	out := make([]Sum, len(order))
	accounts := map[string]bool{}
	for i, s := range order {
		out[i] = *s
		accounts[s.Account] = true
	}
	if err := k.Store.Put(ctx, p.Org, p.Window.From, p.Window.To, k.now(), out); err != nil {
		return n, err
	}
	if k.Seen != nil {
		delete(accounts, "")
		return n, k.Seen(ctx, p.Org, slices.Sorted(maps.Keys(accounts)), asked)
	}
	return n, nil
}

// Load folds the stored sums of orgs over a's range into a (fine when it
// groups or filters by account, zone, region or subscription), reading a
// few slices of the organizations at once; the coarse sums of many
// organizations come from their rollups where they hold.
func (k *Keeper) Load(ctx context.Context, orgs []string, a *Agg, fine bool) error {
	return k.load(ctx, orgs, a, fine, true)
}

// Peek is Load while a fetch still puts days: it uses the rollups that
// hold but writes none (the next Put would remove them).
func (k *Keeper) Peek(ctx context.Context, orgs []string, a *Agg, fine bool) error {
	return k.load(ctx, orgs, a, fine, false)
}

func (k *Keeper) load(ctx context.Context, orgs []string, a *Agg, fine, keep bool) error {
	a.Coarse = !fine
	if !fine && len(orgs) >= rollupMin {
		return k.loadRolled(ctx, orgs, a, keep)
	}
	return k.read(ctx, orgs, a.From, a.To, a, fine, nil)
}

// read folds the stored sums of orgs over [from, to] into a, and into
// rolled when given: a few slices of the organizations are read and
// decoded at once, and their values folded into a one at a time (an Agg
// per slice, merged after, cost a third of the folding again).
func (k *Keeper) read(ctx context.Context, orgs []string, from, to time.Time, a *Agg, fine bool, rolled *roll) error {
	n := min(loadParallel, max(len(orgs)/loadSlice, 1))
	errs := make(chan error, n)
	var folding sync.Mutex
	for i := range n {
		part := orgs[i*len(orgs)/n : (i+1)*len(orgs)/n]
		go func() {
			mine := newRoll()
			var s Sum
			err := k.Store.Read(ctx, part, from, to, fine, func(blk *Block) error {
				folding.Lock()
				a.AddBlock(blk)
				folding.Unlock()
				if rolled != nil {
					for i := range blk.Sums {
						blk.Sum(i, &s)
						mine.add(&s)
					}
				}
				return nil
			})
			if err == nil && rolled != nil {
				rolled.merge(mine)
			}
			errs <- err
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// loadParallel is how many slices of the organizations Load reads at once;
// a slice is at least loadSlice organizations.
const (
	loadParallel = 4
	loadSlice    = 50
)
