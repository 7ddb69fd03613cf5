// usage.go is the usage store (usage.Store) and the rate cards
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

// Usage is usage.Store and usage.RateStore in orgboard.db.
type Usage struct{ db *sqlitedb.DB }

// NewUsage keeps usage in db.Console.
func NewUsage(db *DB) *Usage { return &Usage{db: db.Console} }

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

// Put replaces org's sums of [from, to] in one transaction.
func (u *Usage) Put(ctx context.Context, org string, from, to, at time.Time, sums []usage.Sum) error {
	tx, err := u.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	lo, hi := usage.DayNumber(from), usage.DayNumber(to)
	for _, t := range []string{"usage_fine", "usage_coarse", "usage_days"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE org_id = ? AND day BETWEEN ? AND ?`, org, lo, hi); err != nil {
			return err
		}
	}
	corrected := map[int64]bool{}
	fine := make([][]any, len(sums))
	for i, s := range sums {
		d := usage.DayNumber(s.Day)
		corrected[d] = corrected[d] || s.Correction
		fine[i] = []any{org, d, s.Account, s.AccountName, s.Metric, s.MetricName, s.Family, s.Zone, s.ZoneName,
			s.Region, s.RegionName, s.Sub, s.SubName, s.Correction, s.Currency, s.Unit, s.Costs, s.Records,
			s.Qty, s.Cost[0], s.Cost[1], s.Cost[2], s.Cost[3]}
	}
	if err := insertRows(ctx, tx, "usage_fine", 23, fine); err != nil {
		return err
	}
	var coarse [][]any
	for _, s := range usage.Coarsen(sums) {
		coarse = append(coarse, []any{org, usage.DayNumber(s.Day), s.Metric, s.MetricName, s.Family, s.Correction, s.Currency, s.Unit,
			s.Costs, s.Records, s.Qty, s.Cost[0], s.Cost[1], s.Cost[2], s.Cost[3]})
	}
	if err := insertRows(ctx, tx, "usage_coarse", 15, coarse); err != nil {
		return err
	}
	days, err := tx.PrepareContext(ctx, `INSERT INTO usage_days VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer days.Close()
	for d := lo; d <= hi; d++ {
		if _, err := days.ExecContext(ctx, org, d, at.Unix(), corrected[d]); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// insertRows inserts rows of cols values each, many to a statement (a
// statement a row spent most of a fetch's time).
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols int, rows [][]any) error {
	const per = 64
	one := "(" + placeholders(cols) + ")"
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for len(rows) > 0 {
		n := min(per, len(rows))
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := "INSERT INTO " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
		var err error
		if n == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, q); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// Read streams the sums of orgs over [from, to], fine or coarse, as stored.
func (u *Usage) Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*usage.Sum) error) error {
	for _, chunk := range chunks(orgs) {
		args := append(orgArgs(chunk), usage.DayNumber(from), usage.DayNumber(to))
		where := ` WHERE org_id IN (` + placeholders(len(chunk)) + `) AND day BETWEEN ? AND ?`
		// rows as stored: the caller's fold adds up equal keys (a GROUP BY
		// here sorted a million rows in a temporary tree, ten times slower)
		q := `SELECT day, metric, metric_name, family, correction, currency, unit, costs,
			records, qty, effective, billed, list, contracted FROM usage_coarse` + where
		if fine {
			q = `SELECT day, metric, metric_name, family, correction, currency, unit, costs, records, qty, effective, billed, list, contracted,
				account, account_name, zone, zone_name, region, region_name, sub, sub_name FROM usage_fine` + where
		}
		if err := u.read(ctx, q, args, fine, each); err != nil {
			return err
		}
	}
	return nil
}

func (u *Usage) read(ctx context.Context, q string, args []any, fine bool, each func(*usage.Sum) error) error {
	rows, err := u.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var s usage.Sum
	for rows.Next() {
		var day int64
		dest := []any{&day, &s.Metric, &s.MetricName, &s.Family, &s.Correction, &s.Currency, &s.Unit, &s.Costs,
			&s.Records, &s.Qty, &s.Cost[0], &s.Cost[1], &s.Cost[2], &s.Cost[3]}
		if fine {
			dest = append(dest, &s.Account, &s.AccountName, &s.Zone, &s.ZoneName, &s.Region, &s.RegionName, &s.Sub, &s.SubName)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		s.Day = usage.FromDayNumber(day)
		if err := each(&s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Totals streams the sums of orgs over [from, to] by organization (and
// account), metric and denomination.
func (u *Usage) Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(string, *usage.Sum) error) error {
	for _, chunk := range chunks(orgs) {
		args := append(orgArgs(chunk), usage.DayNumber(from), usage.DayNumber(to))
		table, acct, group := "usage_coarse", "'', ''", ""
		if byAccount {
			table, acct, group = "usage_fine", "account, MAX(account_name)", ", account"
		}
		rows, err := u.db.R.QueryContext(ctx, `SELECT org_id, `+acct+`, metric, MAX(metric_name), MAX(family), correction, currency, unit, costs,
			SUM(records), SUM(qty), SUM(effective), SUM(billed), SUM(list), SUM(contracted) FROM `+table+`
			WHERE org_id IN (`+placeholders(len(chunk))+`) AND day BETWEEN ? AND ?
			GROUP BY org_id`+group+`, metric, correction, currency, unit, costs`, args...)
		if err != nil {
			return err
		}
		var s usage.Sum
		var org string
		for rows.Next() {
			if err := rows.Scan(&org, &s.Account, &s.AccountName, &s.Metric, &s.MetricName, &s.Family, &s.Correction, &s.Currency, &s.Unit, &s.Costs,
				&s.Records, &s.Qty, &s.Cost[0], &s.Cost[1], &s.Cost[2], &s.Cost[3]); err != nil {
				rows.Close()
				return err
			}
			s.Day = from
			if err := each(org, &s); err != nil {
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

// Size counts the stored rows.
func (u *Usage) Size(ctx context.Context) (fine, coarse int64, err error) {
	err = u.db.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM usage_fine), (SELECT COUNT(*) FROM usage_coarse)`).Scan(&fine, &coarse)
	return fine, coarse, err
}

// Rates returns org's own rate card.
func (u *Usage) Rates(ctx context.Context, org string) ([]usage.Rate, bool, error) {
	var body string
	err := u.db.R.QueryRowContext(ctx, `SELECT rates FROM rate_cards WHERE org_id = ?`, org).Scan(&body)
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
	_, err = u.db.W.ExecContext(ctx, `INSERT INTO rate_cards(org_id, rates, updated) VALUES (?, ?, ?)
		ON CONFLICT(org_id) DO UPDATE SET rates = excluded.rates, updated = excluded.updated`, org, string(body), at.Unix())
	return err
}

// ClearRates removes org's rate card.
func (u *Usage) ClearRates(ctx context.Context, org string) error {
	_, err := u.db.W.ExecContext(ctx, `DELETE FROM rate_cards WHERE org_id = ?`, org)
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
