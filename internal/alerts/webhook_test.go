package alerts

import (
	"context"
	"net"
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
	a, _ := Retries{Attempts: 1}.Deliver(context.Background(), strict.Client(2*time.Second), "http://localhost"+port+"/", []byte(`{}`), []byte("k"), Envelope{})
	if a.Err == nil || !strings.Contains(a.Err.Error(), "private") {
		t.Errorf("a name resolving to loopback: %v", a.Err)
	}
	// a redirect is not followed: its answer is the delivery's, a failure
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
	}))
	defer redirect.Close()
	a, n := Retries{Attempts: 1}.Deliver(context.Background(), Guard{AllowPrivate: true}.Client(2*time.Second), redirect.URL, []byte(`{}`), []byte("k"), Envelope{})
	if a.Code != http.StatusFound || a.Err == nil || n != 1 {
		t.Errorf("a redirect: %+v after %d attempts", a, n)
	}
}

// Every special-purpose block of IANA's registries, and the IPv4 ones in
// every IPv6 form that embeds them, is refused when the rule is saved and
// when the address is dialled (the dial-time check is called with the
// address as the dialer would: no packet is sent in this test).
func TestGuardClassifiesEverySpecialPurposeAddress(t *testing.T) {
	refused := []string{
		"0.0.0.1", "0.255.255.255", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.8.8.8", "169.254.169.254",
		"172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.31.196.1", "192.52.193.1", "192.88.99.1", "192.168.1.1",
		"192.175.48.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1",
		"255.255.255.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "::10.0.0.1", "::a00:1",
		"64:ff9b::a00:1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "64:ff9b:1:ffff::8.8.8.8",
		"2002:7f00:1::", "2002:a00:1::1", "2002:c0a8:101::", "100::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"2001:2::1", "2001:10::1", "2001:db8::1", "3fff::1", "5f00::1", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0",
		"fec0::1", "ff02::1", "ff0e::1",
	}
	allowed := []string{"8.8.8.8", "1.1.1.1", "104.16.132.229", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e"}
	strict := Guard{}
	for _, a := range refused {
		host := a
		if strings.Contains(a, ":") {
			host = "[" + strings.Replace(a, "%", "%25", 1) + "]"
		}
		if err := strict.Check("https://" + host + "/hook"); err == nil {
			t.Errorf("form: https://%s/ allowed", host)
		}
		if err := strict.control("tcp", net.JoinHostPort(a, "443"), nil); err == nil {
			t.Errorf("dial: %s allowed", a)
		}
		if err := (Guard{AllowPrivate: true}).control("tcp", net.JoinHostPort(a, "443"), nil); err != nil {
			t.Errorf("dial with private addresses allowed: %s refused: %v", a, err)
		}
	}
	for _, a := range allowed {
		host := a
		if strings.Contains(a, ":") {
			host = "[" + a + "]"
		}
		if err := strict.Check("https://" + host + "/hook"); err != nil {
			t.Errorf("form: public %s refused: %v", a, err)
		}
		if err := strict.control("tcp", net.JoinHostPort(a, "443"), nil); err != nil {
			t.Errorf("dial: public %s refused: %v", a, err)
		}
	}
}

// The refusal of a scheme says what this console accepts: https only, or
// http too where private addresses are allowed (local mode).
func TestSchemeRefusalSaysWhatIsAccepted(t *testing.T) {
	if err := (Guard{}).Check("ftp://hooks.example.com/x"); err == nil || !strings.Contains(err.Error(), "must use https") {
		t.Errorf("strict: %v", err)
	}
	local := Guard{AllowPrivate: true}
	if err := local.Check("http://127.0.0.1:9/hook"); err != nil {
		t.Errorf("local http: %v", err)
	}
	if err := local.Check("ftp://127.0.0.1/x"); err == nil || !strings.Contains(err.Error(), "http://, which this console allows") {
		t.Errorf("local ftp: %v", err)
	}
}
