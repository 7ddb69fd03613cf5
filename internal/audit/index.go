// index.go is the local audit index as the console sees it: queries made
// concrete against the clock and the reader's organizations, answered by
// the store.

package audit

import (
	"context"
	"encoding/json"
	"iter"
	"strings"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock"
)

// Index is the local audit index.
type Index struct {
	store Store
	now   func() time.Time
	// Tree, when set, is told of the entries about organizations before
	// they are stored: an entry stored has had what it says of the tree
	// recorded (history.Keeper).
	Tree interface {
		RecordEntries(ctx context.Context, entries []*api.AuditEntry) error
	}
}

// NewIndex answers from store; its "now" (the default window, sync state)
// comes from clk (nil: the machine's clock).
func NewIndex(store Store, clk clock.Clock) *Index {
	return &Index{store: store, now: clock.Or(clk).Now}
}

// Scope is what a search may see: the organizations the user may read now.
type Scope struct {
	Orgs []string
}

// DefaultWindow is how far back a query without since: looks.
const DefaultWindow = 90 * 24 * time.Hour

// Window is the time range a query covers: since: or the default window,
// before: or now.
func (x *Index) Window(q Query) (since, before time.Time) {
	since, before = q.Since, q.Before
	if since.IsZero() {
		since = x.now().Add(-DefaultWindow)
	}
	if before.IsZero() {
		before = x.now()
	}
	return since, before
}

// selection makes q concrete for the scope.
func (x *Index) selection(q Query, s Scope) Selection {
	since, before := x.Window(q)
	if q.Before.IsZero() {
		before = before.Add(time.Minute) // an entry stamped by a clock a little ahead is in
	}
	return Selection{Query: q, Orgs: s.Orgs, Since: since, Before: before, Recent: x.now().Sub(since) <= 31*24*time.Hour}
}

// Search returns a page of results, newest first unless ascending.
func (x *Index) Search(ctx context.Context, q Query, s Scope, after *Cursor, ascending bool, limit int) (Page, error) {
	if len(s.Orgs) == 0 {
		return Page{}, nil
	}
	return x.store.Search(ctx, x.selection(q, s), after, ascending, limit)
}

// All streams every result of a query, newest first, for export.
func (x *Index) All(ctx context.Context, q Query, s Scope) iter.Seq2[json.RawMessage, error] {
	if len(s.Orgs) == 0 {
		return func(func(json.RawMessage, error) bool) {}
	}
	return x.store.All(ctx, x.selection(q, s))
}

// Count is the size of a query's result.
func (x *Index) Count(ctx context.Context, q Query, s Scope) (int, error) {
	if len(s.Orgs) == 0 {
		return 0, nil
	}
	return x.store.Count(ctx, x.selection(q, s))
}

// Entry returns one entry by ID, and its organization, if it belongs to an
// organization of the scope.
func (x *Index) Entry(ctx context.Context, id string, s Scope) (api.AuditEntry, string, error) {
	if len(s.Orgs) == 0 {
		return api.AuditEntry{}, "", ErrNotFound
	}
	return x.store.Entry(ctx, id, s.Orgs)
}

// History is every entry for one resource in time order, within the scope.
func (x *Index) History(ctx context.Context, resource string, s Scope) ([]api.AuditEntry, error) {
	if len(s.Orgs) == 0 {
		return nil, nil
	}
	return x.store.History(ctx, resource, s.Orgs)
}

// OlderHistory returns what is kept of a resource's older history.
func (x *Index) OlderHistory(ctx context.Context, org, resource string) (OlderHistory, bool, error) {
	return x.store.OlderHistory(ctx, org, resource)
}

// KeepOlderHistory stores a resource's older history: audit entries never
// change, so each resource's older history is fetched once.
func (x *Index) KeepOlderHistory(ctx context.Context, org, resource string, h OlderHistory) error {
	return x.store.KeepOlderHistory(ctx, org, resource, h, x.now())
}

// Kept is the oldest time Cloudflare still holds entries from.
func (x *Index) Kept() time.Time { return x.now().Add(-MaxWindow) }

// Prune removes the entries older than keep, and says how many.
func (x *Index) Prune(ctx context.Context, keep time.Duration) (int64, error) {
	return x.store.Prune(ctx, x.now().Add(-keep))
}

// prepare makes entries ready to store.
func (x *Index) prepare(entries []api.AuditEntry) ([]Prepared, error) {
	out := make([]Prepared, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.ID == "" {
			continue // an entry without an ID cannot be told apart from its copies
		}
		body := e.Wire() // as the API sent it: exports give the API's own JSON
		if body == nil {
			var err error
			if body, err = json.Marshal(e); err != nil {
				return nil, err
			}
		}
		out = append(out, Prepared{Entry: e, Body: body, Doc: x.store.Document(e)})
	}
	return out, nil
}

// Document is the text free-text search sees. Fields that have their own
// filter (result, action type, context, method, ray, status) stay out:
// every token costs index time, and filters find those exactly.
func Document(e *api.AuditEntry) string {
	return strings.Join([]string{e.Action.Description, e.Actor.Email, e.Actor.IPAddress, e.Actor.TokenName, e.Resource.ID,
		e.Resource.Product, e.Resource.Type, e.Raw.URI, string(e.Resource.Request), string(e.Resource.Response)}, " ")
}

// OwnProduct is the product of the console's own entries.
const OwnProduct = "orgboard"

// Own stores entries the console writes itself for org (product
// orgboard), found beside Cloudflare's by the same searches.
func (x *Index) Own(ctx context.Context, org string, entries ...api.AuditEntry) error {
	for i := range entries {
		entries[i].Organization = api.OrganizationRef{ID: org}
		entries[i].Resource.Product = OwnProduct
	}
	rows, err := x.prepare(entries)
	if err != nil {
		return err
	}
	return x.store.WriteOwn(ctx, org, rows)
}
