package api

import (
	"encoding/json"
	"time"
)

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

// usageSnake is the snake_case spelling; its Go names differ from
// UsageRecord's so both can be embedded and filled in one decoding pass.
type usageSnake struct {
	SBillingAccountID    string     `json:"billing_account_id"`
	SBillingAccountName  string     `json:"billing_account_name"`
	SChargeCategory      string     `json:"charge_category"`
	SChargeDescription   string     `json:"charge_description"`
	SChargeFrequency     string     `json:"charge_frequency"`
	SChargePeriodStart   time.Time  `json:"charge_period_start"`
	SChargePeriodEnd     time.Time  `json:"charge_period_end"`
	SConsumedQuantity    float64    `json:"consumed_quantity"`
	SConsumedUnit        string     `json:"consumed_unit"`
	SHostProviderName    string     `json:"host_provider_name"`
	SInvoiceIssuerName   string     `json:"invoice_issuer_name"`
	SServiceProviderName string     `json:"service_provider_name"`
	SBillableMetricName  string     `json:"x_billable_metric_name"`
	SBilledCost          *float64   `json:"billed_cost"`
	SContractedCost      *float64   `json:"contracted_cost"`
	SEffectiveCost       *float64   `json:"effective_cost"`
	SListCost            *float64   `json:"list_cost"`
	SContractedUnitPrice *float64   `json:"contracted_unit_price"`
	SListUnitPrice       *float64   `json:"list_unit_price"`
	SPricingQuantity     *float64   `json:"pricing_quantity"`
	SBillingCurrency     string     `json:"billing_currency"`
	SBillingPeriodStart  *time.Time `json:"billing_period_start"`
	SBillingPeriodEnd    *time.Time `json:"billing_period_end"`
	SChargeClass         string     `json:"charge_class"`
	SPricingUnit         string     `json:"pricing_unit"`
	SRegionID            string     `json:"region_id"`
	SRegionName          string     `json:"region_name"`
	SSubAccountID        string     `json:"sub_account_id"`
	SSubAccountName      string     `json:"sub_account_name"`
	SBillableMetricID    string     `json:"x_billable_metric_id"`
	SProductFamilyName   string     `json:"x_product_family_name"`
	SZoneID              string     `json:"x_zone_id"`
	SZoneName            string     `json:"x_zone_name"`
}

type usagePascal UsageRecord // no methods: plain decoding

// UnmarshalJSON accepts the PascalCase wire keys and the snake_case ones.
func (r *UsageRecord) UnmarshalJSON(b []byte) error {
	var both struct {
		usagePascal
		usageSnake
	}
	if err := json.Unmarshal(b, &both); err != nil {
		return err
	}
	*r = UsageRecord(both.usagePascal)
	r.mergeSnake(&both.usageSnake)
	return nil
}

func (r *UsageRecord) mergeSnake(s *usageSnake) {
	str := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	num := func(dst **float64, v *float64) {
		if *dst == nil {
			*dst = v
		}
	}
	tm := func(dst **time.Time, v *time.Time) {
		if *dst == nil {
			*dst = v
		}
	}
	str(&r.BillingAccountID, s.SBillingAccountID)
	str(&r.BillingAccountName, s.SBillingAccountName)
	str(&r.ChargeCategory, s.SChargeCategory)
	str(&r.ChargeDescription, s.SChargeDescription)
	str(&r.ChargeFrequency, s.SChargeFrequency)
	if r.ChargePeriodStart.IsZero() {
		r.ChargePeriodStart = s.SChargePeriodStart
	}
	if r.ChargePeriodEnd.IsZero() {
		r.ChargePeriodEnd = s.SChargePeriodEnd
	}
	if r.ConsumedQuantity == 0 {
		r.ConsumedQuantity = s.SConsumedQuantity
	}
	str(&r.ConsumedUnit, s.SConsumedUnit)
	str(&r.HostProviderName, s.SHostProviderName)
	str(&r.InvoiceIssuerName, s.SInvoiceIssuerName)
	str(&r.ServiceProviderName, s.SServiceProviderName)
	str(&r.BillableMetricName, s.SBillableMetricName)
	num(&r.BilledCost, s.SBilledCost)
	num(&r.ContractedCost, s.SContractedCost)
	num(&r.EffectiveCost, s.SEffectiveCost)
	num(&r.ListCost, s.SListCost)
	num(&r.ContractedUnitPrice, s.SContractedUnitPrice)
	num(&r.ListUnitPrice, s.SListUnitPrice)
	num(&r.PricingQuantity, s.SPricingQuantity)
	str(&r.BillingCurrency, s.SBillingCurrency)
	tm(&r.BillingPeriodStart, s.SBillingPeriodStart)
	tm(&r.BillingPeriodEnd, s.SBillingPeriodEnd)
	str(&r.ChargeClass, s.SChargeClass)
	str(&r.PricingUnit, s.SPricingUnit)
	str(&r.RegionID, s.SRegionID)
	str(&r.RegionName, s.SRegionName)
	str(&r.SubAccountID, s.SSubAccountID)
	str(&r.SubAccountName, s.SSubAccountName)
	str(&r.BillableMetricID, s.SBillableMetricID)
	str(&r.ProductFamilyName, s.SProductFamilyName)
	str(&r.ZoneID, s.SZoneID)
	str(&r.ZoneName, s.SZoneName)
}
