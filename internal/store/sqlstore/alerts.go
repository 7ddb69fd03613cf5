// alerts.go keeps alert rules and their delivery logs (alerts.Store).

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"orgboard/internal/alerts"
)

// Alerts is alerts.Store.
type Alerts struct{ db *DB }

// NewAlerts keeps rules in db.
func NewAlerts(db *DB) *Alerts { return &Alerts{db: db} }

var _ alerts.Store = (*Alerts)(nil)

// list is a list of strings as a text column holds it: a JSON array.
func list(s []string) string {
	if s == nil {
		s = []string{}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// Create stores a new rule.
func (a *Alerts) Create(ctx context.Context, r alerts.Rule) (int64, error) {
	var id int64
	d := a.db.D
	err := a.db.WriteRow(ctx, `INSERT INTO alert_rules(name, owner, org_id, descendants, query, webhook, slack, quiet, paused,
		token, token_id, secret, status, cursor_time, cursor_seen, last_sent, created, kind, cond, threshold, emails, secret_pending, report_currency)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		r.Name, r.Owner, r.Org, r.Descendants, r.Query, r.Webhook, r.Slack, int64(r.Quiet/time.Second), r.Paused, r.Token, r.TokenID, r.Secret,
		r.Status, r.Cursor.Time, list(r.Cursor.Seen), d.Time(r.LastSent), d.Time(r.Created), r.KindOrAudit(), r.Condition, r.Threshold,
		list(r.Emails), true, r.Report).Scan(&id)
	return id, err
}

// Update replaces a rule's settings (its token when given).
func (a *Alerts) Update(ctx context.Context, r alerts.Rule) error {
	set := `name = ?, query = ?, webhook = ?, slack = ?, quiet = ?, paused = ?, status = ?, descendants = ?, cond = ?, threshold = ?, emails = ?, org_id = ?, report_currency = ?`
	args := []any{r.Name, r.Query, r.Webhook, r.Slack, int64(r.Quiet / time.Second), r.Paused, r.Status, r.Descendants, r.Condition, r.Threshold,
		list(r.Emails), r.Org, r.Report}
	if len(r.Token) > 0 {
		set += `, token = ?, token_id = ?`
		args = append(args, r.Token, r.TokenID)
	}
	_, err := a.db.Exec(ctx, `UPDATE alert_rules SET `+set+` WHERE id = ?`, append(args, r.ID)...)
	return err
}

// TakeSecret returns a new rule's sealed secret the first time it is asked
// for, and never again.
func (a *Alerts) TakeSecret(ctx context.Context, id int64) ([]byte, bool, error) {
	var secret []byte
	err := a.db.WriteRow(ctx, `UPDATE alert_rules SET secret_pending = ? WHERE id = ? AND secret_pending RETURNING secret`, false, id).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return secret, err == nil, err
}

// Delete removes a rule and its log.
func (a *Alerts) Delete(ctx context.Context, id int64) error {
	return a.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM alert_deliveries WHERE rule_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM alert_rules WHERE id = ?`, id)
		return err
	})
}

const ruleColumns = `id, name, owner, org_id, descendants, query, webhook, slack, quiet, paused, token, token_id, secret, status,
	cursor_time, cursor_seen, last_sent, created, kind, cond, threshold, emails, pending, report_currency`

func scanRule(sc interface{ Scan(...any) error }) (alerts.Rule, error) {
	var r alerts.Rule
	var quiet int64
	var seen, emails, pending string
	err := sc.Scan(&r.ID, &r.Name, &r.Owner, &r.Org, &r.Descendants, &r.Query, &r.Webhook, &r.Slack, &quiet, &r.Paused, &r.Token, &r.TokenID,
		&r.Secret, &r.Status, &r.Cursor.Time, &seen, TimeOf(&r.LastSent), TimeOf(&r.Created), &r.Kind, &r.Condition, &r.Threshold, &emails, &pending, &r.Report)
	if err != nil {
		return r, err
	}
	if r.Pending, err = alerts.ReadPending(pending); err != nil {
		return r, err
	}
	r.Quiet = time.Duration(quiet) * time.Second
	if err := json.Unmarshal([]byte(emails), &r.Emails); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(seen), &r.Cursor.Seen); err != nil {
		return r, err
	}
	if len(r.Emails) == 0 {
		r.Emails = nil
	}
	if len(r.Cursor.Seen) == 0 {
		r.Cursor.Seen = nil
	}
	return r, nil
}

// Get returns a rule.
func (a *Alerts) Get(ctx context.Context, id int64) (alerts.Rule, bool, error) {
	r, err := scanRule(a.db.QueryRow(ctx, `SELECT `+ruleColumns+` FROM alert_rules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// List returns every rule, oldest first.
func (a *Alerts) List(ctx context.Context) ([]alerts.Rule, error) {
	var out []alerts.Rule
	rows, err := a.db.Query(ctx, `SELECT `+ruleColumns+` FROM alert_rules ORDER BY id`)
	return out, Rows(rows, err, func(rows *sql.Rows) error {
		r, err := scanRule(rows)
		out = append(out, r)
		return err
	})
}

// Begin records a delivery before it is sent.
func (a *Alerts) Begin(ctx context.Context, id int64, p alerts.Pending) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = a.db.Exec(ctx, `UPDATE alert_rules SET pending = ? WHERE id = ?`, string(b), id)
	return err
}

// Advance moves a rule's cursor and logs the deliveries, in one transaction.
func (a *Alerts) Advance(ctx context.Context, id int64, c alerts.Cursor, sent time.Time, ds []alerts.Delivery) error {
	return a.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE alert_rules SET cursor_time = ?, cursor_seen = ?, last_sent = ?, pending = '' WHERE id = ?`,
			c.Time, list(c.Seen), a.db.D.Time(sent), id); err != nil {
			return err
		}
		for _, d := range ds {
			if _, err := tx.Exec(ctx, insertDelivery, a.delivery(d)...); err != nil {
				return err
			}
		}
		return nil
	})
}

const insertDelivery = `INSERT INTO alert_deliveries(rule_id, at, destination, status, code, error, attempts, entries) VALUES (?,?,?,?,?,?,?,?)`

func (a *Alerts) delivery(d alerts.Delivery) []any {
	return []any{d.Rule, a.db.D.Time(d.At), d.Destination, d.Status, d.Code, d.Error, d.Attempts, d.Entries}
}

// Log records a delivery.
func (a *Alerts) Log(ctx context.Context, d alerts.Delivery) error {
	_, err := a.db.Exec(ctx, insertDelivery, a.delivery(d)...)
	return err
}

// Deliveries lists a rule's newest deliveries.
func (a *Alerts) Deliveries(ctx context.Context, rule int64, limit int) ([]alerts.Delivery, error) {
	var out []alerts.Delivery
	rows, err := a.db.Query(ctx, `SELECT rule_id, at, destination, status, code, error, attempts, entries FROM alert_deliveries
		WHERE rule_id = ? ORDER BY at DESC, id DESC LIMIT ?`, rule, limit)
	return out, Rows(rows, err, func(rows *sql.Rows) error {
		var d alerts.Delivery
		err := rows.Scan(&d.Rule, TimeOf(&d.At), &d.Destination, &d.Status, &d.Code, &d.Error, &d.Attempts, &d.Entries)
		out = append(out, d)
		return err
	})
}

// Purge removes deliveries logged before t.
func (a *Alerts) Purge(ctx context.Context, before time.Time) error {
	_, err := a.db.Exec(ctx, `DELETE FROM alert_deliveries WHERE at < ?`, a.db.D.Time(before))
	return err
}
