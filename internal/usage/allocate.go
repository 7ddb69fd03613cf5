// allocate.go charges usage to the organization an account belonged to on
// each day. An organization's billable usage holds the accounts that
// belong to it when it is asked: a month fetched after an account moved
// is stored under its new organization, and one fetched before and after
// is stored under both.

package usage

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Owners say which organization an account belonged to when a day began.
type Owners interface {
	Owner(account string, day time.Time) (org string, ok bool)
}

// Allocation is how a range's usage is charged when accounts moved.
type Allocation struct {
	Owners Owners
	// Moved are the accounts whose usage may be stored under another
	// organization than the one it belongs to: those known in more than one.
	Moved map[string]bool
	// Extra are organizations outside the range's own that hold (or held)
	// moved accounts: their stored usage is read for those accounts alone.
	Extra []string
}

// charges streams the sums of orgs over [from, to] with the organization
// each is charged to: where it is stored, or for a moved account the
// organization it belonged to on the sum's day (one stored copy of each
// day of it, whichever organizations stored it). Without an allocation,
// or moved accounts, sums stay where they are stored (coarse unless fine).
func charges(ctx context.Context, st Store, orgs []string, from, to time.Time, fine bool, alloc *Allocation, each func(org string, s *Sum) error) error {
	if alloc == nil || len(alloc.Moved) == 0 {
		return st.Totals(ctx, orgs, from, to, fine, each)
	}
	in := make(map[string]bool, len(orgs))
	for _, o := range orgs {
		in[o] = true
	}
	type dayOf struct {
		account string
		day     int64
	}
	copies := map[dayOf]map[string][]Sum{} // the moved accounts' days, by the organization storing them
	read := append(slices.Clip(orgs), alloc.Extra...)
	err := st.Totals(ctx, read, from, to, true, func(stored string, s *Sum) error {
		if !alloc.Moved[s.Account] {
			if in[stored] {
				return each(stored, s)
			}
			return nil
		}
		k := dayOf{s.Account, DayNumber(s.Day)}
		if copies[k] == nil {
			copies[k] = map[string][]Sum{}
		}
		copies[k][stored] = append(copies[k][stored], *s)
		return nil
	})
	if err != nil {
		return err
	}
	keys := make([]dayOf, 0, len(copies))
	for k := range copies {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dayOf) int { return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.account, b.account)) })
	for _, k := range keys {
		byOrg := copies[k]
		holders := make([]string, 0, len(byOrg))
		for o := range byOrg {
			holders = append(holders, o)
		}
		slices.Sort(holders)
		owner, ok := alloc.Owners.Owner(k.account, FromDayNumber(k.day))
		if !ok {
			owner = holders[0]
		}
		sums, ok := byOrg[owner]
		if !ok {
			sums = byOrg[holders[0]] // each copy is the account's day as reported
		}
		if !in[owner] {
			continue // charged to an organization outside this range's
		}
		for i := range sums {
			if err := each(owner, &sums[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
