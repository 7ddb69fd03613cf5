// Package history is the organization tree as it was: where each
// organization and account sat at any moment, learnt from the audit
// index's entries (an organization created, moved or deleted, an account
// moved) and from what the console saw when it listed organizations and
// fetched usage. Costs of a past month are charged by it, and the entries
// of a deleted organization stay with its nearest surviving ancestor.
package history

import (
	"context"
	"encoding/json"
	"time"

	"orgboard/internal/api"
)

// Kind is what an event places: an organization (under its parent) or an
// account (in its organization).
type Kind string

// The kinds of events.
const (
	Org     Kind = "org"
	Account Kind = "account"
)

// Source is where an event was learnt.
type Source string

// The sources of events.
const (
	// Audit is an entry of the audit index: what Cloudflare recorded.
	Audit Source = "audit"
	// Seen is what the console saw: a listing of organizations, the
	// accounts of a usage fetch, a move it made itself.
	Seen Source = "seen"
)

// Event is one fact about a place: from At on, the organization or
// account sat in Parent ("" for an organization at the top level).
type Event struct {
	Kind Kind
	ID   string
	At   time.Time
	// Parent is the organization's parent, or the account's organization.
	Parent string
	// Before is where it sat just before, when the event says so (a move
	// whose entry names both sides); "" when not known.
	Before  string
	Name    string
	Deleted bool // the organization was deleted at At
	Source  Source
}

// Store keeps the events.
type Store interface {
	// RecordTree stores events; one already held is kept as it was.
	RecordTree(ctx context.Context, events []Event) error
	// TreeEvents lists every event held.
	TreeEvents(ctx context.Context) ([]Event, error)
}

// FromEntry is what an audit entry says about the tree: an organization
// created or updated (its parent and name after), deleted, or an account
// moved between organizations. A failed request says nothing.
func FromEntry(e *api.AuditEntry) []Event {
	if e.Action.Result != "success" || e.Resource.Product != "organizations" {
		return nil
	}
	at := e.Action.Time.UTC()
	switch e.Resource.Type {
	case "organization":
		switch e.Action.Type {
		case "create", "update":
			var o api.Organization
			// an organization as the API answers it carries its creation time
			if json.Unmarshal(e.Resource.Response, &o) != nil || o.CreateTime.IsZero() || o.ID != e.Resource.ID || o.ID == "" {
				return nil
			}
			ev := Event{Kind: Org, ID: o.ID, At: at, Name: o.Name, Source: Audit}
			if o.Parent != nil {
				ev.Parent = o.Parent.ID
			}
			return []Event{ev}
		case "delete":
			if e.Resource.ID == "" {
				return nil
			}
			ev := Event{Kind: Org, ID: e.Resource.ID, At: at, Deleted: true, Source: Audit}
			if e.Organization.ID != e.Resource.ID {
				ev.Parent = e.Organization.ID // the delete is in its parent's log
			}
			return []Event{ev}
		}
	case "account":
		var m api.AccountMove
		if json.Unmarshal(e.Resource.Response, &m) != nil || m.SourceOrganizationID == "" || m.DestinationOrganizationID == "" {
			return nil
		}
		id := m.AccountID
		if id == "" {
			id = e.Resource.ID
		}
		if id == "" {
			return nil
		}
		return []Event{{Kind: Account, ID: id, At: at, Parent: m.DestinationOrganizationID, Before: m.SourceOrganizationID, Source: Audit}}
	}
	return nil
}
