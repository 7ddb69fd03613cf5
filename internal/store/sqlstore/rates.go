// rates.go keeps each organization's own rate card (usage.RateStore).

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"orgboard/internal/usage"
)

// RateCards is usage.RateStore.
type RateCards struct{ db *DB }

var _ usage.RateStore = (*RateCards)(nil)

// Rates returns org's own rate card.
func (c *RateCards) Rates(ctx context.Context, org string) ([]usage.Rate, bool, error) {
	var body string
	err := c.db.QueryRow(ctx, `SELECT rates FROM rate_cards WHERE org_id = ?`, org).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var rates []usage.Rate
	if err := json.Unmarshal([]byte(body), &rates); err != nil {
		return nil, false, err
	}
	return rates, true, nil
}

// SetRates replaces org's rate card.
func (c *RateCards) SetRates(ctx context.Context, org string, rates []usage.Rate, at time.Time) error {
	body, err := json.Marshal(rates)
	if err != nil {
		return err
	}
	_, err = c.db.Exec(ctx, `INSERT INTO rate_cards(org_id, rates, updated) VALUES (?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET rates = excluded.rates, updated = excluded.updated`, org, string(body), c.db.D.Time(at))
	return err
}

// ClearRates removes org's rate card.
func (c *RateCards) ClearRates(ctx context.Context, org string) error {
	_, err := c.db.Exec(ctx, `DELETE FROM rate_cards WHERE org_id = ?`, org)
	return err
}
