// usage_decode.go reads one FOCUS usage record without reflection.

package api

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// A FOCUS record is a flat JSON object of strings, numbers and nulls, and a
// month of the whole tree is millions of them. recordReader reads one from
// a jsontext decoder without reflection, accepting both key spellings
// (PascalCase on the wire, snake_case in the Python SDK); a repeated key's
// last value wins. Strings are interned and times parsed once per text:
// records repeat the same few of both.
type recordReader struct {
	name   []byte // the key being read
	buf    []byte // scratch for values
	names  map[string]string
	times  map[string]time.Time
	floats *[16]float64 // block the optional numbers of records point into
	nf     int
}

// maxInterned bounds the intern tables; past it they start again.
const maxInterned = 1 << 16

// UnmarshalJSON accepts the PascalCase wire keys and the snake_case ones.
func (r *UsageRecord) UnmarshalJSON(b []byte) error {
	d := jsontext.NewDecoder(bytes.NewReader(b), decodeOptions...)
	*r = UsageRecord{}
	var rr recordReader
	if err := rr.record(d, r); err != nil {
		return err
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return fmt.Errorf("usage record: text after the record: %w", errShape)
	}
	return nil
}

// record reads one record object.
func (rr *recordReader) record(d *jsontext.Decoder, r *UsageRecord) error {
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("usage record: %w", errShape)
	}
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil {
			return err
		}
		rr.name = unquote(rr.name[:0], name)
		v, err := d.ReadValue()
		if err != nil {
			return err
		}
		if err := rr.field(r, rr.name, v); err != nil {
			return fmt.Errorf("usage record field %s: %w", rr.name, err)
		}
	}
	_, err = d.ReadToken()
	return err
}

// field stores one value; the string switch covers both spellings.
func (rr *recordReader) field(r *UsageRecord, key []byte, v jsontext.Value) error {
	switch string(key) { // compared without a copy
	case "BillingAccountId", "billing_account_id":
		return rr.str(&r.BillingAccountID, v)
	case "BillingAccountName", "billing_account_name":
		return rr.str(&r.BillingAccountName, v)
	case "ChargeCategory", "charge_category":
		return rr.str(&r.ChargeCategory, v)
	case "ChargeDescription", "charge_description":
		return rr.str(&r.ChargeDescription, v)
	case "ChargeFrequency", "charge_frequency":
		return rr.str(&r.ChargeFrequency, v)
	case "ChargePeriodStart", "charge_period_start":
		return rr.time(&r.ChargePeriodStart, v)
	case "ChargePeriodEnd", "charge_period_end":
		return rr.time(&r.ChargePeriodEnd, v)
	case "ConsumedQuantity", "consumed_quantity":
		var f *float64
		err := rr.num(&f, v)
		r.ConsumedQuantity = 0
		if f != nil {
			r.ConsumedQuantity = *f
		}
		return err
	case "ConsumedUnit", "consumed_unit":
		return rr.str(&r.ConsumedUnit, v)
	case "HostProviderName", "host_provider_name":
		return rr.str(&r.HostProviderName, v)
	case "InvoiceIssuerName", "invoice_issuer_name":
		return rr.str(&r.InvoiceIssuerName, v)
	case "ServiceProviderName", "service_provider_name":
		return rr.str(&r.ServiceProviderName, v)
	case "x_BillableMetricName", "x_billable_metric_name":
		return rr.str(&r.BillableMetricName, v)
	case "BilledCost", "billed_cost":
		return rr.num(&r.BilledCost, v)
	case "ContractedCost", "contracted_cost":
		return rr.num(&r.ContractedCost, v)
	case "EffectiveCost", "effective_cost":
		return rr.num(&r.EffectiveCost, v)
	case "ListCost", "list_cost":
		return rr.num(&r.ListCost, v)
	case "ContractedUnitPrice", "contracted_unit_price":
		return rr.num(&r.ContractedUnitPrice, v)
	case "ListUnitPrice", "list_unit_price":
		return rr.num(&r.ListUnitPrice, v)
	case "PricingQuantity", "pricing_quantity":
		return rr.num(&r.PricingQuantity, v)
	case "BillingCurrency", "billing_currency":
		return rr.str(&r.BillingCurrency, v)
	case "BillingPeriodStart", "billing_period_start":
		return rr.timePtr(&r.BillingPeriodStart, v)
	case "BillingPeriodEnd", "billing_period_end":
		return rr.timePtr(&r.BillingPeriodEnd, v)
	case "ChargeClass", "charge_class":
		return rr.str(&r.ChargeClass, v)
	case "PricingUnit", "pricing_unit":
		return rr.str(&r.PricingUnit, v)
	case "RegionId", "region_id":
		return rr.str(&r.RegionID, v)
	case "RegionName", "region_name":
		return rr.str(&r.RegionName, v)
	case "SubAccountId", "sub_account_id":
		return rr.str(&r.SubAccountID, v)
	case "SubAccountName", "sub_account_name":
		return rr.str(&r.SubAccountName, v)
	case "x_BillableMetricId", "x_billable_metric_id":
		return rr.str(&r.BillableMetricID, v)
	case "x_ProductFamilyName", "x_product_family_name":
		return rr.str(&r.ProductFamilyName, v)
	case "x_ZoneId", "x_zone_id":
		return rr.str(&r.ZoneID, v)
	case "x_ZoneName", "x_zone_name":
		return rr.str(&r.ZoneName, v)
	}
	return nil // a field of FOCUS this console does not read
}

// str reads a string (interned); null is the empty string.
func (rr *recordReader) str(dst *string, v jsontext.Value) error {
	switch v.Kind() {
	case 'n':
		*dst = ""
		return nil
	case '"':
	default:
		return errShape
	}
	rr.buf = unquote(rr.buf[:0], v)
	if s, ok := rr.names[string(rr.buf)]; ok {
		*dst = s
		return nil
	}
	s := string(rr.buf)
	if rr.names == nil || len(rr.names) > maxInterned {
		rr.names = make(map[string]string, 256)
	}
	rr.names[s] = s
	*dst = s
	return nil
}

// num reads a number, or a string holding one; null is none.
func (rr *recordReader) num(dst **float64, v jsontext.Value) error {
	switch v.Kind() {
	case 'n':
		*dst = nil
		return nil
	case '0', '"':
	default:
		return errShape
	}
	f, err := number(rr.buf[:0], v)
	if err != nil {
		*dst = nil
		return err
	}
	if rr.floats == nil || rr.nf == len(rr.floats) {
		rr.floats, rr.nf = new([16]float64), 0
	}
	rr.floats[rr.nf] = f
	*dst = &rr.floats[rr.nf]
	rr.nf++
	return nil
}

// time reads an RFC 3339 time (as time.Time's UnmarshalText does); null is
// the zero time.
func (rr *recordReader) time(dst *time.Time, v jsontext.Value) error {
	switch v.Kind() {
	case 'n':
		*dst = time.Time{}
		return nil
	case '"':
	default:
		return errShape
	}
	rr.buf = unquote(rr.buf[:0], v)
	if t, ok := rr.times[string(rr.buf)]; ok {
		*dst = t
		return nil
	}
	var t time.Time
	if err := t.UnmarshalText(rr.buf); err != nil {
		return err
	}
	if rr.times == nil || len(rr.times) > maxInterned {
		rr.times = make(map[string]time.Time, 64)
	}
	rr.times[string(rr.buf)] = t
	*dst = t
	return nil
}

func (rr *recordReader) timePtr(dst **time.Time, v jsontext.Value) error {
	if v.Kind() == 'n' {
		*dst = nil
		return nil
	}
	var t time.Time
	if err := rr.time(&t, v); err != nil {
		return err
	}
	*dst = &t
	return nil
}
