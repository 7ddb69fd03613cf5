// budget.go keeps each organization's monthly cost budget.

package usage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"orgboard/internal/clock"
	"orgboard/internal/sqlitedb"
)

// Schema holds the console's monthly budgets per organization.
const Schema = `
CREATE TABLE IF NOT EXISTS usage_budgets (
	org_id TEXT PRIMARY KEY,
	amount REAL NOT NULL,
	currency TEXT NOT NULL,
	updated INTEGER NOT NULL
);`

// Budget is an organization's monthly budget.
type Budget struct {
	Amount   float64
	Currency string
}

// Budgets are stored in the console's database (Schema applied).
type Budgets struct {
	db  *sqlitedb.DB
	now func() time.Time
}

// NewBudgets keeps budgets in db, stamped by clk (nil: the machine's clock).
func NewBudgets(db *sqlitedb.DB, clk clock.Clock) *Budgets {
	return &Budgets{db: db, now: clock.Or(clk).Now}
}

// Get returns org's budget; ok is false when it has none.
func (b *Budgets) Get(ctx context.Context, org string) (Budget, bool, error) {
	var v Budget
	err := b.db.R.QueryRowContext(ctx, `SELECT amount, currency FROM usage_budgets WHERE org_id = ?`, org).Scan(&v.Amount, &v.Currency)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Set stores org's budget; an amount of zero removes it.
func (b *Budgets) Set(ctx context.Context, org string, v Budget) error {
	if v.Amount == 0 {
		_, err := b.db.W.ExecContext(ctx, `DELETE FROM usage_budgets WHERE org_id = ?`, org)
		return err
	}
	_, err := b.db.W.ExecContext(ctx, `INSERT INTO usage_budgets(org_id, amount, currency, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT(org_id) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, updated = excluded.updated`,
		org, v.Amount, v.Currency, b.now().Unix())
	return err
}
