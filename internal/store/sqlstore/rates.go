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

var _ usage.FXStore = (*RateCards)(nil)

// FXTable returns org's own exchange-rate table.
func (c *RateCards) FXTable(ctx context.Context, org string) ([]usage.FXRate, string, bool, error) {
	var body, source string
	err := c.db.QueryRow(ctx, `SELECT rates, source FROM fx_tables WHERE org_id = ?`, org).Scan(&body, &source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	var rates []usage.FXRate
	if err := json.Unmarshal([]byte(body), &rates); err != nil {
		return nil, "", false, err
	}
	return rates, source, true, nil
}

// SetFXTable replaces org's exchange-rate table.
func (c *RateCards) SetFXTable(ctx context.Context, org string, rates []usage.FXRate, source string, at time.Time) error {
	body, err := json.Marshal(rates)
	if err != nil {
		return err
	}
	_, err = c.db.Exec(ctx, `INSERT INTO fx_tables(org_id, rates, source, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET rates = excluded.rates, source = excluded.source, updated = excluded.updated`,
		org, string(body), source, c.db.D.Time(at))
	return err
}

// ClearFXTable removes org's exchange-rate table.
func (c *RateCards) ClearFXTable(ctx context.Context, org string) error {
	_, err := c.db.Exec(ctx, `DELETE FROM fx_tables WHERE org_id = ?`, org)
	return err
}
