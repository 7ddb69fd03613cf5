// Command usage measures the usage review at the large seed scale (2,000
// organizations, 20,000 accounts), against the local API in its own
// process so that this process's memory is the console's alone:
//
//	go run ./bench/usage -data /tmp/orgboard-large
//
// It fetches one month of the whole tree (and the month before) into a
// usage store in a new data directory, reporting calls, records per second
// and the peak resident memory; then reads the same month from the store
// (calls made: none), the store's rows and size on disk; then the time to
// a rendered usage page of a console on that store (team organizations,
// and the root with its descendants: by product family, by account, and
// each other grouping and a few filters, each a first view).
//
// -database-url keeps the usage store in PostgreSQL (bench/postgres.sh);
// -store keeps the data directory between runs; -cpuprofile profiles the
// root's month grouped by account.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"orgboard/bench/benchutil"
	"orgboard/internal/api"
	"orgboard/internal/app"
	"orgboard/internal/clock"
	"orgboard/internal/localapi"
	"orgboard/internal/store"
	"orgboard/internal/usage"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	data := flag.String("data", "/tmp/orgboard-large", "the large local API's data directory (seeded when missing)")
	listen := flag.String("listen", "127.0.0.1:18788", "where the local API child process listens")
	teams := flag.Int("teams", 10, "team organizations whose page is timed")
	skipTree := flag.Bool("skip-tree", false, "skip the whole-tree fetch")
	yearOrgs := flag.Int("year-orgs", 200, "organizations whose last 12 months are fetched and read back from the store (0: none)")
	keep := flag.String("store", "", "the console's data directory, kept between runs (default: a new one, removed after)")
	dbURL := flag.String("database-url", "", "keep the usage store in this PostgreSQL database (bench/postgres.sh start), emptied of usage first")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the root's month grouped by account to this file")
	flag.Parse()
	ctx := context.Background()

	bin := filepath.Join(os.TempDir(), "orgboard-bench-localapi")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	check(build.Run())
	child := exec.Command(bin, "localapi", "--data-dir", *data, "--listen", *listen, "--seed-scale", "large", "--rate-limit", "0")
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	check(err)
	check(child.Start())
	defer func() { child.Process.Signal(syscall.SIGTERM); child.Wait() }()
	waitFor(out, "Local Cloudflare Organizations API")
	base := "http://" + *listen + localapi.BasePath

	client, err := api.New(base, api.WithTimeout(5*time.Minute))
	check(err)
	client = client.WithToken(localapi.DemoAdminToken)
	var orgs []api.Organization
	for o, err := range client.Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
		check(err)
		orgs = append(orgs, o)
	}
	fmt.Printf("%d organizations\n", len(orgs))
	from, to, _ := usage.LastMonth.Range(clock.System.Now().UTC())

	dir := *keep
	if dir == "" {
		dir, err = os.MkdirTemp("", "orgboard-bench-usage")
		check(err)
		defer os.RemoveAll(dir)
	}
	if !*skipTree {
		ids := make([]string, len(orgs))
		for i, o := range orgs {
			ids[i] = o.ID
		}
		if *dbURL != "" {
			emptyUsage(ctx, *dbURL)
		}
		opened := time.Now()
		st, err := store.Open(ctx, store.Config{DataDir: dir, DatabaseURL: *dbURL})
		check(err)
		fmt.Printf("store opened in %v (the layouts it lacked applied)\n", time.Since(opened).Round(time.Millisecond))
		keeper := usage.NewKeeper(st.Usage, 0, time.Hour, nil)
		req := usage.Request{Orgs: ids, From: from, To: to, Measure: usage.Effective, Rates: usage.DefaultCard()}
		rssBefore := peakRSS()
		job := usage.NewJob(req, keeper)
		start := time.Now()
		job.Run(ctx, client)
		took := time.Since(start)
		p := job.Progress()
		stored := p.Records
		fmt.Printf("whole tree, %s..%s and the month before, first fetch into the store: %d records in %v: %.0f records/s decoded, summed and stored (%d calls, %d failed)\n",
			from.Format(time.DateOnly), to.Format(time.DateOnly), p.Records, took.Round(time.Millisecond), float64(p.Records)/took.Seconds(), p.Total, p.Failed)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("peak resident memory: %d MB (before the fetch %d MB); Go heap obtained from the system %d MB (the rest is SQLite's page caches and its memory-mapped database file)\n",
			peakRSS()>>20, rssBefore>>20, ms.HeapSys>>20)
		for _, fine := range []bool{false, true} {
			req.Fine = fine
			again := usage.NewJob(req, keeper)
			start = time.Now()
			again.Run(ctx, client)
			r := usage.Build(again.Agg(), again.PrevAgg(), usage.View{Group: usage.DimFamily, Step: usage.StepDay, Today: clock.System.Now()})
			fmt.Printf("  the same from the store (fine sums %v): %v, %d calls; period total %s %s\n", fine, time.Since(start).Round(time.Millisecond),
				again.Progress().Total, usage.Display(r.Total, r.Denom), r.Denom)
		}
		if *yearOrgs > 0 {
			some := ids[:min(*yearOrgs, len(ids))]
			yf, yt, _ := usage.Last12Months.Range(clock.System.Now().UTC())
			year := usage.Request{Orgs: some, From: yf, To: yt, Measure: usage.Effective, Rates: usage.DefaultCard()}
			j := usage.NewJob(year, keeper)
			start = time.Now()
			j.Run(ctx, client)
			p := j.Progress()
			stored += p.Records
			fmt.Printf("%d organizations, last 12 months and the 12 before: %d records fetched into the store in %v (%d calls)\n", len(some), p.Records, time.Since(start).Round(time.Millisecond), p.Total)
			for _, fine := range []bool{false, true} {
				year.Fine = fine
				again := usage.NewJob(year, keeper)
				start = time.Now()
				again.Run(ctx, client)
				r := usage.Build(again.Agg(), again.PrevAgg(), usage.View{Group: usage.DimFamily, Step: usage.StepMonth, Today: clock.System.Now()})
				fmt.Printf("  the same 12 months from the store (fine sums %v): %v, %d calls; total %s %s\n", fine, time.Since(start).Round(time.Millisecond),
					again.Progress().Total, usage.Display(r.Total, r.Denom), r.Denom)
			}
		}
		days, bytes, err := st.Usage.Size(ctx)
		check(err)
		check(st.Close())
		if fi, err := os.Stat(filepath.Join(dir, "usage.db")); err == nil {
			fmt.Printf("  store: %d organization-days, their sums %d MB; usage.db %d MB, %.0f bytes a record fetched\n",
				days, bytes>>20, fi.Size()>>20, float64(fi.Size())/float64(max(stored, 1)))
		} else {
			fmt.Printf("  store: %d organization-days, their sums %d MB (PostgreSQL)\n", days, bytes>>20)
		}
	}

	// the console over HTTP on that store, signed in as the demo admin
	console, err := app.New(ctx, app.Config{APIURL: base, Local: true, DataDir: dir, DatabaseURL: *dbURL, CacheTTL: app.DefaultCacheTTL, SessionIdle: time.Hour, SessionMax: time.Hour, LoginRate: 1000,
		UpstreamBudget: -1}) // the local API runs without its limit here: the fetch itself is measured
	check(err)
	defer console.Close()
	srv := httptest.NewServer(console.Handler)
	defer srv.Close()
	browser, err := benchutil.SignIn(srv.URL, localapi.DemoAdminToken)
	check(err)

	children := map[string]int{}
	for _, o := range orgs {
		if o.Parent != nil {
			children[o.Parent.ID]++
		}
	}
	var leaves []api.Organization
	var root api.Organization
	for _, o := range orgs {
		if o.Parent == nil && root.ID == "" {
			root = o
		}
		if children[o.ID] == 0 && len(leaves) < *teams {
			leaves = append(leaves, o)
		}
	}
	var cold, warm []time.Duration
	var size, zipped int
	for _, o := range leaves {
		path := "/orgs/" + o.ID + "/usage?preset=last_month&scope=org"
		d, body := rendered(browser, srv.URL+path)
		cold = append(cold, d)
		d, _ = rendered(browser, srv.URL+path)
		warm = append(warm, d)
		size, zipped = len(body), gzipLen(body)
	}
	fmt.Printf("team organization page, one month: first view p50 %v (max %v), cached p50 %v; page %d KB (%d KB gzipped)\n",
		p50(cold), slices.Max(cold), p50(warm), size>>10, zipped>>10)
	d, body := rendered(browser, srv.URL+"/orgs/"+root.ID+"/usage?preset=last_month")
	fmt.Printf("root with its descendants, one month: first view %v; page %d KB (%d KB gzipped)\n", d.Round(time.Millisecond), len(body)>>10, gzipLen(body)>>10)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	d, body = rendered(browser, srv.URL+"/orgs/"+root.ID+"/usage?preset=last_month&group=account")
	fmt.Printf("  the same, grouped by account (fine sums from the store): %v\n", d.Round(time.Millisecond))
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	// the other groupings and filters of the root's month, each a first view
	account := regexp.MustCompile(`[?&;]account=([0-9a-f]+)`).FindSubmatch(body)
	if account == nil {
		log.Fatal("no account to filter by on the page grouped by account")
	}
	for _, q := range []string{"group=zone", "group=region", "group=subscription", "group=account&region=weur",
		"group=account&product_family=R2", "group=zone&account=" + string(account[1]), "group=metric&region=enam&product_family=Workers"} {
		d, _ = rendered(browser, srv.URL+"/orgs/"+root.ID+"/usage?preset=last_month&"+q)
		fmt.Printf("  the same, %s: %v\n", q, d.Round(time.Millisecond))
	}
}

// emptyUsage empties the usage store of a benchmark's PostgreSQL database
// (a table not made yet is left to the migrations).
func emptyUsage(ctx context.Context, url string) {
	db, err := sql.Open("pgx", url)
	check(err)
	defer db.Close()
	for _, t := range []string{"usage_days", "usage_fine", "usage_rollups"} {
		db.ExecContext(ctx, "TRUNCATE "+t)
	}
}

// rendered GETs a usage page, following its progress polling until the
// report is there; it returns the time to the report and the report page.
func rendered(c *http.Client, u string) (time.Duration, []byte) {
	start := time.Now()
	for {
		resp, err := c.Get(u)
		check(err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		check(err)
		if resp.StatusCode != 200 {
			log.Fatalf("%s: %d", u, resp.StatusCode)
		}
		if bytes.Contains(body, []byte(`data-testid="usage-kpis"`)) || bytes.Contains(body, []byte(`data-testid="usage-empty"`)) {
			return time.Since(start), body
		}
		if !bytes.Contains(body, []byte(`data-testid="usage-progress"`)) {
			log.Fatalf("%s: neither a report nor progress: %s", u, body)
		}
		time.Sleep(50 * time.Millisecond) // a fine step: the time to the report is measured
	}
}

func gzipLen(b []byte) int {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Len()
}

func p50(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

// peakRSS is the process's peak resident set (VmHWM) in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	check(err)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

func waitFor(r io.Reader, line string) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		if strings.Contains(s.Text(), line) {
			go io.Copy(io.Discard, r)
			return
		}
	}
	log.Fatal("the local API did not start")
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
