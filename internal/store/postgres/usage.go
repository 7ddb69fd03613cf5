// usage.go is the usage store (usage.Store) and the rate cards
// (usage.RateStore) in PostgreSQL.

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/usage"
)

// Usage is usage.Store and usage.RateStore in PostgreSQL.
type Usage struct{ db *DB }

// NewUsage keeps usage in db.
func NewUsage(db *DB) *Usage { return &Usage{db: db} }

var (
	_ usage.Store     = (*Usage)(nil)
	_ usage.RateStore = (*Usage)(nil)
)

// Stored lists the fetched days of orgs within [from, to].
func (u *Usage) Stored(ctx context.Context, orgs []string, from, to time.Time) ([]usage.StoredDay, error) {
	rows, err := u.db.Pool.Query(ctx, `SELECT org_id, day, fetched, corrected FROM usage_days
		WHERE org_id = ANY($1) AND day BETWEEN $2 AND $3`, orgs, usage.DayNumber(from), usage.DayNumber(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []usage.StoredDay
	for rows.Next() {
		var s usage.StoredDay
		var day int32
		if err := rows.Scan(&s.Org, &day, &s.Fetched, &s.Corrected); err != nil {
			return nil, err
		}
		s.Day, s.Fetched = usage.FromDayNumber(int64(day)), s.Fetched.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// Put replaces org's days of [from, to] in one transaction: a row a day.
func (u *Usage) Put(ctx context.Context, org string, from, to, at time.Time, sums []usage.Sum) error {
	lo, hi := usage.DayNumber(from), usage.DayNumber(to)
	days := usage.ByDay(sums)
	rows, fineRows := make([][]any, 0, hi-lo+1), make([][]any, 0, hi-lo+1)
	for d := lo; d <= hi; d++ {
		fine := days[d]
		corrected := false
		for _, s := range fine {
			corrected = corrected || s.Correction
		}
		rows = append(rows, []any{org, int32(d), at.UTC(), corrected, usage.EncodeSums(usage.Coarsen(fine))})
		fineRows = append(fineRows, []any{org, int32(d), usage.EncodeSums(fine)})
	}
	return pgx.BeginFunc(ctx, u.db.Pool, func(tx pgx.Tx) error {
		for _, t := range []string{"usage_days", "usage_fine"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE org_id = $1 AND day BETWEEN $2 AND $3`, org, int32(lo), int32(hi)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM usage_rollups WHERE day BETWEEN $1 AND $2`, int32(lo), int32(hi)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"usage_days"}, []string{"org_id", "day", "fetched", "corrected", "coarse"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"usage_fine"}, []string{"org_id", "day", "sums"}, pgx.CopyFromRows(fineRows))
		return err
	})
}

// Stamps counts the stored days of orgs in [from, to] and sums their
// fetch times, day by day.
func (u *Usage) Stamps(ctx context.Context, orgs []string, from, to time.Time) (map[int64]usage.Stamp, error) {
	rows, err := u.db.Pool.Query(ctx, `SELECT day, count(*), sum(floor(extract(epoch FROM fetched)))::bigint FROM usage_days
		WHERE org_id = ANY($1) AND day BETWEEN $2 AND $3 GROUP BY day`, orgs, usage.DayNumber(from), usage.DayNumber(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]usage.Stamp{}
	for rows.Next() {
		var day int32
		var s usage.Stamp
		if err := rows.Scan(&day, &s.Days, &s.Fetched); err != nil {
			return nil, err
		}
		out[int64(day)] = s
	}
	return out, rows.Err()
}

// Rollups lists a set's rollups over [from, to].
func (u *Usage) Rollups(ctx context.Context, set string, from, to time.Time) ([]usage.Rollup, error) {
	rows, err := u.db.Pool.Query(ctx, `SELECT day, stamp, sums FROM usage_rollups WHERE set_id = $1 AND day BETWEEN $2 AND $3`,
		set, int32(usage.DayNumber(from)), int32(usage.DayNumber(to)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := usage.Strings{}
	var out []usage.Rollup
	for rows.Next() {
		var day int32
		var stamp int64
		var b []byte
		if err := rows.Scan(&day, &stamp, &b); err != nil {
			return nil, err
		}
		r, err := usage.DecodeRollup(in, int64(day), stamp, b)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutRollup stores one day's rollup of a set.
func (u *Usage) PutRollup(ctx context.Context, set string, r usage.Rollup) error {
	_, err := u.db.Pool.Exec(ctx, `INSERT INTO usage_rollups(set_id, day, stamp, sums) VALUES ($1, $2, $3, $4)
		ON CONFLICT (set_id, day) DO UPDATE SET stamp = excluded.stamp, sums = excluded.sums`, set, int32(usage.DayNumber(r.Day)), r.Stamp, usage.EncodeSums(r.Sums))
	return err
}

// Read streams the sums of orgs over [from, to], fine or coarse.
func (u *Usage) Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*usage.Sum) error) error {
	in := usage.Strings{}
	return u.days(ctx, orgs, from, to, fine, func(_ string, day time.Time, b []byte) error { return in.Decode(b, day, each) })
}

// Totals streams the sums of orgs over [from, to] with their organization
// (fine: by account too).
func (u *Usage) Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(string, *usage.Sum) error) error {
	in := usage.Strings{}
	return u.days(ctx, orgs, from, to, byAccount, func(org string, day time.Time, b []byte) error {
		return in.Decode(b, day, func(s *usage.Sum) error { return each(org, s) })
	})
}

// days calls each with every stored day of orgs in [from, to].
func (u *Usage) days(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(org string, day time.Time, sums []byte) error) error {
	table, col := "usage_days", "coarse"
	if fine {
		table, col = "usage_fine", "sums"
	}
	rows, err := u.db.Pool.Query(ctx, `SELECT org_id, day, `+col+` FROM `+table+` WHERE org_id = ANY($1) AND day BETWEEN $2 AND $3`,
		orgs, int32(usage.DayNumber(from)), int32(usage.DayNumber(to)))
	if err != nil {
		return err
	}
	defer rows.Close()
	var org string
	var day int32
	var b []byte
	for rows.Next() {
		if err := rows.Scan(&org, &day, &b); err != nil {
			return err
		}
		if err := each(org, usage.FromDayNumber(int64(day)), b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Size counts the stored days and their sums' bytes.
func (u *Usage) Size(ctx context.Context) (days, bytes int64, err error) {
	err = u.db.Pool.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM usage_days),
		(SELECT COALESCE(SUM(length(coarse)), 0) FROM usage_days) + (SELECT COALESCE(SUM(length(sums)), 0) FROM usage_fine)`).Scan(&days, &bytes)
	return days, bytes, err
}

// Rates returns org's own rate card.
func (u *Usage) Rates(ctx context.Context, org string) ([]usage.Rate, bool, error) {
	var body []byte
	err := u.db.Pool.QueryRow(ctx, `SELECT rates FROM rate_cards WHERE org_id = $1`, org).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var rates []usage.Rate
	if err := json.Unmarshal(body, &rates); err != nil {
		return nil, false, err
	}
	return rates, true, nil
}

// SetRates replaces org's rate card.
func (u *Usage) SetRates(ctx context.Context, org string, rates []usage.Rate, at time.Time) error {
	body, err := json.Marshal(rates)
	if err != nil {
		return err
	}
	_, err = u.db.Pool.Exec(ctx, `INSERT INTO rate_cards(org_id, rates, updated) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET rates = excluded.rates, updated = excluded.updated`, org, body, at.UTC())
	return err
}

// ClearRates removes org's rate card.
func (u *Usage) ClearRates(ctx context.Context, org string) error {
	_, err := u.db.Pool.Exec(ctx, `DELETE FROM rate_cards WHERE org_id = $1`, org)
	return err
}
