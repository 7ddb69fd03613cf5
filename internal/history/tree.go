// tree.go answers where an organization or account sat at a moment, from
// the events held.

package history

import (
	"cmp"
	"slices"
	"time"
)

type key struct {
	kind Kind
	id   string
}

// Tree is the events held, each organization's and account's in time order.
type Tree struct {
	events  map[key][]Event
	deleted map[string]Event // organizations deleted, by ID
	moved   map[string]bool  // accounts known in more than one organization
}

// NewTree orders events; at one moment an entry goes before what the
// console saw.
func NewTree(events []Event) *Tree {
	t := &Tree{events: map[key][]Event{}, deleted: map[string]Event{}, moved: map[string]bool{}}
	for _, e := range events {
		k := key{e.Kind, e.ID}
		t.events[k] = append(t.events[k], e)
	}
	for k, evs := range t.events {
		slices.SortStableFunc(evs, func(a, b Event) int {
			return cmp.Or(a.At.Compare(b.At), cmp.Compare(sourceRank(a.Source), sourceRank(b.Source)))
		})
		for _, e := range evs {
			if e.Deleted {
				t.deleted[k.id] = e
			}
			if k.kind == Account && (e.Parent != evs[0].Parent || e.Before != "" && e.Before != e.Parent) {
				t.moved[k.id] = true
			}
		}
	}
	return t
}

func sourceRank(s Source) int {
	if s == Audit {
		return 0
	}
	return 1
}

// Place is where an organization or account sat at moment at: as the
// last event up to then says; before its first event, where that event
// says it was before (a move's origin) or else where it was then first
// known. ok is false when nothing is known of it.
func (t *Tree) Place(kind Kind, id string, at time.Time) (parent string, ok bool) {
	evs := placing(t.events[key{kind, id}])
	if len(evs) == 0 {
		return "", false
	}
	i, _ := slices.BinarySearchFunc(evs, at, func(e Event, at time.Time) int {
		if e.At.After(at) {
			return 1
		}
		return -1
	})
	if i > 0 {
		return evs[i-1].Parent, true
	}
	if evs[0].Before != "" {
		return evs[0].Before, true
	}
	return evs[0].Parent, true
}

// placing is events without the deletes: a deleted organization stays
// where it last was.
func placing(evs []Event) []Event {
	for _, e := range evs {
		if e.Deleted {
			out := make([]Event, 0, len(evs))
			for _, e := range evs {
				if !e.Deleted {
					out = append(out, e)
				}
			}
			return out
		}
	}
	return evs
}

// Latest is the last event of an organization or account.
func (t *Tree) Latest(kind Kind, id string) (Event, bool) {
	evs := t.events[key{kind, id}]
	if len(evs) == 0 {
		return Event{}, false
	}
	return evs[len(evs)-1], true
}

// Moved reports an account known in more than one organization: its
// costs may belong to another than the one that reported them.
func (t *Tree) Moved(account string) bool { return t.moved[account] }

// MovedAccounts lists the accounts known in more than one organization.
func (t *Tree) MovedAccounts() []string {
	out := make([]string, 0, len(t.moved))
	for a := range t.moved {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Homes are the organizations an account is known to have been in.
func (t *Tree) Homes(account string) []string {
	var out []string
	for _, e := range t.events[key{Account, account}] {
		for _, o := range []string{e.Before, e.Parent} {
			if o != "" && !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// Deleted reports when an organization was deleted.
func (t *Tree) Deleted(org string) (time.Time, bool) {
	e, ok := t.deleted[org]
	return e.At, ok
}

// DeletedOrgs lists the organizations deleted.
func (t *Tree) DeletedOrgs() []string {
	out := make([]string, 0, len(t.deleted))
	for id := range t.deleted {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Name is an organization's last known name ("" when none is known).
func (t *Tree) Name(org string) string {
	evs := t.events[key{Org, org}]
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Name != "" {
			return evs[i].Name
		}
	}
	return ""
}

// Survivor is the nearest ancestor of a deleted organization that was
// not deleted itself: its parent when it was deleted, or that parent's
// when it was deleted too, and so on. ok is false when the chain is not
// known up to an organization that was not deleted.
func (t *Tree) Survivor(org string) (string, bool) {
	for range 64 { // a cycle in what was recorded: give up
		del, ok := t.deleted[org]
		if !ok {
			return org, org != ""
		}
		parent := del.Parent
		if parent == "" {
			parent, _ = t.Place(Org, org, del.At.Add(-time.Microsecond))
		}
		if parent == "" {
			return "", false
		}
		org = parent
	}
	return "", false
}
