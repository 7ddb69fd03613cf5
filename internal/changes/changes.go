// Package changes keeps the changes people propose but may not make alone
// (four eyes): a profile or member change by someone without the right
// to approve it on that organization waits here until another person who
// has it approves (the console then applies it with its own token) or
// rejects it with a reason.
package changes

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Kind is what a change does.
type Kind string

// The kinds of change.
const (
	Profile      Kind = "profile"       // replace the organization's business profile
	MemberAdd    Kind = "member_add"    // add a member
	MemberRemove Kind = "member_remove" // remove a member
)

// State is where a change stands.
type State string

// The states of a change: pending until decided; approved while it is
// being applied; then applied, or failed (Cloudflare refused it), or
// rejected.
const (
	Pending  State = "pending"
	Approved State = "approved"
	Applied  State = "applied"
	Failed   State = "failed"
	Rejected State = "rejected"
)

// Change is one proposal and its fate.
type Change struct {
	ID      int64
	Org     string
	OrgName string
	Kind    Kind
	// Payload is what the change sends: a profile (api.Profile), or a
	// member (Member).
	Payload json.RawMessage
	// Before is what the organization held when it was proposed (a
	// profile's fields), for the diff; Base marks that state, so that an
	// approval sees when the organization changed since.
	Before   json.RawMessage
	Base     string
	Proposer string // the proposer's e-mail address
	Created  time.Time
	State    State
	Decider  string // who approved or rejected it
	Decided  time.Time
	Reason   string // why it was rejected, or why Cloudflare refused it
	Ray      string // the ray ID of the write that applied it (Cloudflare's own audit entry names it)
}

// Member is a member change's payload.
type Member struct {
	Email  string `json:"email"`
	Status string `json:"status,omitempty"` // for an addition
	ID     string `json:"member_id,omitempty"`
}

// Store keeps the changes.
type Store interface {
	// Propose stores a new pending change and returns its ID.
	Propose(ctx context.Context, ch Change) (int64, error)
	// Get is one change.
	Get(ctx context.Context, id int64) (Change, error)
	// List is the changes of orgs (any state) and those proposed by
	// proposer, newest first, at most limit.
	List(ctx context.Context, orgs []string, proposer string, limit int) ([]Change, error)
	// Move takes a change from state from to state to, with who did it,
	// why and the write's ray; false when it was not in state from (two
	// approvers at once: one moves it).
	Move(ctx context.Context, id int64, from, to State, by, reason, ray string, at time.Time) (bool, error)
}

// ErrNotFound is a change that does not exist.
var ErrNotFound = errors.New("no such change")
