// Command load signs in 200 sessions and has them browse the console
// concurrently for 60 seconds (tree, organization pages, audit searches,
// usage pages) against the embedded local API, on loopback only. It
// reports page views per second, latency per route, errors, and memory
// and goroutines before and after.
//
//	go run ./bench/load                 # 200 sessions, 60 s
//	go run ./bench/load -sessions 50 -duration 20s
//	go run ./bench/load -instances 2 -kill-at 30s   # two processes on one PostgreSQL behind a proxy; one killed
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"sync"
	"time"

	"orgboard/bench/benchutil"
	"orgboard/internal/api"
	"orgboard/internal/app"
	"orgboard/internal/clock"
	"orgboard/internal/localapi"
	"orgboard/internal/store/pgtest"
)

func main() {
	sessions := flag.Int("sessions", 200, "signed-in sessions browsing at once")
	duration := flag.Duration("duration", 60*time.Second, "how long they browse")
	rate := flag.Float64("rate", 0, "page views per second for all sessions together (each session waits between pages); 0: as fast as they can")
	memprofile := flag.String("memprofile", "", "write a heap profile at the end")
	instances := flag.Int("instances", 1, "console instances: more than one runs them as processes on one PostgreSQL behind a round-robin proxy")
	databaseURL := flag.String("database-url", "", "with -instances: the PostgreSQL database they share (empty: a throwaway cluster, as the tests start)")
	killAt := flag.Duration("kill-at", 0, "with -instances: kill the first instance this long into the run (0: never)")
	tokens := flag.Int("tokens", 0, "API tokens the sessions share (0: one each, as so many people would have; the console bounds audit searches per token)")
	flag.Parse()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()

	dir, err := os.MkdirTemp("", "orgboard-load")
	check(err)
	defer os.RemoveAll(dir)
	st, err := localapi.Open(dir)
	check(err)
	defer st.Close()
	_, err = st.Seed(ctx, localapi.ScaleDefault, clock.System.Now())
	check(err)
	apiSrv := httptest.NewServer(localapi.NewServer(st, nil, nil))
	defer apiSrv.Close()
	var srv *httptest.Server
	var kill func()
	var lb *balancer
	if *instances > 1 {
		if *databaseURL == "" {
			cluster, err := pgtest.Start()
			check(err)
			defer cluster.Remove()
			defer cluster.Stop()
			*databaseURL, err = cluster.CreateDatabase("orgboard")
			check(err)
		}
		ins, err := startInstances(*instances, *databaseURL, apiSrv.URL+localapi.BasePath, dir)
		check(err)
		defer stopInstances(ins)
		srv, lb = newBalancer(ins)
		kill = func() { ins[0].cmd.Process.Kill(); fmt.Printf("killed instance %s at %v\n", ins[0].url.Host, *killAt) }
		fmt.Printf("%d instances on PostgreSQL behind a round-robin proxy\n", len(ins))
	} else {
		console, err := app.New(ctx, app.Config{APIURL: apiSrv.URL + localapi.BasePath, Local: true, DataDir: dir, CacheTTL: app.DefaultCacheTTL,
			SessionIdle: time.Hour, SessionMax: time.Hour, LoginRate: 100000}) // sign-in limiting is not what is measured
		check(err)
		defer console.Close()
		srv = httptest.NewServer(console.Handler)
	}
	defer srv.Close()

	admin, err := api.New(apiSrv.URL + localapi.BasePath)
	check(err)
	var orgs []string
	root := ""
	for o, err := range admin.WithToken(localapi.DemoAdminToken).Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
		check(err)
		orgs = append(orgs, o.ID)
		if o.Parent == nil && root == "" {
			root = o.ID
		}
	}
	// each session is a person with a token of their own (the console
	// bounds searches per token), alternately an administrator and an auditor
	clients := make([]*http.Client, *sessions)
	people := *sessions
	if *tokens > 0 {
		people = *tokens
	}
	for i := range clients {
		token, role := fmt.Sprintf("load-token-%04d-%s", i%people, "0123456789abcdef0123456789abcdef"), localapi.RoleAdmin
		if i%2 == 1 {
			role = localapi.RoleViewer
		}
		if i < people {
			check(st.AddToken(token, fmt.Sprintf("load %d", i), role, root))
		}
		c, err := benchutil.SignIn(srv.URL, token)
		check(err)
		clients[i] = c
	}
	fmt.Printf("%d sessions signed in; %d organizations; %d routes in the mix\n", *sessions, len(orgs), len(pages(orgs[0])))

	// warm the caches once per token, as the first visitors would
	for _, c := range clients[:2] {
		for _, o := range orgs[:8] {
			for _, p := range pages(o) {
				get(c, srv.URL+p.path)
			}
		}
	}
	runtime.GC()
	g0, h0 := runtime.NumGoroutine(), heap()

	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	errs := map[string]int{}
	deadline := time.Now().Add(*duration)
	if kill != nil && *killAt > 0 {
		time.AfterFunc(*killAt, kill)
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			var gap time.Duration
			if *rate > 0 {
				gap = time.Duration(float64(*sessions) / *rate * float64(time.Second))
				time.Sleep(time.Duration(r.Int64N(int64(gap)))) // spread the sessions' starts
			}
			next := time.Now()
			for time.Now().Before(deadline) {
				if gap > 0 {
					next = next.Add(gap)
					time.Sleep(time.Until(next))
				}
				ps := pages(orgs[r.IntN(8)])
				p := ps[r.IntN(len(ps))]
				start := time.Now()
				status := get(c, srv.URL+p.path)
				d := time.Since(start)
				mu.Lock()
				lat[p.route] = append(lat[p.route], d)
				if status != http.StatusOK { // 303: the session was lost (sent to sign in)
					errs[p.route+" "+fmt.Sprint(status)]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := 0
	var routes []string
	for r, ds := range lat {
		total += len(ds)
		routes = append(routes, r)
	}
	sort.Strings(routes)
	fmt.Printf("%d page views in %v: %.0f page views/s; errors: %d\n", total, *duration, float64(total)/duration.Seconds(), sum(errs))
	fmt.Printf("| route | views | p50 | p99 |\n|---|---|---|---|\n")
	for _, r := range routes {
		ds := lat[r]
		slices.Sort(ds)
		fmt.Printf("| `%s` | %d | %.1f ms | %.1f ms |\n", r, len(ds), ms(ds[len(ds)/2]), ms(ds[len(ds)*99/100]))
	}
	all := []time.Duration{}
	for _, ds := range lat {
		all = append(all, ds...)
	}
	slices.Sort(all)
	fmt.Printf("all routes: p50 %.1f ms, p99 %.1f ms\n", ms(all[len(all)/2]), ms(all[len(all)*99/100]))
	for k, n := range errs {
		fmt.Printf("  error %s: %d\n", k, n)
	}
	if lb != nil {
		fmt.Printf("requests the proxy moved to another instance: %d\n", lb.retried.Load())
	}
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	time.Sleep(2 * time.Second)
	runtime.GC()
	fmt.Printf("goroutines %d before, %d after; heap %d MB before, %d MB after\n", g0, runtime.NumGoroutine(), h0>>20, heap()>>20)
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		check(err)
		check(pprof.WriteHeapProfile(f))
		f.Close()
	}
}

type page struct{ route, path string }

// pages are the routes browsed for one organization.
func pages(org string) []page {
	return []page{
		{"/orgs", "/orgs"},
		{"/orgs/tree", "/orgs/tree?parent=" + org + "&level=2"},
		{"/orgs/:id", "/orgs/" + org},
		{"/orgs/:id/accounts", "/orgs/" + org + "/accounts"},
		{"/orgs/:id/members", "/orgs/" + org + "/members"},
		{"/orgs/:id/profile", "/orgs/" + org + "/profile"},
		{"/orgs/:id/audit", "/orgs/" + org + "/audit?q=" + url.QueryEscape("product:dns since:30d")},
		{"/orgs/:id/usage", "/orgs/" + org + "/usage?scope=org&preset=last_30_days"},
	}
}

func get(c *http.Client, u string) int {
	resp, err := c.Get(u)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func heap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
