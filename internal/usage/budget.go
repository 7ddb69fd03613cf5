// budget.go keeps each organization's monthly cost budget.

package usage

import (
	"context"
	"time"

	"orgboard/internal/clock"
)

// Budget is an organization's monthly budget.
type Budget struct {
	Amount   float64
	Currency string
}

// BudgetStore keeps budgets; implementations are in internal/store.
type BudgetStore interface {
	// Get returns org's budget; ok is false when it has none.
	Get(ctx context.Context, org string) (b Budget, ok bool, err error)
	// Set stores org's budget, stamped at.
	Set(ctx context.Context, org string, b Budget, at time.Time) error
	// Remove deletes org's budget.
	Remove(ctx context.Context, org string) error
}

// Budgets are the organizations' budgets, stamped by the console's clock.
type Budgets struct {
	store BudgetStore
	now   func() time.Time
}

// NewBudgets keeps budgets in store, stamped by clk (nil: the machine's clock).
func NewBudgets(store BudgetStore, clk clock.Clock) *Budgets {
	return &Budgets{store: store, now: clock.Or(clk).Now}
}

// Get returns org's budget; ok is false when it has none.
func (b *Budgets) Get(ctx context.Context, org string) (Budget, bool, error) {
	return b.store.Get(ctx, org)
}

// Set stores org's budget; an amount of zero removes it.
func (b *Budgets) Set(ctx context.Context, org string, v Budget) error {
	if v.Amount == 0 {
		return b.store.Remove(ctx, org)
	}
	return b.store.Set(ctx, org, v, b.now())
}
