package localapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"orgboard/internal/api"
)

func TestAppendRecordMatchesJSON(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	accounts := []usageAccount{
		{id: "0123456789abcdef0123456789abcdef", name: `Café "quotes" <b>&</b> \ back` + "\x01\u2028\xff", typ: "enterprise", currency: "EUR", region: "weur", seed: 7, hasCost: true},
		{id: "fedcba9876543210fedcba9876543210", name: "plain", typ: "standard", currency: "USD", region: "apac", seed: 99, hasCost: false},
	}
	g := usageGen{anchor: day, today: day.AddDate(0, 0, 40)}
	n := 0
	for i := range accounts {
		accounts[i].ms = accounts[i].metrics()
	}
	g.each(accounts, day, day.AddDate(0, 0, 30), func(r *api.UsageRecord) bool {
		var want, got api.UsageRecord
		std, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		fast := appendRecord(nil, r)
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(fast, &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, fast)
		}
		if !cmp.Equal(want, got) {
			t.Fatalf("differs:\n%s\n%s", std, fast)
		}
		n++
		return true
	})
	if n < 100 {
		t.Fatalf("only %d records compared", n)
	}
}

func BenchmarkUsageEncode(b *testing.B) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	a := []usageAccount{{id: "0123456789abcdef0123456789abcdef", name: "payments-prod", typ: "enterprise", currency: "USD", region: "wnam", seed: 7, hasCost: true}}
	a[0].ms = a[0].metrics()
	var rec api.UsageRecord
	usageGen{anchor: day, today: day.AddDate(0, 0, 2)}.fill(&rec, &a[0], a[0].ms[0], day, false)
	b.Run("appendRecord", func(b *testing.B) {
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			buf = appendRecord(buf[:0], &rec)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(&rec)
		}
	})
}
