package server_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

const clients = 50

// load spreads b.N requests over 50 concurrent clients and reports
// requests/s and the p50/p99 latency.
func load(b *testing.B, request func(client int)) {
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	per := max(b.N/clients, 1)
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				t := time.Now()
				request(c)
				lat[c] = append(lat[c], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// users signs in one session per client, all with the admin token.
func users(b *testing.B, e *testenv.Env) []*testenv.User {
	out := make([]*testenv.User, clients)
	for i := range out {
		out[i] = e.SignedIn(localapi.DemoAdminToken)
	}
	return out
}

func benchPage(b *testing.B, ttl time.Duration, path func(e *testenv.Env) (string, map[string]string)) {
	e := testenv.New(b, testenv.Options{CacheTTL: ttl, LoginRate: 1000, APIRateLimit: -1})
	us := users(b, e)
	p, hdr := path(e)
	for _, u := range us {
		u.Do("GET", p, nil, hdr) // warm the cache (and the connections)
	}
	calls := e.UpstreamCalls()
	load(b, func(c int) {
		if r := us[c].Do("GET", p, nil, hdr); r.Status != 200 {
			b.Errorf("status %d", r.Status)
		}
	})
	b.ReportMetric(float64(e.UpstreamCalls()-calls)/float64(b.N), "upstream-calls/op")
}

func orgPage(e *testenv.Env) (string, map[string]string) {
	return "/orgs/" + e.Org("Payments Gateway").ID, nil
}

func treeExpand(e *testenv.Env) (string, map[string]string) {
	root := e.Org("Northwind Holdings")
	return "/orgs/tree?parent=" + root.ID + "&level=2", map[string]string{"HX-Request": "true"}
}

// The page and the expansion as users see them: repeat views from the cache.
func BenchmarkOrganizationPageCached(b *testing.B) { benchPage(b, 30*time.Second, orgPage) }
func BenchmarkTreeExpandCached(b *testing.B)       { benchPage(b, 30*time.Second, treeExpand) }

// With the cache off every view calls the local API: the console's overhead
// is the difference to BenchmarkUpstream* below.
func BenchmarkOrganizationPageUncached(b *testing.B) { benchPage(b, time.Nanosecond, orgPage) }
func BenchmarkTreeExpandUncached(b *testing.B)       { benchPage(b, time.Nanosecond, treeExpand) }

// pageCalls makes the organization page's upstream calls (the organization,
// its four ancestors, its children) straight to the local API, in order.
func pageCalls(b *testing.B, e *testenv.Env) (calls func(), n int) {
	gw := e.Org("Payments Gateway")
	chain := []string{gw.ID}
	for p := gw.Parent; p != nil; {
		chain = append(chain, p.ID)
		o, err := e.Admin().GetOrganization(context.Background(), p.ID)
		if err != nil {
			b.Fatal(err)
		}
		p = o.Parent
	}
	c := e.Admin()
	return func() {
		for _, id := range chain {
			if _, err := c.GetOrganization(context.Background(), id); err != nil {
				b.Error(err)
			}
		}
		if _, err := c.ListOrganizations(context.Background(), api.ListOrganizationsParams{ParentID: gw.ID, PageParams: api.PageParams{PageSize: 50}}); err != nil {
			b.Error(err)
		}
	}, len(chain) + 1
}

// BenchmarkUpstreamOrganizationPage is the page's upstream calls, 50 clients.
func BenchmarkUpstreamOrganizationPage(b *testing.B) {
	calls, n := pageCalls(b, testenv.New(b, testenv.Options{APIRateLimit: -1}))
	load(b, func(int) { calls() })
	b.ReportMetric(float64(n), "upstream-calls/op")
}

// BenchmarkUpstreamTreeExpand is the expansion's one upstream call.
func BenchmarkUpstreamTreeExpand(b *testing.B) {
	e := testenv.New(b, testenv.Options{APIRateLimit: -1})
	root := e.Org("Northwind Holdings")
	c := e.Admin()
	load(b, func(int) {
		if _, err := c.ListOrganizations(context.Background(), api.ListOrganizationsParams{ParentID: root.ID, PageParams: api.PageParams{PageSize: 100}}); err != nil {
			b.Error(fmt.Errorf("list: %w", err))
		}
	})
}

// sequential runs b.N requests one after another and reports p50/p99: with
// no queueing the difference between two of these is the added work.
func sequential(b *testing.B, request func()) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		request()
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}

// BenchmarkOverheadOrganizationPage is one user viewing the organization page
// with the cache off: every view makes its upstream calls.
func BenchmarkOverheadOrganizationPage(b *testing.B) {
	e := testenv.New(b, testenv.Options{CacheTTL: -1, APIRateLimit: -1})
	u := e.SignedIn(localapi.DemoAdminToken)
	p, _ := orgPage(e)
	sequential(b, func() {
		if r := u.Get(p); r.Status != 200 {
			b.Errorf("status %d", r.Status)
		}
	})
}

// BenchmarkOverheadUpstreamOrganizationPage makes the same upstream calls
// straight to the local API, one after another.
func BenchmarkOverheadUpstreamOrganizationPage(b *testing.B) {
	calls, _ := pageCalls(b, testenv.New(b, testenv.Options{APIRateLimit: -1}))
	sequential(b, calls)
}
