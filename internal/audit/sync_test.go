package audit_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"orgboard/internal/clock"
	"orgboard/internal/clock/clocktest"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/localapi"
	"orgboard/internal/store"
	"orgboard/internal/store/pgtest"
	"orgboard/internal/store/storetest"
	"orgboard/internal/testenv"
)

var bg = context.Background()

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openIndex(t *testing.T, b storetest.Backend) (*audit.Index, *store.Stores) {
	return openIndexAt(t, b, clocktest.Clock())
}

// newSyncer syncs into x, taking leases where the stores have them.
func newSyncer(x *audit.Index, st *store.Stores) *audit.Syncer {
	s := audit.NewSyncer(bg, x, nil)
	s.Leases = st.Leases
	return s
}

// openIndexAt opens the backend's index, whose "now" is clk's.
func openIndexAt(t *testing.T, b storetest.Backend, clk clock.Clock) (*audit.Index, *store.Stores) {
	t.Helper()
	st := b.Open(t)
	return audit.NewIndex(st.Audit, clk), st
}

// upstreamIDs are the entries the API holds for org in the sync window.
func upstreamIDs(t *testing.T, e *testenv.Env, org string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	p := api.AuditParams{Since: clocktest.Now().Add(-audit.DefaultWindow + time.Hour).UTC().Format(time.RFC3339), Before: clocktest.Now().Add(time.Hour).UTC().Format(time.RFC3339), Limit: 1000}
	for en, err := range e.Admin().AuditEntries(bg, org, p) {
		if err != nil {
			t.Fatal(err)
		}
		ids[en.ID] = true
	}
	return ids
}

func indexedIDs(t *testing.T, x *audit.Index, org string) map[string]int {
	t.Helper()
	ids := map[string]int{}
	for body, err := range x.All(bg, audit.Query{}, audit.Scope{Orgs: []string{org}}) {
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ ID string }
		if err := jsonUnmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		ids[e.ID]++
	}
	return ids
}

func checkExactlyOnce(t *testing.T, want map[string]bool, got map[string]int) {
	t.Helper()
	missing := 0
	for id := range want {
		if got[id] != 1 {
			missing++
		}
	}
	if missing > 0 || len(got) < len(want) {
		t.Errorf("%d of %d upstream entries missing or repeated; index holds %d", missing, len(want), len(got))
	}
}

func TestSyncStoresEveryEntryOnceAcrossRestartsAndFaults(t *testing.T) {
	storetest.Run(t, testSyncStoresEveryEntryOnceAcrossRestartsAndFaults)
}

func testSyncStoresEveryEntryOnceAcrossRestartsAndFaults(t *testing.T, b storetest.Backend) {
	e := testenv.New(t)
	root := e.Org("Northwind Holdings").ID
	x, st := openIndex(t, b)
	client := e.Admin()

	// a 500 mid-way: the sync stops, keeping what it stored
	s := newSyncer(x, st)
	s.Limit = 200
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Rate500: 0.3})
	for i := 0; i < 30; i++ {
		if err := s.SyncOrg(bg, client, root); err == nil {
			break
		}
	}
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	st.Close()

	// restart: a new index over the same store resumes, new entries arrive meanwhile
	x, st = openIndex(t, b)
	s = newSyncer(x, st)
	s.Limit = 200
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			if err := client.UpdateProfile(bg, root, api.Profile{BusinessName: "Northwind " + clocktest.Now().Format(time.StampNano)}); err != nil {
				t.Error(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	if err := s.SyncOrg(bg, client, root); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := s.SyncOrg(bg, client, root); err != nil { // picks up what arrived during the first pass
		t.Fatal(err)
	}
	checkExactlyOnce(t, upstreamIDs(t, e, root), indexedIDs(t, x, root))
	p, err := s.Progress(bg, []string{root})
	if err != nil || !p.Done || p.Synced == 0 {
		t.Errorf("progress %+v, %v", p, err)
	}
}

// A 429 pauses the syncs of the token that met it, until Retry-After; the
// same organization goes on syncing with another user's token at once.
func TestRateLimitPausesOnlyItsToken(t *testing.T) {
	storetest.Run(t, testRateLimitPausesOnlyItsToken)
}

func testRateLimitPausesOnlyItsToken(t *testing.T, b storetest.Backend) {
	e := testenv.New(t)
	org := e.Org("Payments Platform").ID
	x, st := openIndex(t, b)
	s := newSyncer(x, st)
	viewer := e.Admin().WithToken(localapi.DemoViewerToken)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Rate429: 1, RetryAfter: 120 * time.Second})
	if err := s.SyncOrg(bg, viewer, org); err == nil {
		t.Fatal("a 429 did not stop the sync")
	}
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	calls := e.UpstreamCalls()
	if err := s.SyncOrg(bg, viewer, org); err == nil || e.UpstreamCalls() != calls {
		t.Errorf("the limited token synced again before Retry-After (%v)", err)
	}
	if until, ok := s.PausedUntil(viewer.TokenKey()); !ok || until.Before(clocktest.Now().Add(100*time.Second)) {
		t.Errorf("the viewer's token is not paused: %v %v", until, ok)
	}
	if _, ok := s.PausedUntil(e.Admin().TokenKey()); ok {
		t.Error("another token is paused too")
	}
	// the admin's search starts a sync of the same organization at once
	s.Ensure(e.Admin(), org)
	s.Wait()
	p, err := s.Progress(bg, []string{org})
	if err != nil || !p.Done || p.Synced == 0 || p.Problem != "" {
		t.Errorf("with another token: %+v %v", p, err)
	}
}

func TestExtendReachesFurtherBackUpToEighteenMonths(t *testing.T) {
	storetest.Run(t, testExtendReachesFurtherBackUpToEighteenMonths)
}

func testExtendReachesFurtherBackUpToEighteenMonths(t *testing.T, b storetest.Backend) {
	e := testenv.New(t)
	org := e.Org("Payments Platform").ID
	x, st := openIndex(t, b)
	s := newSyncer(x, st)
	if err := s.SyncOrg(bg, e.Admin(), org); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Progress(bg, []string{org})
	start, err := s.Extend(bg, org, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Progress(bg, []string{org}); p.Done {
		t.Error("an extended window reports done before its backfill")
	}
	calls := e.UpstreamCalls()
	if err := s.SyncOrg(bg, e.Admin(), org); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Progress(bg, []string{org})
	if !after.Done || !after.Covered.Equal(start) || !after.Covered.Before(before.Covered.Add(-89*24*time.Hour)) || e.UpstreamCalls() == calls {
		t.Errorf("after extending: %+v (was %+v)", after, before)
	}
	for range 10 {
		start, _ = s.Extend(bg, org, 90*24*time.Hour)
	}
	if clocktest.Now().Sub(start) > audit.MaxWindow+time.Minute {
		t.Errorf("extended past 18 months: %v", start)
	}
}

// A search that excludes values, on an organization whose backfill has not
// reached its start, has its own range fetched first with the exclusions
// pushed down to the API; the backfill then stores the rest, every entry
// once, and the state counts what the index holds.
func TestSearchExclusionsArePushedDownFirst(t *testing.T) {
	storetest.Run(t, testSearchExclusionsArePushedDownFirst)
}

func testSearchExclusionsArePushedDownFirst(t *testing.T, b storetest.Backend) {
	e := testenv.New(t)
	root := e.Org("Northwind Holdings").ID
	var mu sync.Mutex
	var audits []url.Values
	seen := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/logs/audit") {
			mu.Lock()
			audits = append(audits, r.URL.Query())
			mu.Unlock()
		}
		return false
	}
	e.Intercept.Store(&seen)
	x, st := openIndex(t, b)
	s := newSyncer(x, st)
	s.Limit = 200
	s.EnsureFor(e.Admin(), root, mustParse(t, "-action:view -product:dns since:7d"))
	s.Wait()

	mu.Lock()
	first := audits[0]
	mu.Unlock()
	since, err := time.Parse(time.RFC3339Nano, first.Get("since"))
	if first.Get("action_type.not") != "view" || first.Get("resource_product.not") != "dns" || err != nil ||
		clocktest.Now().Sub(since) > 7*24*time.Hour+time.Hour {
		t.Errorf("first audit request %v: want the search's week with its exclusions", first)
	}
	pushed := 0
	for _, q := range audits {
		if q.Has("action_type.not") {
			pushed++
		}
	}
	if pushed == len(audits) {
		t.Error("the backfill was never made without the exclusions")
	}
	indexed := indexedIDs(t, x, root)
	checkExactlyOnce(t, upstreamIDs(t, e, root), indexed)
	if p, err := s.Progress(bg, []string{root}); err != nil || !p.Done || p.Synced != int64(len(indexed)) {
		t.Errorf("progress %+v (%v), want done with %d entries", p, err, len(indexed))
	}
}
