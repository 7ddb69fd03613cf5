// engine.go runs the rules: every interval, each rule that runs lists the
// organizations its own token reads, and evaluates its kind (audit rules
// in rule_audit.go, cost rules and digests in rule_cost.go), delivering
// what is new (batched within its quiet period) and moving its cursor in
// the same transaction as the delivery's log. A rule its token no longer
// serves stops, and says why.

package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
	Mailer  *Mailer // nil: no e-mail
	Costs   *Costs  // nil: no cost rules nor cost in digests
	// CostEvery is how often a cost rule or a digest is evaluated (their
	// figures change once a day; 0: at every run).
	CostEvery time.Duration
	Log       *slog.Logger
	now       func() time.Time
	http      *http.Client
	mu        sync.Mutex
	last      map[int64]time.Time // when each cost rule and digest was last evaluated here
	found     map[int64]Check     // what each cost rule's last evaluation here found
}

// Check is what a cost rule's or a digest's last evaluation found, for
// its page: when, the findings and how many were new, or why it could not.
type Check struct {
	At         time.Time
	Next       time.Time // when it is evaluated again
	Found, New int
	Err        string
}

// LastCheck is what rule id's last evaluation by this instance found;
// false when it has not been evaluated since the console started.
func (e *Engine) LastCheck(id int64) (Check, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.found[id]
	return c, ok
}

// checked notes what an evaluation of a cost rule or digest found.
func (e *Engine) checked(id int64, found, fresh int, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := Check{At: e.now(), Next: e.now().Add(e.CostEvery), Found: found, New: fresh}
	if err != nil {
		c.Err = err.Error()
	}
	e.found[id] = c
}

// NewEngine is an engine on store; open unseals a rule's token and secret.
func NewEngine(store Store, idx *audit.Index, syncer *audit.Syncer, open func(Rule) (string, string, error), client func(string) *api.Client,
	guard Guard, clk clock.Clock, log *slog.Logger) *Engine {
	return &Engine{Store: store, Index: idx, Syncer: syncer, Open: open, Client: client, Guard: guard, Retries: DefaultRetries,
		CostEvery: time.Hour, Log: log, now: clock.Or(clk).Now, http: guard.Client(10 * time.Second), last: map[int64]time.Time{}, found: map[int64]Check{}}
}

// due reports whether r is evaluated now: an audit rule at every run, a
// cost rule or a digest once per CostEvery (it then counts as evaluated).
func (e *Engine) due(r Rule) bool {
	if r.KindOrAudit() == KindAudit || e.CostEvery <= 0 {
		return true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if last, ok := e.last[r.ID]; ok && now.Sub(last) < e.CostEvery {
		return false
	}
	e.last[r.ID] = now
	return true
}

// DefaultInterval is how often rules run unless configured: a new entry
// is delivered within it and a run's time, well within a minute, for a
// call per organization of each token per run.
const DefaultInterval = 30 * time.Second

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
	p := newPass()
	for _, r := range rules {
		if r.Paused || r.Status != "" || ctx.Err() != nil {
			continue
		}
		if err := e.evaluate(ctx, r, p); err != nil {
			e.Log.Warn("alert rule", "rule", r.ID, "error", err)
		}
	}
	return e.Store.Purge(ctx, e.now().Add(-KeepLog))
}

// ErrStopped is a rule stopped because its token no longer works.
var ErrStopped = errors.New("the rule's token no longer works")

// pass is what one run of every rule learns once: the organizations each
// token reads, and the organizations whose audit log is synced (a log is
// the same whichever token reads it; each rule's search stays within what
// its own token reads).
type pass struct {
	listed map[string]listing // by token
	synced map[string]bool
}

type listing struct {
	all []api.Organization
	err error
}

func newPass() *pass { return &pass{listed: map[string]listing{}, synced: map[string]bool{}} }

func (e *Engine) evaluate(ctx context.Context, r Rule, p *pass) error {
	if e.Leases != nil {
		key := "alert:" + strconv.FormatInt(r.ID, 10)
		held, err := e.Leases.Take(ctx, key)
		if err != nil || !held {
			return err // another instance evaluates it
		}
		defer e.Leases.Release(context.WithoutCancel(ctx), key)
	}
	if !e.due(r) {
		return nil
	}
	token, secret, err := e.Open(r)
	if err != nil {
		return e.stop(ctx, r, "The rule's token can no longer be read (the console's key changed): give the rule a new token.")
	}
	if r.Pending != nil { // recorded before a crash: sent again as it was, before anything new
		return e.finish(ctx, r, *r.Pending, secret)
	}
	client := e.Client(token)
	l, ok := p.listed[api.TokenKey(token)]
	if !ok {
		l.all, l.err = list(ctx, client)
		p.listed[api.TokenKey(token)] = l
	}
	all, err := l.all, l.err
	var orgs []string
	if err == nil {
		orgs, err = within(all, r.Org, r.Descendants)
	}
	if err != nil {
		var ae *api.Error
		if errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden) {
			return e.stop(ctx, r, "Cloudflare refused the rule's token ("+ae.Said()+"): it was revoked, expired or lost its access. Give the rule a new token.")
		}
		return err
	}
	w := work{rule: r, client: client, orgs: orgs, all: all, secret: secret, pass: p}
	switch r.KindOrAudit() {
	case KindCost:
		return e.evaluateCost(ctx, w)
	case KindDigest:
		return e.evaluateDigest(ctx, w)
	}
	return e.evaluateAudit(ctx, w)
}

// work is one evaluation of a rule: its token's client, and the
// organizations it reads.
type work struct {
	rule   Rule
	client *api.Client
	orgs   []string
	all    []api.Organization
	secret string
	pass   *pass
}

// sync brings the audit logs of the rule's organizations up to date
// (those not synced in this pass already).
func (e *Engine) sync(ctx context.Context, w work) {
	for _, o := range w.orgs {
		if w.pass.synced[o] {
			continue
		}
		w.pass.synced[o] = true
		if err := e.Syncer.SyncOrg(ctx, w.client, o); err != nil && !errors.Is(err, audit.ErrLeaseLost) {
			e.Log.Warn("alert rule sync", "rule", w.rule.ID, "org", o, "error", err)
		}
	}
}

// message is the frame of a message of r.
func (e *Engine) message(r Rule, all []api.Organization) Message {
	m := Message{Rule: MessageRule{ID: r.ID, Name: r.Name}, Kind: r.KindOrAudit(), Organization: r.Org, SentAt: e.now().UTC()}
	for _, o := range all {
		if o.ID == r.Org {
			m.OrganizationName = o.Name
		}
	}
	return m
}

// stop marks a rule stopped, logging why.
func (e *Engine) stop(ctx context.Context, r Rule, why string) error {
	r.Status = why
	if err := e.Store.Update(ctx, r); err != nil {
		return err
	}
	if err := e.Store.Log(ctx, Delivery{Rule: r.ID, At: e.now(), Destination: strings.Join(r.Destinations(), ", "), Status: "stopped", Error: why}); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", ErrStopped, why)
}

// Readable is the organizations a token may read of org (and, with
// descendants, below it).
func Readable(ctx context.Context, client *api.Client, org string, descendants bool) ([]string, error) {
	all, err := list(ctx, client)
	if err != nil {
		return nil, err
	}
	return within(all, org, descendants)
}

// list is every organization a token reads.
func list(ctx context.Context, client *api.Client) ([]api.Organization, error) {
	var all []api.Organization
	for o, err := range client.Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
		if err != nil {
			return nil, err
		}
		all = append(all, o)
	}
	return all, nil
}

// within is org (and, with descendants, those below it) of all; an error
// when org is not among them.
func within(all []api.Organization, org string, descendants bool) ([]string, error) {
	tree, ok := api.Subtree(all, org)
	if !ok {
		return nil, &api.Error{StatusCode: http.StatusForbidden, Reason: "the token may not read the rule's organization"}
	}
	if !descendants {
		return []string{org}, nil
	}
	return tree, nil
}
