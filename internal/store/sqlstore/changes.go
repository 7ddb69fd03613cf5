// changes.go keeps the changes proposed for a second person's approval
// (changes.Store): the console's own state, like its alert rules.

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"orgboard/internal/changes"
)

// LayoutChanges keeps the proposed changes.
const LayoutChanges = `
CREATE TABLE changes (
	id {serial},
	org_id {text} NOT NULL,
	org_name {text} NOT NULL,
	kind {text} NOT NULL,            -- profile, member_add, member_remove
	payload {text} NOT NULL,         -- JSON: what the change sends
	before_state {text} NOT NULL,    -- JSON: what the organization held when proposed
	base {text} NOT NULL,            -- a mark of that state, for the conflict check at approval
	proposer {text} NOT NULL,        -- e-mail address
	created {time} NOT NULL,
	state {text} NOT NULL,           -- pending, approved, applied, failed, rejected
	decider {text} NOT NULL,
	decided {time} NOT NULL,         -- when its state last moved (its creation while pending)
	reason {text} NOT NULL,
	ray {text} NOT NULL
);
CREATE INDEX changes_org ON changes (org_id, created);
CREATE INDEX changes_proposer ON changes (proposer, created);`

// Changes is changes.Store.
type Changes struct{ db *DB }

// NewChanges keeps changes in db.
func NewChanges(db *DB) *Changes { return &Changes{db: db} }

var _ changes.Store = (*Changes)(nil)

// Propose stores a new pending change.
func (s *Changes) Propose(ctx context.Context, ch changes.Change) (int64, error) {
	var id int64
	d := s.db.D
	err := s.db.WriteRow(ctx, `INSERT INTO changes(org_id, org_name, kind, payload, before_state, base, proposer, created, state, decider, decided, reason, ray)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, '', '') RETURNING id`,
		ch.Org, ch.OrgName, string(ch.Kind), string(ch.Payload), string(ch.Before), ch.Base, ch.Proposer, d.Time(ch.Created), string(changes.Pending), d.Time(ch.Created)).Scan(&id)
	return id, err
}

const changeColumns = `id, org_id, org_name, kind, payload, before_state, base, proposer, created, state, decider, decided, reason, ray`

func scanChange(sc interface{ Scan(...any) error }) (changes.Change, error) {
	var ch changes.Change
	var kind, state, payload, before string
	err := sc.Scan(&ch.ID, &ch.Org, &ch.OrgName, &kind, &payload, &before, &ch.Base, &ch.Proposer, TimeOf(&ch.Created), &state, &ch.Decider, TimeOf(&ch.Decided), &ch.Reason, &ch.Ray)
	ch.Kind, ch.State, ch.Payload, ch.Before = changes.Kind(kind), changes.State(state), []byte(payload), []byte(before)
	return ch, err
}

// Get is one change.
func (s *Changes) Get(ctx context.Context, id int64) (changes.Change, error) {
	ch, err := scanChange(s.db.QueryRow(ctx, `SELECT `+changeColumns+` FROM changes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ch, changes.ErrNotFound
	}
	return ch, err
}

// List is the changes of orgs and those proposer made, newest first.
func (s *Changes) List(ctx context.Context, orgs []string, proposer string, limit int) ([]changes.Change, error) {
	var out []changes.Change
	seen := map[int64]bool{}
	add := func(stmt string, args ...any) error {
		rows, err := s.db.Query(ctx, stmt, args...)
		return Rows(rows, err, func(rows *sql.Rows) error {
			ch, err := scanChange(rows)
			if err == nil && !seen[ch.ID] {
				seen[ch.ID] = true
				out = append(out, ch)
			}
			return err
		})
	}
	for _, chunk := range Chunks(orgs) {
		if err := add(`SELECT `+changeColumns+` FROM changes WHERE org_id IN (`+Placeholders(len(chunk))+`) ORDER BY created DESC, id DESC LIMIT ?`,
			append(Args(chunk), limit)...); err != nil {
			return nil, err
		}
	}
	if proposer != "" {
		if err := add(`SELECT `+changeColumns+` FROM changes WHERE proposer = ? ORDER BY created DESC, id DESC LIMIT ?`, proposer, limit); err != nil {
			return nil, err
		}
	}
	sortChanges(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sortChanges(list []changes.Change) {
	for i := 1; i < len(list); i++ { // newest first: a few hundred at most
		for j := i; j > 0 && (list[j].Created.After(list[j-1].Created) || list[j].Created.Equal(list[j-1].Created) && list[j].ID > list[j-1].ID); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// Move takes a change from one state to another, once.
func (s *Changes) Move(ctx context.Context, id int64, from, to changes.State, by, reason, ray string, at time.Time) (bool, error) {
	res, err := s.db.Exec(ctx, `UPDATE changes SET state = ?, decider = CASE WHEN ? = '' THEN decider ELSE ? END, decided = ?,
		reason = CASE WHEN ? = '' THEN reason ELSE ? END, ray = CASE WHEN ? = '' THEN ray ELSE ? END WHERE id = ? AND state = ?`,
		string(to), by, by, s.db.D.Time(at), reason, reason, ray, ray, id, string(from))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
