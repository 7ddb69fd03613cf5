// budgets.go keeps the organizations' monthly budgets (usage.BudgetStore).

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"orgboard/internal/usage"
)

// Budgets is usage.BudgetStore.
type Budgets struct{ db *DB }

// NewBudgets keeps budgets in db.
func NewBudgets(db *DB) *Budgets { return &Budgets{db: db} }

var _ usage.BudgetStore = (*Budgets)(nil)

// Get returns org's budget.
func (b *Budgets) Get(ctx context.Context, org string) (usage.Budget, bool, error) {
	var v usage.Budget
	err := b.db.QueryRow(ctx, `SELECT amount, currency FROM usage_budgets WHERE org_id = ?`, org).Scan(&v.Amount, &v.Currency)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Set stores org's budget.
func (b *Budgets) Set(ctx context.Context, org string, v usage.Budget, at time.Time) error {
	_, err := b.db.Exec(ctx, `INSERT INTO usage_budgets(org_id, amount, currency, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, updated = excluded.updated`,
		org, v.Amount, v.Currency, b.db.D.Time(at))
	return err
}

// Remove deletes org's budget.
func (b *Budgets) Remove(ctx context.Context, org string) error {
	_, err := b.db.Exec(ctx, `DELETE FROM usage_budgets WHERE org_id = ?`, org)
	return err
}
