package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// The addresses and methods a browser or a script tries get the answer
// HTTP gives them: the icon, 404, 405 with Allow, never a 400 for an
// identifier nobody typed.
func TestAddressesAndMethodsGetTheirAnswers(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	if r := u.Get("/favicon.ico"); r.Status != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"HEAD", "/orgs/" + pp.ID, 405}, {"HEAD", "/orgs/" + pp.ID + "/members", 405}, {"HEAD", "/audit/entries/abc", 405},
		{"OPTIONS", "/orgs/" + pp.ID, 204}, {"GET", "/no/such/page", 404}, {"GET", "/orgs/" + pp.ID + "/no-such-tab", 404},
		{"GET", "/orgs/bad.id", 400},
	} {
		r := u.Do(tt.method, tt.path, nil, nil)
		if r.Status != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, r.Status, tt.status)
		}
		if tt.status == 405 && !strings.Contains(r.Header.Get("Allow"), "GET") {
			t.Errorf("%s %s: Allow %q", tt.method, tt.path, r.Header.Get("Allow"))
		}
	}
	r := u.Post("/audit/saved", url.Values{"name": {"x"}, "q": {"dns"}, "scope": {"../../user"}})
	if r.Status != 400 || strings.Contains(e.Logs.String(), "level=ERROR") {
		t.Errorf("a saved search with a forged scope: %d; errors logged: %v", r.Status, strings.Contains(e.Logs.String(), "level=ERROR"))
	}
}

// An upstream that does not answer in time is said to be late (504), not
// unavailable; a user who leaves before the answer is not an error in the logs.
func TestUpstreamTimeoutAndTheClientWhoLeft(t *testing.T) { // not in parallel: a 100 ms timeout on a busy machine
	e := testenv.New(t, testenv.Options{APITimeout: 100 * time.Millisecond})
	u := e.SignedIn(localapi.DemoAdminToken)
	pp := e.Org("Payments Platform")
	slow := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/organizations/"+pp.ID) || strings.HasSuffix(r.URL.Path, "/members") {
			time.Sleep(300 * time.Millisecond)
		}
		return false
	}
	e.Intercept.Store(&slow)
	r := u.Get("/orgs/" + pp.ID)
	if r.Status != http.StatusGatewayTimeout || !strings.Contains(r.Body, "Cloudflare did not answer in time") {
		t.Errorf("a late upstream: %d %s", r.Status, snippet(r.Body, "alert"))
	}
	e.Intercept.Store(nil)
	u.Get("/orgs/" + pp.ID) // the page is read (and cached) again
	e.Intercept.Store(&slow)
	if r := u.Get("/orgs/" + pp.ID + "/members"); !strings.Contains(r.Body, "Cloudflare did not answer in time") {
		t.Errorf("a late listing in place: %s", snippet(r.Body, `data-testid="members"`))
	}
	impatient := &http.Client{Jar: u.HTTP.Jar, Timeout: 50 * time.Millisecond}
	if _, err := impatient.Get(e.Console.URL + "/orgs/" + pp.ID + "/members?status=active"); err == nil {
		t.Fatal("the impatient request was answered")
	}
	time.Sleep(500 * time.Millisecond)
	if logs := e.Logs.String(); strings.Contains(logs, `level=ERROR msg="request failed" path=/orgs/`+pp.ID+`/members`) && strings.Contains(logs, "context canceled") {
		t.Error("a client who went away was logged as an error")
	}
}
