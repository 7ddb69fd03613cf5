// keeper.go keeps the events: what the audit index stores and what the
// console sees are recorded (a sight only when it differs from what is
// known), and the tree is read back, cached a moment.

package history

import (
	"context"
	"sync"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock"
)

// cacheFor is how long a tree read is used before it is read again (other
// instances sharing the database record too); a record here drops it.
const cacheFor = 10 * time.Second

// Keeper records events and reads the tree.
type Keeper struct {
	store Store
	now   func() time.Time
	later chan func(context.Context) error // sightings a page made, recorded by Run

	mu   sync.Mutex
	tree *Tree
	read clock.Stopwatch // since the tree was read (a duration, on the monotonic clock)
}

// NewKeeper keeps events in store; "now" comes from clk (nil: the machine's clock).
func NewKeeper(store Store, clk clock.Clock) *Keeper {
	return &Keeper{store: store, now: clock.Or(clk).Now, later: make(chan func(context.Context) error, 256)}
}

// Later queues a record for Run, so that a page never waits on the
// database's writer for what it saw (the audit index's writer may hold it
// for a while); false when the queue is full and it was dropped: a
// sighting is made again at the next listing.
func (k *Keeper) Later(record func(context.Context) error) bool {
	select {
	case k.later <- record:
		return true
	default:
		return false
	}
}

// Run records what Later queued until ctx ends, then what is left, within
// a few seconds; failures go to fail.
func (k *Keeper) Run(ctx context.Context, fail func(error)) {
	for {
		select {
		case record := <-k.later:
			if err := record(context.WithoutCancel(ctx)); err != nil {
				fail(err)
			}
		case <-ctx.Done():
			drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
			defer cancel()
			for {
				select {
				case record := <-k.later:
					if err := record(drain); err != nil {
						fail(err)
					}
				default:
					return
				}
			}
		}
	}
}

// Tree is the tree as the events held tell it.
func (k *Keeper) Tree(ctx context.Context) (*Tree, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tree != nil && k.read.Elapsed() < cacheFor {
		return k.tree, nil
	}
	evs, err := k.store.TreeEvents(ctx)
	if err != nil {
		return nil, err
	}
	k.tree, k.read = NewTree(evs), clock.Start()
	return k.tree, nil
}

// Record stores events.
func (k *Keeper) Record(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := k.store.RecordTree(ctx, events); err != nil {
		return err
	}
	k.mu.Lock()
	k.tree = nil
	k.mu.Unlock()
	return nil
}

// RecordEntries records what audit entries say about the tree, before the
// index stores them: an entry stored has its events.
func (k *Keeper) RecordEntries(ctx context.Context, entries []*api.AuditEntry) error {
	var evs []Event
	for _, e := range entries {
		evs = append(evs, FromEntry(e)...)
	}
	return k.Record(ctx, evs)
}

// SeeOrgs records where organizations were seen now, those whose parent
// or name differs from what is known.
func (k *Keeper) SeeOrgs(ctx context.Context, orgs []api.Organization) error {
	t, err := k.Tree(ctx)
	if err != nil {
		return err
	}
	now := k.now().UTC()
	var evs []Event
	for _, o := range orgs {
		parent := ""
		if o.Parent != nil {
			parent = o.Parent.ID
		}
		if last, ok := t.Latest(Org, o.ID); ok && !last.Deleted && last.Parent == parent && (last.Name == o.Name || o.Name == "") {
			continue
		}
		evs = append(evs, Event{Kind: Org, ID: o.ID, At: now, Parent: parent, Name: o.Name, Source: Seen})
	}
	return k.Record(ctx, evs)
}

// SeeAccounts records that accounts belonged to org at moment at, those
// not already placed there then.
func (k *Keeper) SeeAccounts(ctx context.Context, org string, accounts []string, at time.Time) error {
	t, err := k.Tree(ctx)
	if err != nil {
		return err
	}
	var evs []Event
	for _, a := range accounts {
		if place, ok := t.Place(Account, a, at); ok && place == org {
			continue
		}
		evs = append(evs, Event{Kind: Account, ID: a, At: at.UTC(), Parent: org, Source: Seen})
	}
	return k.Record(ctx, evs)
}

// Moved records a move the console made itself: from is where the
// organization or account sat before.
func (k *Keeper) Moved(ctx context.Context, kind Kind, id, from, to, name string) error {
	return k.Record(ctx, []Event{{Kind: kind, ID: id, At: k.now().UTC(), Parent: to, Before: from, Name: name, Source: Seen}})
}

// Removed records an organization the console deleted itself.
func (k *Keeper) Removed(ctx context.Context, org, parent, name string) error {
	return k.Record(ctx, []Event{{Kind: Org, ID: org, At: k.now().UTC(), Parent: parent, Name: name, Deleted: true, Source: Seen}})
}
