// seed_audit.go writes the seeded audit history.

package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"orgboard/internal/api"
)

type auditProduct struct {
	product, resType, noun, uri string
	zoneScoped                  bool
}

var auditProducts = []auditProduct{
	{"dns", "dns_record", "DNS record", "/client/v4/zones/%s/dns_records/%s", true},
	{"waf", "ruleset", "WAF ruleset", "/client/v4/zones/%s/rulesets/%s", true},
	{"workers", "script", "Worker script", "/client/v4/accounts/%s/workers/scripts/%s", false},
	{"r2", "bucket", "R2 bucket", "/client/v4/accounts/%s/r2/buckets/%s", false},
	{"ssl", "certificate", "Custom certificate", "/client/v4/zones/%s/custom_certificates/%s", true},
	{"access", "application", "Access application", "/client/v4/accounts/%s/access/apps/%s", false},
	{"gateway", "rule", "Gateway rule", "/client/v4/accounts/%s/gateway/rules/%s", false},
	{"billing", "subscription", "Subscription", "/client/v4/accounts/%s/subscriptions/%s", false},
	{"members", "membership", "Account membership", "/client/v4/accounts/%s/members/%s", false},
	{"pages", "project", "Pages project", "/client/v4/accounts/%s/pages/projects/%s", false},
	{"cache", "zone", "Cache purge", "/client/v4/zones/%s/purge_cache/%s", true},
	{"load_balancing", "pool", "Load balancer pool", "/client/v4/accounts/%s/load_balancers/pools/%s", false},
	{"api_tokens", "token", "API token", "/client/v4/user/tokens/%s/%s", false},
	{"organizations", "organization", "Organization", "/client/v4/organizations/%s/%s", false},
}

var userAgents = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0 Safari/537.36",
	"terraform-provider-cloudflare/5.11.0", "cloudflare-go/v6.10.0", "curl/8.5.0", "wrangler/4.42.0",
}
var tokenNames = []string{"terraform-prod", "ci-deploy", "dns-automation", "cert-renewer", "backup-sync"}

// resourceState lets successive entries of one resource form a history.
type resourceState struct {
	id      string
	created bool
	version int
}

// auditBatch rows go in one INSERT: fewer statement executions.
const auditBatch = 40

// auditEntries writes n entries spread over the 90 days before the anchor.
// The time index is built after the rows: one sort instead of 2,000,000
// scattered index inserts.
func (sd *seeder) auditEntries(ctx context.Context, n int) error {
	if _, err := sd.tx.Exec(`DROP INDEX IF EXISTS audit_org_time; DROP INDEX IF EXISTS audit_account_time`); err != nil {
		return err
	}
	// OR IGNORE: a statement that cannot abort half-way needs no journal of
	// its own inside the transaction (16 KB a page it writes); every
	// entry's ID is new, and the count below says so
	batch, err := sd.tx.Prepare(`INSERT OR IGNORE INTO audit(` + auditColumns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(auditValues+",", auditBatch), ","))
	if err != nil {
		return err
	}
	defer batch.Close()
	single, err := sd.tx.Prepare(auditInsert)
	if err != nil {
		return err
	}
	defer single.Close()
	span := int64(90 * 24 * time.Hour / time.Microsecond)
	end := sd.anchor.UnixMicro()
	times := make([]int64, n)
	for i := range times {
		times[i] = end - sd.rng.Int64N(span)
	}
	slices.Sort(times)
	orgIDs := make([]string, len(sd.orgs))
	for i, o := range sd.orgs {
		orgIDs[i] = sd.orgIDs[o.name]
	}
	pools := map[string][]resourceState{}
	args := make([]any, 0, auditArity*auditBatch)
	for i, t := range times {
		if i%10000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		org := orgIDs[sd.skewedIndex(len(orgIDs))]
		p := &auditProducts[sd.rng.IntN(len(auditProducts))]
		key := org + p.product
		pool := pools[key]
		if pool == nil {
			pool = make([]resourceState, 12)
			for j := range pool {
				pool[j].id = sd.id()
			}
			pools[key] = pool
		}
		res := &pool[sd.rng.IntN(len(pool))]
		e, scopeType, scopeID := sd.auditEntry(org, p, res, t, i)
		args = append(args, scopedArgs(&e, scopeType, scopeID)...)
		if len(args) == cap(args) {
			if _, err := batch.Exec(args...); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	for k := 0; k < len(args); k += auditArity {
		if _, err := single.Exec(args[k : k+auditArity]...); err != nil {
			return err
		}
	}
	var stored int
	if err := sd.tx.QueryRow(`SELECT count(*) FROM audit`).Scan(&stored); err != nil {
		return err
	}
	if stored != n {
		return fmt.Errorf("%d audit entries stored of %d", stored, n)
	}
	_, err = sd.tx.Exec(`CREATE INDEX IF NOT EXISTS audit_org_time ON audit(org_id, time, seq);
		CREATE INDEX IF NOT EXISTS audit_account_time ON audit(account_id, time, seq)`)
	return err
}

// skewedIndex favours the first organizations (the busiest teams) a little.
func (sd *seeder) skewedIndex(n int) int {
	a, b := sd.rng.IntN(n), sd.rng.IntN(n)
	if sd.rng.IntN(3) == 0 {
		return min(a, b)
	}
	return a
}

// auditEntry is one seeded entry, and its scope's type and ID.
func (sd *seeder) auditEntry(org string, p *auditProduct, res *resourceState, t int64, i int) (api.AuditEntry, string, string) {
	action := "update"
	switch {
	case !res.created:
		action, res.created, res.version = "create", true, 1
	case sd.rng.IntN(25) == 0:
		action, res.created = "delete", false
	case sd.rng.IntN(6) == 0:
		action = "view"
	default:
		res.version++
	}
	result, status := "success", 200
	if sd.rng.IntN(33) == 0 {
		result, status = "failure", []int{500, 502, 503}[sd.rng.IntN(3)]
	}
	actorID, email, ctxName, actorType, tokID, tokName := sd.actor(org)
	ip := sd.ip(email)
	scopeID := sd.scopeAccount(org, res.id)
	method := map[string]string{"create": "POST", "update": "PUT", "delete": "DELETE", "view": "GET"}[action]
	uri := fmt.Sprintf(p.uri, scopeID, res.id)
	name := p.resType + "-" + res.id[:6]
	var req, resp string
	switch action {
	case "create", "update":
		req = fmt.Sprintf(`{"name":%q,"enabled":%t,"ttl":%d,"comment":"v%d"}`, name, res.version%3 != 0, 60*(1+res.version%5), res.version)
		if result == "success" {
			resp = fmt.Sprintf(`{"id":%q,"name":%q,"enabled":%t,"ttl":%d,"comment":"v%d","modified_on":%q}`, res.id, name,
				res.version%3 != 0, 60*(1+res.version%5), res.version, time.UnixMicro(t).UTC().Format(time.RFC3339))
		}
	case "delete":
		resp = fmt.Sprintf(`{"id":%q}`, res.id)
	}
	scopeType := "accounts"
	if p.zoneScoped {
		scopeType = "zones"
	}
	if p.product == "organizations" {
		scopeType = "organizations"
	}
	ua := userAgents[sd.rng.IntN(len(userAgents))]
	if ctxName == "dash" {
		ua = userAgents[sd.rng.IntN(2)]
	}
	e := api.AuditEntry{
		ID:           hex16(sd.rng.Uint64()) + hex16(uint64(i)),
		Action:       api.AuditAction{Description: p.noun + " " + pastTense(action), Result: result, Time: time.UnixMicro(t).UTC(), Type: action},
		Actor:        api.AuditActor{ID: actorID, Context: ctxName, Email: email, IPAddress: ip, TokenID: tokID, TokenName: tokName, Type: actorType},
		Organization: api.OrganizationRef{ID: org},
		Raw: api.AuditRaw{CFRayID: hex16(sd.rng.Uint64()) + "-" + []string{"SJC", "IAD", "LHR", "FRA", "NRT", "SYD", "GRU"}[sd.rng.IntN(7)],
			Method: method, StatusCode: status, URI: uri, UserAgent: ua},
		Resource: api.AuditResource{ID: res.id, Product: p.product, Type: p.resType, Scope: json.RawMessage(`{"id":"` + scopeID + `","type":"` + scopeType + `"}`)},
	}
	if req != "" {
		e.Resource.Request = json.RawMessage(req)
	}
	if resp != "" {
		e.Resource.Response = json.RawMessage(resp)
	}
	return e, scopeType, scopeID
}

// hex16 is v in sixteen hexadecimal digits, as %016x writes it.
func hex16(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i], v = digits[v&15], v>>4
	}
	return string(b[:])
}

func pastTense(action string) string {
	return map[string]string{"create": "created", "update": "updated", "delete": "deleted", "view": "viewed"}[action]
}

func (sd *seeder) actor(org string) (id, email, ctxName, typ, tokID, tokName string) {
	x := sd.rng.IntN(100)
	switch {
	case x < 4:
		return "cloudflare-system", "", "api_token", "system", "", ""
	case x < 6:
		return "cf-support-" + strconv.Itoa(sd.rng.IntN(5)), "support@cloudflare.com", "dash", "cloudflare_admin", "", ""
	}
	members := sd.byOrg[org]
	u := sd.users[sd.rng.IntN(len(sd.users))]
	if len(members) > 0 && sd.rng.IntN(4) != 0 {
		u = sd.users[members[sd.rng.IntN(len(members))]]
	}
	switch y := sd.rng.IntN(100); {
	case y < 55:
		return u.ID, u.Email, "dash", "user", "", ""
	case y < 90:
		k := sd.rng.IntN(len(tokenNames))
		return u.ID, u.Email, "api_token", "user", fmt.Sprintf("%032x", seedOf(u.ID+tokenNames[k])), tokenNames[k]
	case y < 95:
		return u.ID, u.Email, "api_key", "user", "", ""
	default:
		return u.ID, u.Email, "oauth", "user", fmt.Sprintf("%032x", seedOf(u.ID+"oauth")), "Cloudflare Dashboard OAuth"
	}
}

func (sd *seeder) ip(email string) string {
	h := seedOf(email)
	switch h % 4 {
	case 0:
		return fmt.Sprintf("192.0.2.%d", 1+h>>8%250)
	case 1:
		return fmt.Sprintf("198.51.100.%d", 1+h>>8%250)
	case 2:
		return fmt.Sprintf("203.0.113.%d", 1+h>>8%250)
	}
	return fmt.Sprintf("2001:db8::%x", h>>16%0xffff)
}

// scopeAccount is the account a resource of org lies in: the same for
// every entry of the resource, so that its history is in one account's log.
func (sd *seeder) scopeAccount(org, resource string) string {
	if a := sd.accts[org]; len(a) > 0 {
		sd.rng.IntN(len(a)) // drawn as before the account was the resource's, so the rest of the seed stays as it was
		return a[seedOf(resource)%uint64(len(a))]
	}
	return org
}
