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

var (
	fineColumns = []string{"org_id", "day", "account", "account_name", "metric", "metric_name", "family", "zone", "zone_name",
		"region", "region_name", "sub", "sub_name", "correction", "currency", "unit", "costs", "records", "qty",
		"effective", "billed", "list", "contracted"}
	coarseColumns = []string{"org_id", "day", "metric", "metric_name", "family", "correction", "currency", "unit", "costs", "records", "qty",
		"effective", "billed", "list", "contracted"}
)

// Put replaces org's sums of [from, to] in one transaction.
func (u *Usage) Put(ctx context.Context, org string, from, to, at time.Time, sums []usage.Sum) error {
	lo, hi := int32(usage.DayNumber(from)), int32(usage.DayNumber(to))
	return pgx.BeginFunc(ctx, u.db.Pool, func(tx pgx.Tx) error {
		for _, t := range []string{"usage_fine", "usage_coarse", "usage_days"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE org_id = $1 AND day BETWEEN $2 AND $3`, org, lo, hi); err != nil {
				return err
			}
		}
		corrected := map[int32]bool{}
		fine := make([][]any, len(sums))
		for i, s := range sums {
			d := int32(usage.DayNumber(s.Day))
			corrected[d] = corrected[d] || s.Correction
			fine[i] = []any{org, d, s.Account, s.AccountName, s.Metric, s.MetricName, s.Family, s.Zone, s.ZoneName,
				s.Region, s.RegionName, s.Sub, s.SubName, s.Correction, s.Currency, s.Unit, int16(s.Costs), s.Records,
				s.Qty, s.Cost[0], s.Cost[1], s.Cost[2], s.Cost[3]}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"usage_fine"}, fineColumns, pgx.CopyFromRows(fine)); err != nil {
			return err
		}
		var coarse [][]any
		for _, s := range usage.Coarsen(sums) {
			coarse = append(coarse, []any{org, int32(usage.DayNumber(s.Day)), s.Metric, s.MetricName, s.Family, s.Correction, s.Currency, s.Unit,
				int16(s.Costs), s.Records, s.Qty, s.Cost[0], s.Cost[1], s.Cost[2], s.Cost[3]})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"usage_coarse"}, coarseColumns, pgx.CopyFromRows(coarse)); err != nil {
			return err
		}
		var days [][]any
		for d := lo; d <= hi; d++ {
			days = append(days, []any{org, d, at.UTC(), corrected[d]})
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"usage_days"}, []string{"org_id", "day", "fetched", "corrected"}, pgx.CopyFromRows(days))
		return err
	})
}

// Read streams the sums of orgs over [from, to]: the fine rows as stored,
// the coarse ones summed over the organizations.
func (u *Usage) Read(ctx context.Context, orgs []string, from, to time.Time, fine bool, each func(*usage.Sum) error) error {
	where := ` WHERE org_id = ANY($1) AND day BETWEEN $2 AND $3`
	q := `SELECT day, metric, MAX(metric_name), MAX(family), correction, currency, unit, costs,
		SUM(records)::bigint, SUM(qty), SUM(effective), SUM(billed), SUM(list), SUM(contracted) FROM usage_coarse` + where +
		` GROUP BY day, metric, correction, currency, unit, costs ORDER BY day`
	if fine {
		q = `SELECT day, metric, metric_name, family, correction, currency, unit, costs, records, qty, effective, billed, list, contracted,
			account, account_name, zone, zone_name, region, region_name, sub, sub_name FROM usage_fine` + where
	}
	rows, err := u.db.Pool.Query(ctx, q, orgs, usage.DayNumber(from), usage.DayNumber(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	var s usage.Sum
	for rows.Next() {
		var day int32
		var costs int16
		dest := []any{&day, &s.Metric, &s.MetricName, &s.Family, &s.Correction, &s.Currency, &s.Unit, &costs,
			&s.Records, &s.Qty, &s.Cost[0], &s.Cost[1], &s.Cost[2], &s.Cost[3]}
		if fine {
			dest = append(dest, &s.Account, &s.AccountName, &s.Zone, &s.ZoneName, &s.Region, &s.RegionName, &s.Sub, &s.SubName)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		s.Day, s.Costs = usage.FromDayNumber(int64(day)), uint8(costs)
		if err := each(&s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Totals streams the sums of orgs over [from, to] by organization (and
// account), metric and denomination.
func (u *Usage) Totals(ctx context.Context, orgs []string, from, to time.Time, byAccount bool, each func(string, *usage.Sum) error) error {
	table, acct, group := "usage_coarse", "'', ''", ""
	if byAccount {
		table, acct, group = "usage_fine", "account, MAX(account_name)", ", account"
	}
	rows, err := u.db.Pool.Query(ctx, `SELECT org_id, `+acct+`, metric, MAX(metric_name), MAX(family), correction, currency, unit, costs,
		SUM(records)::bigint, SUM(qty), SUM(effective), SUM(billed), SUM(list), SUM(contracted) FROM `+table+`
		WHERE org_id = ANY($1) AND day BETWEEN $2 AND $3
		GROUP BY org_id`+group+`, metric, correction, currency, unit, costs`, orgs, usage.DayNumber(from), usage.DayNumber(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	var s usage.Sum
	var org string
	for rows.Next() {
		var costs int16
		if err := rows.Scan(&org, &s.Account, &s.AccountName, &s.Metric, &s.MetricName, &s.Family, &s.Correction, &s.Currency, &s.Unit, &costs,
			&s.Records, &s.Qty, &s.Cost[0], &s.Cost[1], &s.Cost[2], &s.Cost[3]); err != nil {
			return err
		}
		s.Day, s.Costs = from, uint8(costs)
		if err := each(org, &s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Size counts the stored rows.
func (u *Usage) Size(ctx context.Context) (fine, coarse int64, err error) {
	err = u.db.Pool.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM usage_fine), (SELECT COUNT(*) FROM usage_coarse)`).Scan(&fine, &coarse)
	return fine, coarse, err
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
