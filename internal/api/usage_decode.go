package api

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// A FOCUS record is a flat JSON object of strings, numbers and nulls, and a
// month of the whole tree is millions of them: this parser reads one without
// reflection, accepting both key spellings. Nested values are skipped. Audit
// pages use the same parser (audit_decode.go).

// jsonParser reads JSON from b at i, without reflection.
type jsonParser struct {
	b      []byte
	i      int
	buf    []byte               // scratch for unescaping strings
	names  map[string]string    // interned strings: records repeat the same few values
	times  map[string]time.Time // parsed times by their text
	floats *[16]float64         // block the optional numbers of records point into
	nf     int
}

// maxInterned bounds the intern tables; past it they start again.
const maxInterned = 1 << 16

var errUsageSyntax = errors.New("usage record: invalid JSON")

// UnmarshalJSON accepts the PascalCase wire keys and the snake_case ones.
func (r *UsageRecord) UnmarshalJSON(b []byte) error {
	p := jsonParser{b: b}
	*r = UsageRecord{}
	if err := p.record(r); err != nil {
		return err
	}
	p.ws()
	if p.i != len(p.b) {
		return errUsageSyntax
	}
	return nil
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) expect(c byte) error {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != c {
		return fmt.Errorf("usage record: want %q at offset %d: %w", c, p.i, errUsageSyntax)
	}
	p.i++
	return nil
}

func (p *jsonParser) record(r *UsageRecord) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		key, err := p.str()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		if err := p.field(r, key); err != nil {
			return fmt.Errorf("usage record field %s: %w", key, err)
		}
		p.ws()
		if p.i >= len(p.b) {
			return errUsageSyntax
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return errUsageSyntax
		}
	}
}

// field stores one value; the string switch covers both spellings.
func (p *jsonParser) field(r *UsageRecord, key string) error {
	switch key {
	case "BillingAccountId", "billing_account_id":
		return p.strInto(&r.BillingAccountID)
	case "BillingAccountName", "billing_account_name":
		return p.strInto(&r.BillingAccountName)
	case "ChargeCategory", "charge_category":
		return p.strInto(&r.ChargeCategory)
	case "ChargeDescription", "charge_description":
		return p.strInto(&r.ChargeDescription)
	case "ChargeFrequency", "charge_frequency":
		return p.strInto(&r.ChargeFrequency)
	case "ChargePeriodStart", "charge_period_start":
		return p.timeInto(&r.ChargePeriodStart)
	case "ChargePeriodEnd", "charge_period_end":
		return p.timeInto(&r.ChargePeriodEnd)
	case "ConsumedQuantity", "consumed_quantity":
		v, _, err := p.num()
		r.ConsumedQuantity = v
		return err
	case "ConsumedUnit", "consumed_unit":
		return p.strInto(&r.ConsumedUnit)
	case "HostProviderName", "host_provider_name":
		return p.strInto(&r.HostProviderName)
	case "InvoiceIssuerName", "invoice_issuer_name":
		return p.strInto(&r.InvoiceIssuerName)
	case "ServiceProviderName", "service_provider_name":
		return p.strInto(&r.ServiceProviderName)
	case "x_BillableMetricName", "x_billable_metric_name":
		return p.strInto(&r.BillableMetricName)
	case "BilledCost", "billed_cost":
		return p.numInto(&r.BilledCost)
	case "ContractedCost", "contracted_cost":
		return p.numInto(&r.ContractedCost)
	case "EffectiveCost", "effective_cost":
		return p.numInto(&r.EffectiveCost)
	case "ListCost", "list_cost":
		return p.numInto(&r.ListCost)
	case "ContractedUnitPrice", "contracted_unit_price":
		return p.numInto(&r.ContractedUnitPrice)
	case "ListUnitPrice", "list_unit_price":
		return p.numInto(&r.ListUnitPrice)
	case "PricingQuantity", "pricing_quantity":
		return p.numInto(&r.PricingQuantity)
	case "BillingCurrency", "billing_currency":
		return p.strInto(&r.BillingCurrency)
	case "BillingPeriodStart", "billing_period_start":
		return p.timePtrInto(&r.BillingPeriodStart)
	case "BillingPeriodEnd", "billing_period_end":
		return p.timePtrInto(&r.BillingPeriodEnd)
	case "ChargeClass", "charge_class":
		return p.strInto(&r.ChargeClass)
	case "PricingUnit", "pricing_unit":
		return p.strInto(&r.PricingUnit)
	case "RegionId", "region_id":
		return p.strInto(&r.RegionID)
	case "RegionName", "region_name":
		return p.strInto(&r.RegionName)
	case "SubAccountId", "sub_account_id":
		return p.strInto(&r.SubAccountID)
	case "SubAccountName", "sub_account_name":
		return p.strInto(&r.SubAccountName)
	case "x_BillableMetricId", "x_billable_metric_id":
		return p.strInto(&r.BillableMetricID)
	case "x_ProductFamilyName", "x_product_family_name":
		return p.strInto(&r.ProductFamilyName)
	case "x_ZoneId", "x_zone_id":
		return p.strInto(&r.ZoneID)
	case "x_ZoneName", "x_zone_name":
		return p.strInto(&r.ZoneName)
	}
	return p.skip(0)
}

func (p *jsonParser) null() bool {
	p.ws()
	if len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "null" {
		p.i += 4
		return true
	}
	return false
}

func (p *jsonParser) strInto(dst *string) error {
	if p.null() {
		return nil
	}
	s, err := p.str()
	*dst = s
	return err
}

func (p *jsonParser) numInto(dst **float64) error {
	v, ok, err := p.num()
	if !ok || err != nil {
		*dst = nil
		return err
	}
	if p.floats == nil || p.nf == len(p.floats) {
		p.floats, p.nf = new([16]float64), 0
	}
	p.floats[p.nf] = v
	*dst = &p.floats[p.nf]
	p.nf++
	return nil
}

func (p *jsonParser) timeInto(dst *time.Time) error {
	if p.null() {
		return nil
	}
	raw, err := p.rawStr()
	if err != nil {
		return err
	}
	if t, ok := p.times[string(raw)]; ok {
		*dst = t
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, string(raw))
	if err != nil {
		return err
	}
	if p.times == nil || len(p.times) > maxInterned {
		p.times = make(map[string]time.Time, 64)
	}
	p.times[string(raw)] = t
	*dst = t
	return nil
}

func (p *jsonParser) timePtrInto(dst **time.Time) error {
	if p.null() {
		return nil
	}
	var t time.Time
	if err := p.timeInto(&t); err != nil {
		return err
	}
	*dst = &t
	return nil
}

// num reads a number (or a numeric string); ok is false for null.
func (p *jsonParser) num() (v float64, ok bool, err error) {
	if p.null() {
		return 0, false, nil
	}
	if p.i < len(p.b) && p.b[p.i] == '"' {
		s, err := p.rawStr()
		if err != nil {
			return 0, false, err
		}
		v, err := strconv.ParseFloat(string(s), 64)
		return v, err == nil, err
	}
	start := p.i
	for p.i < len(p.b) && (p.b[p.i] >= '0' && p.b[p.i] <= '9' || p.b[p.i] == '-' || p.b[p.i] == '+' || p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
	}
	v, err = strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil {
		return 0, false, errUsageSyntax
	}
	return v, true, nil
}

// str reads a JSON string, interned.
func (p *jsonParser) str() (string, error) {
	raw, err := p.rawStr()
	if err != nil {
		return "", err
	}
	if s, ok := p.names[string(raw)]; ok {
		return s, nil
	}
	s := string(raw)
	if p.names == nil || len(p.names) > maxInterned {
		p.names = make(map[string]string, 256)
	}
	p.names[s] = s
	return s, nil
}

// rawStr reads a JSON string's content, unescaped; valid until the next call.
func (p *jsonParser) rawStr() ([]byte, error) {
	if err := p.expect('"'); err != nil {
		return nil, err
	}
	start := p.i
	end := bytes.IndexByte(p.b[start:], '"')
	if end < 0 {
		return nil, errUsageSyntax
	}
	seg := p.b[start : start+end]
	if bytes.IndexByte(seg, '\\') >= 0 {
		return p.strEscaped(start)
	}
	p.i = start + end + 1
	return seg, nil
}

func (p *jsonParser) strEscaped(start int) ([]byte, error) {
	p.buf = append(p.buf[:0], p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.buf, nil
		case c < 0x20:
			return nil, errUsageSyntax
		case c != '\\':
			p.buf = append(p.buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return nil, errUsageSyntax
		}
		esc := p.b[p.i+1]
		p.i += 2
		switch esc {
		case '"', '\\', '/':
			p.buf = append(p.buf, esc)
		case 'b':
			p.buf = append(p.buf, '\b')
		case 'f':
			p.buf = append(p.buf, '\f')
		case 'n':
			p.buf = append(p.buf, '\n')
		case 'r':
			p.buf = append(p.buf, '\r')
		case 't':
			p.buf = append(p.buf, '\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(r) {
				r = p.lowSurrogate(r)
			}
			p.buf = utf8.AppendRune(p.buf, r)
		default:
			return nil, errUsageSyntax
		}
	}
	return nil, errUsageSyntax
}

// lowSurrogate completes a UTF-16 pair with the escape that follows, as
// encoding/json does: an unpaired half is U+FFFD and the next escape stays.
func (p *jsonParser) lowSurrogate(hi rune) rune {
	if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
		save := p.i
		p.i += 2
		if lo, err := p.hex4(); err == nil {
			if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
				return r
			}
		}
		p.i = save
	}
	return utf8.RuneError
}

func (p *jsonParser) hex4() (rune, error) {
	if p.i+4 > len(p.b) {
		return 0, errUsageSyntax
	}
	v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, errUsageSyntax
	}
	p.i += 4
	return rune(v), nil
}

// skip passes over any value, nested ones included.
func (p *jsonParser) skip(depth int) error {
	if depth > 64 {
		return errUsageSyntax
	}
	p.ws()
	if p.i >= len(p.b) {
		return errUsageSyntax
	}
	switch c := p.b[p.i]; {
	case c == '"':
		_, err := p.rawStr()
		return err
	case c == '{' || c == '[':
		return p.skipContainer(depth, c)
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(p.b)-p.i >= len(lit) && string(p.b[p.i:p.i+len(lit)]) == lit {
				p.i += len(lit)
				return nil
			}
		}
		return errUsageSyntax
	default:
		return p.number()
	}
}

// number passes over a number as JSON writes it: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
func (p *jsonParser) number() error {
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	first := p.i
	if n := digits(); n == 0 || n > 1 && p.b[first] == '0' {
		return errUsageSyntax
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return errUsageSyntax
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return errUsageSyntax
		}
	}
	return nil
}

func (p *jsonParser) skipContainer(depth int, open byte) error {
	p.i++
	closeC := byte('}')
	if open == '[' {
		closeC = ']'
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == closeC {
		p.i++
		return nil
	}
	for {
		if open == '{' {
			if _, err := p.rawStr(); err != nil {
				return err
			}
			if err := p.expect(':'); err != nil {
				return err
			}
		}
		if err := p.skip(depth + 1); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) {
			return errUsageSyntax
		}
		if p.b[p.i] == closeC {
			p.i++
			return nil
		}
		if p.b[p.i] != ',' {
			return errUsageSyntax
		}
		p.i++
	}
}
