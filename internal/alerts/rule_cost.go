// rule_cost.go evaluates cost rules (each finding sent once, its key kept
// in the rule's cursor) and weekly digests (each week sent once).

package alerts

import (
	"context"
	"fmt"
	"slices"
)

// keepKeys is how many sent findings a cost rule remembers (five weeks of
// a tree's anomalies and moves, and the months' budgets).
const keepKeys = 500

// evaluateCost delivers the rule's findings not sent before, and notes
// what it found for the rule's page.
func (e *Engine) evaluateCost(ctx context.Context, w work) (err error) {
	r := w.rule
	if e.Costs == nil {
		return errNoCosts
	}
	found, fresh := 0, []CostEvent(nil)
	defer func() { e.checked(r.ID, found, len(fresh), err) }()
	f, err := e.Costs.Read(ctx, w.client, w.all, r.Org, w.orgs, e.now(), r.Report)
	if err != nil {
		return err
	}
	if f.Gaps > 0 { // a day missing would read as a drop: the next run fetches it again
		return fmt.Errorf("%d usage windows could not be fetched", f.Gaps)
	}
	events := Events(f, r.Condition, r.Threshold, e.now())
	found = len(events)
	for _, ev := range events {
		if !slices.Contains(r.Cursor.Seen, ev.Key) {
			fresh = append(fresh, ev)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if r.Quiet > 0 && e.now().Sub(r.LastSent) < r.Quiet {
		return nil
	}
	m := e.message(r, w.all)
	m.Count, m.Cost = len(fresh), fresh
	return e.send(ctx, r, m, w.secret, len(fresh), remember(r.Cursor, fresh))
}

// remember adds the findings' keys to the cursor, the oldest forgotten
// past keepKeys.
func remember(c Cursor, sent []CostEvent) Cursor {
	seen := slices.Clone(c.Seen)
	for _, ev := range sent {
		seen = append(seen, ev.Key)
	}
	if len(seen) > keepKeys {
		seen = seen[len(seen)-keepKeys:]
	}
	return Cursor{Time: c.Time, Seen: seen}
}

// evaluateDigest sends the last complete week's digest, once.
func (e *Engine) evaluateDigest(ctx context.Context, w work) error {
	r := w.rule
	from, to := LastWeek(e.now())
	key := digestKey(from)
	if slices.Contains(r.Cursor.Seen, key) {
		return nil
	}
	e.sync(ctx, w)
	d := &Digest{From: from, To: to}
	if e.Costs != nil {
		f, err := e.Costs.Read(ctx, w.client, w.all, r.Org, w.orgs, e.now(), r.Report)
		if err != nil {
			return err
		}
		if f.Gaps > 0 {
			return fmt.Errorf("%d usage windows could not be fetched", f.Gaps)
		}
		d.Cost = costOfWeek(f, from, to, e.now())
	}
	a, err := auditOfWeek(ctx, e.Index, w.orgs, from, to)
	if err != nil {
		return err
	}
	d.Audit = a
	m := e.message(r, w.all)
	m.Count, m.Digest = 1, d
	return e.send(ctx, r, m, w.secret, 1, remember(r.Cursor, []CostEvent{{Key: key}}))
}
