package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const secretToken = "s3cr3t-token-value"

// fake serves canned answers and records the requests it saw.
type fake struct {
	t        *testing.T
	mu       sync.Mutex // a timed-out attempt's handler may still run beside the retry
	requests []*http.Request
	bodies   []string
	answer   func(w http.ResponseWriter, r *http.Request, n int)
}

func newFake(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) (*fake, *Client) {
	t.Helper()
	f := &fake{t: t, answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.bodies = append(f.bodies, string(b))
		n := len(f.requests)
		f.mu.Unlock()
		f.answer(w, r, n)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/client/v4", WithRetries(3, time.Millisecond), WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return f, c.WithToken(secretToken)
}

func ok(result string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":%s}`, result)
	}
}

func TestEndpointsSendTheContractsRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		result     string
		call       func(c *Client) error
		wantMethod string
		wantURI    string
		wantBody   string
	}{
		{"list orgs with every filter", `[]`, func(c *Client) error {
			_, err := c.ListOrganizations(ctx, ListOrganizationsParams{IDs: []string{"a", "b"}, ContainingAccount: "acc",
				ContainingOrganization: "sub", ContainingUser: "u1", NameContains: "pay", NameStartsWith: "N", NameEndsWith: "s",
				ParentID: ParentNull, PageParams: PageParams{PageSize: 50, PageToken: "tok"}})
			return err
		}, "GET", "/client/v4/organizations?containing.account=acc&containing.organization=sub&containing.user=u1&id=a&id=b&name.contains=pay&name.endsWith=s&name.startsWith=N&page_size=50&page_token=tok&parent.id=null", ""},
		{"get org", `{"id":"o1","name":"x","meta":{}}`, func(c *Client) error { _, err := c.GetOrganization(ctx, "o1"); return err },
			"GET", "/client/v4/organizations/o1", ""},
		{"create org", `{"id":"o2","name":"Team","meta":{}}`, func(c *Client) error {
			_, err := c.CreateOrganization(ctx, OrganizationInput{Name: "Team", Parent: &OrganizationRef{ID: "o1"}})
			return err
		}, "POST", "/client/v4/organizations", `{"name":"Team","parent":{"id":"o1"}}`},
		{"update org", `{"id":"o2","name":"T2","meta":{}}`, func(c *Client) error {
			_, err := c.UpdateOrganization(ctx, "o2", OrganizationInput{Name: "T2", Profile: &Profile{BusinessName: "B"}})
			return err
		}, "PUT", "/client/v4/organizations/o2", `{"name":"T2","profile":{"business_address":"","business_email":"","business_name":"B","business_phone":"","external_metadata":""}}`},
		{"delete org", `{"id":"o2"}`, func(c *Client) error { return c.DeleteOrganization(ctx, "o2") }, "DELETE", "/client/v4/organizations/o2", ""},
		{"list accounts", `[]`, func(c *Client) error {
			_, err := c.ListAccounts(ctx, "o1", ListAccountsParams{PubnameContains: "p", PubnameStartsWith: "q", PubnameEndsWith: "r",
				NameContains: "a", NameStartsWith: "b", NameEndsWith: "c", OrderBy: "account_name", Direction: "desc"})
			return err
		}, "GET", "/client/v4/organizations/o1/accounts?account_pubname.contains=p&account_pubname.endsWith=r&account_pubname.startsWith=q&direction=desc&name.contains=a&name.endsWith=c&name.startsWith=b&order_by=account_name", ""},
		{"get profile", `{"business_name":"B"}`, func(c *Client) error { _, err := c.GetProfile(ctx, "o1"); return err }, "GET", "/client/v4/organizations/o1/profile", ""},
		{"update profile", `null`, func(c *Client) error { return c.UpdateProfile(ctx, "o1", Profile{BusinessEmail: "a@b.example"}) },
			"PUT", "/client/v4/organizations/o1/profile", `{"business_address":"","business_email":"a@b.example","business_name":"","business_phone":"","external_metadata":""}`},
		{"list members", `[]`, func(c *Client) error {
			_, err := c.ListMembers(ctx, "o1", ListMembersParams{Statuses: []string{MemberActive, MemberCanceled}, UserEmail: "@x.example"})
			return err
		}, "GET", "/client/v4/organizations/o1/members?status=active&status=canceled&user.email=%40x.example", ""},
		{"get member", `{"id":"m1","status":"active","user":{"email":"a@b.example"}}`, func(c *Client) error { _, err := c.GetMember(ctx, "o1", "m1"); return err },
			"GET", "/client/v4/organizations/o1/members/m1", ""},
		{"add member", `{"id":"m1","status":"active","user":{"email":"a@b.example"}}`, func(c *Client) error {
			_, err := c.AddMember(ctx, "o1", MemberInput{Email: "a@b.example", Status: MemberActive})
			return err
		}, "POST", "/client/v4/organizations/o1/members", `{"member":{"user":{"email":"a@b.example"},"status":"active"}}`},
		{"remove member", `null`, func(c *Client) error { return c.RemoveMember(ctx, "o1", "m1") }, "DELETE", "/client/v4/organizations/o1/members/m1", ""},
		{"audit with every exclusion", `[]`, func(c *Client) error {
			var x AuditExclusions
			for i, f := range x.Fields() {
				*f.Values = []string{fmt.Sprint("v", i)}
			}
			x.ActorEmail = append(x.ActorEmail, "b@x.example")
			_, err := c.ListAuditEntries(ctx, "o1", AuditParams{Since: "2026-11-01", Before: "2026-11-25T10:00:00Z", Direction: "asc", Limit: 1000, Cursor: "cur", Exclude: x})
			return err
		}, "GET", "/client/v4/organizations/o1/logs/audit?action_result.not=v1&action_type.not=v2&actor_context.not=v3&actor_email.not=v4&actor_email.not=b%40x.example&actor_id.not=v5&actor_ip_address.not=v6&actor_token_id.not=v7&actor_token_name.not=v8&actor_type.not=v9&before=2026-11-25T10%3A00%3A00Z&cursor=cur&direction=asc&id.not=v0&limit=1000&raw_cf_ray_id.not=v10&raw_method.not=v11&raw_status_code.not=v12&raw_uri.not=v13&resource_id.not=v14&resource_product.not=v15&resource_scope.not=v16&resource_type.not=v17&since=2026-11-01", ""},
		{"usage", `[]`, func(c *Client) error {
			_, err := c.Usage(ctx, "o1", UsageParams{From: "2026-10-01", To: "2026-10-31", Metric: "workers_standard_requests"})
			return err
		}, "GET", "/client/v4/organizations/o1/billable/usage?from=2026-10-01&metric=workers_standard_requests&to=2026-10-31", ""},
		{"verify token", `{"id":"t1","status":"active"}`, func(c *Client) error { _, err := c.VerifyToken(ctx); return err }, "GET", "/client/v4/user/tokens/verify", ""},
		{"user", `{"id":"u1","email":"a@b.example"}`, func(c *Client) error { _, err := c.GetUser(ctx); return err }, "GET", "/client/v4/user", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFake(t, ok(tt.result))
			if err := tt.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			if len(f.requests) != 1 {
				t.Fatalf("got %d requests, want 1", len(f.requests))
			}
			r := f.requests[0]
			if r.Method != tt.wantMethod || r.URL.RequestURI() != tt.wantURI {
				t.Errorf("got %s %s\nwant %s %s", r.Method, r.URL.RequestURI(), tt.wantMethod, tt.wantURI)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+secretToken {
				t.Errorf("Authorization = %q", got)
			}
			if f.bodies[0] != tt.wantBody {
				t.Errorf("body:\n got %s\nwant %s", f.bodies[0], tt.wantBody)
			}
		})
	}
}

func TestDecodesEveryOrganizationField(t *testing.T) {
	_, c := newFake(t, ok(`{"id":"o1","create_time":"2026-01-02T03:04:05Z","name":"Payments","parent":{"id":"p1","name":"Root"},
		"meta":{"flags":{"account_creation":"enabled","account_deletion":"disabled","account_migration":"m","account_mobility":"n","sub_org_creation":"enabled"},
		"managed_by":"Corp IT","hierarchy_tags":["region:emea"]},
		"profile":{"business_address":"1 St","business_email":"a@b.example","business_name":"B","business_phone":"+1","external_metadata":"{}"}}`))
	got, err := c.GetOrganization(context.Background(), "o1")
	if err != nil {
		t.Fatal(err)
	}
	managed := "Corp IT"
	want := Organization{ID: "o1", CreateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Name: "Payments",
		Parent:  &OrganizationRef{ID: "p1", Name: "Root"},
		Meta:    OrganizationMeta{Flags: &MetaFlags{"enabled", "disabled", "m", "n", "enabled"}, ManagedBy: &managed, HierarchyTags: []string{"region:emea"}},
		Profile: &Profile{"1 St", "a@b.example", "B", "+1", "{}"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("organization (-want +got):\n%s", diff)
	}
}

func TestRootOrganizationHasNoParentAndNullMeta(t *testing.T) {
	_, c := newFake(t, ok(`{"id":"r","name":"Root","parent":null,"meta":{"flags":null,"managed_by":null},"profile":null}`))
	got, err := c.GetOrganization(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if got.Parent != nil || got.Meta.Flags != nil || got.Meta.ManagedBy != nil || got.Profile != nil {
		t.Errorf("got %+v, want nil parent, flags, managed_by and profile", got)
	}
}

func TestResponseFailuresBecomeErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		ctype      string
		body       string
		wantStatus int
		wantText   string
	}{
		{"success false on 200", 200, "application/json", `{"success":false,"errors":[{"code":1001,"message":"bad name"}],"messages":[],"result":null}`, 200, "[1001] bad name"},
		{"502 html from a proxy", 502, "text/html", `<html><body><h1>502 Bad Gateway</h1></body></html>`, 502, "text/html response instead of JSON"},
		{"truncated json", 200, "application/json", `{"success":true,"errors":[],"result":[{"id":"o`, 200, "malformed or truncated JSON"},
		{"empty body", 200, "application/json", ``, 200, "empty response body"},
		{"not an envelope", 200, "application/json", `{"id":"o1"}`, 200, "not a Cloudflare envelope"},
		{"null result", 200, "application/json", `{"success":true,"errors":[],"messages":[],"result":null}`, 200, "no result"},
		{"wrong shape", 200, "application/json", `{"success":true,"errors":[],"messages":[],"result":"x"}`, 200, "unexpected shape"},
		{"403 with code", 403, "application/json", `{"success":false,"errors":[{"code":9109,"message":"Unauthorized to access requested resource"}],"messages":[],"result":null}`, 403, "[9109]"},
		{"audit error without code", 400, "application/json", `{"success":false,"errors":[{"message":"since is required"}],"messages":[],"result":null}`, 400, ": since is required"},
		{"string code", 404, "application/json", `{"success":false,"errors":[{"code":"7003","message":"no such org"}],"result":null}`, 404, "[7003] no such org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			org, err := c.GetOrganization(context.Background(), "o1")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (org %+v), want *Error", err, org)
			}
			if e.StatusCode != tt.wantStatus || !strings.Contains(e.Error(), tt.wantText) {
				t.Errorf("got status %d, %q; want %d containing %q", e.StatusCode, e.Error(), tt.wantStatus, tt.wantText)
			}
			if org.ID != "" {
				t.Errorf("a failed call returned data: %+v", org)
			}
		})
	}
}

func TestGetRetriesTransientFailuresThenSucceeds(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n < 3 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(status)
					io.WriteString(w, `{"success":false,"errors":[{"code":971,"message":"Please wait"}],"result":null}`)
					return
				}
				ok(`{"id":"o1","name":"x","meta":{}}`)(w, r, n)
			})
			org, err := c.GetOrganization(context.Background(), "o1")
			if err != nil || org.ID != "o1" {
				t.Fatalf("got %+v, %v", org, err)
			}
			if len(f.requests) != 3 {
				t.Errorf("got %d tries, want 3", len(f.requests))
			}
		})
	}
}

func TestGetGivesUpAfterBoundedTries(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(503)
		io.WriteString(w, "<html>down</html>")
	})
	_, err := c.GetOrganization(context.Background(), "o1")
	if StatusCode(err) != 503 || len(f.requests) != 3 {
		t.Errorf("got %v after %d tries, want a 503 after 3", err, len(f.requests))
	}
}

func TestRetryAfterBeyondTheCapIsReturnedNotWaited(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "300")
		w.WriteHeader(429)
		io.WriteString(w, `{"success":false,"errors":[{"code":10100,"message":"More than 1200 requests per 300 seconds reached"}],"result":null}`)
	})
	start := time.Now()
	_, err := c.GetOrganization(context.Background(), "o1")
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter != 300*time.Second {
		t.Fatalf("got %v, want an *Error with RetryAfter 300s", err)
	}
	if len(f.requests) != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("made %d tries; a Retry-After above the cap must not be waited for", len(f.requests))
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var first time.Time
	var gap time.Duration
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			io.WriteString(w, `{"success":false,"errors":[{"code":971,"message":"wait"}],"result":null}`)
			return
		}
		gap = time.Since(first)
		ok(`{"id":"o1","name":"x","meta":{}}`)(w, r, n)
	})
	if _, err := c.GetOrganization(context.Background(), "o1"); err != nil {
		t.Fatal(err)
	}
	if gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want at least the 1 s Retry-After", gap)
	}
}

func TestWritesAreNeverRetried(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(503)
		io.WriteString(w, "<html>down</html>")
	})
	_, err := c.CreateOrganization(context.Background(), OrganizationInput{Name: "x"})
	if err == nil || len(f.requests) != 1 {
		t.Errorf("got %v after %d tries, want one failed try", err, len(f.requests))
	}
}

func TestConnectionResetIsRetriedForGets(t *testing.T) {
	var n atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0) // close with RST
			conn.Close()
			return
		}
		ok(`{"id":"o1","name":"x","meta":{}}`)(w, r, 0)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c, _ := New("http://"+ln.Addr().String(), WithRetries(3, time.Millisecond))
	org, err := c.WithToken("t").GetOrganization(context.Background(), "o1")
	if err != nil || org.ID != "o1" || n.Load() != 2 {
		t.Errorf("got %+v, %v after %d tries; want success on the second", org, err, n.Load())
	}
}

func TestCallsFollowTheirContextAndTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.GetOrganization(ctx, "o1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's deadline", err)
	}
	short := c.WithToken(secretToken)
	short.timeout, short.maxTries = 50*time.Millisecond, 1
	start := time.Now()
	if _, err := short.GetOrganization(context.Background(), "o1"); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("got %v after %v, want the per-call timeout to end it", err, time.Since(start))
	}
}

func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	var logs strings.Builder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"result":null}`)
	}))
	defer srv.Close()
	c, _ := New(srv.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.WithToken(secretToken).GetOrganization(context.Background(), "o1")
	if !IsUnauthorized(err) {
		t.Fatalf("got %v, want 401", err)
	}
	if strings.Contains(err.Error(), secretToken) || strings.Contains(fmt.Sprintf("%#v", err), secretToken) || strings.Contains(logs.String(), secretToken) {
		t.Errorf("the token leaked into an error or a log line:\n%s\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "status=401") {
		t.Errorf("the attempt was not logged: %q", logs.String())
	}
}

func TestInvalidIdentifiersNeverReachTheNetwork(t *testing.T) {
	f, c := newFake(t, ok(`{}`))
	for _, id := range []string{"", "../x", "a/b", "a%2Fb", strings.Repeat("a", 65), "a b", "ok?x=1"} {
		if _, err := c.GetOrganization(context.Background(), id); err == nil {
			t.Errorf("id %q: no error", id)
		}
	}
	if len(f.requests) != 0 {
		t.Errorf("%d requests were sent for invalid identifiers", len(f.requests))
	}
}

func TestPagingVisitsEveryPage(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		tok := r.URL.Query().Get("page_token")
		next := map[string]string{"": "p2", "p2": "p3", "p3": ""}[tok]
		fmt.Fprintf(w, `{"success":true,"errors":[],"messages":[],"result":[{"id":"%s-a","name":"a","meta":{}},{"id":"%s-b","name":"b","meta":{}}],"result_info":{"next_page_token":%q,"total_size":6}}`, tok, tok, next)
	})
	var ids []string
	for org, err := range c.Organizations(context.Background(), ListOrganizationsParams{NameContains: "x"}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, org.ID)
	}
	want := []string{"-a", "-b", "p2-a", "p2-b", "p3-a", "p3-b"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	for _, r := range f.requests {
		if r.URL.Query().Get("name.contains") != "x" {
			t.Errorf("a page request dropped the filters: %s", r.URL.RequestURI())
		}
	}
}

func TestPagingStopsOnARepeatingToken(t *testing.T) {
	_, c := newFake(t, ok(`[{"id":"a","name":"a","meta":{}}],"result_info":{"next_page_token":"same"}`))
	var err error
	count := 0
	for _, e := range c.Organizations(context.Background(), ListOrganizationsParams{}) {
		count++
		err = e
		if count > 10 {
			break
		}
	}
	if err == nil || count > 3 {
		t.Errorf("got %d items and %v; want an error instead of a loop", count, err)
	}
}

func TestAuditCursorAcceptsBothShapes(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Query().Get("cursor") {
		case "":
			io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":[{"id":"e1","action":{"time":"2026-11-01T00:00:00Z"}}],"result_info":{"cursors":{"after":"c2"}}}`)
		case "c2":
			io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":[{"id":"e2"}],"result_info":{"count":"25","cursor":"c3"}}`)
		default:
			io.WriteString(w, `{"success":true,"errors":[],"messages":[],"result":[{"id":"e3"}],"result_info":{"count":"1"}}`)
		}
	})
	var ids []string
	for e, err := range c.AuditEntries(context.Background(), "o1", AuditParams{Since: "2026-11-01", Before: "2026-11-02", Limit: 1000}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if diff := cmp.Diff([]string{"e1", "e2", "e3"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if len(f.requests) != 3 {
		t.Errorf("got %d requests, want 3", len(f.requests))
	}
}

func TestUsageRecordsDecodeBothSpellings(t *testing.T) {
	_, c := newFake(t, ok(`[
	 {"BillingAccountId":"a1","BillingAccountName":"Prod","ChargeCategory":"Usage","ChargePeriodStart":"2026-10-01T00:00:00Z","ChargePeriodEnd":"2026-10-02T00:00:00Z",
	  "ConsumedQuantity":12.5,"ConsumedUnit":"GB","x_BillableMetricName":"CDN","EffectiveCost":1.25,"BillingCurrency":"EUR","x_ProductFamilyName":"CDN","x_ZoneName":"www.example.com","ChargeClass":"Correction"},
	 {"billing_account_id":"a2","billing_account_name":"Dev","charge_category":"Usage","charge_period_start":"2026-10-01T00:00:00Z","charge_period_end":"2026-10-02T00:00:00Z",
	  "consumed_quantity":3,"consumed_unit":"Requests","x_billable_metric_name":"Workers","billed_cost":0.5,"billing_currency":"USD","x_product_family_name":"Workers","region_id":"weur","sub_account_name":"EA"}]`))
	recs, err := c.Usage(context.Background(), "o1", UsageParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	a, b := recs[0], recs[1]
	if a.BillingAccountID != "a1" || a.ConsumedQuantity != 12.5 || *a.EffectiveCost != 1.25 || a.BillingCurrency != "EUR" || a.ZoneName != "www.example.com" || a.ChargeClass != ChargeClassCorrection || a.BilledCost != nil {
		t.Errorf("PascalCase record: %+v", a)
	}
	if b.BillingAccountID != "a2" || b.ConsumedQuantity != 3 || b.BilledCost == nil || *b.BilledCost != 0.5 || b.ProductFamilyName != "Workers" || b.RegionID != "weur" || b.SubAccountName != "EA" || !b.ChargePeriodStart.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("snake_case record: %+v", b)
	}
}

func TestUsageStreamReportsFailures(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		wantN      int
	}{
		{"truncated mid-array", `{"success":true,"errors":[],"result":[{"BillingAccountId":"a1"},{"BillingAcc`, 200, 1},
		{"success false after the result", `{"result":[],"success":false,"errors":[{"code":1,"message":"range too long"}]}`, 200, 0},
		{"400 envelope", `{"success":false,"errors":[{"code":1001,"message":"the range from..to is at most 31 days"}],"result":null}`, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			n := 0
			var last error
			for _, err := range c.UsageRecords(context.Background(), "o1", UsageParams{}) {
				if err != nil {
					last = err
					continue
				}
				n++
			}
			var e *Error
			if !errors.As(last, &e) || n != tt.wantN {
				t.Errorf("got %d records and %v; want %d and an *Error", n, last, tt.wantN)
			}
		})
	}
}

func TestUsageStreamStopsWhenTheConsumerStops(t *testing.T) {
	_, c := newFake(t, ok(`[{"BillingAccountId":"a1"},{"BillingAccountId":"a2"},{"BillingAccountId":"a3"}]`))
	n := 0
	for _, err := range c.UsageRecords(context.Background(), "o1", UsageParams{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("got %d records, want to stop at 2", n)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{"": 0, "7": 7 * time.Second, "x": 0, "-3": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
