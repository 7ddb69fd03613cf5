// showback.go splits an organization's cost down its hierarchy (showback)
// and lists it by sub-organization and account (chargeback), from the
// usage store.

package usage

import (
	"context"
	"sort"
	"time"
)

// Amounts are sums by denomination ("USD", "est:USD", "qty:GB").
type Amounts map[string]float64

func (a Amounts) add(denom string, v float64) { a[denom] += v }

// Node is one organization of a showback: its own accounts' amounts, and
// those of its whole subtree.
type Node struct {
	Org      string
	Own      Amounts
	Subtree  Amounts
	Children []*Node // largest subtree first (in the main denomination)
}

// Showback splits [from, to] of root's subtree (children lists each
// organization's sub-organizations; only those in orgs are read) by
// measure m, priced by rates where a record has no such cost, each moved
// account's usage charged as alloc says (nil: where it is stored).
func Showback(ctx context.Context, st Store, root string, children map[string][]string, orgs []string, from, to time.Time, m Measure, rates *RateCard, alloc *Allocation) (*Node, error) {
	own := map[string]Amounts{}
	err := charges(ctx, st, orgs, from, to, false, alloc, func(org string, s *Sum) error {
		v, denom, _ := Value(m, rates, s)
		if own[org] == nil {
			own[org] = Amounts{}
		}
		own[org].add(denom, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(orgs))
	for _, o := range orgs {
		in[o] = true
	}
	var build func(org string, depth int) *Node
	build = func(org string, depth int) *Node {
		n := &Node{Org: org, Own: own[org], Subtree: Amounts{}}
		if n.Own == nil {
			n.Own = Amounts{}
		}
		for d, v := range n.Own {
			n.Subtree.add(d, v)
		}
		if depth > 64 {
			return n // a cycle in a hierarchy the API sent: stop
		}
		for _, c := range children[org] {
			if !in[c] {
				continue
			}
			cn := build(c, depth+1)
			n.Children = append(n.Children, cn)
			for d, v := range cn.Subtree {
				n.Subtree.add(d, v)
			}
		}
		return n
	}
	n := build(root, 0)
	main := n.Main()
	var sortTree func(*Node)
	sortTree = func(n *Node) {
		sort.SliceStable(n.Children, func(i, j int) bool { return n.Children[i].Subtree[main] > n.Children[j].Subtree[main] })
		for _, c := range n.Children {
			sortTree(c)
		}
	}
	sortTree(n)
	return n, nil
}

// Main is the denomination a node is shown in first: its largest
// currency, reported before estimated, else its largest unit.
func (n *Node) Main() string {
	return Main(n.Subtree)
}

// Main is the amounts' first denomination: the largest reported
// currency, else the largest estimate, else the largest unit.
func Main(a Amounts) string {
	best, bestRank := "", 9
	for d, v := range a {
		rank := 0
		switch {
		case IsEstimate(d):
			rank = 1
		case IsUnit(d):
			rank = 2
		}
		if rank < bestRank || rank == bestRank && (v > a[best] || v == a[best] && d < best) {
			best, bestRank = d, rank
		}
	}
	return best
}

// Denoms lists the amounts' denominations: reported currencies, then
// estimates, then units, each largest first.
func (a Amounts) Denoms() []string {
	out := make([]string, 0, len(a))
	for d := range a {
		out = append(out, d)
	}
	rank := func(d string) int {
		switch {
		case IsEstimate(d):
			return 1
		case IsUnit(d):
			return 2
		}
		return 0
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		if a[out[i]] != a[out[j]] {
			return a[out[i]] > a[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// Charge is one account's month in a chargeback: its amounts by
// denomination (reported costs, estimates and unpriced quantities apart).
type Charge struct {
	Org, Account, AccountName string
	Amounts                   Amounts
}

// Chargeback lists [from, to] by organization and account, each moved
// account's usage charged as alloc says (nil: where it is stored).
func Chargeback(ctx context.Context, st Store, orgs []string, from, to time.Time, m Measure, rates *RateCard, alloc *Allocation) ([]Charge, error) {
	type key struct{ org, acct string }
	at := map[key]int{}
	var out []Charge
	err := charges(ctx, st, orgs, from, to, true, alloc, func(org string, s *Sum) error {
		k := key{org, s.Account}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, Charge{Org: org, Account: s.Account, AccountName: s.AccountName, Amounts: Amounts{}})
		}
		if out[i].AccountName == "" {
			out[i].AccountName = s.AccountName
		}
		v, denom, _ := Value(m, rates, s)
		out[i].Amounts.add(denom, v)
		return nil
	})
	return out, err
}
