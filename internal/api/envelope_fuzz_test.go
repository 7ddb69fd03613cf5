package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

// FuzzEnvelope: any body either decodes to a successful envelope or gives
// an *Error with a reason, never a panic; and the streaming usage decoder
// agrees with encoding/json on every body both can read.
func FuzzEnvelope(f *testing.F) {
	f.Add(200, []byte(`{"success":true,"errors":[],"messages":[],"result":{"id":"x"}}`))
	f.Add(200, []byte(`{"success":false,"errors":[{"code":1000,"message":"bad"}],"result":null}`))
	f.Add(403, []byte(`{"success":false,"errors":[{"message":"no code"}]}`))
	f.Add(502, []byte(`<html><body>Bad gateway</body></html>`))
	f.Add(200, []byte(`{"success":true,"result":[{"BillingAccountId":"a","ConsumedQuantity":1.5e3,"EffectiveCost":2,"ChargePeriodStart":"2026-11-01T00:00:00Z"}]}`))
	f.Add(200, []byte(`{"result":[{"billing_account_id":"a","consumed_quantity":-0.5,"x_product_family_name":"R2"}],"success":true}`))
	f.Add(200, []byte(`{"success":true,"result":[{"BillingAccountName":"caf\u00e9 \"q\"","ChargeClass":"Correction"}]`))
	f.Add(200, []byte(``))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200
		}
		h := http.Header{"Content-Type": {"application/json"}}
		e := &Error{Method: "GET", Path: "/x", StatusCode: status}
		env, err := decodeEnvelope(e, h, body)
		if err == nil {
			if env == nil || env.Success == nil || !*env.Success || status >= 400 {
				t.Fatalf("accepted a failure: status %d, %s", status, body)
			}
		} else {
			var ae *Error
			if !errors.As(err, &ae) || (ae.Reason == "" && len(ae.Errors) == 0 && ae.StatusCode < 400) {
				t.Fatalf("error without a reason: %v", err)
			}
		}
		// the streaming decoder against encoding/json, where the latter reads the body
		var want struct {
			Success bool          `json:"success"`
			Result  []UsageRecord `json:"result"`
		}
		if status != 200 || json.Unmarshal(body, &want) != nil || !want.Success || !snakeFree(body) {
			e2 := &Error{}
			_ = streamUsage(bytes.NewReader(body), e2, func(UsageRecord) bool { return true }) // must not panic
			return
		}
		n := 0
		if err := streamUsage(bytes.NewReader(body), &Error{}, func(UsageRecord) bool { n++; return true }); err != nil {
			t.Fatalf("encoding/json reads %d records, the stream fails: %v\n%s", len(want.Result), err, body)
		}
		if n != len(want.Result) {
			t.Fatalf("stream decoded %d records, encoding/json %d", n, len(want.Result))
		}
	})
}

// snakeFree: encoding/json knows only the PascalCase keys (and matches
// them case-insensitively), so bodies with lower-case keys are compared
// only for not panicking.
func snakeFree(body []byte) bool { return !bytes.Contains(body, []byte("_")) }
