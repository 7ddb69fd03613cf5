package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// Under the fault knobs every page shows its data or a clear in-place
// error with a way to retry; nothing answers 500 or blank, and no
// goroutine is left behind.
func TestPagesUnderFaults(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{CacheTTL: time.Millisecond}) // every page goes upstream
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Payments Platform").ID
	pages := map[string]string{
		"/orgs":                             `data-testid="tree"`,
		"/orgs/" + org:                      `data-testid="tab-overview"`,
		"/orgs/" + org + "/accounts":        `data-testid="accounts-count"`,
		"/orgs/" + org + "/members":         `data-testid="members"`,
		"/orgs/" + org + "/profile":         `data-testid="profile"`,
		"/orgs/" + org + "/audit":           `data-testid="audit"`,
		"/orgs/" + org + "/usage?scope=org": `data-testid="usage"`,
	}
	runtime.GC()
	before := runtime.NumGoroutine()
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 20 * time.Millisecond, Rate429: 0.2, RetryAfter: time.Second, Rate500: 0.1, Malformed: 0.05})
	seen := map[int]int{}
	const rounds = 2
	for round := 0; round < rounds; round++ {
		for path, marker := range pages {
			for _, hx := range []bool{false, true} {
				var r testenv.Response
				if hx {
					r = u.HX("GET", path, "org-body", nil)
				} else {
					r = u.Get(path)
				}
				seen[r.Status]++
				switch {
				case r.Status == 200 && strings.Contains(r.Body, marker):
				case r.Status == 429 || r.Status == 502 || r.Status == 503:
					if !strings.Contains(r.Body, `data-testid="alert"`) || !strings.Contains(r.Body, "Try again") {
						t.Errorf("%s (htmx %v): %d without an explained retry", path, hx, r.Status)
					}
					if hx && r.Header.Get("HX-Retarget") != "#error-region" {
						t.Errorf("%s: an htmx error not aimed at the error region", path)
					}
				default:
					t.Errorf("%s (htmx %v): %d, body %.200q", path, hx, r.Status, r.Body)
				}
			}
		}
	}
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	if seen[200] == 0 || seen[200] == rounds*2*len(pages) {
		t.Errorf("statuses %v: the faults did not bite, or nothing got through", seen)
	}
	// after the faults: everything works again in the same session
	for path, marker := range pages {
		if r := u.Get(path); r.Status != 200 || !strings.Contains(r.Body, marker) {
			t.Errorf("%s after the faults: %d", path, r.Status)
		}
	}
	u.HTTP.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+10 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		runtime.GC()
	}
	if n := runtime.NumGoroutine(); n > before+10 {
		t.Errorf("goroutines: %d before the faults, %d after", before, n)
	}
	t.Logf("statuses under faults: %v", seen)
}

// A profile save cut by a fault is applied whole or not at all, and the
// page says which.
func TestProfileSaveInterruptedByAFault(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Payments Gateway").ID
	path := "/orgs/" + org + "/profile"
	form := func(name string) url.Values {
		fp := regexpValue(u.HX("GET", path+"/edit", "profile", nil).Body, "fingerprint")
		return url.Values{"fingerprint": {fp}, "business_name": {name}, "business_email": {"billing@gateway.example"},
			"business_phone": {"+1 555 0100"}, "business_address": {"1 Gateway Way"}, "external_metadata": {""}}
	}
	stored := func() string {
		p, err := e.Admin().GetProfile(t.Context(), org)
		if err != nil {
			t.Fatal(err)
		}
		return p.BusinessName
	}
	// the write never reaches the API (the connection fails first): not applied, and said so
	refuse := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut || r.Method == http.MethodPatch {
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html>bad gateway</html>"))
			return true
		}
		return false
	}
	e.Intercept.Store(&refuse)
	r := u.HX("PUT", path, "profile", form("Not Applied Ltd"))
	e.Intercept.Store(nil)
	if !strings.Contains(r.Body, "your changes were not applied") || !strings.Contains(r.Body, `value="Not Applied Ltd"`) || stored() == "Not Applied Ltd" {
		t.Errorf("refused save: %d, stored %q", r.Status, stored())
	}
	// the write is applied but its answer is lost: applied, and said so
	lose := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut || r.Method == http.MethodPatch {
			e.LocalAPI.ServeHTTP(httptest.NewRecorder(), r) // applied…
			w.WriteHeader(http.StatusBadGateway)            // …but the answer is lost
			return true
		}
		return false
	}
	e.Intercept.Store(&lose)
	r = u.HX("PUT", path, "profile", form("Applied Ltd"))
	e.Intercept.Store(nil)
	if r.Status != 200 || !strings.Contains(r.Body, "Applied Ltd") || stored() != "Applied Ltd" {
		t.Errorf("save with a lost answer: %d, stored %q", r.Status, stored())
	}
	if !strings.Contains(r.Body, `data-testid="profile-saved"`) {
		t.Error("the page does not say the save was applied")
	}
}

// The API stopped and started again mid-session: pages say it is
// unavailable meanwhile, the session survives, and work resumes.
func TestAPIStoppedAndRestartedMidSession(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, testenv.Options{CacheTTL: time.Millisecond})
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Payments Platform").ID
	if r := u.Get("/orgs/" + org + "/members"); r.Status != 200 {
		t.Fatalf("before: %d", r.Status)
	}
	e.StopAPI()
	time.Sleep(5 * time.Millisecond)
	r := u.Get("/orgs/" + org + "/members")
	if r.Status != 502 || !strings.Contains(r.Body, "The API is unavailable") || !strings.Contains(r.Body, "Try again") {
		t.Errorf("while stopped: %d %.300q", r.Status, r.Body)
	}
	e.StartAPI()
	if r := u.Get("/orgs/" + org + "/members"); r.Status != 200 || !strings.Contains(r.Body, `data-testid="members"`) {
		t.Errorf("after the restart: %d (the session should have survived)", r.Status)
	}
}

// Cloudflare answering in five seconds: the page waits for it and shows
// its data (no attempt times out first).
func TestFiveSecondLatency(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	u := e.SignedIn(localapi.DemoAdminToken)
	org := e.Org("Payments Platform").ID
	u.Get("/orgs/" + org + "/members") // the organization and its header are cached now
	e.LocalAPI.Faults().Set(localapi.FaultSettings{Latency: 5 * time.Second})
	start := time.Now()
	r := u.HX("GET", "/orgs/"+org+"/members?status=active", "org-body", nil)
	took := time.Since(start)
	e.LocalAPI.Faults().Set(localapi.FaultSettings{})
	if r.Status != 200 || !strings.Contains(r.Body, `data-testid="members"`) {
		t.Errorf("members at 5 s latency: %d", r.Status)
	}
	if took < 5*time.Second {
		t.Errorf("answered in %v: the latency did not apply", took)
	}
	t.Logf("answered in %v", took.Round(time.Millisecond))
}
