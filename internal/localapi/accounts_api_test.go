package localapi

import (
	"database/sql"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"orgboard/internal/api"
	"orgboard/internal/clock/clocktest"
)

// getJSON makes a GET with the headers and decodes the envelope's result
// and result_info.
func (e *env) getJSON(path string, header map[string]string, result, info any) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+BasePath+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Result     json.RawMessage
		ResultInfo json.RawMessage `json:"result_info"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
	if resp.StatusCode == http.StatusOK && result != nil {
		if err := json.Unmarshal(env.Result, result); err != nil {
			e.t.Fatalf("%s: result: %v", path, err)
		}
	}
	if info != nil && len(env.ResultInfo) > 0 {
		json.Unmarshal(env.ResultInfo, info)
	}
	return resp.StatusCode
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// accountEntry is an entry of an account's log.
type accountEntry struct {
	api.AuditEntry
	Account struct{ ID, Name string } `json:"account"`
}

// auditAll reads every page of a log.
func auditAll[T any](e *env, path string, query url.Values) []T {
	e.t.Helper()
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	var all []T
	for {
		var page []T
		var info struct{ Cursors struct{ After string } }
		if st := e.getJSON(path+"?"+q.Encode(), bearer(DemoAdminToken), &page, &info); st != http.StatusOK {
			e.t.Fatalf("%s: %d", path, st)
		}
		all = append(all, page...)
		if info.Cursors.After == "" {
			return all
		}
		q.Set("cursor", info.Cursors.After)
	}
}

// An account's audit log holds exactly the entries of its organization's
// log that are in the account, with the account named on each; its
// history and product categories answer as the organization's do; access
// follows the account's organization.
func TestAccountAuditLog(t *testing.T) {
	e := newEnv(t)
	pp := e.org("Payments Platform")
	accts, err := e.client(DemoAdminToken).ListAccounts(bg, pp.ID, api.ListAccountsParams{})
	if err != nil || len(accts.Items) == 0 {
		t.Fatal(err)
	}
	acct := accts.Items[0]
	now := clocktest.Now().UTC()
	window := url.Values{"since": {now.AddDate(0, 0, -100).Format(time.RFC3339)}, "before": {now.Add(time.Hour).Format(time.RFC3339)}, "limit": {"300"}}
	orgLog := auditAll[api.AuditEntry](e, "/organizations/"+pp.ID+"/logs/audit", window)
	var want []string
	for _, en := range orgLog {
		var sc struct{ ID, Type string }
		json.Unmarshal(en.Resource.Scope, &sc)
		if sc.ID == acct.ID && sc.Type != "organizations" {
			want = append(want, en.ID)
		}
	}
	got := auditAll[accountEntry](e, "/accounts/"+acct.ID+"/logs/audit", window)
	var ids []string
	for _, en := range got {
		ids = append(ids, en.ID)
		if en.Account.ID != acct.ID || (acct.Name != nil && en.Account.Name != *acct.Name) {
			t.Errorf("entry %s names the account %+v", en.ID, en.Account)
		}
	}
	if len(want) < 20 || !slices.Equal(ids, want) {
		t.Fatalf("the account's log has %d entries, its organization's log %d of the account", len(ids), len(want))
	}

	// a product category is a positive filter
	var cats []productCategory
	if st := e.getJSON("/accounts/"+acct.ID+"/logs/audit/product_categories", bearer(DemoViewerToken), &cats, nil); st != http.StatusOK || len(cats) != len(productCategories) {
		t.Fatalf("product categories: %d, %d", st, len(cats))
	}
	q := url.Values{"product_category": {"developer_platform"}}
	for k, v := range window {
		q[k] = v
	}
	dev := auditAll[accountEntry](e, "/accounts/"+acct.ID+"/logs/audit", q)
	wantDev := 0
	for _, en := range got {
		if en.Resource.Product == "workers" || en.Resource.Product == "r2" || en.Resource.Product == "pages" {
			wantDev++
		}
	}
	if len(dev) != wantDev || wantDev == 0 {
		t.Errorf("developer_platform: %d entries, want %d", len(dev), wantDev)
	}
	q.Set("product_category", "no_such")
	if st := e.getJSON("/accounts/"+acct.ID+"/logs/audit?"+q.Encode(), bearer(DemoAdminToken), nil, nil); st != http.StatusBadRequest {
		t.Errorf("an unknown category: %d", st)
	}
	for _, name := range []string{"account_name.not", "audit_log_id.not"} {
		q := url.Values{name: {got[0].ID}}
		if name == "account_name.not" && acct.Name != nil {
			q.Set(name, *acct.Name)
		}
		for k, v := range window {
			q[k] = v
		}
		left := auditAll[accountEntry](e, "/accounts/"+acct.ID+"/logs/audit", q)
		if wantLeft := map[string]int{"account_name.not": 0, "audit_log_id.not": len(got) - 1}[name]; len(left) != wantLeft {
			t.Errorf("%s: %d entries left, want %d", name, len(left), wantLeft)
		}
	}

	// history of an entry with a resource, as the organization's
	var src accountEntry
	for _, en := range got {
		if en.Resource.ID != "" && en.Action.Type == "update" {
			src = en
			break
		}
	}
	hq := url.Values{"action_time": {src.Action.Time.Format(time.RFC3339Nano)}, "since": window["since"], "before": window["before"]}
	var accHist, orgHist []api.AuditEntry
	var accInfo, orgInfo struct {
		HistoryStatus string `json:"history_status"`
	}
	e.getJSON("/accounts/"+acct.ID+"/logs/audit/"+src.ID+"/history?"+hq.Encode(), bearer(DemoAdminToken), &accHist, &accInfo)
	e.getJSON("/organizations/"+pp.ID+"/logs/audit/"+src.ID+"/history?"+hq.Encode(), bearer(DemoAdminToken), &orgHist, &orgInfo)
	if len(accHist) == 0 || len(accHist) != len(orgHist) || accInfo.HistoryStatus != orgInfo.HistoryStatus || accInfo.HistoryStatus == "" {
		t.Errorf("history: the account's %d entries (%s), the organization's %d (%s)", len(accHist), accInfo.HistoryStatus, len(orgHist), orgInfo.HistoryStatus)
	}

	// access follows the account's organization
	other := e.org("Campaigns")
	oa, _ := e.client(DemoAdminToken).ListAccounts(bg, other.ID, api.ListAccountsParams{})
	for _, c := range []struct {
		path, token string
		want        int
	}{
		{"/accounts/" + acct.ID + "/logs/audit?" + window.Encode(), DemoEditorToken, http.StatusOK},
		{"/accounts/" + oa.Items[0].ID + "/logs/audit?" + window.Encode(), DemoEditorToken, http.StatusForbidden},
		{"/accounts/0123456789abcdef0123456789abcdef/logs/audit?" + window.Encode(), DemoAdminToken, http.StatusNotFound},
		{"/accounts/" + acct.ID + "/logs/audit?since=2026-01-02&before=2026-01-01", DemoAdminToken, http.StatusBadRequest},
		{"/accounts/" + oa.Items[0].ID + "/billable/usage", DemoEditorToken, http.StatusForbidden},
	} {
		if st := e.getJSON(c.path, bearer(c.token), nil, nil); st != c.want {
			t.Errorf("%s as %s: %d, want %d", c.path, c.token, st, c.want)
		}
	}
}

// An account's usage, in each generation's shape, is its share of its
// organization's: the same records, the costs summing to the same amount,
// running sums that add up.
func TestAccountUsage(t *testing.T) {
	e := newEnv(t)
	pp := e.org("Payments Platform")
	to := clocktest.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	from := clocktest.Now().UTC().AddDate(0, 0, -20).Format(time.DateOnly)
	rng := "?from=" + from + "&to=" + to
	var orgRecs []api.UsageRecord
	if st := e.getJSON("/organizations/"+pp.ID+"/billable/usage"+rng, bearer(DemoAdminToken), &orgRecs, nil); st != http.StatusOK {
		t.Fatal(st)
	}
	accts, _ := e.client(DemoAdminToken).ListAccounts(bg, pp.ID, api.ListAccountsParams{})
	var total, orgTotal float64
	for _, r := range orgRecs {
		if r.EffectiveCost != nil {
			orgTotal += *r.EffectiveCost
		}
	}
	for _, a := range accts.Items {
		var recs []api.UsageRecord
		key := map[string]string{"X-Auth-Email": "vera.holm@northwind.example", "X-Auth-Key": DemoViewerKey}
		if st := e.getJSON("/accounts/"+a.ID+"/billable/usage"+rng, key, &recs, nil); st != http.StatusOK {
			t.Fatalf("%s: %d", a.ID, st)
		}
		var share []api.UsageRecord
		for _, r := range orgRecs {
			if r.BillingAccountID == a.ID {
				share = append(share, r)
			}
		}
		if got, want := mustJSON(t, recs), mustJSON(t, share); got != want || len(recs) == 0 {
			t.Errorf("account %s: %d records, %d of the organization's", a.ID, len(recs), len(share))
		}
		for _, r := range recs {
			if r.EffectiveCost != nil {
				total += *r.EffectiveCost
			}
		}
		var v1 []usageV1
		var paygo []usagePaygo
		e.getJSON("/accounts/"+a.ID+"/billable-usage"+rng, bearer(DemoAdminToken), &v1, nil)
		e.getJSON("/accounts/"+a.ID+"/billing/usage/paygo"+rng, bearer(DemoAdminToken), &paygo, nil)
		plain := 0
		run := map[string]float64{}
		for _, r := range share {
			if r.ChargeClass == "" {
				plain++
			}
		}
		if len(v1) != plain || len(paygo) != plain {
			t.Errorf("account %s: %d v1 and %d paygo records, want %d (corrections left out)", a.ID, len(v1), len(paygo), plain)
		}
		for _, r := range v1 {
			if r.ChargeClass != nil || r.BillingCurrency == "" || r.PricingUnit == "" {
				t.Errorf("a v1 record: %+v", r)
			}
			k := r.BillingPeriodStart.String() + r.ServiceName + deref(r.ZoneID)
			if _, seen := run[k]; !seen { // the month's days before the range are in its first sum
				run[k] = r.CumulatedContractedCost - r.ContractedCost
				if r.ChargePeriodStart.Day() == 1 && math.Abs(run[k]) > 0.005 {
					t.Errorf("%s starts its month at %.2f", k, run[k])
				}
			}
			run[k] += r.ContractedCost
			if math.Abs(run[k]-r.CumulatedContractedCost) > 0.011 {
				t.Fatalf("the running cost of %s on %s: %.2f, want %.2f", k, r.ChargePeriodStart, r.CumulatedContractedCost, run[k])
			}
		}
		var info usageInfo
		if st := e.getJSON("/accounts/"+a.ID+"/billable-usage/info", bearer(DemoAdminToken), &info, nil); st != http.StatusOK || !info.Covered ||
			len(info.Subscriptions) != 1 || !strings.HasSuffix(share[0].SubAccountID, info.Subscriptions[0].ID[strings.Index(info.Subscriptions[0].ID, "-"):]) {
			t.Errorf("info of %s: %d %+v", a.ID, st, info)
		}
	}
	if math.Abs(total-orgTotal) > 0.005 || orgTotal == 0 {
		t.Errorf("the accounts' costs sum to %.2f, the organization's to %.2f", total, orgTotal)
	}
	if st := e.getJSON("/accounts/"+accts.Items[0].ID+"/billable/usage?from=2026-01-01&to=2026-03-01", bearer(DemoAdminToken), nil, nil); st != http.StatusBadRequest {
		t.Errorf("a range over 31 days: %d", st)
	}
}

// PATCH /user changes what Cloudflare lets it change, checked; the user
// reads it back; a read-only token and unknown fields change nothing.
func TestEditUser(t *testing.T) {
	e := newEnv(t)
	patch := func(token, body string) (int, string) {
		st, b, _ := e.raw(http.MethodPatch, "/user", token, strings.NewReader(body))
		return st, b
	}
	if st, b := patch(DemoAdminToken, `{"first_name":"Alexandra","telephone":"+44 20 7946 0958","country":"GB","zipcode":"EC1A 1BB"}`); st != http.StatusOK ||
		!strings.Contains(b, `"first_name":"Alexandra"`) || !strings.Contains(b, `"country":"GB"`) {
		t.Fatalf("a valid edit: %d %s", st, b)
	}
	u, err := e.client(DemoAdminToken).GetUser(bg)
	if err != nil || u.FirstName != "Alexandra" || u.LastName != "Morgan" || *u.Telephone != "+44 20 7946 0958" || *u.Zipcode != "EC1A 1BB" {
		t.Fatalf("read back: %+v %v", u, err)
	}
	for _, c := range []struct{ body, want string }{
		{`{"country":"gb"}`, "country must be an ISO 3166-1"},
		{`{"telephone":"call me"}`, "telephone must be"},
		{`{"zipcode":"<script>"}`, "zipcode must be"},
		{`{"first_name":""}`, "first_name must be"},
		{`{"last_name":"A\u202eB"}`, "last_name must be"},
		{`{"first_name":null}`, "cannot be cleared"},
		{`{"email":"x@example.com"}`, "email cannot be changed here"},
		{`{"country":7}`, "must be a string or null"},
		{`{}`, "Give at least one"},
	} {
		if st, b := patch(DemoAdminToken, c.body); st != http.StatusBadRequest || !strings.Contains(b, c.want) {
			t.Errorf("%s: %d %s", c.body, st, b)
		}
	}
	if st, _ := patch(DemoViewerToken, `{"first_name":"Mallory"}`); st != http.StatusForbidden {
		t.Errorf("a viewer's edit: %d", st)
	}
	if st, _ := patch(DemoExpiredToken, `{"first_name":"Mallory"}`); st != http.StatusUnauthorized {
		t.Errorf("an expired token's edit: %d", st)
	}
	if st, b := patch(DemoAdminToken, `{"telephone":null}`); st != http.StatusOK || !strings.Contains(b, `"telephone":null`) {
		t.Errorf("clearing the telephone: %d %s", st, b)
	}
	if u, _ := e.client(DemoAdminToken).GetUser(bg); u.FirstName != "Alexandra" || u.Telephone != nil || *u.Country != "GB" {
		t.Errorf("after the refusals: %+v", u)
	}
}

// The legacy e-mail and key pair carries the rights of its user's token;
// a wrong pair, half a pair or a key at verify is refused in
// Cloudflare's words; a key's writes are audited as an API key's.
func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	key := func(email, k string) map[string]string {
		h := map[string]string{}
		if email != "" {
			h["X-Auth-Email"] = email
		}
		if k != "" {
			h["X-Auth-Key"] = k
		}
		return h
	}
	admin := DemoKeys()[0]
	for _, c := range []struct {
		name   string
		path   string
		header map[string]string
		want   int
	}{
		{"the admin's key", "/organizations", key(admin.Email, admin.Key), http.StatusOK},
		{"e-mail in capitals", "/organizations", key(strings.ToUpper(admin.Email), admin.Key), http.StatusOK},
		{"another user's key", "/organizations", key(admin.Email, DemoViewerKey), http.StatusUnauthorized},
		{"a made-up key", "/organizations", key(admin.Email, "nope"), http.StatusUnauthorized},
		{"a key without its e-mail", "/organizations", key("", admin.Key), http.StatusBadRequest},
		{"verify with a key alone", "/user/tokens/verify", key(admin.Email, admin.Key), http.StatusUnauthorized},
		{"the editor's key beyond its organizations", "/organizations/" + e.org("Campaigns").ID + "/members", key("priya.patel@northwind.example", DemoEditorKey), http.StatusForbidden},
		{"the editor's key within them", "/organizations/" + e.org("Payments Platform").ID + "/members", key("priya.patel@northwind.example", DemoEditorKey), http.StatusOK},
	} {
		if st := e.getJSON(c.path, c.header, nil, nil); st != c.want {
			t.Errorf("%s: %d, want %d", c.name, st, c.want)
		}
	}
	viewer := DemoKeys()[2]
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+BasePath+"/organizations", strings.NewReader(`{"name":"by key"}`))
	req.Header.Set("X-Auth-Email", viewer.Email)
	req.Header.Set("X-Auth-Key", viewer.Key)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer's key creating: %v %v", resp, err)
	}
	dp := e.org("Data Platform")
	req, _ = http.NewRequest(http.MethodPost, e.http.URL+BasePath+"/organizations", strings.NewReader(`{"name":"By key","parent":{"id":"`+dp.ID+`"}}`))
	req.Header.Set("X-Auth-Email", admin.Email)
	req.Header.Set("X-Auth-Key", admin.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the admin's key creating: %v %v", resp, err)
	}
	now := clocktest.Now().UTC()
	var created api.Organization
	json.NewDecoder(resp.Body).Decode(&struct{ Result *api.Organization }{&created})
	page, err := e.client(DemoAdminToken).ListAuditEntries(bg, created.ID, api.AuditParams{Since: now.Add(-time.Hour).Format(time.RFC3339), Before: now.Add(time.Hour).Format(time.RFC3339)})
	if err != nil || len(page.Entries) == 0 {
		t.Fatalf("the create's entry: %v", err)
	}
	if a := page.Entries[0].Actor; a.Context != "api_key" || a.TokenID != "" || a.Email != admin.Email {
		t.Errorf("the create by key is audited as %+v", a)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// A database of the layout before account logs, API keys and the user's
// contact fields opens with them: the entries' accounts filled from what
// the entries say, the demo keys given.
func TestUpgradeFromTheEarlierLayout(t *testing.T) {
	e := newEnv(t)
	pp := e.org("Payments Platform")
	accts, _ := e.client(DemoAdminToken).ListAccounts(bg, pp.ID, api.ListAccountsParams{})
	now := clocktest.Now().UTC()
	window := url.Values{"since": {now.AddDate(0, 0, -100).Format(time.RFC3339)}, "before": {now.Add(time.Hour).Format(time.RFC3339)}, "limit": {"500"}}
	path := "/accounts/" + accts.Items[0].ID + "/logs/audit"
	before := auditAll[accountEntry](e, path, window)
	e.close()
	old, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, "localapi.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`DROP INDEX audit_account_time; ALTER TABLE audit DROP COLUMN account_id; DROP TABLE api_keys;
		ALTER TABLE users DROP COLUMN telephone; ALTER TABLE users DROP COLUMN country; ALTER TABLE users DROP COLUMN zipcode`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	e.open()
	after := auditAll[accountEntry](e, path, window)
	if len(before) == 0 || mustJSON(t, before) != mustJSON(t, after) {
		t.Errorf("the account's log: %d entries before, %d after the upgrade", len(before), len(after))
	}
	admin := DemoKeys()[0]
	if st := e.getJSON("/user", map[string]string{"X-Auth-Email": admin.Email, "X-Auth-Key": admin.Key}, nil, nil); st != http.StatusOK {
		t.Errorf("the admin's key after the upgrade: %d", st)
	}
}
