package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
	"orgboard/internal/usage"
)

// usageCalls counts the local API's usage calls from now on.
func usageCalls(e *testenv.Env) *atomic.Int64 {
	var n atomic.Int64
	f := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/billable/usage") {
			n.Add(1)
		}
		return false
	}
	e.Intercept.Store(&f)
	return &n
}

var fetchCalls = regexp.MustCompile(`Fetch ([0-9,]+) calls`)

// A large range asks before it spends calls and says how many; once
// fetched, the same range, its regroupings, drill-downs, another measure
// and a restarted console cost no call; later, only the days that may
// still change are fetched again. The stack runs at noon: the minutes it
// steps stay in the day (past midnight, the day just ended is new).
func TestUsageStoreSpendsEachCallOnce(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{Now: atHour(12)})
	calls := usageCalls(e)
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	base := "/orgs/" + root.ID + "/usage"
	q := "?preset=last_90_days&group=product_family"
	page := u.Get(base + q)
	contains(t, "the first view of the whole tree", page, `data-testid="usage-confirm"`, "not in the usage store yet", "of this token's budget")
	m := fetchCalls.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no call count on the confirmation: %.500s", page.Body)
	}
	want, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	orgs := len(e.AllOrgIDs())
	today := usage.Civil(e.Clock.Now().UTC())
	from, to, _ := usage.Last90Days.Range(today)
	pf, pt := usage.Previous(from, to)
	if exp := orgs * (len(usage.Windows(from, to)) + len(usage.Windows(pf, pt))); want != exp {
		t.Errorf("the confirmation says %d calls, want %d (%d organizations, a call per month of the range and of the period before)", want, exp, orgs)
	}
	if calls.Load() != 0 {
		t.Fatalf("%d calls before the user agreed", calls.Load())
	}
	if r := u.Post(base+"/fetch"+q, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("start the fetch: %d", r.Status)
	}
	first := report(t, u, base+q)
	contains(t, "the fetched range", first, `data-testid="usage-kpis"`)
	if got := calls.Load(); got != int64(want) {
		t.Errorf("the fetch made %d calls, the page said %d", got, want)
	}
	for _, view := range []string{q, "?preset=last_90_days&group=account", "?preset=last_90_days&group=zone&product_family=Workers",
		"?preset=last_90_days&group=metric&measure=estimated", "?preset=last_90_days&group=region&measure=quantity"} {
		r := report(t, u, base+view)
		contains(t, view, r, `data-testid="usage-kpis"`)
	}
	if got := calls.Load(); got != int64(want) {
		t.Errorf("regrouping, drilling down and other measures made %d more calls", got-int64(want))
	}
	e.RestartConsole()
	calls.Store(0)
	contains(t, "after a restart", report(t, u, base+q), `data-testid="usage-kpis"`)
	if n := calls.Load(); n != 0 {
		t.Errorf("a restarted console fetched %d times what it had stored", n)
	}
	// eleven minutes later the last days, which Cloudflare may still change, are fetched again, and nothing else
	e.Clock.Advance(11 * time.Minute)
	exp := stillOpen(t, e, from, today)
	calls.Store(0)
	contains(t, "later", report(t, u, base+q), `data-testid="usage-kpis"`)
	if calls.Load() != exp {
		t.Errorf("later: %d calls, want %d (a call per organization and month holding its last %d days, or a correction of the last %d)",
			calls.Load(), exp, usage.DefaultSettle, 2*usage.DefaultSettle)
	}
}

// stillOpen is the number of calls that bring a range starting at from up
// to date on today, once all of it was fetched today: a call for each
// organization and month holding a day Cloudflare may still change (the
// last DefaultSettle days up to yesterday, or twice that for a day holding
// a correction, which the seed issues for the last day of some months).
func stillOpen(t *testing.T, e *testenv.Env, from, today time.Time) int64 {
	t.Helper()
	yesterday := today.AddDate(0, 0, -1)
	month := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC) }
	var n int64
	for _, o := range e.AllOrgIDs() {
		open := map[time.Time]bool{}
		for d := later(from, today.AddDate(0, 0, -usage.DefaultSettle)); !d.After(yesterday); d = d.AddDate(0, 0, 1) {
			open[month(d)] = true
		}
		p := api.UsageParams{From: later(from, today.AddDate(0, 0, -2*usage.DefaultSettle)).Format(time.DateOnly), To: yesterday.Format(time.DateOnly)}
		for r, err := range e.Admin().UsageRecords(context.Background(), o, p) {
			if err != nil {
				t.Fatal(err)
			}
			if r.ChargeClass == api.ChargeClassCorrection {
				open[month(r.ChargePeriodStart)] = true
			}
		}
		n += int64(len(open))
	}
	return n
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// A large fetch fills the page in as its windows arrive: the progress,
// with the figures so far under it, then the whole report.
func TestUsageFillsInAsWindowsArrive(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 60 * time.Millisecond})
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	base := "/orgs/" + root.ID + "/usage"
	q := "?preset=last_90_days&group=product_family"
	if r := u.Post(base+"/fetch"+q, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("start the fetch: %d", r.Status)
	}
	var mid testenv.Response // the views while it runs: the figures so far appear under the progress
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if mid = u.Get(base + q); strings.Contains(mid.Body, `data-testid="usage-partial"`) || !strings.Contains(mid.Body, `data-testid="usage-progress"`) {
			break
		}
	}
	contains(t, "while fetching", mid, `data-testid="usage-progress"`, `data-testid="usage-partial"`, `data-testid="kpi-total"`, "left at the token")
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	done := report(t, u, base+q)
	contains(t, "fetched", done, `data-testid="kpi-total"`)
	if strings.Contains(done.Body, `data-testid="usage-partial"`) {
		t.Error("the finished report still says it is partial")
	}
}

// A fetch cut short by a restart goes on from where it was: the windows
// stored before are not fetched again, and the figures equal the API's.
func TestUsageFetchResumesAfterARestart(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 40 * time.Millisecond})
	calls := usageCalls(e)
	u := e.SignedIn(localapi.DemoAdminToken)
	root := e.Org("Northwind Holdings")
	base := "/orgs/" + root.ID + "/usage"
	q := "?preset=last_90_days&group=product_family"
	first := u.Get(base + q)
	m := fetchCalls.FindStringSubmatch(first.Body)
	if m == nil {
		t.Fatal("no confirmation")
	}
	total, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	u.Post(base+"/fetch"+q, nil)
	for deadline := time.Now().Add(time.Minute); calls.Load() < int64(total/3) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	e.RestartConsole() // mid-fetch
	before := calls.Load()
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	done := report(t, u, base+q)
	after := calls.Load() - before
	if before >= int64(total) || after == 0 || before+after > int64(total)+int64(len(e.AllOrgIDs())) {
		t.Errorf("%d calls before the restart, %d after, of %d: stored windows were fetched again", before, after, total)
	}
	today := usage.Civil(e.Clock.Now().UTC())
	from, to, _ := usage.Last90Days.Range(today)
	want := apiTotals(t, e, e.AllOrgIDs(), from, to)["USD"]
	if !strings.Contains(done.Body, usage.Display(want, "USD")+" USD") {
		t.Errorf("after the resumed fetch the page does not show the API's total %s USD", usage.Display(want, "USD"))
	}
}

// The usage store is a copy of Cloudflare's: a damaged usage.db is moved
// aside at the next start, the usage page says so, and its figures are
// fetched again; the console's own state (the session) is untouched.
func TestADamagedUsageStoreIsFetchedAgain(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{Now: atHour(12)})
	calls := usageCalls(e)
	u := e.SignedIn(localapi.DemoAdminToken)
	team := e.Org("Checkout")
	path := "/orgs/" + team.ID + "/usage?preset=last_30_days&group=product_family"
	first := report(t, u, path)
	contains(t, "before the damage", first, `data-testid="usage-kpis"`)
	fetched := calls.Load()
	e.RestartConsole(func() { damageFile(t, filepath.Join(e.DataDir(), "usage.db")) })
	calls.Store(0)
	again := report(t, u, path)
	contains(t, "after the damage", again, `data-testid="usage-kpis"`, "The usage store (usage.db) was damaged", "moved aside to usage.db.damaged-")
	if got := calls.Load(); got != fetched {
		t.Errorf("the usage was fetched again in %d calls, want %d as the first time", got, fetched)
	}
	if kpis(first) == "" || kpis(first) != kpis(again) {
		t.Errorf("the figures differ once fetched again:\n%s\n%s", kpis(first), kpis(again))
	}
}

var kpiFigures = regexp.MustCompile(`data-testid="kpi-[a-z]+"><span class="muted">[^<]*</span> <strong>[^<]*</strong>`)

// kpis is the figures of a usage page's tiles.
func kpis(r testenv.Response) string {
	return strings.Join(kpiFigures.FindAllString(r.Body, -1), "\n")
}

// damageFile overwrites 200 bytes every 4 KB past the file's first page.
func damageFile(t *testing.T, file string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 50))
	for off := int64(4096); off < st.Size(); off += 4 << 10 {
		if _, err := f.WriteAt(junk, off+100); err != nil {
			t.Fatal(err)
		}
	}
}
