package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestUsageParserEdgeCases(t *testing.T) {
	in := `{"BillingAccountId":"a\"1\\\u00e9\ud83d\ude00","ConsumedQuantity":-1.5e3,"EffectiveCost":null,"ListCost":"2.25",
		"x_Unknown":{"nested":[1,{"x":[true,false,null]}],"s":"}]"},"ChargePeriodStart":"2026-03-29T00:00:00+01:00","x_ZoneName":null,
		"BillingPeriodStart":"2026-03-01T00:00:00Z", "charge_class" : "Correction" }`
	var r UsageRecord
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	if r.BillingAccountID != "a\"1\\é😀" || r.ConsumedQuantity != -1500 || r.EffectiveCost != nil || r.ListCost == nil || *r.ListCost != 2.25 ||
		!r.ChargePeriodStart.Equal(time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)) || r.ZoneName != "" || r.ChargeClass != "Correction" ||
		r.BillingPeriodStart == nil || r.BillingPeriodStart.Day() != 1 {
		t.Errorf("decoded %+v", r)
	}
	for _, bad := range []string{`{"BillingAccountId":}`, `{"ConsumedQuantity":1x}`, `{"a":"b"`, `{"a":"\q"}`, `[]`, `{"a":1} x`, `{"ChargePeriodStart":"yesterday"}`} {
		var r UsageRecord
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestUsageStreamAcrossWindowBoundaries(t *testing.T) {
	body := usageBody(300)
	// keys in another order, white space, and one byte per read
	body = bytes.Replace(body, []byte(`{"success":true,"errors":[],"messages":[],"result":`), []byte("{ \"messages\" : [ {\"code\":1,\"message\":\"m\"} ],\n \"result\" :\n"), 1)
	body = append(body[:len(body)-1], []byte(`, "result_info": {"count": 300}, "success" : true , "errors": [] }`)...)
	var got []UsageRecord
	e := &Error{}
	err := streamUsage(iotest.OneByteReader(bytes.NewReader(body)), e, func(r UsageRecord) bool { got = append(got, r); return true })
	if err != nil {
		t.Fatal(err)
	}
	var want []UsageRecord
	var env struct{ Result []UsageRecord }
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	want = env.Result
	if len(got) != 300 {
		t.Fatalf("got %d records, want 300", len(got))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("streamed records differ from whole decoding (-want +got):\n%s", diff)
	}
}

func TestUsageStreamRejectsBrokenEnvelopes(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"result":[{"BillingAccountId":"a"}`, `{"result":{},"success":true}`, `{"success":true "result":[]}`, `{"result":[1,2],"success":true}`} {
		e := &Error{}
		if err := streamUsage(strings.NewReader(body), e, func(UsageRecord) bool { return true }); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}
