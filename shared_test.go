package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"orgboard/bench/benchutil"
	"orgboard/internal/clock/clocktest"
	"orgboard/internal/localapi"
	"orgboard/internal/store/pgtest"
	"orgboard/internal/testenv"
)

// TestMain makes the test binary the program itself when asked: the
// shared-mode tests run instances of the console as processes of their
// own, which they can kill.
func TestMain(m *testing.M) {
	if os.Getenv("ORGBOARD_TEST_AS_MAIN") == "1" {
		now = clocktest.Clock() // the test's time (ORGBOARD_TEST_NOW), as startInstance passed it on
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// instance is a console running as a process of its own.
type instance struct {
	URL  string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sharedSecret is ORGBOARD_SECRET, equal on every instance (the README says why).
const sharedSecret = "a shared secret of the tests' instances"

// startInstance starts a console on database against the API at apiURL.
func startInstance(t *testing.T, database, apiURL string, args ...string) *instance {
	t.Helper()
	args = append([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "warn", "--api-url", apiURL, "--database-url", database}, args...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ORGBOARD_TEST_AS_MAIN=1", "ORGBOARD_SECRET="+sharedSecret, clocktest.Env+"="+clocktest.Now().Format(time.RFC3339Nano))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = in.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(in.done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("instance %s logged:\n%s", in.URL, in.logs.String())
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Orgboard console: "); ok {
				urls <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case in.URL = <-urls:
	case <-in.done:
		t.Fatalf("the instance did not start:\n%s", in.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the instance took over a minute to start:\n%s", in.logs.String())
	}
	return in
}

// kill ends the instance at once, as a crash would.
func (in *instance) kill() {
	in.cmd.Process.Kill()
	<-in.done
}

// apiFor is the local API the instances share, counted and interceptable.
func apiFor(t *testing.T) (*testenv.Env, string) {
	e := testenv.New(t, testenv.Options{APIRateLimit: -1})
	return e, e.API.URL + localapi.BasePath
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get fetches a page; it returns the status and the body.
func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post submits a form with the CSRF token of the page at from.
func post(t *testing.T, c *http.Client, from, to string, form url.Values) (int, string) {
	t.Helper()
	_, page := get(t, c, from)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on %s", from)
	}
	form.Set("_csrf", m[1])
	resp, err := c.PostForm(to, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func signIn(t *testing.T, base string) *http.Client {
	t.Helper()
	c, err := benchutil.SignIn(base, localapi.DemoAdminToken)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A user signed in on one instance goes on on another (the balancer moved
// them); a saved search and a budget set on one show on the other; sign-out
// on one ends the session on both.
func TestInstancesShareSessionsSearchesAndBudgets(t *testing.T) {
	t.Parallel()
	e, api := apiFor(t)
	db := pgtest.Database(t)
	a, b := startInstance(t, db, api), startInstance(t, db, api)
	c := signIn(t, a.URL)
	if status, body := get(t, c, b.URL+"/orgs"); status != 200 || !strings.Contains(body, `data-testid="who"`) {
		t.Fatalf("the session did not move to the other instance: %d", status)
	}
	if status, body := post(t, c, a.URL+"/audit", a.URL+"/audit/saved", url.Values{"name": {"Failures this week"}, "q": {"result:failure since:7d"}}); status >= 400 {
		t.Fatalf("save a search: %d %s", status, body)
	}
	if _, body := get(t, c, b.URL+"/audit"); !strings.Contains(body, "Failures this week") {
		t.Error("a search saved on one instance is missing on the other")
	}
	org := e.Org("Checkout").ID
	if status, body := post(t, c, a.URL+"/orgs/"+org+"/usage", a.URL+"/orgs/"+org+"/usage/budget", url.Values{"amount": {"4321"}, "currency": {"EUR"}}); status >= 400 {
		t.Fatalf("set a budget: %d %s", status, body)
	}
	var body string // the other instance shows its progress while its own fetch of the range runs, then the report with the budget
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, body = get(t, c, b.URL+"/orgs/"+org+"/usage"); !strings.Contains(body, `data-testid="usage-progress"`) {
			break
		}
	}
	if !strings.Contains(body, `value="4321"`) && !strings.Contains(body, "4,321") {
		t.Error("a budget set on one instance is missing on the other")
	}
	if status, _ := post(t, c, b.URL+"/orgs", b.URL+"/logout", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", status)
	}
	if status, _ := get(t, c, a.URL+"/orgs"); status != http.StatusSeeOther {
		t.Errorf("signed out on one instance, the other still serves the session (%d)", status)
	}
}

// A session's idle and absolute limits hold whichever instance serves it:
// its last use and its start are the shared store's.
func TestSessionLimitsHoldAcrossInstances(t *testing.T) {
	t.Parallel() // most of it is waiting for the limits
	_, api := apiFor(t)
	db := pgtest.Database(t)
	t.Run("absolute", func(t *testing.T) {
		t.Parallel()
		a, b := startInstance(t, db, api, "--session-max", "4s"), startInstance(t, db, api, "--session-max", "4s")
		c := signIn(t, a.URL)
		if status, _ := get(t, c, b.URL+"/orgs"); status != 200 {
			t.Fatalf("at once on the other instance: %d", status)
		}
		time.Sleep(5 * time.Second)
		for _, in := range []*instance{a, b} {
			if status, _ := get(t, c, in.URL+"/orgs"); status != http.StatusSeeOther {
				t.Errorf("%s served a session past its absolute limit (%d)", in.URL, status)
			}
		}
	})
	t.Run("idle", func(t *testing.T) {
		t.Parallel()
		// a use is recorded at most every 15 s, and idleness is judged with
		// that slack: an idle limit of 1 s ends a session unused for 16 s
		a, b := startInstance(t, db, api, "--session-idle", "1s"), startInstance(t, db, api, "--session-idle", "1s")
		c := signIn(t, a.URL)
		time.Sleep(8 * time.Second)
		if status, _ := get(t, c, b.URL+"/orgs"); status != 200 {
			t.Fatalf("within the idle limit on the other instance: %d", status)
		}
		time.Sleep(9 * time.Second) // 17 s since the last recorded use
		if status, _ := get(t, c, a.URL+"/orgs"); status != http.StatusSeeOther {
			t.Errorf("an idle session went on (%d)", status)
		}
	})
}

// fetchCounter counts, at the local API, how often each audit entry was
// fetched by any instance.
type fetchCounter struct {
	mu    sync.Mutex
	times map[string]int
}

func countFetches(e *testenv.Env) *fetchCounter {
	fc := &fetchCounter{times: map[string]int{}}
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/logs/audit") {
			return false
		}
		rec := httptest.NewRecorder()
		e.LocalAPI.ServeHTTP(rec, r)
		var page struct {
			Result []struct{ ID string } `json:"result"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &page) == nil {
			fc.mu.Lock()
			for _, en := range page.Result {
				fc.times[en.ID]++
			}
			fc.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		return true
	}
	e.Intercept.Store(&f)
	return fc
}

// repeats is how many entries were fetched more than once, of how many.
func (fc *fetchCounter) repeats() (int, int) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	n := 0
	for _, times := range fc.times {
		if times > 1 {
			n++
		}
	}
	return n, len(fc.times)
}

// searchUntilSynced repeats a search on an instance, as the page's live
// region does, until its status says the index is up to date.
func searchUntilSynced(t *testing.T, c *http.Client, base string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		get(t, c, base+"/audit?q=since%3A30d")
		if _, status := get(t, c, base+"/audit/status"); strings.Contains(status, "Index up to date") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never finished the sync", base)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// exactlyOnce checks the database holds every entry once and the sync
// states count what it holds.
func exactlyOnce(t *testing.T, db string) int64 {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var stored, distinct, claimed int64
	if err := conn.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT (org_id, id)), (SELECT coalesce(sum(synced), 0) FROM audit_sync_state) FROM audit_entries`).
		Scan(&stored, &distinct, &claimed); err != nil {
		t.Fatal(err)
	}
	if stored == 0 || stored != distinct || stored != claimed {
		t.Errorf("%d entries stored, %d distinct, the states claim %d", stored, distinct, claimed)
	}
	return stored
}

// Two instances asked for the same organizations at once sync each of
// them once between them: no entry is fetched twice, but for the second of
// overlap with which a sync asks for what is newer.
func TestOneSyncPerOrganizationAcrossInstances(t *testing.T) {
	t.Parallel()
	e, api := apiFor(t)
	db := pgtest.Database(t)
	fc := countFetches(e)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 20 * time.Millisecond}) // both have time to ask
	a, b := startInstance(t, db, api), startInstance(t, db, api)
	ca, cb := signIn(t, a.URL), signIn(t, b.URL)
	var wg sync.WaitGroup
	for _, x := range []struct {
		c    *http.Client
		base string
	}{{ca, a.URL}, {cb, b.URL}} {
		wg.Add(1)
		go func() { defer wg.Done(); searchUntilSynced(t, x.c, x.base, 2*time.Minute) }()
	}
	wg.Wait()
	stored := exactlyOnce(t, db)
	again, all := fc.repeats()
	if orgs := len(e.AllOrgIDs()); again > 3*orgs {
		t.Errorf("%d of %d entries were fetched more than once (%d organizations): the instances synced the same organizations", again, all, orgs)
	}
	t.Logf("%d entries stored; %d fetched, %d of them more than once", stored, all, again)
}

// When the instance syncing dies, the other takes its organizations over
// once their leases expire, and finishes from the stored state, every
// entry stored once.
func TestSyncFailsOverWhenAnInstanceDies(t *testing.T) {
	t.Parallel()
	e, api := apiFor(t)
	db := pgtest.Database(t)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 150 * time.Millisecond}) // a sync that takes a while
	args := []string{"--sync-lease", "2s"}
	a := startInstance(t, db, api, args...)
	ca := signIn(t, a.URL)
	get(t, ca, a.URL+"/audit?q=since%3A30d")
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var held, stored int
		conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM audit_sync_leases), (SELECT count(*) FROM audit_entries)`).Scan(&held, &stored)
		if held > 0 && stored > 0 {
			break // syncing, part stored
		}
		if time.Now().After(deadline) {
			t.Fatal("the first instance never started syncing")
		}
	}
	a.kill()
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	b := startInstance(t, db, api, args...)
	start := time.Now()
	searchUntilSynced(t, signIn(t, b.URL), b.URL, 2*time.Minute)
	stored := exactlyOnce(t, db)
	t.Logf("the survivor finished in %v; %d entries", time.Since(start).Round(time.Millisecond), stored)
}

// Two instances spending one token's budget together stay within it: the
// local API counts the calls of a burst of page views from both.
func TestUpstreamBudgetIsSharedByInstances(t *testing.T) {
	t.Parallel() // most of it is waiting for the budget
	e, api := apiFor(t)
	db := pgtest.Database(t)
	args := []string{"--upstream-budget", "60", "--cache-ttl", "0s"} // 10 at once, then one every 6 s
	a, b := startInstance(t, db, api, args...), startInstance(t, db, api, args...)
	orgs := e.AllOrgIDs() // a page each: identical reads of one user would be shared, and pace less
	if len(orgs) < 8 {
		t.Fatalf("%d organizations", len(orgs))
	}
	start, calls := time.Now(), e.UpstreamCalls()
	ca, cb := signIn(t, a.URL), signIn(t, b.URL) // a sign-in checks the token: two calls, from the budget too
	paced := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, base := ca, a.URL
			if i%2 == 1 {
				c, base = cb, b.URL
			}
			for range 5 {
				status, body := get(t, c, base+"/orgs/"+orgs[i])
				if status == http.StatusTooManyRequests && strings.Contains(body, "pacing") {
					mu.Lock()
					paced++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	used := e.UpstreamCalls() - calls
	allowed := 10 + time.Since(start).Seconds()/6 // the burst, and what refills meanwhile
	if float64(used) > allowed+1 {
		t.Errorf("the instances made %d calls in %v; the shared budget allows %.1f", used, time.Since(start).Round(time.Millisecond), allowed)
	}
	if paced == 0 {
		t.Error("no page was told it was paced: the burst did not reach the budget")
	}
	t.Logf("%d calls, %d pages paced", used, paced)
}

// PostgreSQL stopped mid-session: pages say the database is not answering
// (503, never a 500 or a blank page), a form's write is not half done, and
// once it is back the same session goes on without restarting the console.
func TestDatabaseRestartMidSession(t *testing.T) {
	t.Parallel()
	_, api := apiFor(t)
	cluster := pgtest.NewCluster(t)
	in := startInstance(t, cluster.Database(t, "orgboard"), api)
	c := signIn(t, in.URL)
	_, page := get(t, c, in.URL+"/audit")
	csrf := csrfField.FindStringSubmatch(page)[1]
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	// A search reads the database; a page needing only the session read a
	// moment ago (auth.Store reuses it five seconds) and the cached tree may
	// still answer, which is no fault.
	status, body := get(t, c, in.URL+"/audit?q=product%3Adns")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "database is not answering") {
		t.Errorf("with the database down, a page answered %d: %.300s", status, body)
	}
	resp, err := c.PostForm(in.URL+"/audit/saved", url.Values{"_csrf": {csrf}, "name": {"while down"}, "q": {"product:dns"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a save with the database down answered %d", resp.StatusCode)
	}
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body = get(t, c, in.URL+"/audit")
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the database came back: %d %.300s", status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(body, `data-testid="who"`) || strings.Contains(body, "while down") {
		t.Errorf("after the restart: signed in %v, the refused save present %v", strings.Contains(body, `data-testid="who"`), strings.Contains(body, "while down"))
	}
}
