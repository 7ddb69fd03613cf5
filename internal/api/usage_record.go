// usage_record.go is the FOCUS cost-and-usage record.

package api

import "time"

// UsageRecord is one FOCUS cost-and-usage record: one billable metric for one
// account on one day. It encodes with the wire's PascalCase FOCUS keys and
// decodes those or the snake_case spelling the Python SDK shows.
type UsageRecord struct {
	BillingAccountID    string    `json:"BillingAccountId"`
	BillingAccountName  string    `json:"BillingAccountName"`
	ChargeCategory      string    `json:"ChargeCategory"`
	ChargeDescription   string    `json:"ChargeDescription"`
	ChargeFrequency     string    `json:"ChargeFrequency"`
	ChargePeriodStart   time.Time `json:"ChargePeriodStart"`
	ChargePeriodEnd     time.Time `json:"ChargePeriodEnd"`
	ConsumedQuantity    float64   `json:"ConsumedQuantity"`
	ConsumedUnit        string    `json:"ConsumedUnit"`
	HostProviderName    string    `json:"HostProviderName"`
	InvoiceIssuerName   string    `json:"InvoiceIssuerName"`
	ServiceProviderName string    `json:"ServiceProviderName"`
	BillableMetricName  string    `json:"x_BillableMetricName"`

	BilledCost          *float64   `json:"BilledCost,omitempty"`
	ContractedCost      *float64   `json:"ContractedCost,omitempty"`
	EffectiveCost       *float64   `json:"EffectiveCost,omitempty"`
	ListCost            *float64   `json:"ListCost,omitempty"`
	ContractedUnitPrice *float64   `json:"ContractedUnitPrice,omitempty"`
	ListUnitPrice       *float64   `json:"ListUnitPrice,omitempty"`
	PricingQuantity     *float64   `json:"PricingQuantity,omitempty"`
	BillingCurrency     string     `json:"BillingCurrency,omitempty"`
	BillingPeriodStart  *time.Time `json:"BillingPeriodStart,omitempty"`
	BillingPeriodEnd    *time.Time `json:"BillingPeriodEnd,omitempty"`
	ChargeClass         string     `json:"ChargeClass,omitempty"`
	PricingUnit         string     `json:"PricingUnit,omitempty"`
	RegionID            string     `json:"RegionId,omitempty"`
	RegionName          string     `json:"RegionName,omitempty"`
	SubAccountID        string     `json:"SubAccountId,omitempty"`
	SubAccountName      string     `json:"SubAccountName,omitempty"`
	BillableMetricID    string     `json:"x_BillableMetricId,omitempty"`
	ProductFamilyName   string     `json:"x_ProductFamilyName,omitempty"`
	ZoneID              string     `json:"x_ZoneId,omitempty"`
	ZoneName            string     `json:"x_ZoneName,omitempty"`
}

// ChargeClassCorrection marks a record that corrects an earlier period.
const ChargeClassCorrection = "Correction"
