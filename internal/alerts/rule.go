// rule.go is an alert rule, its cursor, its deliveries and the store that
// keeps them.

package alerts

import (
	"context"
	"encoding/json"
	"time"
)

// Rule is one alert on an organization (and its descendants): new audit
// entries matching a query, a cost condition, or a weekly digest,
// delivered to a webhook and e-mail addresses (one at least).
type Rule struct {
	ID          int64
	Name        string
	Owner       string // the e-mail of the user who made it
	Kind        Kind
	Org         string
	Descendants bool
	Query       string    // the audit language (audit rules)
	Condition   Condition // what a cost rule watches
	Threshold   float64   // a cost rule's percentage (CondMove)
	Report      string    // a cost rule's or digest's reporting currency ("": each as billed)
	Webhook     string    // https URL; "" for none
	Emails      []string  // e-mail addresses
	Slack       bool      // the body in Slack's layout
	Quiet       time.Duration
	Paused      bool
	Token       []byte // the rule's API token, sealed
	TokenID     string
	Secret      []byte // the webhook's HMAC key, sealed
	Status      string // why the rule stopped ("" while it runs)
	Cursor      Cursor
	Pending     *Pending // a delivery recorded but not yet known to be done
	LastSent    time.Time
	Created     time.Time
}

// Kind is what a rule watches.
type Kind string

// The kinds of rules.
const (
	KindAudit  Kind = "audit"
	KindCost   Kind = "cost"
	KindDigest Kind = "digest"
)

// KindOrAudit is the rule's kind (rules made before kinds are audit rules).
func (r Rule) KindOrAudit() Kind {
	if r.Kind == "" {
		return KindAudit
	}
	return r.Kind
}

// Condition is what a cost rule watches.
type Condition string

// The conditions of cost rules.
const (
	CondBudget  Condition = "budget"  // the actual or forecast month total reaches the budget
	CondAnomaly Condition = "anomaly" // a day of a product family is an anomaly
	CondMove    Condition = "move"    // a family's daily cost moves more than Threshold percent
)

// Destinations names where the rule delivers, for its log.
func (r Rule) Destinations() []string {
	var out []string
	if r.Webhook != "" {
		out = append(out, r.Webhook)
	}
	for _, e := range r.Emails {
		out = append(out, "mailto:"+e)
	}
	return out
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

// Pending is a delivery recorded before it is sent: after a crash it is
// sent again as it was, under the same ID (receivers drop a repeat by it),
// and never made anew from the entries it holds.
type Pending struct {
	ID      string          `json:"id"`      // the delivery ID, the same on every try and after a restart
	Message json.RawMessage `json:"message"` // the message as first built
	Cursor  Cursor          `json:"cursor"`  // where the rule's cursor goes once it is delivered
	Entries int             `json:"entries"` // what the log counts
}

// ReadPending reads a stored Pending ("" is none).
func ReadPending(s string) (*Pending, error) {
	if s == "" {
		return nil, nil
	}
	var p Pending
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Store keeps rules and their delivery logs; implementations are in
// internal/store.
type Store interface {
	Create(ctx context.Context, r Rule) (int64, error)
	// Update replaces a rule's settings (all but its kind, owner, secret
	// and cursor), its status, and (when given) its token.
	Update(ctx context.Context, r Rule) error
	Delete(ctx context.Context, id int64) error
	// TakeSecret returns a new rule's sealed webhook secret the first time
	// it is asked for (to be shown once), and never again.
	TakeSecret(ctx context.Context, id int64) (secret []byte, ok bool, err error)
	Get(ctx context.Context, id int64) (Rule, bool, error)
	List(ctx context.Context) ([]Rule, error)
	// Begin records a delivery before it is sent (Advance clears it).
	Begin(ctx context.Context, id int64, p Pending) error
	// Advance moves a rule's cursor, logging the deliveries that moved it,
	// in one transaction.
	Advance(ctx context.Context, id int64, c Cursor, sent time.Time, ds []Delivery) error
	Log(ctx context.Context, d Delivery) error
	Deliveries(ctx context.Context, rule int64, limit int) ([]Delivery, error)
	// Purge removes deliveries logged before t.
	Purge(ctx context.Context, before time.Time) error
}

// KeepLog is how long deliveries are logged.
const KeepLog = 30 * 24 * time.Hour
