// rule_audit.go evaluates audit rules: the entries matching the rule's
// query after its cursor (looking a little before it again, for entries
// the API reports late, and skipping those sent by ID), delivered, and the
// cursor moved past them.

package alerts

import (
	"context"
	"slices"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
)

// evaluateAudit delivers the rule's new matching entries.
func (e *Engine) evaluateAudit(ctx context.Context, w work) error {
	r := w.rule
	e.sync(ctx, w)
	matches, more, err := e.newEntries(ctx, r, w.orgs)
	if err != nil || len(matches) == 0 {
		return err
	}
	if r.Quiet > 0 && e.now().Sub(r.LastSent) < r.Quiet {
		return nil // batched: the next evaluation after the quiet period sends them together
	}
	m := e.message(r, w.all)
	m.Query, m.Count, m.More, m.Entries = r.Query, len(matches), more, matches[:min(shown, len(matches))]
	return e.send(ctx, r, m, w.secret, len(matches), cursorAfter(r.Cursor, matches))
}

// newEntries are the rule's matches after its cursor, oldest first, and
// whether more matched than were read.
func (e *Engine) newEntries(ctx context.Context, r Rule, orgs []string) ([]api.AuditEntry, bool, error) {
	q, err := audit.Parse(r.Query, e.now())
	if err != nil {
		return nil, false, err
	}
	from := time.UnixMicro(r.Cursor.Time).Add(-overlap)
	if q.Since.Before(from) {
		q.Since, q.SinceText = from, ""
	}
	page, err := e.Index.Search(ctx, q, audit.Scope{Orgs: orgs}, nil, true, 1000)
	if err != nil {
		return nil, false, err
	}
	var out []api.AuditEntry
	for _, row := range page.Rows {
		en := row.Entry
		if en.Action.Time.UnixMicro() < r.Cursor.Time-overlap.Microseconds() || slices.Contains(r.Cursor.Seen, en.ID) {
			continue
		}
		out = append(out, en)
	}
	return out, page.Next != nil, nil
}

// cursorAfter is the cursor past sent entries: the newest time, and the IDs
// sent within the overlap before it (with those still in it from before).
func cursorAfter(c Cursor, sent []api.AuditEntry) Cursor {
	newest := c.Time
	for _, e := range sent {
		newest = max(newest, e.Action.Time.UnixMicro())
	}
	out := Cursor{Time: newest}
	keep := func(id string, t int64) {
		if t >= newest-overlap.Microseconds() && !slices.Contains(out.Seen, id) {
			out.Seen = append(out.Seen, id)
		}
	}
	for _, e := range sent {
		keep(e.ID, e.Action.Time.UnixMicro())
	}
	if newest-c.Time <= overlap.Microseconds() { // the cursor's earlier IDs may still be read again
		for _, id := range c.Seen {
			if !slices.Contains(out.Seen, id) {
				out.Seen = append(out.Seen, id)
			}
		}
	}
	return out
}
