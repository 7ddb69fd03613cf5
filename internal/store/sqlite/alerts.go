// alerts.go keeps alert rules and their delivery logs (alerts.Store) in
// orgboard.db.

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/sqlitedb"
)

const alertsLayout = `
CREATE TABLE alert_rules (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	owner TEXT NOT NULL,
	org_id TEXT NOT NULL,
	descendants INTEGER NOT NULL,
	query TEXT NOT NULL,
	webhook TEXT NOT NULL,
	slack INTEGER NOT NULL,
	quiet INTEGER NOT NULL,          -- seconds
	paused INTEGER NOT NULL,
	token BLOB NOT NULL,             -- sealed with the console's key
	token_id TEXT NOT NULL,
	secret BLOB NOT NULL,            -- the webhook's HMAC key, sealed
	status TEXT NOT NULL,
	cursor_time INTEGER NOT NULL,    -- Unix microseconds
	cursor_seen TEXT NOT NULL,       -- JSON array of entry IDs
	last_sent INTEGER NOT NULL,      -- Unix microseconds, 0: never
	created INTEGER NOT NULL
);
CREATE TABLE alert_deliveries (
	id INTEGER PRIMARY KEY,
	rule_id INTEGER NOT NULL,
	at INTEGER NOT NULL,             -- Unix microseconds
	destination TEXT NOT NULL,
	status TEXT NOT NULL,
	code INTEGER NOT NULL,
	error TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	entries INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, at);`

// alertKindsLayout adds cost rules and digests, and e-mail destinations.
const alertKindsLayout = `
ALTER TABLE alert_rules ADD COLUMN kind TEXT NOT NULL DEFAULT 'audit';
ALTER TABLE alert_rules ADD COLUMN cond TEXT NOT NULL DEFAULT '';
ALTER TABLE alert_rules ADD COLUMN threshold REAL NOT NULL DEFAULT 0;
ALTER TABLE alert_rules ADD COLUMN emails TEXT NOT NULL DEFAULT '[]';  -- JSON array of addresses
ALTER TABLE alert_rules ADD COLUMN secret_pending INTEGER NOT NULL DEFAULT 0; -- the secret is yet to be shown, once`

// alertPendingLayout records a delivery before it is sent.
const alertPendingLayout = `
ALTER TABLE alert_rules ADD COLUMN pending TEXT NOT NULL DEFAULT ''; -- JSON of alerts.Pending; '' when none`

// Alerts is alerts.Store in orgboard.db.
type Alerts struct{ db *sqlitedb.DB }

// NewAlerts keeps rules in db.Console.
func NewAlerts(db *DB) *Alerts { return &Alerts{db: db.Console} }

var _ alerts.Store = (*Alerts)(nil)

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// Create stores a new rule.
func (a *Alerts) Create(ctx context.Context, r alerts.Rule) (int64, error) {
	seen, _ := json.Marshal(r.Cursor.Seen)
	emails, _ := json.Marshal(emailsOf(r.Emails))
	res, err := a.db.W.ExecContext(ctx, `INSERT INTO alert_rules(name, owner, org_id, descendants, query, webhook, slack, quiet, paused,
		token, token_id, secret, status, cursor_time, cursor_seen, last_sent, created, kind, cond, threshold, emails, secret_pending)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)`,
		r.Name, r.Owner, r.Org, r.Descendants, r.Query, r.Webhook, r.Slack, int64(r.Quiet/time.Second), r.Paused, r.Token, r.TokenID, r.Secret,
		r.Status, r.Cursor.Time, string(seen), micros(r.LastSent), micros(r.Created), r.KindOrAudit(), r.Condition, r.Threshold, string(emails))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Update replaces a rule's settings (its token when given).
func (a *Alerts) Update(ctx context.Context, r alerts.Rule) error {
	emails, _ := json.Marshal(emailsOf(r.Emails))
	_, err := a.db.W.ExecContext(ctx, `UPDATE alert_rules SET name = ?, query = ?, webhook = ?, slack = ?, quiet = ?, paused = ?, status = ?,
		descendants = ?, token = CASE WHEN length(?) > 0 THEN ? ELSE token END, token_id = CASE WHEN length(?) > 0 THEN ? ELSE token_id END,
		cond = ?, threshold = ?, emails = ?, org_id = ? WHERE id = ?`,
		r.Name, r.Query, r.Webhook, r.Slack, int64(r.Quiet/time.Second), r.Paused, r.Status, r.Descendants, r.Token, r.Token, r.Token, r.TokenID,
		r.Condition, r.Threshold, string(emails), r.Org, r.ID)
	return err
}

func emailsOf(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TakeSecret returns a new rule's sealed secret the first time it is asked
// for, and never again.
func (a *Alerts) TakeSecret(ctx context.Context, id int64) ([]byte, bool, error) {
	var secret []byte
	err := a.db.W.QueryRowContext(ctx, `UPDATE alert_rules SET secret_pending = 0 WHERE id = ? AND secret_pending = 1 RETURNING secret`, id).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return secret, err == nil, err
}

// Delete removes a rule and its log.
func (a *Alerts) Delete(ctx context.Context, id int64) error {
	tx, err := a.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM alert_deliveries WHERE rule_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM alert_rules WHERE id = ?`, id); err != nil {
		return err
	}
	return tx.Commit()
}

const ruleColumns = `id, name, owner, org_id, descendants, query, webhook, slack, quiet, paused, token, token_id, secret, status,
	cursor_time, cursor_seen, last_sent, created, kind, cond, threshold, emails, pending`

func scanRule(sc interface{ Scan(...any) error }) (alerts.Rule, error) {
	var r alerts.Rule
	var quiet, last, created int64
	var seen, emails, pending string
	err := sc.Scan(&r.ID, &r.Name, &r.Owner, &r.Org, &r.Descendants, &r.Query, &r.Webhook, &r.Slack, &quiet, &r.Paused, &r.Token, &r.TokenID,
		&r.Secret, &r.Status, &r.Cursor.Time, &seen, &last, &created, &r.Kind, &r.Condition, &r.Threshold, &emails, &pending)
	if err != nil {
		return r, err
	}
	if r.Pending, err = alerts.ReadPending(pending); err != nil {
		return r, err
	}
	r.Quiet, r.LastSent, r.Created = time.Duration(quiet)*time.Second, fromMicros(last), fromMicros(created)
	if err := json.Unmarshal([]byte(emails), &r.Emails); err != nil {
		return r, err
	}
	if len(r.Emails) == 0 {
		r.Emails = nil
	}
	err = json.Unmarshal([]byte(seen), &r.Cursor.Seen)
	return r, err
}

// Get returns a rule.
func (a *Alerts) Get(ctx context.Context, id int64) (alerts.Rule, bool, error) {
	r, err := scanRule(a.db.R.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM alert_rules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// List returns every rule, oldest first.
func (a *Alerts) List(ctx context.Context) ([]alerts.Rule, error) {
	rows, err := a.db.R.QueryContext(ctx, `SELECT `+ruleColumns+` FROM alert_rules ORDER BY id`)
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
	_, err = a.db.W.ExecContext(ctx, `UPDATE alert_rules SET pending = ? WHERE id = ?`, string(b), id)
	return err
}

// Advance moves a rule's cursor and logs the deliveries, in one transaction.
func (a *Alerts) Advance(ctx context.Context, id int64, c alerts.Cursor, sent time.Time, ds []alerts.Delivery) error {
	seen, _ := json.Marshal(c.Seen)
	tx, err := a.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE alert_rules SET cursor_time = ?, cursor_seen = ?, last_sent = ?, pending = '' WHERE id = ?`, c.Time, string(seen), micros(sent), id); err != nil {
		return err
	}
	for _, d := range ds {
		if err := logDelivery(ctx, tx, d); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func logDelivery(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, d alerts.Delivery) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO alert_deliveries(rule_id, at, destination, status, code, error, attempts, entries) VALUES (?,?,?,?,?,?,?,?)`,
		d.Rule, micros(d.At), d.Destination, d.Status, d.Code, d.Error, d.Attempts, d.Entries)
	return err
}

// Log records a delivery.
func (a *Alerts) Log(ctx context.Context, d alerts.Delivery) error {
	return logDelivery(ctx, a.db.W, d)
}

// Deliveries lists a rule's newest deliveries.
func (a *Alerts) Deliveries(ctx context.Context, rule int64, limit int) ([]alerts.Delivery, error) {
	rows, err := a.db.R.QueryContext(ctx, `SELECT rule_id, at, destination, status, code, error, attempts, entries FROM alert_deliveries
		WHERE rule_id = ? ORDER BY at DESC, id DESC LIMIT ?`, rule, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []alerts.Delivery
	for rows.Next() {
		var d alerts.Delivery
		var at int64
		if err := rows.Scan(&d.Rule, &at, &d.Destination, &d.Status, &d.Code, &d.Error, &d.Attempts, &d.Entries); err != nil {
			return nil, err
		}
		d.At = fromMicros(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Purge removes deliveries logged before t.
func (a *Alerts) Purge(ctx context.Context, before time.Time) error {
	_, err := a.db.W.ExecContext(ctx, `DELETE FROM alert_deliveries WHERE at < ?`, micros(before))
	return err
}
