// alerts.go keeps alert rules and their delivery logs (alerts.Store) in
// PostgreSQL.

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"orgboard/internal/alerts"
)

const alertsLayout = `
CREATE TABLE alert_rules (
	id bigserial PRIMARY KEY,
	name text NOT NULL,
	owner text NOT NULL,
	org_id text NOT NULL,
	descendants boolean NOT NULL,
	query text NOT NULL,
	webhook text NOT NULL,
	slack boolean NOT NULL,
	quiet bigint NOT NULL,               -- seconds
	paused boolean NOT NULL,
	token bytea NOT NULL,                -- sealed with the console's key
	token_id text NOT NULL,
	secret bytea NOT NULL,               -- the webhook's HMAC key, sealed
	status text NOT NULL,
	cursor_time bigint NOT NULL,         -- Unix microseconds
	cursor_seen text[] NOT NULL,
	last_sent timestamptz,
	created timestamptz NOT NULL
);
CREATE TABLE alert_deliveries (
	id bigserial PRIMARY KEY,
	rule_id bigint NOT NULL,
	at timestamptz NOT NULL,
	destination text NOT NULL,
	status text NOT NULL,
	code integer NOT NULL,
	error text NOT NULL,
	attempts integer NOT NULL,
	entries integer NOT NULL
);
CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, at);`

// alertKindsLayout adds cost rules and digests, and e-mail destinations.
const alertKindsLayout = `
ALTER TABLE alert_rules ADD COLUMN kind text NOT NULL DEFAULT 'audit';
ALTER TABLE alert_rules ADD COLUMN cond text NOT NULL DEFAULT '';
ALTER TABLE alert_rules ADD COLUMN threshold double precision NOT NULL DEFAULT 0;
ALTER TABLE alert_rules ADD COLUMN emails text[] NOT NULL DEFAULT '{}';
ALTER TABLE alert_rules ADD COLUMN secret_pending boolean NOT NULL DEFAULT false; -- the secret is yet to be shown, once`

// Alerts is alerts.Store in PostgreSQL.
type Alerts struct{ db *DB }

// NewAlerts keeps rules in db.
func NewAlerts(db *DB) *Alerts { return &Alerts{db: db} }

var _ alerts.Store = (*Alerts)(nil)

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// Create stores a new rule.
func (a *Alerts) Create(ctx context.Context, r alerts.Rule) (int64, error) {
	var id int64
	err := a.db.Pool.QueryRow(ctx, `INSERT INTO alert_rules(name, owner, org_id, descendants, query, webhook, slack, quiet, paused,
		token, token_id, secret, status, cursor_time, cursor_seen, last_sent, created, kind, cond, threshold, emails, secret_pending)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,true) RETURNING id`,
		r.Name, r.Owner, r.Org, r.Descendants, r.Query, r.Webhook, r.Slack, int64(r.Quiet/time.Second), r.Paused, r.Token, r.TokenID, r.Secret,
		r.Status, r.Cursor.Time, seenOf(r.Cursor.Seen), nullTime(r.LastSent), r.Created.UTC(), r.KindOrAudit(), r.Condition, r.Threshold,
		seenOf(r.Emails)).Scan(&id)
	return id, err
}

func seenOf(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Update replaces a rule's settings (its token when given).
func (a *Alerts) Update(ctx context.Context, r alerts.Rule) error {
	_, err := a.db.Pool.Exec(ctx, `UPDATE alert_rules SET name = $1, query = $2, webhook = $3, slack = $4, quiet = $5, paused = $6, status = $7,
		descendants = $8, token = CASE WHEN length($9::bytea) > 0 THEN $9::bytea ELSE token END,
		token_id = CASE WHEN length($9::bytea) > 0 THEN $10 ELSE token_id END, cond = $12, threshold = $13, emails = $14,
		org_id = $15 WHERE id = $11`,
		r.Name, r.Query, r.Webhook, r.Slack, int64(r.Quiet/time.Second), r.Paused, r.Status, r.Descendants, r.Token, r.TokenID, r.ID,
		r.Condition, r.Threshold, seenOf(r.Emails), r.Org)
	return err
}

// TakeSecret returns a new rule's sealed secret the first time it is asked
// for, and never again.
func (a *Alerts) TakeSecret(ctx context.Context, id int64) ([]byte, bool, error) {
	var secret []byte
	err := a.db.Pool.QueryRow(ctx, `UPDATE alert_rules SET secret_pending = false WHERE id = $1 AND secret_pending RETURNING secret`, id).Scan(&secret)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return secret, err == nil, err
}

// Delete removes a rule and its log.
func (a *Alerts) Delete(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, a.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM alert_deliveries WHERE rule_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM alert_rules WHERE id = $1`, id)
		return err
	})
}

const ruleColumns = `id, name, owner, org_id, descendants, query, webhook, slack, quiet, paused, token, token_id, secret, status,
	cursor_time, cursor_seen, last_sent, created, kind, cond, threshold, emails, pending`

// alertPendingLayout records a delivery before it is sent.
const alertPendingLayout = `
ALTER TABLE alert_rules ADD COLUMN pending text NOT NULL DEFAULT ''; -- JSON of alerts.Pending; '' when none`

func scanRule(row pgx.Row) (alerts.Rule, error) {
	var r alerts.Rule
	var quiet int64
	var last *time.Time
	var pending string
	err := row.Scan(&r.ID, &r.Name, &r.Owner, &r.Org, &r.Descendants, &r.Query, &r.Webhook, &r.Slack, &quiet, &r.Paused, &r.Token, &r.TokenID,
		&r.Secret, &r.Status, &r.Cursor.Time, &r.Cursor.Seen, &last, &r.Created, &r.Kind, &r.Condition, &r.Threshold, &r.Emails, &pending)
	if err != nil {
		return r, err
	}
	if r.Pending, err = alerts.ReadPending(pending); err != nil {
		return r, err
	}
	r.Quiet = time.Duration(quiet) * time.Second
	if last != nil {
		r.LastSent = last.UTC()
	}
	r.Created = r.Created.UTC()
	if len(r.Cursor.Seen) == 0 {
		r.Cursor.Seen = nil
	}
	if len(r.Emails) == 0 {
		r.Emails = nil
	}
	return r, err
}

// Get returns a rule.
func (a *Alerts) Get(ctx context.Context, id int64) (alerts.Rule, bool, error) {
	r, err := scanRule(a.db.Pool.QueryRow(ctx, `SELECT `+ruleColumns+` FROM alert_rules WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// List returns every rule, oldest first.
func (a *Alerts) List(ctx context.Context) ([]alerts.Rule, error) {
	rows, err := a.db.Pool.Query(ctx, `SELECT `+ruleColumns+` FROM alert_rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alerts.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Begin records a delivery before it is sent.
func (a *Alerts) Begin(ctx context.Context, id int64, p alerts.Pending) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = a.db.Pool.Exec(ctx, `UPDATE alert_rules SET pending = $1 WHERE id = $2`, string(b), id)
	return err
}

// Advance moves a rule's cursor and logs the deliveries, in one transaction.
func (a *Alerts) Advance(ctx context.Context, id int64, c alerts.Cursor, sent time.Time, ds []alerts.Delivery) error {
	return pgx.BeginFunc(ctx, a.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE alert_rules SET cursor_time = $1, cursor_seen = $2, last_sent = $3, pending = '' WHERE id = $4`,
			c.Time, seenOf(c.Seen), nullTime(sent), id); err != nil {
			return err
		}
		for _, d := range ds {
			if err := logDelivery(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

func logDelivery(ctx context.Context, ex interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, d alerts.Delivery) error {
	_, err := ex.Exec(ctx, `INSERT INTO alert_deliveries(rule_id, at, destination, status, code, error, attempts, entries) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		d.Rule, d.At.UTC(), d.Destination, d.Status, d.Code, d.Error, d.Attempts, d.Entries)
	return err
}

// Log records a delivery.
func (a *Alerts) Log(ctx context.Context, d alerts.Delivery) error {
	return logDelivery(ctx, a.db.Pool, d)
}

// Deliveries lists a rule's newest deliveries.
func (a *Alerts) Deliveries(ctx context.Context, rule int64, limit int) ([]alerts.Delivery, error) {
	rows, err := a.db.Pool.Query(ctx, `SELECT rule_id, at, destination, status, code, error, attempts, entries FROM alert_deliveries
		WHERE rule_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, rule, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alerts.Delivery
	for rows.Next() {
		var d alerts.Delivery
		if err := rows.Scan(&d.Rule, &d.At, &d.Destination, &d.Status, &d.Code, &d.Error, &d.Attempts, &d.Entries); err != nil {
			return nil, err
		}
		d.At = d.At.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// Purge removes deliveries logged before t.
func (a *Alerts) Purge(ctx context.Context, before time.Time) error {
	_, err := a.db.Pool.Exec(ctx, `DELETE FROM alert_deliveries WHERE at < $1`, before.UTC())
	return err
}
