// usage.go is the usage store (usage.Store): each organization's fetched
// days with their sums (coarse beside the day, fine in a table of their
// own), and the rollups of sets of organizations.

package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"orgboard/internal/usage"
)

// Usage is usage.Store; its rate cards are usage.RateStore.
type Usage struct {
	db *DB // the days and rollups
	*RateCards
}

// NewUsage keeps usage in db and rate cards in rates (the same database in
// PostgreSQL; in SQLite, usage.db and orgboard.db).
func NewUsage(db, rates *DB) *Usage { return &Usage{db: db, RateCards: &RateCards{db: rates}} }

var _ usage.Store = (*Usage)(nil)

// Stored lists the fetched days of orgs within [from, to].
func (u *Usage) Stored(ctx context.Context, orgs []string, from, to time.Time) ([]usage.StoredDay, error) {
	var out []usage.StoredDay
	for _, chunk := range Chunks(orgs) {
		rows, err := u.db.Query(ctx, `SELECT org_id, day, fetched, corrected FROM usage_days
			WHERE org_id IN (`+Placeholders(len(chunk))+`) AND day BETWEEN ? AND ?`, append(Args(chunk), usage.DayNumber(from), usage.DayNumber(to))...)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var s usage.StoredDay
			var day int64
			err := rows.Scan(&s.Org, &day, TimeOf(&s.Fetched), &s.Corrected)
			s.Day = usage.FromDayNumber(day)
			out = append(out, s)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Put replaces org's days of [from, to] in one transaction: a row a day.
func (u *Usage) Put(ctx context.Context, org string, from, to, at time.Time, sums []usage.Sum) error {
	lo, hi := usage.DayNumber(from), usage.DayNumber(to)
	return u.db.InTx(ctx, func(tx *Tx) error {
		for _, t := range []string{"usage_days", "usage_fine"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE org_id = ? AND day BETWEEN ? AND ?`, org, lo, hi); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM usage_rollups WHERE day BETWEEN ? AND ?`, lo, hi); err != nil {
			return err
		}
		ins, err := tx.Prepare(ctx, `INSERT INTO usage_days(org_id, day, fetched, corrected, coarse) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		insFine, err := tx.Prepare(ctx, `INSERT INTO usage_fine(org_id, day, sums) VALUES (?, ?, ?)`)
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
			if _, err := ins.ExecContext(ctx, org, d, u.db.D.Time(at), corrected, usage.EncodeSums(usage.Coarsen(fine))); err != nil {
				return err
			}
			if _, err := insFine.ExecContext(ctx, org, d, usage.EncodeSums(fine)); err != nil {
				return err
			}
		}
		return nil
	})
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
	table, col := sumsOf(fine)
	for _, chunk := range Chunks(orgs) {
		var org string
		var day int64
		var b []byte
		rows, err := u.db.Query(ctx, `SELECT org_id, day, `+col+` FROM `+table+`
			WHERE org_id IN (`+Placeholders(len(chunk))+`) AND day BETWEEN ? AND ?`, append(Args(chunk), usage.DayNumber(from), usage.DayNumber(to))...)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			if err := rows.Scan(&org, &day, &b); err != nil {
				return err
			}
			return each(org, usage.FromDayNumber(day), b)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Stamps counts the stored days of orgs in [from, to] and sums their
// fetch times (Unix seconds), day by day.
func (u *Usage) Stamps(ctx context.Context, orgs []string, from, to time.Time) (map[int64]usage.Stamp, error) {
	out := map[int64]usage.Stamp{}
	for _, chunk := range Chunks(orgs) {
		rows, err := u.db.Query(ctx, `SELECT day, count(*), CAST(sum(`+u.db.D.Seconds("fetched")+`) AS BIGINT) FROM usage_days
			WHERE org_id IN (`+Placeholders(len(chunk))+`) AND day BETWEEN ? AND ? GROUP BY day`, append(Args(chunk), usage.DayNumber(from), usage.DayNumber(to))...)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var day int64
			var s usage.Stamp
			if err := rows.Scan(&day, &s.Days, &s.Fetched); err != nil {
				return err
			}
			t := out[day]
			t.Days, t.Fetched = t.Days+s.Days, t.Fetched+s.Fetched
			out[day] = t
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Rollups lists a set's rollups over [from, to].
func (u *Usage) Rollups(ctx context.Context, set string, from, to time.Time) ([]usage.Rollup, error) {
	in := usage.Strings{}
	var out []usage.Rollup
	rows, err := u.db.Query(ctx, `SELECT day, stamp, sums FROM usage_rollups WHERE set_id = ? AND day BETWEEN ? AND ?`,
		set, usage.DayNumber(from), usage.DayNumber(to))
	return out, Rows(rows, err, func(rows *sql.Rows) error {
		var day, stamp int64
		var b []byte
		if err := rows.Scan(&day, &stamp, &b); err != nil {
			return err
		}
		r, err := usage.DecodeRollup(in, day, stamp, b)
		out = append(out, r)
		return err
	})
}

// PutRollup stores one day's rollup of a set.
func (u *Usage) PutRollup(ctx context.Context, set string, r usage.Rollup) error {
	_, err := u.db.Exec(ctx, `INSERT INTO usage_rollups(set_id, day, stamp, sums) VALUES (?, ?, ?, ?)
		ON CONFLICT (set_id, day) DO UPDATE SET stamp = excluded.stamp, sums = excluded.sums`, set, usage.DayNumber(r.Day), r.Stamp, usage.EncodeSums(r.Sums))
	return err
}

// Size counts the stored days and their sums' bytes.
func (u *Usage) Size(ctx context.Context) (days, bytes int64, err error) {
	err = u.db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM usage_days),
		(SELECT COALESCE(SUM(length(coarse)), 0) FROM usage_days) + (SELECT COALESCE(SUM(length(sums)), 0) FROM usage_fine)`).Scan(&days, &bytes)
	return days, bytes, err
}
