// account_usage.go serves one account's billable usage in the shapes of
// the SDKs' generations (docs/api-accounts.md), from the same generator as
// the organization's endpoint: an account's records are exactly its
// organization's records of that account.

package localapi

import (
	"math"
	"net/http"
	"time"

	"orgboard/internal/api"
)

// accountUsage loads the path's account for its usage and r's range.
func (s *Server) accountUsage(r *http.Request, p *principal) (accountRef, []usageAccount, time.Time, time.Time, time.Time, error) {
	a, err := s.readableAccount(r, p)
	if err != nil {
		return a, nil, time.Time{}, time.Time{}, time.Time{}, err
	}
	q := r.URL.Query()
	from, to, err := usageRange(q.Get("from"), q.Get("to"), s.now())
	if err != nil {
		return a, nil, time.Time{}, time.Time{}, time.Time{}, err
	}
	accounts, anchor, err := s.store.usageAccounts(r.Context(), "id", a.id)
	return a, accounts, anchor, from, to, err
}

// getAccountUsage answers GET /accounts/{id}/billable/usage: FOCUS
// records as the organization's endpoint writes them.
func (s *Server) getAccountUsage(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, accounts, anchor, from, to, err := s.accountUsage(r, p)
	if err != nil {
		return err
	}
	return s.streamUsage(w, r, accounts, anchor, from, to)
}

// usageV1 is a record of GET /accounts/{id}/billable-usage: the mandatory
// FOCUS columns always present (null when unknown), costs as numbers, and
// running sums within the account, metric, zone and billing period.
type usageV1 struct {
	BilledCost               float64   `json:"BilledCost"`
	BillingAccountID         string    `json:"BillingAccountId"`
	BillingAccountName       *string   `json:"BillingAccountName"`
	BillingCurrency          string    `json:"BillingCurrency"`
	BillingPeriodStart       time.Time `json:"BillingPeriodStart"`
	ChargeCategory           string    `json:"ChargeCategory"`
	ChargeClass              *string   `json:"ChargeClass"`
	ChargeDescription        *string   `json:"ChargeDescription"`
	ChargePeriodEnd          time.Time `json:"ChargePeriodEnd"`
	ChargePeriodStart        time.Time `json:"ChargePeriodStart"`
	ConsumedQuantity         float64   `json:"ConsumedQuantity"`
	ConsumedUnit             string    `json:"ConsumedUnit"`
	ContractedCost           float64   `json:"ContractedCost"`
	CumulatedContractedCost  float64   `json:"CumulatedContractedCost"`
	CumulatedPricingQuantity float64   `json:"CumulatedPricingQuantity"`
	EffectiveCost            float64   `json:"EffectiveCost"`
	HostProviderName         string    `json:"HostProviderName"`
	InvoiceIssuerName        string    `json:"InvoiceIssuerName"`
	ListCost                 float64   `json:"ListCost"`
	PricingQuantity          float64   `json:"PricingQuantity"`
	PricingUnit              string    `json:"PricingUnit"`
	ServiceName              string    `json:"ServiceName"`
	ServiceProviderName      string    `json:"ServiceProviderName"`
	ServiceFamilyName        string    `json:"ServiceFamilyName,omitempty"`
	SubscriptionID           *string   `json:"SubscriptionId"`
	ZoneID                   *string   `json:"ZoneId"`
	ZoneName                 *string   `json:"ZoneName"`
}

// usagePaygo is a record of the Go SDK's GET /accounts/{id}/billing/usage/paygo.
type usagePaygo struct {
	BillingCurrency          string    `json:"BillingCurrency"`
	BillingPeriodStart       time.Time `json:"BillingPeriodStart"`
	ChargePeriodEnd          time.Time `json:"ChargePeriodEnd"`
	ChargePeriodStart        time.Time `json:"ChargePeriodStart"`
	ConsumedQuantity         float64   `json:"ConsumedQuantity"`
	ConsumedUnit             string    `json:"ConsumedUnit"`
	ContractedCost           float64   `json:"ContractedCost"`
	CumulatedContractedCost  float64   `json:"CumulatedContractedCost"`
	CumulatedPricingQuantity int64     `json:"CumulatedPricingQuantity"`
	PricingQuantity          int64     `json:"PricingQuantity"`
	ServiceName              string    `json:"ServiceName"`
}

// cumulated walks an account's records of [from, to] with their running
// sums from each billing period's first day (corrections are left out:
// these endpoints do not return them).
func (s *Server) cumulated(accounts []usageAccount, anchor, from, to time.Time, fn func(rec *api.UsageRecord, cost, qty float64)) {
	gen := usageGen{anchor: anchor, today: s.now().UTC().Truncate(24 * time.Hour)}
	start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	type sums struct{ cost, qty float64 }
	run := map[string]*sums{}
	gen.each(accounts, start, to, func(rec *api.UsageRecord) bool {
		if rec.ChargeClass != "" {
			return true
		}
		k := rec.BillingPeriodStart.Format(time.DateOnly) + rec.BillableMetricID + rec.ZoneID
		sum := run[k]
		if sum == nil {
			sum = &sums{}
			run[k] = sum
		}
		sum.cost += value(rec.ContractedCost)
		sum.qty += value(rec.PricingQuantity)
		if !rec.ChargePeriodStart.Before(from) {
			fn(rec, round2(sum.cost), sum.qty)
		}
		return true
	})
}

func value(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func nullIfZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// getAccountUsageV1 answers GET /accounts/{id}/billable-usage.
func (s *Server) getAccountUsageV1(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, accounts, anchor, from, to, err := s.accountUsage(r, p)
	if err != nil {
		return err
	}
	out := []usageV1{}
	s.cumulated(accounts, anchor, from, to, func(rec *api.UsageRecord, cost, qty float64) {
		sub := rec.SubAccountID
		out = append(out, usageV1{
			BilledCost: value(rec.BilledCost), BillingAccountID: rec.BillingAccountID, BillingAccountName: nullIfZero(rec.BillingAccountName),
			BillingCurrency: accounts[0].currency, BillingPeriodStart: *rec.BillingPeriodStart, ChargeCategory: rec.ChargeCategory,
			ChargeDescription: nullIfZero(rec.ChargeDescription), ChargePeriodEnd: rec.ChargePeriodEnd, ChargePeriodStart: rec.ChargePeriodStart,
			ConsumedQuantity: rec.ConsumedQuantity, ConsumedUnit: rec.ConsumedUnit, ContractedCost: value(rec.ContractedCost),
			CumulatedContractedCost: cost, CumulatedPricingQuantity: qty, EffectiveCost: value(rec.EffectiveCost),
			HostProviderName: rec.HostProviderName, InvoiceIssuerName: rec.InvoiceIssuerName, ListCost: value(rec.ListCost),
			PricingQuantity: value(rec.PricingQuantity), PricingUnit: pricingUnit(rec), ServiceName: rec.BillableMetricName,
			ServiceProviderName: rec.ServiceProviderName, ServiceFamilyName: rec.ProductFamilyName, SubscriptionID: &sub,
			ZoneID: nullIfZero(rec.ZoneID), ZoneName: nullIfZero(rec.ZoneName),
		})
	})
	writeResult(w, out, nil)
	return nil
}

// pricingUnit falls back to "Count" as Cloudflare's v1 does.
func pricingUnit(rec *api.UsageRecord) string {
	if rec.PricingUnit == "" {
		return "Count"
	}
	return rec.PricingUnit
}

// getAccountUsagePaygo answers GET /accounts/{id}/billing/usage/paygo.
func (s *Server) getAccountUsagePaygo(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, accounts, anchor, from, to, err := s.accountUsage(r, p)
	if err != nil {
		return err
	}
	out := []usagePaygo{}
	s.cumulated(accounts, anchor, from, to, func(rec *api.UsageRecord, cost, qty float64) {
		out = append(out, usagePaygo{BillingCurrency: accounts[0].currency, BillingPeriodStart: *rec.BillingPeriodStart,
			ChargePeriodEnd: rec.ChargePeriodEnd, ChargePeriodStart: rec.ChargePeriodStart, ConsumedQuantity: rec.ConsumedQuantity,
			ConsumedUnit: rec.ConsumedUnit, ContractedCost: value(rec.ContractedCost), CumulatedContractedCost: cost,
			CumulatedPricingQuantity: int64(math.Round(qty)), PricingQuantity: int64(math.Round(value(rec.PricingQuantity))),
			ServiceName: rec.BillableMetricName})
	})
	writeResult(w, out, nil)
	return nil
}

// usageInfo is GET /accounts/{id}/billable-usage/info.
type usageInfo struct {
	Covered       bool              `json:"covered"`
	Subscriptions []usageInfoSubscr `json:"subscriptions"`
}

type usageInfoSubscr struct {
	ID                          string `json:"id"`
	BillingCycleAnchorTimestamp string `json:"billing_cycle_anchor_timestamp"`
	StartTimestamp              string `json:"start_timestamp"`
}

// getAccountUsageInfo answers the account's subscription: the one its
// records name, from the account's creation.
func (s *Server) getAccountUsageInfo(w http.ResponseWriter, r *http.Request, p *principal) error {
	a, err := s.readableAccount(r, p)
	if err != nil {
		return err
	}
	accounts, _, err := s.store.usageAccounts(r.Context(), "id", a.id)
	if err != nil || len(accounts) == 0 {
		return err
	}
	acct := accounts[0]
	sub, _ := acct.subscription()
	start := acct.created.UTC()
	anchor := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	writeResult(w, usageInfo{Covered: true, Subscriptions: []usageInfoSubscr{{ID: sub,
		BillingCycleAnchorTimestamp: anchor.Format(time.RFC3339), StartTimestamp: start.Format(time.RFC3339)}}}, nil)
	return nil
}
