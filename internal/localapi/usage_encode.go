// usage_encode.go writes a usage record as encoding/json would, faster.

package localapi

import (
	"strconv"
	"time"
	"unicode/utf8"

	"orgboard/internal/api"
)

// appendRecord writes a usage record as the wire's JSON object, with the
// same keys and omissions as api.UsageRecord's struct tags: a month of a
// large tree is millions of records, and encoding/json's reflection was
// most of the local API's time serving them (TestAppendRecordMatchesJSON
// holds the two to the same output once decoded).
func appendRecord(b []byte, r *api.UsageRecord) []byte {
	b = append(b, '{')
	b = str(b, "BillingAccountId", r.BillingAccountID, false)
	b = str(b, "BillingAccountName", r.BillingAccountName, true)
	b = str(b, "ChargeCategory", r.ChargeCategory, true)
	b = str(b, "ChargeDescription", r.ChargeDescription, true)
	b = str(b, "ChargeFrequency", r.ChargeFrequency, true)
	b = tm(b, "ChargePeriodStart", r.ChargePeriodStart)
	b = tm(b, "ChargePeriodEnd", r.ChargePeriodEnd)
	b = num(b, "ConsumedQuantity", r.ConsumedQuantity)
	b = str(b, "ConsumedUnit", r.ConsumedUnit, true)
	b = str(b, "HostProviderName", r.HostProviderName, true)
	b = str(b, "InvoiceIssuerName", r.InvoiceIssuerName, true)
	b = str(b, "ServiceProviderName", r.ServiceProviderName, true)
	b = str(b, "x_BillableMetricName", r.BillableMetricName, true)
	for _, f := range []struct {
		k string
		v *float64
	}{{"BilledCost", r.BilledCost}, {"ContractedCost", r.ContractedCost}, {"EffectiveCost", r.EffectiveCost}, {"ListCost", r.ListCost},
		{"ContractedUnitPrice", r.ContractedUnitPrice}, {"ListUnitPrice", r.ListUnitPrice}, {"PricingQuantity", r.PricingQuantity}} {
		if f.v != nil {
			b = num(b, f.k, *f.v)
		}
	}
	b = opt(b, "BillingCurrency", r.BillingCurrency)
	if r.BillingPeriodStart != nil {
		b = tm(b, "BillingPeriodStart", *r.BillingPeriodStart)
	}
	if r.BillingPeriodEnd != nil {
		b = tm(b, "BillingPeriodEnd", *r.BillingPeriodEnd)
	}
	for _, f := range [][2]string{{"ChargeClass", r.ChargeClass}, {"PricingUnit", r.PricingUnit}, {"RegionId", r.RegionID}, {"RegionName", r.RegionName},
		{"SubAccountId", r.SubAccountID}, {"SubAccountName", r.SubAccountName}, {"x_BillableMetricId", r.BillableMetricID},
		{"x_ProductFamilyName", r.ProductFamilyName}, {"x_ZoneId", r.ZoneID}, {"x_ZoneName", r.ZoneName}} {
		b = opt(b, f[0], f[1])
	}
	return append(b, '}')
}

func key(b []byte, k string, comma bool) []byte {
	if comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func str(b []byte, k, v string, comma bool) []byte { return quote(key(b, k, comma), v) }

func opt(b []byte, k, v string) []byte {
	if v == "" {
		return b
	}
	return str(b, k, v, true)
}

func num(b []byte, k string, v float64) []byte {
	return strconv.AppendFloat(key(b, k, true), v, 'g', -1, 64)
}

func tm(b []byte, k string, t time.Time) []byte {
	b = append(key(b, k, true), '"')
	return append(t.AppendFormat(b, time.RFC3339Nano), '"')
}

// quote writes s as a JSON string (escaping what JSON and HTML need, as
// encoding/json does; invalid UTF-8 becomes U+FFFD).
func quote(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
