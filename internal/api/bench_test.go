package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
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

// auditBody is a page of n entries as the local API writes them.
func auditBody(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"success":true,"errors":[],"messages":[],"result":[`)
	t := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		e := AuditEntry{ID: "0123456789abcdef0123456789abcd" + strconv.Itoa(i%100),
			Action:       AuditAction{Description: "Update DNS record", Result: "success", Time: t.Add(-time.Duration(i) * time.Second), Type: "update"},
			Actor:        AuditActor{ID: "u1", Context: "api_token", Email: "alice@example.com", IPAddress: "198.51.100.7", TokenID: "t1", TokenName: "ci deploy", Type: "user"},
			Organization: OrganizationRef{ID: "0123456789abcdef0123456789abcdef"},
			Raw:          AuditRaw{CFRayID: "8d2f0e1a2b3c4d5e-SJC", Method: "PATCH", StatusCode: 200, URI: "/client/v4/zones/z/dns_records/d", UserAgent: "terraform/1.9"},
			Resource: AuditResource{ID: "d" + strconv.Itoa(i), Product: "dns", Type: "dns_record", Scope: json.RawMessage(`{"id":"z","type":"zone"}`),
				Request:  json.RawMessage(`{"content":"192.0.2.1","name":"www.example.com","proxied":true,"ttl":300,"type":"A"}`),
				Response: json.RawMessage(`{"id":"d","content":"192.0.2.1","name":"www.example.com","proxied":true,"ttl":300,"type":"A","modified_on":"2026-11-20T10:00:00Z"}`)}}
		b, _ := json.Marshal(e)
		buf.Write(b)
	}
	buf.WriteString(`],"result_info":{"cursors":{"after":"c2"}}}`)
	return buf.Bytes()
}

// BenchmarkAuditPageDecode measures reading one page of 1,000 entries,
// each keeping its own JSON.
func BenchmarkAuditPageDecode(b *testing.B) {
	body := auditBody(1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if page, err := parseAuditPage(body); err != nil || len(page.Entries) != 1000 {
			b.Fatal("not parsed")
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "entries/s")
}
