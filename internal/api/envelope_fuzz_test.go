package api

import (
	"errors"
	"net/http"
	"testing"
)

// FuzzEnvelope: any body either decodes to a successful envelope or gives
// an *Error with a reason, never a panic (FuzzUsageStream and FuzzAuditPage
// hold the large responses' decoders to encoding/json).
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
	})
}
