package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/api"
	"orgboard/internal/clock"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// BenchmarkEntryToWebhook is the time from an organization created at the
// local API to the webhook delivery of its audit entry, with the rules run
// by the console's own loop at the default interval (an operation starts
// just after a run, so each waits for the whole interval: the worst case;
// run it with -benchtime 4x).
func BenchmarkEntryToWebhook(b *testing.B) {
	e := testenv.New(b, testenv.Options{AlertInterval: alerts.DefaultInterval})
	got := make(chan struct{}, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got <- struct{}{} }))
	defer hook.Close()
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	makeRule(b, u, url.Values{"name": {"New organizations"}, "org": {root.ID}, "sub": {"1"}, "q": {"action:create product:organizations"},
		"destination": {hook.URL}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
	ctx := context.Background()
	var worst time.Duration
	n := 0
	for b.Loop() {
		n++
		sw := clock.Start()
		if _, err := e.Admin().CreateOrganization(ctx, api.OrganizationInput{Name: fmt.Sprintf("Latency %d", n), Parent: &api.OrganizationRef{ID: root.ID}}); err != nil {
			b.Fatal(err)
		}
		select {
		case <-got:
		case <-time.After(3 * time.Minute):
			b.Fatal("no delivery within 3 minutes")
		}
		worst = max(worst, sw.Elapsed())
	}
	b.ReportMetric(worst.Seconds(), "worst-s")
}

// BenchmarkEvaluate1000Rules is one run of 1,000 audit rules (four
// queries on ten organizations, one token) after one new entry: the
// run's time, and the upstream calls it spends.
func BenchmarkEvaluate1000Rules(b *testing.B) {
	e := testenv.New(b, testenv.Options{APIRateLimit: -1})
	rec := newReceiver(b)
	u := e.SignedIn(localapi.DemoAdminToken)
	var orgs []string
	for o, err := range e.Admin().Organizations(context.Background(), api.ListOrganizationsParams{}) {
		if err != nil {
			b.Fatal(err)
		}
		if o.Parent != nil && len(orgs) < 10 {
			orgs = append(orgs, o.ID)
		}
	}
	queries := []string{"action:delete product:dns", "action:create", "result:failure", "-actor:ci@example.com product:dns action:delete"}
	for i := range 1000 {
		r := u.Post("/alerts", url.Values{"name": {fmt.Sprintf("Rule %d", i)}, "org": {orgs[i%len(orgs)]}, "q": {queries[i%len(queries)]},
			"destination": {rec.URL}, "quiet": {"0"}, "token": {localapi.DemoViewerToken}})
		if r.Status != http.StatusSeeOther {
			b.Fatalf("rule %d: %d", i, r.Status)
		}
	}
	ctx := context.Background()
	e.Alerts.RunOnce(ctx) // the first sync of each organization
	var calls atomic.Int64
	count := func(http.ResponseWriter, *http.Request) bool { calls.Add(1); return false }
	e.Intercept.Store(&count)
	i := 0
	for b.Loop() {
		i++
		e.Store.AddAuditEntry(entry(orgs[i%len(orgs)], fmt.Sprintf("%032x", i), "delete", "dns", e.Clock.Now()))
		e.Clock.Advance(2 * time.Second)
		if err := e.Alerts.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(calls.Load())/float64(i), "calls/run")
	b.ReportMetric(float64(len(rec.messages()))/float64(i), "deliveries/run")
}
