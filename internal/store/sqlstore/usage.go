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

// Stored lists the fetched days of orgs within [from, to], and counts
// those fetched settled days or more after them (settled > 0).
func (u *Usage) Stored(ctx context.Context, orgs []string, from, to time.Time, settled int) ([]usage.StoredDay, map[string]int, error) {
	var out []usage.StoredDay
	counted := map[string]int{}
	late := u.db.D.Seconds("fetched") + ` >= (day + ?) * 86400`
	for _, chunk := range Chunks(orgs) {
		args := append(Args(chunk), usage.DayNumber(from), usage.DayNumber(to))
		list := ``
		if settled > 0 {
			list = ` AND NOT ` + late
			rows, err := u.db.Query(ctx, `SELECT org_id, count(*) FROM usage_days
				WHERE org_id IN (`+Placeholders(len(chunk))+`) AND day BETWEEN ? AND ? AND `+late+` GROUP BY org_id`, append(args, settled)...)
			err = Rows(rows, err, func(rows *sql.Rows) error {
				var org string
				var n int
				err := rows.Scan(&org, &n)
				counted[org] = n
				return err
			})
			if err != nil {
				return nil, nil, err
			}
			args = append(args, settled)
		}
		rows, err := u.db.Query(ctx, `SELECT org_id, day, fetched, corrected FROM usage_days
			WHERE org_id IN (`+Placeholders(len(chunk))+`) AND day BETWEEN ? AND ?`+list, args...)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var s usage.StoredDay
			var day int64
			err := rows.Scan(&s.Org, &day, TimeOf(&s.Fetched), &s.Corrected)
			s.Day = usage.FromDayNumber(day)
			out = append(out, s)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return out, counted, nil
}

// Put replaces org's days of [from, to] in one transaction: a row a day
// of coarse sums, and the fine sums of each month merged into its row.
func (u *Usage) Put(ctx context.Context, org string, from, to, at time.Time, sums []usage.Sum) error {
	lo, hi := usage.DayNumber(from), usage.DayNumber(to)
	return u.db.InTx(ctx, func(tx *Tx) error {
		// one put of an organization at a time on every instance: its months'
		// fine rows are read, merged and written back
		if err := tx.d.Lock(ctx, tx, "usage_fine:"+org); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM usage_days WHERE org_id = ? AND day BETWEEN ? AND ?`, org, lo, hi); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM usage_rollups WHERE day BETWEEN ? AND ?`, lo, hi); err != nil {
			return err
		}
		ins, err := tx.Prepare(ctx, `INSERT INTO usage_days(org_id, day, fetched, corrected, coarse) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
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
		}
		for m := usage.MonthOf(from); !m.After(to); m = m.AddDate(0, 1, 0) {
			var month []usage.Sum
			for d := max(lo, usage.DayNumber(m)); d <= min(hi, usage.DayNumber(m.AddDate(0, 1, -1))); d++ {
				month = append(month, days[d]...)
			}
			if err := putMonth(ctx, tx, org, m, lo, hi, month); err != nil {
				return err
			}
		}
		return nil
	})
}

// putMonth writes org's fine sums of month m as one row: what the month
// held outside the days [lo, hi], and sums in their place. A month's row
// is keyed by its first day; rows of single days (written before months
// had one) are merged into it. The caller holds the organization's lock.
func putMonth(ctx context.Context, tx *Tx, org string, m time.Time, lo, hi int64, sums []usage.Sum) error {
	first, last := usage.DayNumber(m), usage.DayNumber(m.AddDate(0, 1, -1))
	in := usage.Strings{}
	var blk usage.Block
	var s usage.Sum
	rows, err := tx.Query(ctx, `SELECT day, sums FROM usage_fine WHERE org_id = ? AND day BETWEEN ? AND ?`, org, first, last)
	err = Rows(rows, err, func(rows *sql.Rows) error {
		var day int64
		var b []byte
		if err := rows.Scan(&day, &b); err != nil {
			return err
		}
		if err := in.Block(b, usage.FromDayNumber(day), &blk); err != nil {
			return err
		}
		for i := range blk.Sums {
			if blk.Sum(i, &s); usage.DayNumber(s.Day) < lo || usage.DayNumber(s.Day) > hi {
				sums = append(sums, s)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM usage_fine WHERE org_id = ? AND day BETWEEN ? AND ?`, org, first, last); err != nil {
		return err
	}
	if len(sums) == 0 {
		return nil
	}
	usage.SortSums(sums)
	_, err = tx.Exec(ctx, `INSERT INTO usage_fine(org_id, day, sums) VALUES (?, ?, ?)`, org, first, usage.EncodeSums(sums))
	return err
}

// MergeFineDays is the migration that writes every organization's fine
// sums a row per month (they were a row per day). Rows of single days
// that come later (a usage store handed over from orgboard.db) are read
// as they are, and merged when their month is put again. It takes no lock
// of its own: a migration runs on one instance (and thousands of
// organizations' locks would outgrow PostgreSQL's lock table).
func MergeFineDays(d *Dialect) func(ctx context.Context, tx *sql.Tx) error {
	return func(ctx context.Context, raw *sql.Tx) error {
		tx := &Tx{tx: raw, d: d}
		type orgMonth struct {
			org   string
			month time.Time
		}
		var todo []orgMonth
		rows, err := tx.Query(ctx, `SELECT org_id, day FROM usage_fine ORDER BY org_id, day`)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			var om orgMonth
			var day int64
			err := rows.Scan(&om.org, &day)
			if om.month = usage.MonthOf(usage.FromDayNumber(day)); len(todo) == 0 || todo[len(todo)-1] != om {
				todo = append(todo, om)
			}
			return err
		})
		for _, om := range todo {
			if err != nil {
				break
			}
			err = putMonth(ctx, tx, om.org, om.month, 1, 0, nil)
		}
		return err
	}
}

// sumsOf is the table and column of the fine or coarse sums.
func sumsOf(fine bool) (table, col string) {
	if fine {
		return "usage_fine", "sums"
	}
	return "usage_days", "coarse"
}

// Read streams the stored sums of orgs over [from, to], fine or coarse.
func (u *Usage) Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*usage.Block) error) error {
	return u.days(ctx, orgs, from, to, fine, func(_ string, b *usage.Block) error { return each(b) })
}

// Totals streams the sums of orgs over [from, to] with their organization
// (fine: by account too).
func (u *Usage) Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(string, *usage.Sum) error) error {
	var s usage.Sum
	return u.days(ctx, orgs, from, to, byAccount, func(org string, b *usage.Block) error {
		for i := range b.Sums {
			b.Sum(i, &s)
			if err := each(org, &s); err != nil {
				return err
			}
		}
		return nil
	})
}

// days calls each with the stored values of orgs that hold days of [from,
// to], those days' sums alone (the fine rows hold a month from their day).
func (u *Usage) days(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(org string, b *usage.Block) error) error {
	table, col := sumsOf(fine)
	lo := from
	if fine {
		lo = usage.MonthOf(from)
	}
	in := usage.Strings{}
	var blk usage.Block
	for _, chunk := range Chunks(orgs) {
		var org string
		var day int64
		var b sql.RawBytes // decoded before the next row: not copied
		rows, err := u.db.Query(ctx, `SELECT org_id, day, `+col+` FROM `+table+`
			WHERE org_id IN (`+Placeholders(len(chunk))+`) AND day BETWEEN ? AND ?`, append(Args(chunk), usage.DayNumber(lo), usage.DayNumber(to))...)
		err = Rows(rows, err, func(rows *sql.Rows) error {
			if err := rows.Scan(&org, &day, &b); err != nil {
				return err
			}
			if err := in.Block(b, usage.FromDayNumber(day), &blk); err != nil {
				return err
			}
			if blk.Keep(from, to); len(blk.Sums) == 0 {
				return nil
			}
			return each(org, &blk)
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

// Database is the database the usage store is kept in.
func (u *Usage) Database() *DB { return u.db }

// Size counts the stored days and their sums' bytes.
func (u *Usage) Size(ctx context.Context) (days, bytes int64, err error) {
	err = u.db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM usage_days),
		(SELECT COALESCE(SUM(length(coarse)), 0) FROM usage_days) + (SELECT COALESCE(SUM(length(sums)), 0) FROM usage_fine)`).Scan(&days, &bytes)
	return days, bytes, err
}
