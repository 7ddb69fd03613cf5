// usage.go is the usage store (usage.Store) in usage.db and the rate cards
// (usage.RateStore) in orgboard.db.

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"orgboard/internal/sqlitedb"
	"orgboard/internal/usage"
)

// Usage is usage.Store in usage.db and usage.RateStore in orgboard.db.
type Usage struct{ db, rates *sqlitedb.DB }

// NewUsage keeps usage in db.Usage and rate cards in db.Console.
func NewUsage(db *DB) *Usage { return &Usage{db: db.Usage, rates: db.Console} }

var (
	_ usage.Store     = (*Usage)(nil)
	_ usage.RateStore = (*Usage)(nil)
)

// Stored lists the fetched days of orgs within [from, to].
func (u *Usage) Stored(ctx context.Context, orgs []string, from, to time.Time) ([]usage.StoredDay, error) {
	var out []usage.StoredDay
	for _, chunk := range chunks(orgs) {
		args := append(orgArgs(chunk), usage.DayNumber(from), usage.DayNumber(to))
		rows, err := u.db.R.QueryContext(ctx, `SELECT org_id, day, fetched, corrected FROM usage_days
			WHERE org_id IN (`+placeholders(len(chunk))+`) AND day BETWEEN ? AND ?`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s usage.StoredDay
			var day, fetched int64
			if err := rows.Scan(&s.Org, &day, &fetched, &s.Corrected); err != nil {
				rows.Close()
				return nil, err
			}
			s.Day, s.Fetched = usage.FromDayNumber(day), time.Unix(fetched, 0).UTC()
			out = append(out, s)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Put replaces org's days of [from, to] in one transaction: a row a day.
func (u *Usage) Put(ctx context.Context, org string, from, to, at time.Time, sums []usage.Sum) error {
	tx, err := u.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	lo, hi := usage.DayNumber(from), usage.DayNumber(to)
	for _, t := range []string{"usage_days", "usage_fine"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE org_id = ? AND day BETWEEN ? AND ?`, org, lo, hi); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM usage_rollups WHERE day BETWEEN ? AND ?`, lo, hi); err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO usage_days(org_id, day, fetched, corrected, coarse) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	insFine, err := tx.PrepareContext(ctx, `INSERT INTO usage_fine(org_id, day, sums) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insFine.Close()
	days := usage.ByDay(sums)
	for d := lo; d <= hi; d++ {
		fine := days[d]
		corrected := false
		for _, s := range fine {
			corrected = corrected || s.Correction
		}
		if _, err := ins.ExecContext(ctx, org, d, at.Unix(), corrected, usage.EncodeSums(usage.Coarsen(fine))); err != nil {
			return err
		}
		if _, err := insFine.ExecContext(ctx, org, d, usage.EncodeSums(fine)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// sumsOf is the table and column of the fine or coarse sums.
func sumsOf(fine bool) (table, col string) {
	if fine {
		return "usage_fine", "sums"
	}
	return "usage_days", "coarse"
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
	for _, chunk := range chunks(orgs) {
		args := append(orgArgs(chunk), usage.DayNumber(from), usage.DayNumber(to))
		table, col := sumsOf(fine)
		rows, err := u.db.R.QueryContext(ctx, `SELECT org_id, day, `+col+` FROM `+table+`
			WHERE org_id IN (`+placeholders(len(chunk))+`) AND day BETWEEN ? AND ?`, args...)
		if err != nil {
			return err
		}
		var org string
		var day int64
		var b []byte
		for rows.Next() {
			if err := rows.Scan(&org, &day, &b); err != nil {
				rows.Close()
				return err
			}
			if err := each(org, usage.FromDayNumber(day), b); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Stamps counts the stored days of orgs in [from, to] and sums their
// fetch times, day by day.
func (u *Usage) Stamps(ctx context.Context, orgs []string, from, to time.Time) (map[int64]usage.Stamp, error) {
	out := map[int64]usage.Stamp{}
	for _, chunk := range chunks(orgs) {
		args := append(orgArgs(chunk), usage.DayNumber(from), usage.DayNumber(to))
		rows, err := u.db.R.QueryContext(ctx, `SELECT day, count(*), sum(fetched) FROM usage_days
			WHERE org_id IN (`+placeholders(len(chunk))+`) AND day BETWEEN ? AND ? GROUP BY day`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var day int64
			var s usage.Stamp
			if err := rows.Scan(&day, &s.Days, &s.Fetched); err != nil {
				rows.Close()
				return nil, err
			}
			t := out[day]
			t.Days, t.Fetched = t.Days+s.Days, t.Fetched+s.Fetched
			out[day] = t
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Rollups lists a set's rollups over [from, to].
func (u *Usage) Rollups(ctx context.Context, set string, from, to time.Time) ([]usage.Rollup, error) {
	rows, err := u.db.R.QueryContext(ctx, `SELECT day, stamp, sums FROM usage_rollups WHERE set_id = ? AND day BETWEEN ? AND ?`,
		set, usage.DayNumber(from), usage.DayNumber(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := usage.Strings{}
	var out []usage.Rollup
	for rows.Next() {
		var day, stamp int64
		var b []byte
		if err := rows.Scan(&day, &stamp, &b); err != nil {
			return nil, err
		}
		r, err := usage.DecodeRollup(in, day, stamp, b)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutRollup stores one day's rollup of a set.
func (u *Usage) PutRollup(ctx context.Context, set string, r usage.Rollup) error {
	_, err := u.db.W.ExecContext(ctx, `INSERT INTO usage_rollups(set_id, day, stamp, sums) VALUES (?, ?, ?, ?)
		ON CONFLICT (set_id, day) DO UPDATE SET stamp = excluded.stamp, sums = excluded.sums`, set, usage.DayNumber(r.Day), r.Stamp, usage.EncodeSums(r.Sums))
	return err
}

// Size counts the stored days and their sums' bytes.
func (u *Usage) Size(ctx context.Context) (days, bytes int64, err error) {
	err = u.db.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM usage_days),
		(SELECT COALESCE(SUM(length(coarse)), 0) FROM usage_days) + (SELECT COALESCE(SUM(length(sums)), 0) FROM usage_fine)`).Scan(&days, &bytes)
	return days, bytes, err
}

// Rates returns org's own rate card.
func (u *Usage) Rates(ctx context.Context, org string) ([]usage.Rate, bool, error) {
	var body string
	err := u.rates.R.QueryRowContext(ctx, `SELECT rates FROM rate_cards WHERE org_id = ?`, org).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var rates []usage.Rate
	if err := json.NewDecoder(strings.NewReader(body)).Decode(&rates); err != nil {
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
	_, err = u.rates.W.ExecContext(ctx, `INSERT INTO rate_cards(org_id, rates, updated) VALUES (?, ?, ?)
		ON CONFLICT(org_id) DO UPDATE SET rates = excluded.rates, updated = excluded.updated`, org, string(body), at.Unix())
	return err
}

// ClearRates removes org's rate card.
func (u *Usage) ClearRates(ctx context.Context, org string) error {
	_, err := u.rates.W.ExecContext(ctx, `DELETE FROM rate_cards WHERE org_id = ?`, org)
	return err
}

// chunks splits organization IDs into lists short enough to bind.
func chunks(orgs []string) [][]string {
	var out [][]string
	for len(orgs) > 0 {
		n := min(len(orgs), 5000)
		out = append(out, orgs[:n])
		orgs = orgs[n:]
	}
	return out
}

func orgArgs(orgs []string) []any {
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	return args
}
