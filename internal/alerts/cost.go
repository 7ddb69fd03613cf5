// cost.go is what cost rules and digests read of an organization's usage:
// the last five weeks from the usage store (fetching, with the rule's
// token, only the days the store lacks or that may still change), priced
// by the organization's rate card, with its budget; and the events a cost
// rule sends (a budget reached or forecast to be, an anomaly, a product
// family's daily cost moving more than the rule's percentage).

package alerts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/usage"
)

// Costs reads usage for cost rules and digests.
type Costs struct {
	Keeper  *usage.Keeper
	Budgets *usage.Budgets
	Rates   usage.RateStore
	FX      usage.FXStore // exchange-rate tables, for a rule's reporting currency
}

// costDays is how far back a cost rule reads: a month, and the four weeks
// an anomaly's baseline needs.
const costDays = 35

// Figures are an organization's recent usage, as a cost rule reads it.
type Figures struct {
	Report *usage.Report // the last costDays complete days, by product family and day
	Budget float64       // the month's budget in Report.Denom; 0: none (or another currency)
	Gaps   int           // windows a fetch missed (the figures lack them)
}

// Read brings the organizations' last costDays days into the store and
// builds their report, in the reporting currency report when one is set;
// all is every organization the token reads (for the rate card and the
// exchange rates, which an organization inherits from its parents).
func (c *Costs) Read(ctx context.Context, src usage.Source, all []api.Organization, org string, orgs []string, today time.Time, report string) (Figures, error) {
	today = usage.Civil(today)
	card, err := c.card(ctx, all, org)
	if err != nil {
		return Figures{}, err
	}
	if report != "" {
		fx, err := c.fx(ctx, all, org)
		if err != nil {
			return Figures{}, err
		}
		if !slices.Contains(fx.Currencies(), report) {
			return Figures{}, fmt.Errorf("the exchange-rate table has no rate for %s: it converts %s", report, strings.Join(fx.Currencies(), ", "))
		}
		card = card.Reporting(report, fx)
	}
	from, to := today.AddDate(0, 0, -costDays), today.AddDate(0, 0, -1)
	j := usage.NewJob(usage.Request{Orgs: orgs, From: from, To: to, Measure: usage.Effective, Rates: card, NoPrev: true, Today: today}, c.Keeper)
	j.Run(ctx, src)
	if err := j.StoreErr(); err != nil {
		return Figures{}, err
	}
	if err := ctx.Err(); err != nil {
		return Figures{}, err
	}
	agg, _ := j.Result()
	view := usage.View{Group: usage.DimFamily, Step: usage.StepDay, Today: today, TopN: 20}
	for i, d := range agg.Denominations() {
		if i == 0 || d.Denom == usage.Converted(report) { // a reporting currency leads
			view.Denom = d.Denom
		}
	}
	f := Figures{Gaps: len(j.Gaps())}
	if b, ok, err := c.Budgets.Get(ctx, org); err != nil {
		return f, err
	} else if ok && view.Denom != "" && b.Currency == usage.Currency(view.Denom) {
		view.Budget, f.Budget = b.Amount, b.Amount
	}
	f.Report = usage.Build(agg, nil, view)
	return f, nil
}

// fx is org's exchange-rate table: its own, or the nearest parent's, or
// the shipped one.
func (c *Costs) fx(ctx context.Context, all []api.Organization, org string) (*usage.FX, error) {
	if c.FX == nil {
		return usage.DefaultFX(), nil
	}
	parent := parents(all)
	for id, n := org, 0; id != "" && n < 64; id, n = parent[id], n+1 {
		rates, source, ok, err := c.FX.FXTable(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			return usage.NewFX(rates, source), nil
		}
	}
	return usage.DefaultFX(), nil
}

func parents(all []api.Organization) map[string]string {
	parent := map[string]string{}
	for _, o := range all {
		if o.Parent != nil {
			parent[o.ID] = o.Parent.ID
		}
	}
	return parent
}

// card is org's rate card: its own, or the nearest parent's, or the default.
func (c *Costs) card(ctx context.Context, all []api.Organization, org string) (*usage.RateCard, error) {
	parent := parents(all)
	for id, n := org, 0; id != "" && n < 64; id, n = parent[id], n+1 {
		rates, ok, err := c.Rates.Rates(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			return usage.NewRateCard(rates), nil
		}
	}
	return usage.DefaultCard(), nil
}

// CostEvent is one finding of a cost rule; Key names it, so that it is
// sent once.
type CostEvent struct {
	Key      string  `json:"key"`
	Type     string  `json:"type"` // budget_reached, budget_forecast, anomaly, move
	Text     string  `json:"text"`
	Day      string  `json:"day,omitempty"`
	Family   string  `json:"family,omitempty"`
	Value    float64 `json:"value"`
	Baseline float64 `json:"baseline,omitempty"` // the budget, the anomaly's baseline, or the day before
	Currency string  `json:"currency"`
	Estimate bool    `json:"estimate"` // priced by the rate card, not billed by Cloudflare
	// Converted: billed in other currencies, converted into Currency at
	// each month's reference rate
	Converted bool `json:"converted,omitempty"`
}

// round drops the float noise of sums (2491.8100000000004) from the
// figures a message carries, keeping far below a cent.
func round(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// recentDays is how recent an anomaly or a move must be to be sent: a
// rule made today tells of this week, not of last month.
const recentDays = 7

// Events are what cond finds in f, on today.
func Events(f Figures, cond Condition, threshold float64, today time.Time) []CostEvent {
	r := f.Report
	if r == nil || r.Denom == "" || usage.IsUnit(r.Denom) {
		return nil
	}
	cur, est := usage.Currency(r.Denom), usage.IsEstimate(r.Denom)
	money := func(v float64) string { return usage.Amount(v, r.Denom) + " " + cur }
	today = usage.Civil(today)
	recent := today.AddDate(0, 0, -recentDays)
	var out []CostEvent
	switch cond {
	case CondBudget:
		fc := r.Forecast
		if fc == nil || fc.Budget <= 0 {
			return nil
		}
		month := fc.Month.Format("January 2006")
		key := fc.Month.Format("2006-01")
		if fc.Crossed {
			out = append(out, CostEvent{Key: "budget:reached:" + key, Type: "budget_reached", Value: round(fc.ToDate), Baseline: round(fc.Budget), Currency: cur, Estimate: est,
				Text: fmt.Sprintf("Over budget: %s so far in %s against a budget of %s (reached on %s).", money(fc.ToDate), month, money(fc.Budget), fc.Crossing.Format("2 Jan"))})
		} else if !fc.Crossing.IsZero() {
			out = append(out, CostEvent{Key: "budget:forecast:" + key, Type: "budget_forecast", Value: round(fc.Projected), Baseline: round(fc.Budget), Currency: cur, Estimate: est,
				Text: fmt.Sprintf("On course to go over budget: %s is forecast to reach %s by the month's end against a budget of %s, on about %s.",
					month, money(fc.Projected), money(fc.Budget), fc.Crossing.Format("2 Jan"))})
		}
	case CondAnomaly:
		for _, a := range r.Anomalies {
			if a.Day.Before(recent) {
				continue
			}
			day := a.Day.Format(time.DateOnly)
			out = append(out, CostEvent{Key: "anomaly:" + day + ":" + a.Key, Type: "anomaly", Day: day, Family: a.Label, Value: round(a.Value), Baseline: round(a.Baseline),
				Currency: cur, Estimate: est, Text: fmt.Sprintf("Anomaly: %s cost %s on %s, against about %s on such days (%+.0f%%).",
					a.Label, money(a.Value), a.Day.Format("Mon 2 Jan"), money(a.Baseline), a.JumpPct())})
		}
	case CondMove:
		out = moves(r, threshold, recent, money, cur, est)
	}
	if usage.IsConverted(r.Denom) {
		for i := range out {
			out[i].Converted = true
			out[i].Text += " Amounts converted into " + cur + " at each month's reference rate."
		}
	}
	return out
}

// moves are the families whose cost on a recent day differs from the day
// before by more than threshold percent (of a day before that cost
// something), but for a yesterday Cloudflare has not reported yet.
func moves(r *usage.Report, threshold float64, recent time.Time, money func(float64) string, cur string, est bool) []CostEvent {
	var out []CostEvent
	for _, l := range r.Families {
		for i := 1; i < len(l.Values); i++ {
			day, before, now := r.From.AddDate(0, 0, i), l.Values[i-1], l.Values[i]
			if day.Before(recent) || r.NotReported(day) || before <= 0 {
				continue
			}
			change := (now - before) / before * 100
			if math.Abs(change) <= threshold {
				continue
			}
			d := day.Format(time.DateOnly)
			out = append(out, CostEvent{Key: "move:" + d + ":" + l.Key, Type: "move", Day: d, Family: l.Label, Value: round(now), Baseline: round(before), Currency: cur, Estimate: est,
				Text: fmt.Sprintf("%s cost %s on %s, %+.0f%% on the day before (%s).", l.Label, money(now), day.Format("Mon 2 Jan"), change, money(before))})
		}
	}
	return out
}

// errNoCosts is a cost rule on a console without a usage store.
var errNoCosts = errors.New("this console keeps no usage figures")
