package server_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// synced opens a search (which starts the sync) and waits for its end.
func synced(t *testing.T, e *testenv.Env, u *testenv.User, path string, orgs ...string) {
	t.Helper()
	u.Get(path)
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		p, err := e.Syncer.Progress(bg, orgs)
		if err != nil {
			t.Fatal(err)
		}
		if p.Done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the sync did not finish")
}

func TestAuditSearch(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoViewerToken)
	pp := e.Org("Payments Platform")
	base := "/orgs/" + pp.ID + "/audit"
	synced(t, e, u, base, pp.ID)

	r := u.Get(base + "?q=" + url.QueryEscape("product:dns -result:failure"))
	contains(t, "results", r, `data-testid="audit-row"`, "include-actor", "exclude-product", "Audit log")
	if strings.Contains(r.Body, `data-testid="audit-row" class="failure"`) {
		t.Error("an excluded failure is listed")
	}
	if f := u.Get(base + "?q=result:failure"); !strings.Contains(f.Body, `data-testid="audit-row" class="failure"`) {
		t.Error("failures are not marked as such")
	}
	bad := u.Get(base + "?q=" + url.QueryEscape("product:dns colour:red"))
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `unknown filter &#34;colour&#34;`) || !strings.Contains(bad.Body, "column 13") {
		t.Errorf("bad query: %d", bad.Status)
	}
	// include a value from a row: the link rewrites the query
	inc := html.UnescapeString(regexpAttr(r.Body, `href="([^"]*)"[^>]*data-testid="include-actor"`))
	if !strings.Contains(inc, "actor%3A") {
		t.Fatalf("include link %q", inc)
	}
	r2 := u.Get(inc)
	contains(t, "included", r2, `data-testid="audit-row"`)
	// infinite scroll: the last row asks for the next page
	all := u.Get(base)
	more := html.UnescapeString(regexpAttr(all.Body, `hx-get="([^"]*after=[^"]*)" hx-trigger="revealed"`))
	if more == "" {
		t.Fatal("no next page on a full page of results")
	}
	next := u.HX("GET", more, "", nil)
	if strings.Contains(next.Body, "<html") || strings.Count(next.Body, `data-testid="audit-row"`) == 0 {
		t.Error("the next page is not rows")
	}
	sum := u.HX("GET", "/audit/summary?org="+pp.ID+"&q="+url.QueryEscape("product:dns"), "audit-summary", nil)
	contains(t, "summary", sum, " actors", " failed", `data-options="{`, `&#34;xAxis&#34;`, "Top actors", `hx-swap-oob="true"`)
	st := u.HX("GET", "/audit/status?org="+pp.ID, "audit-status", nil)
	contains(t, "status", st, "Index up to date")
}

func TestAuditAuthorization(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	admin := e.SignedIn(localapi.DemoAdminToken)
	root, pp := e.Org("Northwind Holdings"), e.Org("Payments Platform")
	synced(t, e, admin, "/orgs/"+root.ID+"/audit", root.ID)
	synced(t, e, admin, "/orgs/"+pp.ID+"/audit", pp.ID)
	page := admin.Get("/orgs/" + root.ID + "/audit")
	entry := regexpAttr(page.Body, `/audit/entries/([0-9a-f]+)`)
	if entry == "" {
		t.Fatal("no entry of the root")
	}
	editor := e.SignedIn(localapi.DemoEditorToken)
	if r := editor.Get("/orgs/" + root.ID + "/audit"); r.Status != http.StatusForbidden {
		t.Errorf("editor searching the root: %d", r.Status)
	}
	if r := editor.Get("/audit/entries/" + entry); r.Status != http.StatusNotFound {
		t.Errorf("editor reading a root entry synced by the admin: %d", r.Status)
	}
	all := editor.Get("/audit?q=" + url.QueryEscape("org:"+root.ID))
	if strings.Count(all.Body, `data-testid="audit-row"`) != 0 {
		t.Error("the editor's search over every organization shows the root's entries")
	}
	if r := editor.Get("/audit/export?format=json&org=" + root.ID); r.Status != http.StatusForbidden {
		t.Errorf("editor exporting the root: %d", r.Status)
	}
	if r := admin.Get("/audit/entries/" + entry); r.Status != 200 || !strings.Contains(r.Body, "Time (UTC)") {
		t.Errorf("admin detail: %d", r.Status)
	}
}

func TestAuditDetailHistoryExportAndSavedSearches(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	base := "/orgs/" + pp.ID + "/audit"
	synced(t, e, u, base, pp.ID)
	q := "product:dns"
	r := u.Get(base + "?q=" + q)
	entry := regexpAttr(r.Body, `/audit/entries/([0-9a-f]+)`)
	d := u.HX("GET", "/audit/entries/"+entry, "drawer-body", nil)
	contains(t, "detail", d, "Time (UTC)", "<dt>Actor</dt>", "History of this resource")
	if strings.Contains(d.Body, "action.time") || strings.Contains(d.Body, "actor.email") {
		t.Error("the drawer labels fields with the API's raw keys")
	}
	hist := html.UnescapeString(regexpAttr(d.Body, `href="(/audit/entries/[^"]+/history[^"]*)"`))
	h := u.Get(hist)
	contains(t, "history", h, `data-testid="audit-history"`, `data-testid="history-back"`)
	if strings.Count(h.Body, `data-testid="history-step"`) > 1 && !strings.Contains(h.Body, `data-testid="history-change"`) {
		t.Error("a resource with several entries shows no change between them")
	}

	csvR := u.Get(base + "/export?format=csv&q=" + q)
	recs, err := csv.NewReader(strings.NewReader(csvR.Body)).ReadAll()
	if err != nil || csvR.Header.Get("Content-Disposition") == "" {
		t.Fatalf("csv: %v", err)
	}
	jsonR := u.Get(base + "/export?format=json&q=" + q)
	var entries []struct {
		ID       string `json:"id"`
		Resource struct {
			Product string `json:"product"`
		} `json:"resource"`
	}
	if err := json.Unmarshal([]byte(jsonR.Body), &entries); err != nil {
		t.Fatalf("json export: %v", err)
	}
	if recs[0][0] != "id" || recs[0][19] != "resource.product" || len(recs)-1 != len(entries) || len(entries) == 0 {
		t.Fatalf("csv has %d rows, json %d", len(recs)-1, len(entries))
	}
	if total := csvR.Header.Get("X-Total-Count"); total != jsonR.Header.Get("X-Total-Count") || total != itoa(len(entries)) {
		t.Errorf("X-Total-Count %s for %d entries", total, len(entries))
	}
	for i, en := range entries {
		if en.Resource.Product != "dns" || recs[i+1][0] != en.ID {
			t.Fatalf("export row %d: %+v / %v", i, en, recs[i+1][:1])
		}
	}

	s := u.Post("/audit/saved", url.Values{"name": {"DNS changes"}, "q": {q}, "scope": {pp.ID}})
	if s.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", s.Status)
	}
	contains(t, "saved list", u.Get(base), "DNS changes")
	if r := u.Post("/audit/saved", url.Values{"name": {"Broken"}, "q": {"colour:red"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("saving a bad query: %d", r.Status)
	}
	other := e.SignedIn(localapi.DemoViewerToken)
	if strings.Contains(other.Get(base).Body, "DNS changes") {
		t.Error("another user sees this user's saved search")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestAuditExtendNeedsCSRFAndReadAccess(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoEditorToken)
	pp, root := e.Org("Payments Platform"), e.Org("Northwind Holdings")
	synced(t, e, u, "/orgs/"+pp.ID+"/audit", pp.ID)
	if r := u.Do("POST", "/audit/extend", url.Values{"org": {pp.ID}}, nil); r.Status != http.StatusForbidden {
		t.Errorf("without CSRF: %d", r.Status)
	}
	if r := u.Post("/audit/extend", url.Values{"org": {root.ID}}); r.Status != http.StatusForbidden {
		t.Errorf("extending an organization the token cannot read: %d", r.Status)
	}
	if r := u.Post("/audit/extend", url.Values{"org": {pp.ID}}); r.Status != http.StatusSeeOther {
		t.Fatalf("extend: %d", r.Status)
	}
	synced(t, e, u, "/orgs/"+pp.ID+"/audit", pp.ID)
	p, _ := e.Syncer.Progress(bg, []string{pp.ID})
	if e.Clock.Now().Sub(p.Covered) < 170*24*time.Hour {
		t.Errorf("the window did not move back: covered from %v", p.Covered)
	}
}

func TestPagingResultsDoesNotResyncEveryOrganization(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoViewerToken)
	pp := e.Org("Payments Platform")
	base := "/orgs/" + pp.ID + "/audit"
	synced(t, e, u, base, pp.ID)
	first := u.Get(base)
	more := html.UnescapeString(regexpAttr(first.Body, `hx-get="([^"]*after=[^"]*)" hx-trigger="revealed"`))
	before := e.UpstreamCalls()
	for range 5 {
		u.HX("GET", more, "", nil)
	}
	time.Sleep(50 * time.Millisecond)
	if n := e.UpstreamCalls() - before; n != 0 {
		t.Errorf("scrolling five pages made %d upstream calls", n)
	}
}
