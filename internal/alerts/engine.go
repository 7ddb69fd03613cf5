// engine.go runs the rules: every interval, each rule that runs syncs its
// organizations' audit logs with its own token, finds the entries that are
// new since its cursor, and delivers them (batched within its quiet
// period), moving the cursor in the same transaction as the delivery's log.

package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
)

// overlap is how far before its cursor a rule looks again: an entry the
// API reports late, with an older time, is found; those already sent are
// skipped by ID.
const overlap = 2 * time.Second

// Engine evaluates rules.
type Engine struct {
	Store   Store
	Index   *audit.Index
	Syncer  *audit.Syncer
	Leases  audit.Leases // several instances: one evaluates a rule at a time (nil: one instance)
	Open    func(r Rule) (token, secret string, err error)
	Client  func(token string) *api.Client // paced by the token's own budget
	Guard   Guard
	Retries Retries
	Log     *slog.Logger
	now     func() time.Time
	http    *http.Client
}

// NewEngine is an engine on store; open unseals a rule's token and secret.
func NewEngine(store Store, idx *audit.Index, syncer *audit.Syncer, open func(Rule) (string, string, error), client func(string) *api.Client,
	guard Guard, clk clock.Clock, log *slog.Logger) *Engine {
	return &Engine{Store: store, Index: idx, Syncer: syncer, Open: open, Client: client, Guard: guard, Retries: DefaultRetries,
		Log: log, now: clock.Or(clk).Now, http: guard.Client(10 * time.Second)}
}

// Run evaluates every rule each interval until ctx ends.
func (e *Engine) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := e.RunOnce(ctx); err != nil && ctx.Err() == nil {
			e.Log.Warn("alerts", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce evaluates every rule that runs, and purges old deliveries.
func (e *Engine) RunOnce(ctx context.Context) error {
	rules, err := e.Store.List(ctx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.Paused || r.Status != "" || ctx.Err() != nil {
			continue
		}
		if err := e.Evaluate(ctx, r); err != nil {
			e.Log.Warn("alert rule", "rule", r.ID, "error", err)
		}
	}
	return e.Store.Purge(ctx, e.now().Add(-KeepLog))
}

// ErrStopped is a rule stopped because its token no longer works.
var ErrStopped = errors.New("the rule's token no longer works")

// Evaluate syncs a rule's organizations and delivers what is new.
func (e *Engine) Evaluate(ctx context.Context, r Rule) error {
	if e.Leases != nil {
		key := "alert:" + strconv.FormatInt(r.ID, 10)
		held, err := e.Leases.Take(ctx, key)
		if err != nil || !held {
			return err // another instance evaluates it
		}
		defer e.Leases.Release(context.WithoutCancel(ctx), key)
	}
	token, secret, err := e.Open(r)
	if err != nil {
		return e.stop(ctx, r, "The rule's token can no longer be read (the console's key changed): give the rule a new token.")
	}
	client := e.Client(token)
	orgs, err := Readable(ctx, client, r.Org, r.Descendants)
	if err != nil {
		var ae *api.Error
		if errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden) {
			return e.stop(ctx, r, "Cloudflare refused the rule's token ("+ae.Reason+"): it was revoked, expired or lost its access. Give the rule a new token.")
		}
		return err
	}
	for _, o := range orgs {
		if err := e.Syncer.SyncOrg(ctx, client, o); err != nil && !errors.Is(err, audit.ErrLeaseLost) {
			e.Log.Warn("alert rule sync", "rule", r.ID, "org", o, "error", err)
		}
	}
	matches, more, err := e.newEntries(ctx, r, orgs)
	if err != nil || len(matches) == 0 {
		return err
	}
	if r.Quiet > 0 && e.now().Sub(r.LastSent) < r.Quiet {
		return nil // batched: the next evaluation after the quiet period sends them together
	}
	m := Message{Rule: MessageRule{ID: r.ID, Name: r.Name}, Organization: r.Org, Query: r.Query, Count: len(matches), More: more,
		Entries: matches[:min(shown, len(matches))], SentAt: e.now().UTC()}
	a, tries := e.send(ctx, r, m, secret)
	d := Delivery{Rule: r.ID, At: e.now(), Destination: r.Webhook, Status: "delivered", Code: a.Code, Attempts: tries, Entries: len(matches)}
	if a.Err != nil {
		d.Status, d.Error = "failed", a.Err.Error()
	}
	return e.Store.Advance(ctx, r.ID, cursorAfter(r.Cursor, matches), e.now(), d)
}

// send delivers a message to the rule's webhook, retrying.
func (e *Engine) send(ctx context.Context, r Rule, m Message, secret string) (Attempt, int) {
	b, err := body(r, m)
	if err != nil {
		return Attempt{Err: err}, 0
	}
	if err := e.Guard.Check(r.Webhook); err != nil {
		return Attempt{Err: err}, 0
	}
	return e.Retries.Deliver(ctx, e.http, r.Webhook, b, []byte(secret))
}

// Test delivers a sample message at once and logs it.
func (e *Engine) Test(ctx context.Context, r Rule) (Delivery, error) {
	_, secret, err := e.Open(r)
	if err != nil {
		return Delivery{}, err
	}
	sample := api.AuditEntry{ID: "00000000000000000000000000000000", Action: api.AuditAction{Description: "Sample entry: a test of the rule", Result: "success",
		Time: e.now().UTC(), Type: "create"}, Actor: api.AuditActor{Email: r.Owner}, Organization: api.OrganizationRef{ID: r.Org},
		Resource: api.AuditResource{Product: "orgboard", Type: "test"}}
	m := Message{Rule: MessageRule{ID: r.ID, Name: r.Name}, Organization: r.Org, Query: r.Query, Count: 1, Entries: []api.AuditEntry{sample}, Test: true, SentAt: e.now().UTC()}
	once := Retries{Attempts: 1}
	b, err := body(r, m)
	if err != nil {
		return Delivery{}, err
	}
	a, tries := Attempt{}, 0
	if err := e.Guard.Check(r.Webhook); err != nil {
		a = Attempt{Err: err}
	} else {
		a, tries = once.Deliver(ctx, e.http, r.Webhook, b, []byte(secret))
	}
	d := Delivery{Rule: r.ID, At: e.now(), Destination: r.Webhook, Status: "test", Code: a.Code, Attempts: tries, Entries: 1}
	if a.Err != nil {
		d.Status, d.Error = "test failed", a.Err.Error()
	}
	return d, e.Store.Log(ctx, d)
}

// stop marks a rule stopped, logging why.
func (e *Engine) stop(ctx context.Context, r Rule, why string) error {
	r.Status = why
	if err := e.Store.Update(ctx, r); err != nil {
		return err
	}
	if err := e.Store.Log(ctx, Delivery{Rule: r.ID, At: e.now(), Destination: r.Webhook, Status: "stopped", Error: why}); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", ErrStopped, why)
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

// Readable is the organizations a token may read of org (and, with
// descendants, below it).
func Readable(ctx context.Context, client *api.Client, org string, descendants bool) ([]string, error) {
	var all []api.Organization
	for o, err := range client.Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
		if err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	tree, readable := api.Subtree(all, org)
	if !readable {
		return nil, &api.Error{StatusCode: http.StatusForbidden, Reason: "the token may not read the rule's organization"}
	}
	if !descendants {
		return []string{org}, nil
	}
	return tree, nil
}
