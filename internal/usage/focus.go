// focus.go writes the stored usage of organizations as FOCUS 1.3 cost and
// usage rows (the FinOps Foundation's format, read by FinOps tools): one
// row per organization, day, account, metric, zone, region, subscription
// and correction, as the store keeps them, streamed.

package usage

import (
	"cmp"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// FOCUSColumns are the columns written, FOCUS's first (mandatory and
// conditional ones this data can fill), the console's own after, prefixed
// x_ as FOCUS reserves for extensions.
var FOCUSColumns = []string{
	"BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency",
	"BillingAccountId", "BillingAccountName", "BillingAccountType", "SubAccountId", "SubAccountName", "SubAccountType",
	"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
	"ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
	"ServiceName", "ServiceCategory", "ServiceSubcategory",
	"ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit", "ListUnitPrice", "ContractedUnitPrice", "PricingCategory",
	"ProviderName", "PublisherName", "ServiceProviderName", "HostProviderName", "InvoiceIssuerName",
	"RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "SkuId", "SkuMeter", "Tags",
	"x_CostsReported", "x_EstimatedCost", "x_EstimateCurrency", "x_BillableMetricId", "x_BillableMetricName", "x_ProductFamilyName",
	"x_ZoneId", "x_ZoneName", "x_Records",
}

// serviceCategories are FOCUS's ServiceCategory of each product family
// (FOCUS's closed list of values); a family not listed is "Other".
var serviceCategories = map[string]string{
	"Workers": "Compute", "Workers KV": "Databases", "D1": "Databases", "R2": "Storage", "CDN": "Networking", "Argo": "Networking",
	"Load Balancing": "Networking", "Spectrum": "Networking", "Application Security": "Security", "Zero Trust": "Security",
	"Stream": "Media", "Images": "Media", "Pages": "Web",
}

// ServiceCategory is FOCUS's category of a product family.
func ServiceCategory(family string) string { return cmp.Or(serviceCategories[family], "Other") }

// FOCUSOrg is what a FOCUS row says of the organization its usage was
// fetched under: its name, and its chain of organizations from the root
// (the Tags column's hierarchy).
type FOCUSOrg struct {
	Name      string
	Hierarchy []string
}

// WriteFOCUS calls write with the header and then a row per stored fine
// sum of orgs in [from, to]. Cost columns hold the cost Cloudflare
// reported, or 0 where it reported none (FOCUS allows no empty cost;
// x_CostsReported says which); an estimate from rates goes in
// x_EstimatedCost. Nothing is held beyond one row.
func WriteFOCUS(ctx context.Context, st Store, orgs map[string]FOCUSOrg, from, to time.Time, rates *RateCard, write func([]string) error) error {
	if err := write(FOCUSColumns); err != nil {
		return err
	}
	ids := make([]string, 0, len(orgs))
	for id := range orgs {
		ids = append(ids, id)
	}
	return st.Totals(ctx, ids, from, to, true, func(org string, s *Sum) error {
		return write(focusRow(org, orgs[org], s, rates))
	})
}

func focusRow(org string, o FOCUSOrg, s *Sum, rates *RateCard) []string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	period := time.Date(s.Day.Year(), s.Day.Month(), 1, 0, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	var cost [4]string
	for i := range cost {
		cost[i] = num(s.Cost[i]) // 0 where not reported
	}
	class, desc := "", cmp.Or(s.MetricName, s.Metric)
	if s.Correction {
		class, desc = "Correction", "Correction: "+desc
	}
	estimate, estCur := "", ""
	if p, cur, ok := rates.Price(s.Metric, s.Day); ok {
		estimate, estCur = num(s.Qty*p), cur
	}
	currency := cmp.Or(s.Currency, estCur, "USD") // FOCUS needs one; the costs are 0 then (x_CostsReported)
	resType := ""
	if s.Zone != "" {
		resType = "Zone"
	}
	tags, _ := json.Marshal(map[string]string{"orgboard.organization": org, "orgboard.hierarchy": strings.Join(o.Hierarchy, " / ")})
	row := []string{
		cost[1], cost[0], cost[2], cost[3], currency,
		org, o.Name, "Organization", s.Account, s.AccountName, "Account",
		ts(period), ts(period.AddDate(0, 1, 0)), ts(s.Day), ts(s.Day.AddDate(0, 0, 1)),
		"Usage", class, desc, "Usage-Based",
		s.Family, ServiceCategory(s.Family), "",
		num(s.Qty), s.Unit, "", "", "", "", "",
		"Cloudflare", "Cloudflare", "Cloudflare", "Cloudflare", "Cloudflare, Inc.",
		s.Region, s.RegionName, s.Zone, s.ZoneName, resType, s.Metric, s.MetricName, string(tags),
		strconv.FormatBool(s.Costs != 0), estimate, estCur, s.Metric, s.MetricName, s.Family,
		s.Zone, s.ZoneName, strconv.FormatInt(s.Records, 10),
	}
	return row
}
