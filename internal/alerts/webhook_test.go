package alerts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Webhooks reach the public internet only: https, no private, loopback or
// link-local address (checked on the address dialled, so a name resolving
// to one is refused too), and no redirect is followed.
func TestGuardRefusesPrivateAddressesAndRedirects(t *testing.T) {
	strict := Guard{}
	for _, u := range []string{"http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://[::1]/x", "https://169.254.169.254/latest",
		"https://user:pw@hooks.example.com/", "javascript:alert(1)", "https://192.168.1.1/", "https://[fd00::1]/"} {
		if err := strict.Check(u); err == nil {
			t.Errorf("%s: allowed", u)
		}
	}
	if err := strict.Check("https://hooks.example.com/orgboard"); err != nil {
		t.Errorf("a public https URL: %v", err)
	}
	// a name that resolves to a loopback address (as a rebinding name would) is refused when dialled
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	port := ok.URL[strings.LastIndex(ok.URL, ":"):]
	a, _ := Retries{Attempts: 1}.Deliver(context.Background(), strict.Client(2*time.Second), "http://localhost"+port+"/", []byte(`{}`), []byte("k"))
	if a.Err == nil || !strings.Contains(a.Err.Error(), "private") {
		t.Errorf("a name resolving to loopback: %v", a.Err)
	}
	// a redirect is not followed: its answer is the delivery's, a failure
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
	}))
	defer redirect.Close()
	a, n := Retries{Attempts: 1}.Deliver(context.Background(), Guard{AllowPrivate: true}.Client(2*time.Second), redirect.URL, []byte(`{}`), []byte("k"))
	if a.Code != http.StatusFound || a.Err == nil || n != 1 {
		t.Errorf("a redirect: %+v after %d attempts", a, n)
	}
}
