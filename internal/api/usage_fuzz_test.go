package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// refUsage reads a usage response with encoding/json alone, as the
// reference the streaming decoder is held to: json.Valid first; the
// envelope's members in order, matched whatever their case (as a struct's
// fields are), a repeated one's last value winning; each record's members
// through the struct tags of UsageRecord and their snake_case spelling.
// One rule is the stream's own: a second result is refused, since the
// records of the first have been handed on already.
func refUsage(body []byte) ([]UsageRecord, error) {
	if !json.Valid(body) {
		return nil, errors.New("not JSON")
	}
	members, err := refMembers(body)
	if err != nil {
		return nil, err
	}
	var out []UsageRecord
	success, results := false, 0
	for _, m := range members {
		switch {
		case strings.EqualFold(m.name, "success"):
			var b *bool
			if err := json.Unmarshal(m.value, &b); err != nil {
				return nil, err
			}
			if b != nil {
				success = *b
			}
		case strings.EqualFold(m.name, "errors"):
			var items []ResponseInfo
			if err := json.Unmarshal(m.value, &items); err != nil {
				return nil, err
			}
		case strings.EqualFold(m.name, "result"):
			if results++; results > 1 {
				return nil, errors.New("two results")
			}
			var recs []json.RawMessage
			if err := json.Unmarshal(m.value, &recs); err != nil {
				return nil, err
			}
			for _, raw := range recs {
				r, err := refRecord(raw)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
		}
	}
	if !success {
		return nil, errors.New("not a success")
	}
	return out, nil
}

type member struct {
	name  string
	value json.RawMessage
}

// refMembers lists an object's members in order, with encoding/json's tokenizer.
func refMembers(obj []byte) ([]member, error) {
	d := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var out []member
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{tok.(string), v})
	}
	return out, nil
}

// recordFields maps both spellings of every key to UsageRecord's field.
var recordFields = func() map[string]int {
	m := map[string]int{}
	rt := reflect.TypeFor[UsageRecord]()
	for i := range rt.NumField() {
		tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		m[tag] = i
		var b strings.Builder
		for j, r := range tag {
			if unicode.IsUpper(r) && j > 0 && tag[j-1] != '_' {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		}
		m[b.String()] = i
	}
	return m
}()

func refRecord(raw []byte) (UsageRecord, error) {
	var r UsageRecord
	members, err := refMembers(raw)
	if err != nil {
		return r, err
	}
	rv := reflect.ValueOf(&r).Elem()
	for _, m := range members {
		i, ok := recordFields[m.name]
		if !ok {
			continue
		}
		f := rv.Field(i)
		null := string(m.value) == "null"
		var s string
		isString := json.Unmarshal(m.value, &s) == nil
		switch f.Interface().(type) {
		case string:
			if !null && !isString {
				return r, errors.New("not a string")
			}
			f.SetString(s)
		case float64, *float64:
			var v *float64
			if !null {
				text := string(m.value)
				if isString {
					text = s
				} else if m.value[0] != '-' && (m.value[0] < '0' || m.value[0] > '9') {
					return r, errors.New("not a number")
				}
				x, err := strconv.ParseFloat(text, 64)
				if err != nil {
					return r, err
				}
				v = &x
			}
			if f.Kind() == reflect.Pointer {
				f.Set(reflect.ValueOf(v))
			} else if v != nil {
				f.SetFloat(*v)
			} else {
				f.SetFloat(0)
			}
		case time.Time, *time.Time:
			var t *time.Time
			if !null {
				if !isString {
					return r, errors.New("not a time")
				}
				t = new(time.Time)
				if err := t.UnmarshalText([]byte(s)); err != nil {
					return r, err
				}
			}
			if f.Kind() == reflect.Pointer {
				f.Set(reflect.ValueOf(t))
			} else if t != nil {
				f.Set(reflect.ValueOf(*t))
			} else {
				f.Set(reflect.ValueOf(time.Time{}))
			}
		}
	}
	return r, nil
}

// FuzzUsageStream: on every body, valid or not, the streaming decoder and
// encoding/json agree: both refuse it, or both read the same records.
func FuzzUsageStream(f *testing.F) {
	f.Add([]byte(`{"success":true,"result":[{"BillingAccountId":"a","ConsumedQuantity":1.5e3,"EffectiveCost":2,"ChargePeriodStart":"2026-11-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"result":[{"billing_account_id":"a","consumed_quantity":-0.5,"x_product_family_name":"R2","ListCost":"2.25"}],"Success":true}`))
	f.Add([]byte(`{"success":true,"result":[{"BillingAccountName":"caf\u00e9 \"q\" \ud83d\ude00","ChargeClass":"Correction","x":{"y":[1,2]}}],"result_info":{}}`))
	f.Add([]byte("{\"success\":true,\n \"result\" : [ {\"RegionId\" : null, \"BillingPeriodEnd\":\"2026-11-30T00:00:00+01:00\"} ] }"))
	f.Add([]byte(`{"success":true,"result":[{"ConsumedQuantity":+1}]}`))
	f.Add([]byte(`{"success":true,"result":[],"result":[]}`))
	f.Add([]byte("{\"success\":true,\"result\":[{\"ZoneName\":\"\xff\"}]}"))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []UsageRecord
		gerr := streamUsage(bytes.NewReader(body), &Error{}, func(r UsageRecord) bool { got = append(got, r); return true })
		want, werr := refUsage(body)
		if (gerr != nil) != (werr != nil) {
			t.Fatalf("the stream says %v, encoding/json %v\n%q", gerr, werr, body)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("the stream read\n %+v\nencoding/json\n %+v\n%q", got, want, body)
		}
	})
}
