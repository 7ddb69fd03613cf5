// digest.go is a rule's weekly digest of an organization: the last
// complete week (Monday to Sunday, UTC) of cost (the total and its change
// on the week before, the month's forecast against its budget, anomalies,
// the product families that moved most) and of audit (entries, failures,
// actors not seen in the four weeks before, changes to members and to
// organizations).

package alerts

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/audit"
	"orgboard/internal/usage"
)

// Digest is one week of an organization.
type Digest struct {
	From  time.Time    `json:"from"` // Monday
	To    time.Time    `json:"to"`   // Sunday
	Cost  *DigestCost  `json:"cost,omitempty"`
	Audit *DigestAudit `json:"audit,omitempty"`
}

// DigestCost is the week's cost.
type DigestCost struct {
	Currency  string      `json:"currency"`
	Estimate  bool        `json:"estimate"`
	Converted bool        `json:"converted,omitempty"` // converted into Currency at each month's reference rate
	Total     float64     `json:"total"`
	Before    float64     `json:"week_before"`
	Forecast  float64     `json:"month_forecast,omitempty"`
	Budget    float64     `json:"month_budget,omitempty"`
	Anomalies []CostEvent `json:"anomalies"`
	Movers    []Mover     `json:"top_movers"`
	denom     string
}

// Mover is a product family's week against the week before.
type Mover struct {
	Family string  `json:"family"`
	Total  float64 `json:"total"`
	Before float64 `json:"week_before"`
}

// DigestAudit is the week's audit log.
type DigestAudit struct {
	Entries       int      `json:"entries"`
	Failures      int      `json:"failures"`
	NewActors     []string `json:"new_actors"`
	MemberChanges int      `json:"member_changes"`
	OrgChanges    int      `json:"organization_changes"`
}

// LastWeek is the last complete week before today: Monday to Sunday.
func LastWeek(today time.Time) (from, to time.Time) {
	today = usage.Civil(today)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1)
}

// Week names the digest's week.
func (d *Digest) Week() string {
	return d.From.Format("2 Jan") + " – " + d.To.Format("2 Jan 2006")
}

// digestKey names a week's digest in a rule's cursor (sent once).
func digestKey(from time.Time) string { return "digest:" + from.Format(time.DateOnly) }

// costOfWeek is the week's cost from the figures of the last costDays days.
func costOfWeek(f Figures, from, to, today time.Time) *DigestCost {
	r := f.Report
	if r == nil || r.Denom == "" || usage.IsUnit(r.Denom) {
		return nil
	}
	c := &DigestCost{Currency: usage.Currency(r.Denom), Estimate: usage.IsEstimate(r.Denom), Converted: usage.IsConverted(r.Denom), Budget: f.Budget, denom: r.Denom,
		Anomalies: []CostEvent{}, Movers: []Mover{}}
	if r.Forecast != nil {
		c.Forecast = r.Forecast.Projected
	}
	within := func(day, a, b time.Time) bool { return !day.Before(a) && !day.After(b) }
	for _, l := range r.Families {
		m := Mover{Family: l.Label}
		for i, v := range l.Values {
			switch day := r.From.AddDate(0, 0, i); {
			case within(day, from, to):
				m.Total += v
			case within(day, from.AddDate(0, 0, -7), to.AddDate(0, 0, -7)):
				m.Before += v
			}
		}
		c.Total += m.Total
		c.Before += m.Before
		if m.Total != m.Before {
			c.Movers = append(c.Movers, m)
		}
	}
	slices.SortFunc(c.Movers, func(a, b Mover) int {
		return cmp.Or(cmp.Compare(math.Abs(b.Total-b.Before), math.Abs(a.Total-a.Before)), strings.Compare(a.Family, b.Family))
	})
	c.Movers = c.Movers[:min(len(c.Movers), 3)]
	c.Total, c.Before, c.Forecast = round(c.Total), round(c.Before), round(c.Forecast)
	for i := range c.Movers {
		c.Movers[i].Total, c.Movers[i].Before = round(c.Movers[i].Total), round(c.Movers[i].Before)
	}
	for _, e := range Events(f, CondAnomaly, 0, today) {
		if d, _ := usage.Day(e.Day); within(d, from, to) {
			c.Anomalies = append(c.Anomalies, e)
		}
	}
	return c
}

// auditOfWeek counts the week's audit log of orgs.
func auditOfWeek(ctx context.Context, idx *audit.Index, orgs []string, from, to time.Time) (*DigestAudit, error) {
	scope := audit.Scope{Orgs: orgs}
	week := func(q string, since, before time.Time) (audit.Query, error) {
		p, err := audit.Parse(q, before)
		p.Since, p.Before, p.SinceText, p.BeforeText = since, before, "", ""
		return p, err
	}
	end := to.AddDate(0, 0, 1)
	q, _ := week("", from, end)
	sum, err := idx.Summarize(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	a := &DigestAudit{Entries: sum.Total, Failures: sum.Failures, NewActors: []string{}}
	now, err := idx.Actors(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	bq, _ := week("", from.AddDate(0, 0, -28), from)
	before, err := idx.Actors(ctx, bq, scope)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range before {
		seen[strings.ToLower(c.Value)] = true
	}
	for _, c := range now {
		if !seen[strings.ToLower(c.Value)] && c.Value != "" {
			a.NewActors = append(a.NewActors, c.Value)
		}
	}
	slices.Sort(a.NewActors)
	for _, c := range []struct {
		q string
		n *int
	}{{"type:member -action:view", &a.MemberChanges}, {"product:organizations -type:member -action:view", &a.OrgChanges}} {
		cq, err := week(c.q, from, end)
		if err != nil {
			return nil, err
		}
		if *c.n, err = idx.Count(ctx, cq, scope); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Sections are the digest as people read it.
func (d *Digest) Sections(org string) []Section {
	var out []Section
	if c := d.Cost; c != nil {
		money := func(v float64) string { return usage.Amount(v, c.denom) }
		s := Section{Heading: "Cost of " + org + ", " + d.Week()}
		line := "Total " + money(c.Total)
		if ch, ok := usage.Change(c.Total, c.Before); ok {
			line += fmt.Sprintf(", %+.0f%% on the week before (%s)", ch, money(c.Before))
		}
		if c.Estimate {
			line += "; estimated from the rate card"
		}
		if c.Converted {
			line += "; converted into " + c.Currency + " at each month's reference rate"
		}
		s.Lines = append(s.Lines, line+".")
		if c.Forecast > 0 {
			f := "This month's forecast: " + money(c.Forecast)
			if c.Budget > 0 {
				f += " against a budget of " + money(c.Budget)
				if c.Forecast > c.Budget {
					f += " (over)"
				}
			}
			s.Lines = append(s.Lines, f+".")
		}
		for _, m := range c.Movers {
			l := "Top mover: " + m.Family + " " + money(m.Total) + " (the week before " + money(m.Before)
			if ch, ok := usage.Change(m.Total, m.Before); ok {
				l += fmt.Sprintf(", %+.0f%%", ch)
			}
			s.Lines = append(s.Lines, l+").")
		}
		for _, a := range c.Anomalies {
			s.Lines = append(s.Lines, a.Text)
		}
		if len(c.Anomalies) == 0 {
			s.Lines = append(s.Lines, "No anomaly.")
		}
		out = append(out, s)
	}
	if a := d.Audit; a != nil {
		s := Section{Heading: "Audit log of " + org + ", " + d.Week()}
		s.Lines = append(s.Lines, strconv.Itoa(a.Entries)+" "+plural(a.Entries, "entry", "entries")+", "+strconv.Itoa(a.Failures)+" "+plural(a.Failures, "failure", "failures")+".",
			strconv.Itoa(a.MemberChanges)+" "+plural(a.MemberChanges, "change", "changes")+" to members, "+strconv.Itoa(a.OrgChanges)+" to organizations and accounts.")
		if len(a.NewActors) == 0 {
			s.Lines = append(s.Lines, "No new actor.")
		} else {
			s.Lines = append(s.Lines, "New actors (none in the four weeks before): "+strings.Join(a.NewActors[:min(len(a.NewActors), 10)], ", ")+
				more(len(a.NewActors)-10)+".")
		}
		out = append(out, s)
	}
	return out
}

func more(n int) string {
	if n <= 0 {
		return ""
	}
	return " and " + strconv.Itoa(n) + " more"
}
