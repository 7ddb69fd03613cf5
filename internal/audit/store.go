// store.go is what the index asks of its storage: one interface, with a
// SQLite implementation (internal/store/sqlite) and a PostgreSQL one
// (internal/store/postgres), both run by the same tests.

package audit

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"orgboard/internal/api"
)

// Store keeps the index's entries, the sync state of each organization and
// the older histories fetched from the API.
type Store interface {
	// Search is a page of a selection's entries, newest first unless
	// ascending, after the cursor.
	Search(ctx context.Context, s Selection, after *Cursor, ascending bool, limit int) (Page, error)
	// All streams every entry of a selection as stored, newest first.
	All(ctx context.Context, s Selection) iter.Seq2[json.RawMessage, error]
	// Count is the number of entries of a selection.
	Count(ctx context.Context, s Selection) (int, error)
	// Facts calls each with the summary fields of every entry of a selection.
	Facts(ctx context.Context, s Selection, each func(Fact)) error
	// CountFacts counts a selection's facts into c many at a time, as the
	// store keeps them grouped; false (having counted nothing) when it
	// cannot for this selection, which Facts then reads.
	CountFacts(ctx context.Context, s Selection, c *Counts) (bool, error)
	// Entry is one entry by ID, and its organization, if it is one of orgs'.
	Entry(ctx context.Context, id string, orgs []string) (api.AuditEntry, string, error)
	// History is a resource's entries in orgs, oldest first (at most 5,000).
	History(ctx context.Context, resource string, orgs []string) ([]api.AuditEntry, error)

	// Document is what the store indexes of an entry's text (audit.Document
	// as text, or its words); the syncing goroutines make it, so that the
	// one writer only writes.
	Document(e *api.AuditEntry) any
	// Write stores batches of entries (each once, whatever is written
	// twice) with the sync state each brings, in one transaction: a state
	// stored never claims entries that are not. It sets each batch's Added,
	// or its Refused when the store will not take it (a lost lease).
	Write(ctx context.Context, batches []*Batch, at time.Time) error
	// States are the sync states of those of orgs that have one.
	States(ctx context.Context, orgs []string) (map[string]State, error)
	// SaveState records org's state; the count of entries is Write's to change.
	SaveState(ctx context.Context, org string, st State, at time.Time) error
	// Lag is the oldest update of the states updated since, and the
	// entries those states count.
	Lag(ctx context.Context, since time.Time) (oldest time.Time, entries int64, err error)
	// Idle is called when the writer has nothing more to write.
	Idle()

	// WriteOwn stores the console's own entries of org (each once), outside
	// any sync: what people did through the console that Cloudflare's log
	// cannot say (who proposed or approved a change it made with its token).
	WriteOwn(ctx context.Context, org string, rows []Prepared) error

	// Prune removes the entries from before a time, and says how many.
	Prune(ctx context.Context, before time.Time) (int64, error)

	// OlderHistory is what is kept of a resource's older history.
	OlderHistory(ctx context.Context, org, resource string) (OlderHistory, bool, error)
	// KeepOlderHistory stores a resource's older history.
	KeepOlderHistory(ctx context.Context, org, resource string, h OlderHistory, at time.Time) error
}

// Selection is a query made concrete: the organizations it may see and its
// time range, resolved against the clock.
type Selection struct {
	Query
	Orgs          []string
	Since, Before time.Time // entries from Since, before Before
	// Recent is a range that starts within the last 31 days: a store may
	// then check a selective search's text row by row.
	Recent bool
}

// Fact is what a summary counts of an entry.
type Fact struct {
	Time                                 time.Time
	Actor, Action, Result, Product, Type string
}

// Prepared is an entry ready to store: its JSON as the API sent it and the
// text it is found by, as the store's Document made it.
type Prepared struct {
	Entry *api.AuditEntry
	Body  []byte
	Doc   any
}

// Batch is a page of one organization's entries and the state of its sync
// once they are stored.
type Batch struct {
	Org     string
	Rows    []Prepared
	State   State
	Added   int   // set by Write: entries the store did not hold
	Refused error // set by Write: why this batch was not stored
}

// ErrLeaseLost refuses a batch whose sync no longer holds its organization's
// lease: another instance syncs it now.
var ErrLeaseLost = errors.New("audit sync: another instance holds this organization's sync now")

// State is where an organization's sync stands. Times are Unix microseconds.
type State struct {
	WindowStart int64 // the oldest time the sync covers
	// Backfill: the backfill has fetched everything newer than this; 0 once done.
	Backfill    int64
	Newest      int64 // the newest entry time synced
	Synced      int64 // entries stored
	PausedUntil int64
	Err         string // why the last sync stopped, for the page
}

// Backfilling reports whether the backfill is still on its way back.
func (st State) Backfilling() bool { return st.Backfill != 0 }

// OlderHistory is the entries of a resource before a time, as the API's
// history endpoint gave them, and how exactly it identified the resource.
type OlderHistory struct {
	Status  string // api.HistoryExact, api.HistoryApproximate, api.HistoryUnavailable
	Before  time.Time
	Entries []api.AuditEntry
}

// Leases let one instance at a time sync an organization, when several
// share a store. A lease expires unless renewed: when its holder dies,
// another instance takes the organization over.
type Leases interface {
	// Take takes org's lease, or reports that another instance holds it.
	Take(ctx context.Context, org string) (bool, error)
	// Renew extends a lease held; false when it was lost.
	Renew(ctx context.Context, org string) (bool, error)
	// Release gives the lease up.
	Release(ctx context.Context, org string) error
	// TTL is how long a lease lasts unless renewed.
	TTL() time.Duration
}

// ErrNotFound is a missing entry or saved search.
var ErrNotFound = errors.New("not found")

// IsNotFound reports a missing entry or saved search.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
