// audit_write.go stores the sync's pages and states: the entries the
// index does not hold yet copied straight into it (COPY, the fast path past
// the GIN index), in one transaction with the states they bring.

package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/audit"
	"orgboard/internal/store/sqlstore"
)

// entryColumns are the columns COPY fills, in its order; rowid numbers
// the rows in the order they come, as SQLite's rowid does.
var entryColumns = []string{"id", "org_id", "action_time", "actor_email", "actor_email_key", "actor_id", "actor_ip", "actor_token_id",
	"actor_token_name", "actor_context", "action_type", "action_result", "resource_id", "resource_product", "resource_type", "method",
	"status_code", "ray", "body", "doc"}

// Write stores the batches and their states in one transaction. A batch
// of an organization whose lease this instance no longer holds is refused;
// the leases held stay locked until the commit, so no other instance
// writes these organizations meanwhile, and the entries held already can
// be left out before the copy.
func (x *AuditIndex) Write(ctx context.Context, batches []*audit.Batch, at time.Time) error {
	return pgx.BeginFunc(ctx, x.db.Pool, func(tx pgx.Tx) error {
		live, err := x.fence(ctx, tx, batches)
		if err != nil {
			return err
		}
		held, err := x.held(ctx, tx, live)
		if err != nil {
			return err
		}
		var rows [][]any
		var days sqlstore.DayChanges
		for _, b := range live {
			b.Added = 0
			for _, r := range b.Rows {
				e := r.Entry
				k := [2]string{b.Org, e.ID}
				if held[k] {
					continue
				}
				held[k] = true // a repeat within the group is stored once too
				b.Added++
				days.Add(b.Org, e)
				rows = append(rows, []any{e.ID, b.Org, e.Action.Time.UTC(), e.Actor.Email, asciiLower(e.Actor.Email), e.Actor.ID,
					e.Actor.IPAddress, e.Actor.TokenID, e.Actor.TokenName, e.Actor.Context, e.Action.Type, e.Action.Result, e.Resource.ID,
					e.Resource.Product, e.Resource.Type, e.Raw.Method, int32(e.Raw.StatusCode), e.Raw.CFRayID, string(r.Body), r.Doc})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_entries"}, entryColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		if err := days.Apply(ctx, txDays(tx)); err != nil {
			return err
		}
		for _, b := range live { // in order: the last page of an organization carries its sync furthest
			if _, err := tx.Exec(ctx, sqlstore.Postgres.Q(sqlstore.AddState), sqlstore.StateArgs(sqlstore.Postgres, b.Org, b.State, int64(b.Added), at)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteOwn stores the console's own entries of org (each once), outside
// any sync and its leases: they are found beside Cloudflare's.
func (x *AuditIndex) WriteOwn(ctx context.Context, org string, rows []audit.Prepared) error {
	return pgx.BeginFunc(ctx, x.db.Pool, func(tx pgx.Tx) error {
		var days sqlstore.DayChanges
		for _, r := range rows {
			e := r.Entry
			tag, err := tx.Exec(ctx, `INSERT INTO audit_entries(`+strings.Join(entryColumns, ", ")+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT (org_id, id) DO NOTHING`,
				e.ID, org, e.Action.Time.UTC(), e.Actor.Email, asciiLower(e.Actor.Email), e.Actor.ID, e.Actor.IPAddress, e.Actor.TokenID, e.Actor.TokenName,
				e.Actor.Context, e.Action.Type, e.Action.Result, e.Resource.ID, e.Resource.Product, e.Resource.Type, e.Raw.Method, int32(e.Raw.StatusCode),
				e.Raw.CFRayID, string(r.Body), r.Doc)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				days.Add(org, e)
			}
		}
		return days.Apply(ctx, txDays(tx))
	})
}

// txDays reads and writes audit_days in a pgx transaction (the writer's
// own, with its COPY): one statement each for the locks, the reads and
// the writes of a commit.
func txDays(tx pgx.Tx) sqlstore.DayIO {
	return sqlstore.DayIO{
		Read: func(ctx context.Context, whole, last []sqlstore.DayKey) ([]sqlstore.DayRow, error) {
			var orgs []string
			for _, k := range append(slices.Clip(whole), last...) {
				orgs = append(orgs, "audit_days "+k.Org)
			}
			slices.Sort(orgs)
			// in the array's order, which every instance's writer keeps: no two wait on each other
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k`, slices.Compact(orgs)); err != nil {
				return nil, err
			}
			var out []sqlstore.DayRow
			for i, keys := range [][]sqlstore.DayKey{whole, last} {
				if len(keys) == 0 {
					continue
				}
				cond := ""
				if i == 1 {
					cond = ` WHERE d.part = (SELECT max(part) FROM audit_days m WHERE m.org_id = k.org_id AND m.day = k.day)`
				}
				orgs, days := make([]string, len(keys)), make([]int64, len(keys))
				for j, k := range keys {
					orgs[j], days[j] = k.Org, k.Day
				}
				rows, err := tx.Query(ctx, `SELECT d.org_id, d.day, d.part, d.facts FROM unnest($1::text[], $2::int[]) AS k(org_id, day)
					JOIN audit_days d ON d.org_id = k.org_id AND d.day = k.day`+cond, orgs, days)
				if err != nil {
					return nil, err
				}
				for rows.Next() {
					var r sqlstore.DayRow
					if err := rows.Scan(&r.Org, &r.Day, &r.Part, &r.Facts); err != nil {
						rows.Close()
						return nil, err
					}
					out = append(out, r)
				}
				if rows.Close(); rows.Err() != nil {
					return nil, rows.Err()
				}
			}
			return out, nil
		},
		Write: func(ctx context.Context, put, gone []sqlstore.DayRow) error {
			for i, rows := range [][]sqlstore.DayRow{put, gone} {
				if len(rows) == 0 {
					continue
				}
				orgs, days, parts, facts := make([]string, len(rows)), make([]int64, len(rows)), make([]int64, len(rows)), make([][]byte, len(rows))
				for j, r := range rows {
					orgs[j], days[j], parts[j], facts[j] = r.Org, r.Day, r.Part, r.Facts
				}
				stmt := `INSERT INTO audit_days(org_id, day, part, facts) SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::bytea[])
					ON CONFLICT (org_id, day, part) DO UPDATE SET facts = excluded.facts`
				args := []any{orgs, days, parts, facts}
				if i == 1 {
					stmt = `DELETE FROM audit_days d USING unnest($1::text[], $2::int[], $3::int[]) AS g(org_id, day, part)
						WHERE d.org_id = g.org_id AND d.day = g.day AND d.part = g.part`
					args = args[:3]
				}
				if _, err := tx.Exec(ctx, stmt, args...); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// held is which of the batches' entries the index holds already.
func (x *AuditIndex) held(ctx context.Context, tx pgx.Tx, batches []*audit.Batch) (map[[2]string]bool, error) {
	var orgs, ids []string
	for _, b := range batches {
		for _, r := range b.Rows {
			orgs, ids = append(orgs, b.Org), append(ids, r.Entry.ID)
		}
	}
	rows, err := tx.Query(ctx, `SELECT e.org_id, e.id FROM unnest($1::text[], $2::text[]) AS n(org_id, id)
		JOIN audit_entries e ON e.org_id = n.org_id AND e.id = n.id`, orgs, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// fence refuses the batches of organizations whose lease this instance
// does not hold, and locks the leases it holds until the commit: another
// instance cannot take one over while these entries are being stored.
func (x *AuditIndex) fence(ctx context.Context, tx pgx.Tx, batches []*audit.Batch) ([]*audit.Batch, error) {
	if x.leases == nil {
		return batches, nil
	}
	orgs := make([]string, 0, len(batches))
	for _, b := range batches {
		orgs = append(orgs, b.Org)
	}
	rows, err := tx.Query(ctx, `SELECT org_id FROM audit_sync_leases WHERE org_id = ANY($1) AND holder = $2 AND expires > now() FOR SHARE`, orgs, x.leases.holder)
	if err != nil {
		return nil, err
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, o := range held {
		have[o] = true
	}
	live := batches[:0:0]
	for _, b := range batches {
		if !have[b.Org] {
			b.Refused = audit.ErrLeaseLost
			continue
		}
		live = append(live, b)
	}
	return live, nil
}

// Idle has nothing to do: autovacuum keeps the planner's statistics.
func (x *AuditIndex) Idle() {}
