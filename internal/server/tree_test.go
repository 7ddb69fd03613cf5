package server_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// The roots' "Show more" carries the API's page token escaped (a token may
// hold +, = and &) and is answered, not refused.
func TestTreeShowMoreOfTheRoots(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	const token = "a+b=c&d/e"
	var seen []string
	paged := func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/organizations") || r.URL.Query().Get("parent.id") != "null" {
			return false
		}
		seen = append(seen, r.URL.Query().Get("page_token"))
		if r.URL.Query().Get("page_token") != "" {
			return false
		}
		rec := httptest.NewRecorder()
		e.LocalAPI.ServeHTTP(rec, r)
		var env map[string]any
		json.Unmarshal(rec.Body.Bytes(), &env)
		env["result_info"] = map[string]any{"next_page_token": token, "total_size": 2}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(env)
		return true
	}
	e.Intercept.Store(&paged)
	u := e.SignedIn(localapi.DemoAdminToken)
	page := u.Get("/orgs")
	more := html.UnescapeString(regexpAttr(page.Body, `hx-get="([^"]*)" hx-target="#more-root"`))
	if more == "" {
		t.Fatalf("no Show more for the roots: %s", snippet(page.Body, `role="tree"`))
	}
	q, err := url.ParseQuery(strings.TrimPrefix(more, "/orgs/tree?"))
	if err != nil || q.Get("page_token") != token || q.Get("parent") != "null" {
		t.Fatalf("Show more %q carries %q", more, q.Get("page_token"))
	}
	r := u.HX("GET", more, "more-root", nil)
	if r.Status != 200 || seen[len(seen)-1] != token {
		t.Errorf("Show more of the roots: %d, the API got page token %q", r.Status, seen[len(seen)-1])
	}
}

// A token that sees no root gets the organizations whose parent it cannot
// see, from every page of the listing (it stopped at the first 1,000).
func TestTreeOfATokenWithoutRootsReadsEveryPage(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	small := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/organizations") && r.URL.Query().Get("page_size") == "1000" {
			q := r.URL.Query()
			q.Set("page_size", "2") // the listing comes in many pages
			r.URL.RawQuery = q.Encode()
		}
		return false
	}
	e.Intercept.Store(&small)
	editor := e.SignedIn(localapi.DemoEditorToken)
	r := editor.Get("/orgs")
	if n := strings.Count(r.Body, `aria-level="1"`); n != 1 || !strings.Contains(r.Body, ">Payments Platform</a>") {
		t.Errorf("the editor's tree has %d top nodes: %s", n, snippet(r.Body, `role="tree"`))
	}
}

// The tree offers no arrow on an organization without sub-organizations,
// and one on each that has some.
func TestLeavesHaveNoArrow(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform") // Fraud Detection and Payments Gateway, both without children
	kids := u.HX("GET", "/orgs/tree?parent="+pp.ID+"&level=2", "group-"+pp.ID, nil)
	if n := strings.Count(kids.Body, `data-testid="tree-leaf"`); n != 2 || strings.Contains(kids.Body, `class="twisty" tabindex`) {
		t.Errorf("the children of Payments Platform: %d leaves, arrows: %v", n, strings.Contains(kids.Body, `class="twisty" tabindex`))
	}
	root := e.Org("Northwind Holdings")
	top := u.Get("/orgs")
	if item := between(top.Body, `data-id="`+root.ID+`"`, "</div>"); !strings.Contains(item, `class="twisty" tabindex`) {
		t.Errorf("the root, which has sub-organizations, has no arrow: %.300s", item)
	}
	if strings.Contains(kids.Body, `aria-expanded`) {
		t.Error("a leaf says it can be expanded")
	}
}
