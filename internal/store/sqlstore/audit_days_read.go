// audit_days_read.go answers a summary from audit_days when every
// condition of its query is on a field a day keeps: 2,000,000 entries are
// about 180,000 rows of a few dozen facts, read without their bodies.

package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"orgboard/internal/audit"
)

// dayCond is a condition on a fact: column is an index into fields, or
// orgColumn for the organization.
type dayCond struct {
	column int
	value  string
}

const orgColumn = -1

// dayPlan is a plan's conditions as a day's facts are checked.
type dayPlan struct {
	all, none [][]dayCond
}

// planDays is p as conditions on days' facts; false when p holds free
// text or a field the days do not keep.
func planDays(p audit.Plan) (dayPlan, bool) {
	var dp dayPlan
	if len(p.Phrases) > 0 || len(p.NotPhrases) > 0 {
		return dp, false
	}
	conds := func(m audit.Match) ([]dayCond, bool) {
		out := make([]dayCond, 0, len(m))
		for _, cv := range m {
			col := orgColumn
			if cv.Column != "org_id" {
				col = columnIndex(cv.Column)
				if col < 0 {
					return nil, false
				}
			}
			out = append(out, dayCond{col, cv.Value})
		}
		return out, true
	}
	for _, m := range p.All {
		c, ok := conds(m)
		if !ok {
			return dp, false
		}
		dp.all = append(dp.all, c)
	}
	for _, m := range p.None {
		c, ok := conds(m)
		if !ok {
			return dp, false
		}
		dp.none = append(dp.none, c)
	}
	return dp, true
}

func columnIndex(col string) int {
	for i, c := range dayColumns {
		if c == col {
			return i
		}
	}
	return -2
}

// holds is whether any of conds holds of a fact of org whose fields are
// given; actor_email compares without ASCII case, as the index does.
func holds(conds []dayCond, org string, f *[len(dayColumns)][]byte) bool {
	for _, c := range conds {
		switch {
		case c.column == orgColumn:
			if org == c.value {
				return true
			}
		case c.column == 0:
			if asciiEqualFold(f[0], c.value) {
				return true
			}
		case string(f[c.column]) == c.value:
			return true
		}
	}
	return false
}

func (dp *dayPlan) match(org string, f *[len(dayColumns)][]byte) bool {
	for _, m := range dp.all {
		if !holds(m, org, f) {
			return false
		}
	}
	for _, m := range dp.none {
		if holds(m, org, f) {
			return false
		}
	}
	return true
}

func asciiEqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// counted are the fields a summary counts the values of, by their place
// in dayColumns.
var counted = [audit.FieldType + 1]int{audit.FieldActor: 0, audit.FieldAction: 2, audit.FieldProduct: 4, audit.FieldType: 5}

// CountFacts counts the matches of s from audit_days into c, a day at a
// time, and says whether it could: false (having counted nothing) when
// s's query holds free text or a field the days do not keep.
func (x *AuditIndex) CountFacts(ctx context.Context, s audit.Selection, c *audit.Counts) (bool, error) {
	p := s.Plan()
	dp, ok := planDays(p)
	if !ok || x.scanOnly {
		return false, nil
	}
	since, before := p.Since.UnixMicro(), p.Before.UnixMicro()
	first, _ := split(since)
	last, _ := split(before - 1)
	rows, err := x.DB.Query(ctx, `SELECT org_id, day, facts FROM audit_days WHERE org_id IN (`+Placeholders(len(p.Orgs))+
		`) AND day >= ? AND day <= ?`, append(Args(p.Orgs), first, last)...)
	dc := dayCounter{c: c, plan: &dp, since: since, before: before, step: c.Step()}
	return true, Rows(rows, err, func(rows *sql.Rows) error {
		var day int64
		var b sql.RawBytes
		if err := rows.Scan(&dc.org, &day, &b); err != nil {
			return err
		}
		return dc.day(day, b)
	})
}

// dayCounter counts days' facts, its buffers kept from day to day.
type dayCounter struct {
	c             *audit.Counts
	plan          *dayPlan
	since, before int64
	step          int64
	org           string
	r             dayReader
	values        [len(counted)][]int // per field, entries per string of the day
	slots         []int               // entries per bucket of the day
}

// day counts one day's facts: its entries, then each value and bucket once.
func (dc *dayCounter) day(day int64, b []byte) error {
	r := &dc.r
	if err := r.open(b); err != nil {
		return err
	}
	ns := len(r.strs)
	for i := range dc.values {
		dc.values[i] = slices.Grow(dc.values[i][:0], ns)[:ns]
		clear(dc.values[i])
	}
	start := day * dayMicros
	dc.slots = slices.Grow(dc.slots[:0], int(dayMicros/dc.step)+1)[:dayMicros/dc.step+1]
	clear(dc.slots)
	filtered := len(dc.plan.all)+len(dc.plan.none) > 0
	n, failures := 0, 0
	var idx [len(dayColumns)]uint64
	var f [len(dayColumns)][]byte
	for within, ok := r.next(&idx); ok; within, ok = r.next(&idx) {
		if us := start + within; us < dc.since || us >= dc.before {
			continue
		}
		if filtered {
			for i, k := range idx {
				f[i] = r.strs[k]
			}
			if !dc.plan.match(dc.org, &f) {
				continue
			}
		}
		n++
		if string(r.strs[idx[3]]) == "failure" {
			failures++
		}
		for i, col := range counted {
			dc.values[i][idx[col]]++
		}
		dc.slots[within/dc.step]++
	}
	if err := r.close(); err != nil {
		return err
	}
	dc.c.Entries(n, failures)
	for i := range counted {
		for k, m := range dc.values[i] {
			if m > 0 {
				dc.c.Value(i, r.strs[k], m)
			}
		}
	}
	for k, m := range dc.slots {
		if m > 0 {
			dc.c.At(start+int64(k)*dc.step, m)
		}
	}
	return nil
}
