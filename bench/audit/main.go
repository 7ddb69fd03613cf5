// Command audit measures the audit index at the large seed scale: sync
// throughput from the local API, first-page latency of a selective and a
// broad search, the same searches done the naive way (paging the API and
// filtering), and the index size per million entries.
//
//	go run ./bench/audit -data /tmp/orgboard-large
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/clock"
	"orgboard/internal/localapi"
	"orgboard/internal/store"
)

func main() {
	data := flag.String("data", "/tmp/orgboard-large", "directory for the large local API database (seeded when missing) and the index")
	runs := flag.Int("runs", 30, "searches per query")
	workers := flag.Int("workers", audit.Workers, "organizations synced at once")
	limitOrgs := flag.Int("orgs", 0, "sync only this many organizations (0: all)")
	skipOrgs := flag.Int("skip", 0, "leave out this many organizations first (with -orgs: sync a later slice)")
	syncOnly := flag.Bool("sync-only", false, "stop after the sync")
	reuse := flag.Bool("reuse", false, "search the index of the last run instead of syncing a new one")
	databaseURL := flag.String("database-url", "", "sync into this PostgreSQL database (emptied first unless -reuse) instead of SQLite files under -data")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the sync (with -reuse: of the searches and summaries) to this file")
	flag.Parse()
	ctx := context.Background()

	st, err := localapi.Open(*data)
	check(err)
	start := time.Now()
	seeded, err := st.Seed(ctx, localapi.ScaleLarge, clock.System.Now())
	check(err)
	if seeded {
		fmt.Printf("seeded the large data set in %v\n", time.Since(start).Round(time.Second))
	}
	srv := httptest.NewServer(localapi.NewServer(st, nil, nil))
	defer srv.Close()
	client, err := api.New(srv.URL+localapi.BasePath, api.WithTimeout(2*time.Minute))
	check(err)
	client = client.WithToken(localapi.DemoAdminToken)

	var orgs []string
	for o, err := range client.Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
		check(err)
		orgs = append(orgs, o.ID)
	}

	orgs = orgs[min(*skipOrgs, len(orgs)):]
	if *limitOrgs > 0 && *limitOrgs < len(orgs) {
		orgs = orgs[:*limitOrgs]
	}
	benchDir := filepath.Join(*data, "audit-bench")
	switch {
	case *reuse:
	case *databaseURL != "":
		check(emptyPostgres(ctx, *databaseURL))
	default:
		check(os.RemoveAll(benchDir))
	}
	stores, err := store.Open(ctx, store.Config{DataDir: benchDir, DatabaseURL: *databaseURL})
	check(err)
	defer stores.Close()
	fmt.Printf("store: %s\n", stores.Backend)
	idx := audit.NewIndex(stores.Audit, nil)
	syncer := audit.NewSyncer(ctx, idx, nil)
	syncer.Leases = stores.Leases

	// sync every organization, several at once
	if *reuse {
		*workers = 0 // the index is there: only the searches are measured
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
	}
	start = time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(orgs)); i = next.Add(1) - 1 {
				check(syncer.SyncOrg(ctx, client, orgs[i]))
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if *cpuprofile != "" && !*reuse { // with -reuse, the profile is of the searches and summaries
		pprof.StopCPUProfile()
	}
	p, err := syncer.Progress(ctx, orgs)
	check(err)
	if !*reuse {
		busy, commits := syncer.WriterStats()
		fmt.Printf("index writer: busy %.0f%% of the time, %d commits\n", 100*busy.Seconds()/took.Seconds(), commits)
		fmt.Printf("sync: %d entries of %d organizations in %v: %.0f entries/s\n", p.Synced, len(orgs), took.Round(time.Millisecond), float64(p.Synced)/took.Seconds())
	}
	size, err := stores.Audit.(interface {
		Size(context.Context) (int64, error)
	}).Size(ctx)
	check(err)
	fmt.Printf("index size: %.0f MB for %d entries: %.0f MB per million entries\n", float64(size)/1e6, p.Synced, float64(size)/1e6/(float64(p.Synced)/1e6))
	if *syncOnly {
		return
	}

	// a busy actor of the root and a word of the request bodies
	scope := audit.Scope{Orgs: orgs}
	week, err := audit.Parse("since:7d", clock.System.Now())
	check(err)
	sum, err := idx.Summarize(ctx, week, scope)
	check(err)
	actor := ""
	for _, a := range sum.Facets["actor"] {
		if a.Value != "" {
			actor = a.Value
			break
		}
	}
	queries := []struct{ name, q string }{
		{"selective (actor + text + 7 days)", "actor:" + actor + ` "DNS record" since:7d`},
		{"broad (90 days, free text)", `"updated"`},
	}
	for _, q := range queries {
		parsed, err := audit.Parse(q.q, clock.System.Now())
		check(err)
		var lat []time.Duration
		n := 0
		for range *runs {
			t := time.Now()
			page, err := idx.Search(ctx, parsed, scope, nil, false, 50)
			check(err)
			lat = append(lat, time.Since(t))
			n = len(page.Rows)
		}
		slices.Sort(lat)
		fmt.Printf("index, %s: first page of %d rows: p50 %.1f ms, p99 %.1f ms  [%s]\n", q.name, n, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), q.q)
		lat = lat[:0]
		total := 0
		for range max(*runs/5, 1) {
			t := time.Now()
			sum, err := idx.Summarize(ctx, parsed, scope)
			check(err)
			lat = append(lat, time.Since(t))
			total = sum.Total
		}
		slices.Sort(lat)
		fmt.Printf("index, %s: counts, facets and chart over all %d matches: p50 %.1f ms\n", q.name, total, ms(lat[len(lat)/2]))
	}

	// summaries from the days' facts beside the same from the entries
	scan, _ := stores.Audit.(interface{ ScanOnly(bool) })
	for _, q := range []string{"since:90d", "action:update since:90d", "product:dns -result:failure since:30d", `"updated" since:90d`} {
		parsed, err := audit.Parse(q, clock.System.Now())
		check(err)
		var sums [2]audit.Summary
		var p50 [2]time.Duration
		for i, scanOnly := range []bool{false, true} {
			if scan == nil {
				break
			}
			scan.ScanOnly(scanOnly)
			var lat []time.Duration
			for range max(*runs/5, 1) {
				t := time.Now()
				sums[i], err = idx.Summarize(ctx, parsed, scope)
				check(err)
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			p50[i] = lat[len(lat)/2]
		}
		if scan != nil {
			scan.ScanOnly(false)
		}
		same := reflect.DeepEqual(sums[0], sums[1])
		fmt.Printf("summary of %d matches [%s]: p50 %.1f ms (the scan of the entries: %.1f ms); the same answer: %v\n",
			sums[0].Total, q, ms(p50[0]), ms(p50[1]), same)
	}

	if *cpuprofile != "" && *reuse {
		pprof.StopCPUProfile()
	}

	// the naive way: page every organization's log through the API and filter
	for _, q := range queries {
		parsed, _ := audit.Parse(q.q, clock.System.Now())
		since := parsed.Since
		if since.IsZero() {
			since = clock.System.Now().Add(-audit.DefaultWindow)
		}
		start := time.Now()
		found, fetched, calls := 0, 0, 0
		for _, org := range orgs {
			p := api.AuditParams{Since: since.UTC().Format(time.RFC3339), Before: clock.System.Now().Add(time.Minute).UTC().Format(time.RFC3339), Limit: 1000}
			for {
				page, err := client.ListAuditEntries(ctx, org, p)
				check(err)
				calls++
				for _, e := range page.Entries {
					fetched++
					if naiveMatch(parsed, e) {
						found++
					}
				}
				if page.Cursor == "" || found >= 50 {
					break
				}
				p.Cursor = page.Cursor
			}
			if found >= 50 {
				break
			}
		}
		fmt.Printf("naive, %s: first %d matches after %d API calls, %d entries fetched: %v\n", q.name, min(found, 50), calls, fetched, time.Since(start).Round(time.Millisecond))
	}
}

// naiveMatch applies the parts of these two queries a client would have to
// check itself.
func naiveMatch(q audit.Query, e api.AuditEntry) bool {
	for _, f := range q.Filters {
		if f.Field == "actor" && !strings.EqualFold(e.Actor.Email, f.Value) {
			return false
		}
	}
	text := strings.ToLower(e.Action.Description + " " + string(e.Resource.Request) + " " + string(e.Resource.Response) + " " + e.Raw.URI)
	for _, t := range q.Terms {
		if !strings.Contains(text, strings.ToLower(t.Text)) {
			return false
		}
	}
	return true
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// emptyPostgres drops every table (the database's owner owns its public
// schema), so that the run migrates and syncs from nothing.
func emptyPostgres(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	return err
}
