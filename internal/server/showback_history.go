// showback_history.go is the hierarchy a showback or chargeback charges a
// month to: as it was at the month's end, from the tree's history (each
// moved account's usage charged to its organization of each day), or
// today's when the person asks for a restatement.

package server

import (
	"cmp"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/history"
	"orgboard/internal/usage"
	"orgboard/web/templates"
)

// showbackScope is the organizations of a showback and their hierarchy.
type showbackScope struct {
	orgs     []string // read: the subtree as it was (deleted organizations too)
	fetch    []string // fetched: those of orgs and of alloc.Extra Cloudflare still answers for
	names    map[string]string
	parents  map[string]string
	children map[string][]string
	card     *usage.RateCard
	alloc    *usage.Allocation // nil: each record where it was stored
	restated bool              // today's tree, not the month's
}

func (s *Server) showbackScopeOf(c echo.Context, org string, q showbackQuery) (showbackScope, error) {
	all, err := s.readableOrgs(c)
	if err != nil {
		return showbackScope{}, err
	}
	sc, err := s.scopeOf(c, org, true) // the user may read org now
	if err != nil {
		return showbackScope{}, err
	}
	card, err := s.pricing(c, org, q.report)
	if err != nil {
		return showbackScope{}, err
	}
	out := showbackScope{names: map[string]string{}, parents: map[string]string{}, children: map[string][]string{}, card: card}
	for _, o := range all {
		out.names[o.ID] = o.Name
		if o.Parent != nil {
			out.parents[o.ID] = o.Parent.ID
		}
	}
	if _, ok := out.names[org]; !ok {
		if o, err := s.getOrg(c, org); err == nil {
			out.names[org] = o.Name
		}
	}
	if s.audit.Tree == nil {
		out.orgs, out.fetch = sc.orgs, sc.orgs
		out.link()
		return out, nil
	}
	t, err := s.audit.Tree.Tree(c.Request().Context())
	if err != nil {
		return showbackScope{}, err
	}
	if q.today { // each account where it is today, each organization too
		out.restated = true
		out.link()
		out.orgs = sc.orgs
		out.allocate(t, owners{t, s.now()})
	} else {
		from, to := q.rangeOf(s.today())
		out.asItWas(t, all, from, to.AddDate(0, 0, 1))
		out.orgs = out.subtree(org)
		out.allocate(t, owners{t: t})
	}
	live := make(map[string]bool, len(all))
	for _, o := range all {
		live[o.ID] = true
	}
	for _, o := range append(append([]string(nil), out.orgs...), out.alloc.Extra...) {
		if live[o] {
			out.fetch = append(out.fetch, o)
		}
	}
	return out, nil
}

// asItWas places each organization readable now, and each deleted one
// whose nearest surviving ancestor is (deleted after from), under its
// parent at moment end.
func (sc *showbackScope) asItWas(t *history.Tree, all []api.Organization, from, end time.Time) {
	readable := make(map[string]bool, len(all))
	for _, o := range all {
		readable[o.ID] = true
	}
	for _, o := range all {
		if p, ok := t.Place(history.Org, o.ID, end); ok {
			sc.parents[o.ID] = p
			if p == "" {
				delete(sc.parents, o.ID)
			}
		}
	}
	for _, d := range t.DeletedOrgs() {
		at, _ := t.Deleted(d)
		if anc, ok := t.Survivor(d); !ok || !readable[anc] || readable[d] || !at.After(from) {
			continue // not the user's to see, or gone before the month began
		}
		when := end
		if at.Before(end) {
			when = at.Add(-time.Microsecond) // where it was when it was deleted
		}
		if p, ok := t.Place(history.Org, d, when); ok && p != "" {
			sc.parents[d] = p
			sc.names[d] = cmp.Or(t.Name(d), "Organization "+d) + " (deleted)"
		}
	}
	sc.link()
}

// link lists each organization's children from the parents, in the
// order of their IDs: the same scope makes the same request.
func (sc *showbackScope) link() {
	for id, p := range sc.parents {
		sc.children[p] = append(sc.children[p], id)
	}
	for _, kids := range sc.children {
		slices.Sort(kids)
	}
}

// subtree is root and every organization under it.
func (sc *showbackScope) subtree(root string) []string {
	out := []string{root}
	for i := 0; i < len(out) && len(out) < maxReadableOrgs; i++ {
		out = append(out, sc.children[out[i]]...)
	}
	return out
}

// allocate charges each account known in more than one organization, one
// of them this subtree's, to its organization of each day; the others
// that hold such accounts' usage are read for them.
func (sc *showbackScope) allocate(t *history.Tree, o owners) {
	in := make(map[string]bool, len(sc.orgs))
	for _, o := range sc.orgs {
		in[o] = true
	}
	sc.alloc = &usage.Allocation{Owners: o, Moved: map[string]bool{}}
	extra := map[string]bool{}
	for _, a := range t.MovedAccounts() {
		homes := t.Homes(a)
		mine := false
		for _, h := range homes {
			mine = mine || in[h]
		}
		if !mine {
			continue
		}
		sc.alloc.Moved[a] = true
		for _, h := range homes {
			if !in[h] && !extra[h] {
				extra[h] = true
				sc.alloc.Extra = append(sc.alloc.Extra, h)
			}
		}
	}
}

// method says how the month is charged to the hierarchy.
func (sc *showbackScope) method(q showbackQuery) string {
	month := q.month.Format("January 2006")
	if sc.restated {
		return "Restated: each account's cost of " + month + " is charged to the organization it belongs to today, and each organization sits where it is today, as the audit log's moves and what the console saw tell it."
	}
	if sc.alloc == nil {
		return ""
	}
	out := "Each account's cost is charged to the organization it belonged to when each day began (UTC), and each organization sits where it was at the end of " +
		month + ": the tree's history comes from the audit log's organization and account moves (synced for these organizations, a call each at most every 30 seconds) " +
		"and from what the console saw when it listed organizations, accounts and usage. Before the first of these it knows of, an account or organization counts where it was first known."
	if n := len(sc.alloc.Moved); n > 0 {
		out += " " + templates.Count(int64(n), "account", "accounts") + " of this subtree moved between organizations: their usage is charged day by day, read wherever it was reported."
	}
	return out
}

// treeOf names the tree of an export's rows: the month's, or today's.
func (sc *showbackScope) treeOf(q showbackQuery, today time.Time) string {
	if sc.restated {
		return "today's (restated)"
	}
	_, to := q.rangeOf(today)
	return "as of " + to.Format(time.DateOnly)
}

// owners answer from the tree's history: an account's organization when
// a day began, or at moment "at" whatever the day (a restatement).
type owners struct {
	t  *history.Tree
	at time.Time
}

func (o owners) Owner(account string, day time.Time) (string, bool) {
	if !o.at.IsZero() {
		day = o.at
	}
	return o.t.Place(history.Account, account, day)
}

// syncTree brings the audit index of the month's organizations up to now,
// so that the moves since the month began are in the tree's history: a
// call per organization at most every 30 seconds. It reports whether the
// index covers them, waiting a moment.
func (s *Server) syncTree(c echo.Context, orgs []string, from time.Time) (bool, error) {
	if s.audit.Tree == nil {
		return true, nil
	}
	client := s.client(c)
	for _, o := range orgs {
		s.audit.Syncer.Ensure(client, o)
	}
	deadline := time.NewTimer(usageWait)
	defer deadline.Stop()
	for {
		settled, err := s.audit.Syncer.Settled(c.Request().Context(), orgs, from)
		if err != nil || settled {
			return settled, err
		}
		select {
		case <-deadline.C: // the page asks again
			return false, nil
		case <-c.Request().Context().Done():
			return false, c.Request().Context().Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
