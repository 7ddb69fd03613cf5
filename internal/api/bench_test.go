package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func usageBody(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"success":true,"errors":[],"messages":[],"result":[`)
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	cost := 12.34
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		end := day.AddDate(0, 1, 0)
		r := UsageRecord{BillingAccountID: "0123456789abcdef0123456789abcdef", BillingAccountName: "payments-prod", ChargeCategory: "Usage",
			ChargeDescription: "Workers Standard Requests for payments-prod", ChargeFrequency: "Usage-Based", ChargePeriodStart: day,
			ChargePeriodEnd: day.AddDate(0, 0, 1), ConsumedQuantity: 5123456.789, ConsumedUnit: "Requests", HostProviderName: "Cloudflare",
			InvoiceIssuerName: "Cloudflare, Inc.", ServiceProviderName: "Cloudflare", BillableMetricName: "Workers Standard Requests",
			BilledCost: &cost, ContractedCost: &cost, EffectiveCost: &cost, ListCost: &cost, ContractedUnitPrice: &cost, ListUnitPrice: &cost,
			PricingQuantity: &cost, BillingCurrency: "USD", BillingPeriodStart: &day, BillingPeriodEnd: &end, PricingUnit: "Million Requests",
			SubAccountID: "sub-01234567", SubAccountName: "Enterprise Agreement", BillableMetricID: "workers_standard_requests", ProductFamilyName: "Workers"}
		b, _ := json.Marshal(r)
		buf.Write(b)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

// BenchmarkUsageDecode measures the streaming decoder: records/s and bytes
// allocated per record.
func BenchmarkUsageDecode(b *testing.B) {
	const n = 10000
	body := usageBody(n)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		count := 0
		e := &Error{}
		err := streamUsage(bytes.NewReader(body), e, func(r UsageRecord) bool { count++; return true })
		if err != nil || count != n {
			b.Fatalf("%d records, %v", count, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	_ = http.StatusOK
}
