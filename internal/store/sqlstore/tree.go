// tree.go keeps the tree's history (history.Store): where organizations
// and accounts sat, as the audit index's entries and the console's own
// sights tell it.

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"orgboard/internal/api"
	"orgboard/internal/history"
)

// LayoutTreeEvents keeps the tree's events: from "at" on, an organization
// sat under parent, or an account in it.
const LayoutTreeEvents = `
CREATE TABLE tree_events (
	kind {text} NOT NULL,            -- 'org' or 'account'
	id {text} NOT NULL,
	at {time} NOT NULL,
	source {text} NOT NULL,          -- 'audit' (an entry) or 'seen' (the console saw it)
	parent {text} NOT NULL,          -- the organization's parent ('' at the top), the account's organization
	prior {text} NOT NULL,           -- where it sat just before, when the event says; '' when not
	name {text} NOT NULL,
	deleted {bool} NOT NULL,
	PRIMARY KEY (kind, id, at, source)
);`

// Tree is history.Store.
type Tree struct{ db *DB }

// NewTree keeps the tree's events in db.
func NewTree(db *DB) *Tree { return &Tree{db: db} }

var _ history.Store = (*Tree)(nil)

const treeInsert = `INSERT INTO tree_events(kind, id, at, source, parent, prior, name, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (kind, id, at, source) DO NOTHING`

// RecordTree stores events in one transaction.
func (t *Tree) RecordTree(ctx context.Context, events []history.Event) error {
	return t.db.InTx(ctx, func(tx *Tx) error { return recordTree(ctx, tx, t.db.D, events) })
}

func recordTree(ctx context.Context, tx *Tx, d *Dialect, events []history.Event) error {
	if len(events) == 0 {
		return nil
	}
	st, err := tx.Prepare(ctx, treeInsert)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, e := range events {
		if _, err := st.ExecContext(ctx, string(e.Kind), e.ID, d.Time(e.At), string(e.Source), e.Parent, e.Before, e.Name, e.Deleted); err != nil {
			return err
		}
	}
	return nil
}

// TreeEvents lists every event.
func (t *Tree) TreeEvents(ctx context.Context) ([]history.Event, error) {
	var out []history.Event
	rows, err := t.db.Query(ctx, `SELECT kind, id, at, source, parent, prior, name, deleted FROM tree_events`)
	err = Rows(rows, err, func(rows *sql.Rows) error {
		var e history.Event
		var kind, source string
		if err := rows.Scan(&kind, &e.ID, TimeOf(&e.At), &source, &e.Parent, &e.Before, &e.Name, &e.Deleted); err != nil {
			return err
		}
		e.Kind, e.Source = history.Kind(kind), history.Source(source)
		out = append(out, e)
		return nil
	})
	return out, err
}

// BackfillTree is a migration's step that records what the entries an
// index already holds say about the tree (their events were recorded as
// they were stored from then on).
func BackfillTree(d *Dialect) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, raw *sql.Tx) error {
		tx := &Tx{tx: raw, d: d}
		var events []history.Event
		rows, err := tx.Query(ctx, `SELECT body FROM audit_entries WHERE resource_product = 'organizations' AND resource_type IN ('organization', 'account')`)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var body []byte
			if err := rows.Scan(&body); err != nil {
				return err
			}
			var e api.AuditEntry
			if json.Unmarshal(body, &e) == nil {
				events = append(events, history.FromEntry(&e)...)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return recordTree(ctx, tx, d, events)
	}
}
