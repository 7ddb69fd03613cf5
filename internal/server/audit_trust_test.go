package server_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// First visit: while the sync has not reached the search's range the page
// says it is indexing (never "No entries match") and asks again by itself;
// once the range is in, the results and the summary's loader are there.
func TestAuditFirstVisitSaysItIsIndexing(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	path := "/audit?q=" + url.QueryEscape("action:update since:30d")
	first := u.Get(path)
	contains(t, "first visit", first, `data-testid="audit-indexing"`, "Indexing…", `hx-trigger="every 3s"`)
	if strings.Contains(first.Body, "No entries match") || strings.Contains(first.Body, `id="audit-summary"`) {
		t.Error("the first visit says nothing matches, or counts, before the sync reached the range")
	}
	var r testenv.Response
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if r = u.HX("GET", path, "audit-live", nil); !strings.Contains(r.Body, `data-testid="audit-indexing"`) {
			break
		}
	}
	contains(t, "after the sync", r, `data-testid="audit-row"`, `id="audit-summary"`)
	if strings.Contains(r.Body, `hx-trigger="every 3s"`) {
		t.Error("the page still asks again after the sync covered the range")
	}
}

// An export of a range not synced yet starts the sync and refuses, with
// when to try again, instead of answering an empty file; once synced it
// holds the entries.
func TestAuditExportWaitsForTheSync(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	path := "/audit/export?format=json&q=" + url.QueryEscape("action:update since:30d")
	r := u.Get(path)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "try the export again") {
		t.Fatalf("export before the sync: %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if r = u.Get(path); r.Status != http.StatusServiceUnavailable {
			break
		}
	}
	if r.Status != 200 || !strings.HasPrefix(r.Body, "[{") || r.Header.Get("X-Total-Count") == "0" {
		t.Errorf("export after the sync: %d %q", r.Status, r.Body[:min(len(r.Body), 40)])
	}
}

// One user's 429 pauses that user's syncs only: another user's search of
// the same organizations syncs at once, and each is told whose budget ran out.
func TestAuditRateLimitIsPerToken(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	limited := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/logs/audit") && r.Header.Get("Authorization") == "Bearer "+localapi.DemoViewerToken {
			w.Header().Set("Retry-After", "300")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"success":false,"errors":[{"code":971,"message":"Please wait and consider throttling your request speed"}],"messages":[],"result":null}`))
			return true
		}
		return false
	}
	e.Intercept.Store(&limited)
	viewer, admin := e.SignedIn(localapi.DemoViewerToken), e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	base := "/orgs/" + pp.ID + "/audit"
	viewer.Get(base)
	for deadline := time.Now().Add(10 * time.Second); e.Syncer.Running(pp.ID) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	vs := viewer.HX("GET", "/audit/status?org="+pp.ID, "audit-status", nil)
	contains(t, "the viewer's status", vs, "limiting requests made with your token", "Other people&#39;s syncs go on")
	synced(t, e, admin, base, pp.ID)
	as := admin.HX("GET", "/audit/status?org="+pp.ID, "audit-status", nil)
	if strings.Contains(as.Body, "limiting requests") || !strings.Contains(as.Body, "Index up to date") {
		t.Errorf("the admin's status: %s", snippet(as.Body, "audit-status"))
	}
}

// Bad queries get a 400 that points at the mistake, never a 500.
func TestAuditQueriesThatPointAtTheirMistake(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	for _, tt := range []struct{ q, want string }{
		{"\x00", "control character"}, {"dns\x00", "column 4"}, {"since:20000w", "out of reach"},
		{"before:0001-01-01", "out of reach"}, {"since:2026-11-20 before:2026-11-10", "not before before:"},
	} {
		for _, path := range []string{"/audit?q=", "/audit/summary?q=", "/audit/export?format=csv&q="} {
			r := u.Get(path + url.QueryEscape(tt.q))
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, tt.want) {
				t.Errorf("%s%q: %d, want 400 with %q", path, tt.q, r.Status, tt.want)
			}
		}
	}
}

// The status and the summary write counts as people read them, and the
// query builder writes its query without empty fields in the address.
func TestAuditCountsAndBuilder(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	gw := e.Org("Payments Gateway")
	synced(t, e, u, "/orgs/"+gw.ID+"/audit", gw.ID)
	st := u.HX("GET", "/audit/status?org="+gw.ID, "audit-status", nil)
	if !strings.Contains(st.Body, " of 1 organization,") {
		t.Errorf("status: %s", snippet(st.Body, "Index up to date"))
	}
	checkout := e.Org("Checkout") // some 1,500 entries
	synced(t, e, u, "/orgs/"+checkout.ID+"/audit", checkout.ID)
	if st := u.HX("GET", "/audit/status?org="+checkout.ID, "audit-status", nil); !regexpMatch(st.Body, `Index up to date: [0-9]{1,3}(,[0-9]{3})+ entries of 1 organization,`) {
		t.Errorf("status without separators: %s", snippet(st.Body, "Index up to date"))
	}
	r := u.Get("/orgs/" + gw.ID + "/audit?build=1&b_actor=&b_action=update&b_product=&b_result=&b_since=7d&b_text=")
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || strings.Contains(loc, "b_") || !strings.Contains(loc, "q=action%3Aupdate+since%3A7d") {
		t.Errorf("builder: %d %q", r.Status, loc)
	}
	page := u.Get(loc)
	if !strings.Contains(page.Body, `<option value="update" selected>`) || !strings.Contains(page.Body, `<option value="7d" selected>`) {
		t.Error("the builder lost its fields after writing the query")
	}
	if bad := u.Get("/orgs/" + gw.ID + "/audit?build=1&b_since=7d+foo"); bad.Status != http.StatusBadRequest {
		t.Errorf("builder with a forged since: %d", bad.Status)
	}
}

// A search that runs past its deadline is stopped, with how to narrow it.
func TestAuditSearchPastItsDeadline(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{AuditTimeout: time.Nanosecond})
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	synced(t, e, u, "/orgs/"+pp.ID+"/audit", pp.ID)
	for _, path := range []string{"/orgs/" + pp.ID + "/audit?q=dns", "/audit/summary?org=" + pp.ID + "&q=dns"} {
		r := u.Get(path)
		if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "This search takes too long") || !strings.Contains(r.Body, "since:") {
			t.Errorf("%s: %d %s", path, r.Status, snippet(r.Body, "alert"))
		}
	}
}

// No cell of an export starts a formula in a spreadsheet, whatever the
// entries hold and whichever separator the spreadsheet splits on: here an
// organization renamed as an attack (each rename's entry carries the name).
func TestExportCellsNeverStartAFormula(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	for _, name := range []string{"x;=1+1;", "-Inf", "＝1+1", "=HYPERLINK(\"http://evil\")", "@SUM(A1)"} {
		if _, err := e.Admin().UpdateOrganization(bg, pp.ID, api.OrganizationInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	synced(t, e, u, "/orgs/"+pp.ID+"/audit", pp.ID)
	r := u.Get("/orgs/" + pp.ID + "/audit/export?format=csv&q=" + url.QueryEscape("action:update since:1h"))
	if r.Status != 200 {
		t.Fatalf("export: %d", r.Status)
	}
	for _, sep := range []rune{',', ';', '\t'} {
		rd := csv.NewReader(strings.NewReader(r.Body))
		rd.Comma, rd.LazyQuotes, rd.FieldsPerRecord = sep, true, -1
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if c := strings.TrimLeft(strings.TrimLeft(cell, `"`), " "); c != "" && strings.ContainsRune("=+-@＝＋－＠", []rune(c)[0]) && !regexpMatch(c, `^-[0-9]+(\.[0-9]+)?$`) {
					t.Errorf("split on %q, a cell starts a formula: %q in %q", sep, cell, row)
				}
			}
		}
	}
	if !strings.Contains(r.Body, "x;'=1+1;") {
		t.Error("the entries with the names are not in the export")
	}
}

// A resource whose older entries lie outside the synced window: its history
// asks the API's history endpoint for them once, says where each entry
// comes from and how exactly the resource was identified, and keeps them.
func TestHistoryOlderThanTheIndexWindow(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{AuditWindow: 7 * 24 * time.Hour})
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Checkout")
	synced(t, e, u, "/orgs/"+org.ID+"/audit", org.ID)
	// a resource of the last week that has entries from before it, as the API says
	now := e.Clock.Now()
	counts := map[string]int{}
	older := map[string]int{}
	var recent = map[string]string{}
	for en, err := range e.Admin().AuditEntries(bg, org.ID, api.AuditParams{Since: now.Add(-audit.MaxWindow).UTC().Format(time.RFC3339), Before: now.Add(time.Hour).UTC().Format(time.RFC3339), Limit: 1000}) {
		if err != nil {
			t.Fatal(err)
		}
		id := en.Resource.ID
		counts[id]++
		if en.Action.Time.Before(now.AddDate(0, 0, -8)) {
			older[id]++
		} else if _, ok := recent[id]; !ok && en.Action.Type != "view" && en.Action.Time.After(now.AddDate(0, 0, -6)) {
			recent[id] = en.ID
		}
	}
	var resource, entry string
	for id, ent := range recent {
		if older[id] > 0 {
			resource, entry = id, ent
			break
		}
	}
	if resource == "" {
		t.Fatal("no resource of the last week with older entries")
	}
	calls := 0
	count := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/history") {
			calls++
		}
		return false
	}
	e.Intercept.Store(&count)
	h := u.Get("/audit/entries/" + entry + "/history")
	if h.Status != 200 {
		t.Fatalf("history: %d %s", h.Status, snippet(h.Body, "alert"))
	}
	contains(t, "history", h, "from Cloudflare&#39;s history", "from the index", "identified this resource exactly")
	if got := strings.Count(h.Body, `data-testid="history-step"`); got != counts[resource] {
		t.Errorf("%d steps, the API holds %d entries of the resource", got, counts[resource])
	}
	if calls == 0 {
		t.Error("the history endpoint was not asked")
	}
	before := calls
	again := u.Get("/audit/entries/" + entry + "/history")
	if got := strings.Count(again.Body, `data-testid="history-step"`); got != counts[resource] {
		t.Errorf("the second view shows %d steps, the first %d", got, counts[resource])
	}
	if calls != before {
		t.Errorf("a second view asked the history endpoint again (%d calls)", calls-before)
	}
}

// A team created with its profile and then edited in two fields: the
// profile save's history shows those two fields, with their values
// before (the save sent all five, as Cloudflare's PUT requires).
func TestProfileHistoryShowsWhatChanged(t *testing.T) {
	t.Parallel()
	testenv.Backends(t, func(t *testing.T, o testenv.Options) {
		e := testenv.New(t, o)
		u := e.SignedIn(localapi.DemoAdminToken)
		dp := e.Org("Data Platform")
		fields := url.Values{"name": {"History Team"}, "business_name": {"History Team Ltd"}, "business_email": {"history@northwind.example"},
			"business_phone": {"+1 415 555 0100"}, "business_address": {"1 Market Street"}, "external_metadata": {`{"cost_center":"CC-1"}`}}
		r := u.Post("/orgs/"+dp.ID+"/children", fields)
		created := strings.TrimPrefix(strings.SplitN(r.Header.Get("Location"), "?", 2)[0], "/orgs/")
		if r.Status != http.StatusSeeOther || created == "" {
			t.Fatalf("create: %d %q", r.Status, r.Header.Get("Location"))
		}
		base := "/orgs/" + created + "/profile"
		edit := url.Values{"fingerprint": {regexpValue(u.HX("GET", base+"/edit", "profile", nil).Body, "fingerprint")}}
		for k, v := range fields {
			if k != "name" {
				edit[k] = v
			}
		}
		edit.Set("business_email", "team@northwind.example")
		edit.Set("business_phone", "+1 415 555 0199")
		if r := u.HX("PUT", base, "profile", edit); r.Status != http.StatusOK {
			t.Fatalf("save: %d", r.Status)
		}
		if err := e.Syncer.SyncOrg(context.Background(), e.Admin(), created); err != nil {
			t.Fatal(err)
		}
		now := e.Clock.Now().UTC()
		page, err := e.Admin().ListAuditEntries(context.Background(), created, api.AuditParams{Since: now.Add(-time.Hour).Format(time.RFC3339), Before: now.Add(time.Hour).Format(time.RFC3339)})
		if err != nil {
			t.Fatal(err)
		}
		var save string
		for _, en := range page.Entries {
			if en.Resource.Type == "organization_profile" {
				save = en.ID
			}
		}
		h := u.Get("/audit/entries/" + save + "/history")
		last := h.Body[strings.LastIndex(h.Body, "<li"):]
		rows := strings.Count(last, `data-testid="history-change"`)
		if rows != 2 || !strings.Contains(last, "history@northwind.example") || !strings.Contains(last, "team@northwind.example") ||
			!strings.Contains(last, "+1 415 555 0100") || strings.Contains(last, "history-unknown") {
			t.Errorf("the save's step shows %d changes: %.2000s", rows, last)
		}
	})
}
