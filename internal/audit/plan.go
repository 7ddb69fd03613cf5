// plan.go turns a selection into the conditions every store applies the
// same way: which organizations and times, which column values must or
// must not hold, which phrases the text must or must not contain.

package audit

import (
	"strings"
	"time"
)

// Plan is a selection as conditions, for a store to write as its SQL.
type Plan struct {
	Orgs          []string
	Since, Before time.Time
	All           []Match  // each must hold
	None          []Match  // none may hold
	Phrases       []string // free text every entry contains
	NotPhrases    []string // free text no entry contains
	// Selective is a positive filter on a field with its own index or few
	// matches: the filters, not the time order, drive the search.
	Selective bool
	// Index is the field whose index drives a search ("actor", "resource"),
	// or "" when the time order or the store decides.
	Index string
}

// Match holds when any of its column values does.
type Match []ColumnValue

// ColumnValue is a column of the index and the value it must equal.
// actor_email compares without ASCII case.
type ColumnValue struct{ Column, Value string }

// Plan makes the selection's conditions. Positive filters of one field are
// alternatives; of different fields, all must hold.
func (s Selection) Plan() Plan {
	p := Plan{Orgs: s.Orgs, Since: s.Since, Before: s.Before, Selective: hasSelectiveFilter(s.Query), Index: indexFor(s.Query)}
	positive := map[string]Match{}
	var order []string
	for _, f := range s.Filters {
		var m Match
		for _, c := range columnsFor(f) {
			m = append(m, ColumnValue{c, f.Value})
		}
		if f.Negate {
			p.None = append(p.None, m)
			continue
		}
		if _, seen := positive[f.Field]; !seen {
			order = append(order, f.Field)
		}
		positive[f.Field] = append(positive[f.Field], m...)
	}
	for _, field := range order {
		p.All = append(p.All, positive[field])
	}
	for _, t := range s.Terms {
		text := strings.TrimSpace(t.Text)
		switch {
		case text == "":
		case t.Negate:
			p.NotPhrases = append(p.NotPhrases, text)
		default:
			p.Phrases = append(p.Phrases, text)
		}
	}
	return p
}

// indexFor names the field whose index drives a query's positive actor (by
// e-mail) or resource filter.
func indexFor(q Query) string {
	for _, f := range q.Filters {
		if !f.Negate && f.Field == "actor" && strings.Contains(f.Value, "@") {
			return "actor"
		}
	}
	for _, f := range q.Filters {
		if !f.Negate && f.Field == "resource" {
			return "resource"
		}
	}
	return "" // ip, ray, token: no index of their own
}

// hasSelectiveFilter reports a positive filter on a field with its own
// index or few matches.
func hasSelectiveFilter(q Query) bool {
	for _, f := range q.Filters {
		switch f.Field {
		case "actor", "resource", "ray", "ip", "token":
			if !f.Negate {
				return true
			}
		}
	}
	return false
}

// columnsFor picks the one column a value can be in where the field has
// two: an OR over two columns keeps a planner off their indexes (measured
// on SQLite: 508 ms against 94 ms for an actor search over 2,000,000
// entries).
func columnsFor(f Filter) []string {
	cols := Fields[f.Field]
	switch f.Field {
	case "actor":
		if strings.Contains(f.Value, "@") {
			return cols[:1]
		}
		return cols[1:]
	case "token":
		if isHexID(f.Value) {
			return cols[1:]
		}
		return cols[:1]
	}
	return cols
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
