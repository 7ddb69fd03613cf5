// Package alerts tells people of new audit entries where they work: rules
// (an audit query on an organization) run in the background after each
// sync with the rule's own token, and deliver every new match once to a
// webhook, signed, within the rule's quiet period as one message.
package alerts

import (
	"context"
	"time"
)

// Rule is one alert: an audit query on an organization (and its
// descendants), delivered to a webhook.
type Rule struct {
	ID          int64
	Name        string
	Owner       string // the e-mail of the user who made it
	Org         string
	Descendants bool
	Query       string // the audit language
	Webhook     string // https URL
	Slack       bool   // the body in Slack's layout
	Quiet       time.Duration
	Paused      bool
	Token       []byte // the rule's API token, sealed
	TokenID     string
	Secret      []byte // the webhook's HMAC key, sealed
	Status      string // why the rule stopped ("" while it runs)
	Cursor      Cursor
	LastSent    time.Time
	Created     time.Time
}

// Cursor is how far a rule has delivered: the newest entry's time (Unix
// microseconds), and the IDs of the entries it delivered in the last
// seconds before it (an entry the API reports late, with an older time,
// is still found, and none is sent twice).
type Cursor struct {
	Time int64
	Seen []string
}

// Delivery is one line of a rule's delivery log.
type Delivery struct {
	Rule        int64
	At          time.Time
	Destination string
	Status      string // delivered, failed, test, stopped
	Code        int    // the receiver's HTTP status
	Error       string
	Attempts    int
	Entries     int
}

// Store keeps rules and their delivery logs; implementations are in
// internal/store.
type Store interface {
	Create(ctx context.Context, r Rule) (int64, error)
	// Update replaces a rule's name, query, webhook, layout, quiet period,
	// paused flag, status and (when given) token.
	Update(ctx context.Context, r Rule) error
	Delete(ctx context.Context, id int64) error
	Get(ctx context.Context, id int64) (Rule, bool, error)
	List(ctx context.Context) ([]Rule, error)
	// Advance moves a rule's cursor, logging the delivery that moved it,
	// in one transaction.
	Advance(ctx context.Context, id int64, c Cursor, sent time.Time, d Delivery) error
	Log(ctx context.Context, d Delivery) error
	Deliveries(ctx context.Context, rule int64, limit int) ([]Delivery, error)
	// Purge removes deliveries logged before t.
	Purge(ctx context.Context, before time.Time) error
}

// KeepLog is how long deliveries are logged.
const KeepLog = 30 * 24 * time.Hour
