// seed.go fills a new store with the demo company (or the large set for
// benchmarks).

package localapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"orgboard/internal/api"
)

// Scale is the size of the seed data set.
type Scale string

// Seed scales.
const (
	ScaleDefault Scale = "default" // about 40 organizations and 50,000 audit entries
	ScaleLarge   Scale = "large"   // 2,000 organizations, 20,000 accounts, 2,000,000 audit entries
)

// Demo tokens, listed on the console's sign-in page in local mode.
const (
	DemoAdminToken   = "orgboard-demo-admin"
	DemoEditorToken  = "orgboard-demo-editor"
	DemoViewerToken  = "orgboard-demo-viewer"
	DemoExpiredToken = "orgboard-demo-expired"
)

// DemoToken describes one demo token.
type DemoToken struct {
	Token, Role, Description string
}

// DemoTokens lists the demo tokens with what each may do.
func DemoTokens() []DemoToken {
	return []DemoToken{
		{DemoAdminToken, "admin", "Administrator of the whole organization tree"},
		{DemoEditorToken, "editor", "Edits profiles and members of the Payments Platform team and its sub-organizations"},
		{DemoViewerToken, "viewer", "Read-only auditor of the whole tree"},
		{DemoExpiredToken, "expired", "An expired token: sign-in is refused"},
	}
}

type seedOrg struct {
	name, parent, region string // parent and region by name
	depth                int
}

// defaultTree is a company of 40 organizations, several levels deep.
func defaultTree() []seedOrg {
	var out []seedOrg
	var add func(parent, region string, depth int, spec []any)
	add = func(parent, region string, depth int, spec []any) {
		for i := 0; i < len(spec); i++ {
			name := spec[i].(string)
			r := region
			if depth == 1 {
				r = map[string]string{"Northwind Americas": "wnam", "Northwind EMEA": "weur", "Northwind APAC": "apac"}[name]
				if r == "" {
					r = "enam"
				}
			}
			out = append(out, seedOrg{name: name, parent: parent, region: r, depth: depth})
			if i+1 < len(spec) {
				if kids, ok := spec[i+1].([]any); ok {
					add(name, r, depth+1, kids)
					i++
				}
			}
		}
	}
	add("", "enam", 0, []any{"Northwind Holdings", []any{
		"Northwind Americas", []any{
			"United States", []any{
				"Retail Platform", []any{"Storefront", "Checkout"},
				"Payments", []any{"Payments Platform", []any{"Payments Gateway", "Fraud Detection"}, "Payments Risk"},
			},
			"Canada",
			"Latin America", []any{"Brazil", "Mexico"},
		},
		"Northwind EMEA", []any{
			"United Kingdom", []any{"UK Retail"},
			"Germany", []any{"DACH Logistics"},
			"France", "Nordics",
		},
		"Northwind APAC", []any{"Japan", "Australia", []any{"ANZ Media"}, "Singapore"},
		"Corporate", []any{
			"Information Technology", []any{"Identity & Access", "Workplace Services"},
			"Security", []any{"Security Operations Center", "Application Security"},
			"Marketing", []any{"Web Experience", "Campaigns"},
			"Data Platform", []any{"Analytics", "Machine Learning"},
		},
	}})
	return out
}

// largeTree is 2,000 organizations: a root, 10 regions, 100 countries and
// the rest as teams under the countries.
func largeTree() []seedOrg {
	out := []seedOrg{{name: "Northwind Holdings", region: "enam"}}
	regions := []string{"wnam", "enam", "weur", "apac"}
	var countries []seedOrg
	for r := 0; r < 10; r++ {
		reg := seedOrg{name: fmt.Sprintf("Region %02d", r+1), parent: "Northwind Holdings", region: regions[r%4], depth: 1}
		out = append(out, reg)
		for c := 0; c < 10; c++ {
			co := seedOrg{name: fmt.Sprintf("Country %02d-%02d", r+1, c+1), parent: reg.name, region: reg.region, depth: 2}
			out, countries = append(out, co), append(countries, co)
		}
	}
	for i := 0; len(out) < 2000; i++ {
		co := countries[i%len(countries)]
		out = append(out, seedOrg{name: fmt.Sprintf("Team %04d", i+1), parent: co.name, region: co.region, depth: 3})
	}
	return out
}

var firstNames = []string{"Alex", "Priya", "Vera", "Ezra", "Maya", "Liam", "Noah", "Sofia", "Kenji", "Amara", "Lucas", "Chloe",
	"Mateo", "Ingrid", "Ravi", "Hana", "Oliver", "Zara", "Tomás", "Leila", "Felix", "Nadia", "Omar", "Greta", "Yuki", "Diego",
	"Elena", "Samir", "Aisha", "Jonas"}
var lastNames = []string{"Morgan", "Patel", "Holm", "Stone", "Chen", "O'Brien", "Garcia", "Rossi", "Tanaka", "Okafor", "Müller",
	"Dubois", "Silva", "Larsen", "Iyer", "Kim", "Novak", "Haddad", "Schmidt", "Nakamura", "Andersen", "Costa", "Ali", "Weber"}

// seeder writes one data set; rng makes it the same for the same day.
type seeder struct {
	tx     *sql.Tx
	rng    *rand.Rand
	now    time.Time // when the seed runs
	anchor time.Time // its day: the seeded history ends there
	scale  Scale
	orgIDs map[string]string
	orgs   []seedOrg
	users  []userRow
	byOrg  map[string][]int // indexes into users of each org's members
	accts  map[string][]string
}

// Seed fills an empty store; a seeded store is left as it is. It returns
// whether it seeded.
func (s *Store) Seed(ctx context.Context, scale Scale, now time.Time) (bool, error) {
	if v, err := s.meta("seeded"); err != nil || v != "" {
		return false, err
	}
	if scale == "" {
		scale = ScaleDefault
	}
	if scale != ScaleDefault && scale != ScaleLarge {
		return false, fmt.Errorf("seed scale %q: want default or large", scale)
	}
	anchor := now.UTC().Truncate(24 * time.Hour)
	// a large page cache while one transaction writes gigabytes, and no
	// sync at its commit: the checkpoint below syncs the whole seed once (a
	// crash before it loses no more than the seed, made again at the next
	// start); each statement's journal (the pages an insert would roll back
	// inside the transaction) in memory, not in a file written page by page;
	// the references checked once after, not at every insert (each check
	// needs such a journal); back to the store's own settings after
	if _, err := s.w.Exec(`PRAGMA cache_size = -262144; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF`); err != nil {
		return false, err
	}
	restore := `PRAGMA cache_size = ` + writerCache + `; PRAGMA synchronous = FULL; PRAGMA temp_store = DEFAULT; PRAGMA foreign_keys = ON`
	defer s.w.Exec(restore)
	err := s.writeTx(func(tx *sql.Tx) error {
		sd := &seeder{tx: tx, rng: rand.New(rand.NewPCG(20261125, uint64(len(scale)))), now: now, anchor: anchor, scale: scale,
			orgIDs: map[string]string{}, byOrg: map[string][]int{}, accts: map[string][]string{}}
		return sd.run(ctx)
	})
	if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	var broken bool
	if err := s.w.QueryRow(`SELECT EXISTS (SELECT 1 FROM pragma_foreign_key_check)`).Scan(&broken); err != nil || broken {
		return false, fmt.Errorf("seed: a reference to nothing (%v)", err)
	}
	if _, err := s.w.Exec(restore); err != nil {
		return false, err
	}
	if err := demoKeys(s.w); err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	if err := s.Checkpoint(); err != nil {
		return false, err
	}
	return true, s.loadTree()
}

func (sd *seeder) run(ctx context.Context) error {
	sd.orgs = defaultTree()
	if sd.scale == ScaleLarge {
		sd.orgs = largeTree()
	}
	steps := []func() error{sd.organizations, sd.usersAndMembers, sd.accounts, sd.tokens}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	n := 50_000
	if sd.scale == ScaleLarge {
		n = 2_000_000
	}
	if err := sd.auditEntries(ctx, n); err != nil {
		return err
	}
	if err := sd.demoSpike(); err != nil {
		return err
	}
	_, err := sd.tx.Exec(`INSERT INTO meta(key, value) VALUES ('seeded', ?), ('anchor', ?), ('scale', ?)`,
		sd.now.UTC().Format(time.RFC3339), sd.anchor.Format(time.RFC3339), string(sd.scale))
	return err
}

func (sd *seeder) id() string {
	return fmt.Sprintf("%016x%016x", sd.rng.Uint64(), sd.rng.Uint64())
}

func (sd *seeder) organizations() error {
	stmt, err := sd.tx.Prepare(`INSERT INTO organizations(id, name, parent_id, create_time, flags, managed_by, hierarchy_tags, profile)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, o := range sd.orgs {
		id := sd.id()
		sd.orgIDs[o.name] = id
		rec := &orgRecord{ID: id, Name: o.name, ParentID: sd.orgIDs[o.parent],
			CreateTime: sd.anchor.Add(-time.Duration(900-o.depth*120-i%50) * 24 * time.Hour).Add(time.Duration(sd.rng.IntN(86400)) * time.Second),
			Flags:      sd.flags(o.depth),
		}
		if rec.Flags != nil && unmanagedMembers[o.name] {
			rec.Flags.MemberManagement = "disabled"
		}
		if o.depth >= 2 && sd.rng.IntN(3) == 0 {
			m := "Northwind Corporate IT"
			rec.ManagedBy = &m
		}
		if sd.rng.IntN(8) != 0 {
			rec.Profile = sd.profile(o)
		}
		if _, err := stmt.Exec(rec.ID, rec.Name, nullable(rec.ParentID), rec.CreateTime.Format(time.RFC3339Nano),
			marshalOpt(rec.Flags), rec.ManagedBy, nil, marshalOpt(rec.Profile)); err != nil {
			return err
		}
	}
	return nil
}

// unmanagedMembers are the seed's organizations whose members are not
// managed in Cloudflare Organizations (member_management disabled): the
// console offers no member controls there and the API refuses member changes.
var unmanagedMembers = map[string]bool{"Brazil": true, "Retail Platform": true, "Workplace Services": true, "Web Experience": true}

func (sd *seeder) flags(depth int) *api.TenantFlags {
	if depth >= 3 && sd.rng.IntN(5) == 0 {
		return nil
	}
	onOff := func(p int) string {
		if sd.rng.IntN(100) < p {
			return "enabled"
		}
		return "disabled"
	}
	f := &api.TenantFlags{AccountCreation: onOff(80), AccountDeletion: onOff(40), AccountMigration: onOff(30),
		AccountMobility: onOff(20), SubOrgCreation: onOff(max(10, 90-depth*20))}
	fillTenantFlags(f)
	return f
}

func (sd *seeder) profile(o seedOrg) *api.Profile {
	streets := []string{"Market Street", "King Street", "Friedrichstraße", "Rue de Rivoli", "George Street", "Orchard Road", "Avenida Paulista"}
	domain := "northwind.example"
	return &api.Profile{
		BusinessName:     "Northwind " + strings.TrimPrefix(o.name, "Northwind "),
		BusinessEmail:    slug(o.name) + "@" + domain,
		BusinessPhone:    fmt.Sprintf("+1 (415) 555-%04d", sd.rng.IntN(10000)),
		BusinessAddress:  fmt.Sprintf("%d %s, Suite %d", 1+sd.rng.IntN(900), streets[sd.rng.IntN(len(streets))], 100+sd.rng.IntN(900)),
		ExternalMetadata: fmt.Sprintf(`{"cost_center":"CC-%04d","owner":"%s"}`, sd.rng.IntN(10000), slug(o.name)),
	}
}

func (sd *seeder) usersAndMembers() error {
	nUsers := 90
	if sd.scale == ScaleLarge {
		nUsers = 4000
	}
	ustmt, err := sd.tx.Prepare(`INSERT INTO users(id, email, first_name, last_name, two_factor) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ustmt.Close()
	seen := map[string]bool{}
	for i := 0; len(sd.users) < nUsers; i++ {
		f, l := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames)+i)%len(lastNames)]
		email := strings.ToLower(slug(f) + "." + slug(l))
		if i >= len(firstNames)*len(lastNames) || seen[email] {
			email = fmt.Sprintf("%s%d", email, i)
		}
		seen[email] = true
		u := userRow{ID: sd.id(), Email: email + "@northwind.example", FirstName: f, LastName: l, TwoFactor: sd.rng.IntN(10) != 0}
		if _, err := ustmt.Exec(u.ID, u.Email, u.FirstName, u.LastName, u.TwoFactor); err != nil {
			return err
		}
		sd.users = append(sd.users, u)
	}
	mstmt, err := sd.tx.Prepare(`INSERT INTO members(id, org_id, user_id, status, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer mstmt.Close()
	add := func(org string, u int, status string) error {
		for _, have := range sd.byOrg[org] {
			if have == u {
				return nil
			}
		}
		created := sd.anchor.Add(-time.Duration(30+sd.rng.IntN(700)) * 24 * time.Hour)
		updated := created.Add(time.Duration(sd.rng.IntN(20*24)) * time.Hour)
		sd.byOrg[org] = append(sd.byOrg[org], u)
		_, err := mstmt.Exec(sd.id(), org, sd.users[u].ID, status, created.Format(time.RFC3339Nano), updated.Format(time.RFC3339Nano))
		return err
	}
	root := sd.orgIDs[sd.orgs[0].name]
	for _, u := range []int{0, 2, 4, 5} { // the demo admin, the auditor, two more admins
		if err := add(root, u, api.MemberActive); err != nil {
			return err
		}
	}
	if err := add(sd.orgIDs[sd.editorOrg()], 1, api.MemberActive); err != nil {
		return err
	}
	for _, o := range sd.orgs[1:] {
		for k := 2 + sd.rng.IntN(5); k > 0; k-- {
			status := api.MemberActive
			if sd.rng.IntN(10) == 0 {
				status = api.MemberCanceled
			}
			if err := add(sd.orgIDs[o.name], 6+sd.rng.IntN(len(sd.users)-6), status); err != nil {
				return err
			}
		}
	}
	return nil
}

func (sd *seeder) editorOrg() string {
	if sd.scale == ScaleLarge {
		return "Team 0001"
	}
	return "Payments Platform"
}

func (sd *seeder) accounts() error {
	stmt, err := sd.tx.Prepare(`INSERT INTO accounts(id, org_id, name, pubname, type, created_on, settings, region, usage_seed, currency, has_cost)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	envs := []string{"prod", "staging", "dev", "sandbox", "dr", "analytics"}
	for i, o := range sd.orgs {
		n := sd.accountCount(i, o)
		for k := 0; k < n; k++ {
			env := envs[k%len(envs)]
			name := slug(strings.TrimPrefix(o.name, "Northwind ")) + "-" + env
			if k >= len(envs) {
				name = fmt.Sprintf("%s-%d", name, k)
			}
			typ := "standard"
			if env == "prod" || env == "dr" {
				typ = "enterprise"
			}
			id := sd.id()
			created := sd.anchor.Add(-time.Duration(60+sd.rng.IntN(900)) * 24 * time.Hour)
			if sd.rng.IntN(10) == 0 {
				created = sd.anchor.Add(-time.Duration(20+sd.rng.IntN(250)) * 24 * time.Hour) // a newer account: partial history
			}
			settings := map[string]any{
				"abuse_contact_email": "abuse+" + slug(o.name) + "@northwind.example", "access_approval_expiry": nil,
				"api_access_enabled": sd.rng.IntN(5) != 0, "enforce_twofactor": typ == "enterprise" || sd.rng.IntN(2) == 0,
			}
			sb, _ := json.Marshal(settings)
			var nameV any = name
			if sd.rng.IntN(40) == 0 {
				nameV = nil // the API allows a null account name
			}
			pub := "Northwind " + strings.TrimPrefix(o.name, "Northwind ") + " (" + env + ")"
			if _, err := stmt.Exec(id, sd.orgIDs[o.name], nameV, pub, typ, created.Format(time.RFC3339Nano), string(sb),
				o.region, int64(seedOf(id)>>1), sd.currency(o), sd.rng.IntN(100) < 85); err != nil {
				return err
			}
			sd.accts[sd.orgIDs[o.name]] = append(sd.accts[sd.orgIDs[o.name]], id)
		}
	}
	return nil
}

func (sd *seeder) accountCount(i int, o seedOrg) int {
	if sd.scale == ScaleLarge {
		return 10
	}
	if i == 0 {
		return 1
	}
	if o.depth <= 1 {
		return sd.rng.IntN(2)
	}
	return 2 + sd.rng.IntN(5)
}

func (sd *seeder) currency(o seedOrg) string {
	switch {
	case strings.Contains(o.name, "United Kingdom") || strings.HasPrefix(o.name, "UK "):
		return "GBP"
	case o.region == "weur":
		return "EUR"
	}
	return "USD"
}

func (sd *seeder) tokens() error {
	type demo struct {
		token, name string
		user        int
		role        Role
		status      string
		grant       string
		expires     *time.Time
	}
	expired := sd.anchor.Add(-48 * time.Hour)
	root := sd.orgs[0].name
	demos := []demo{
		{DemoAdminToken, "Orgboard demo admin", 0, RoleAdmin, "active", root, nil},
		{DemoEditorToken, "Orgboard demo editor", 1, RoleEditor, "active", sd.editorOrg(), nil},
		{DemoViewerToken, "Orgboard demo auditor", 2, RoleViewer, "active", root, nil},
		{DemoExpiredToken, "Orgboard demo expired", 3, RoleAdmin, "active", root, &expired},
	}
	for _, d := range demos {
		id := sd.id()
		var exp any
		if d.expires != nil {
			exp = d.expires.Format(time.RFC3339)
		}
		if _, err := sd.tx.Exec(`INSERT INTO tokens(id, hash, name, user_id, role, status, expires_on, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
			id, hashToken(d.token), d.name, sd.users[d.user].ID, string(d.role), d.status, exp); err != nil {
			return err
		}
		if _, err := sd.tx.Exec(`INSERT INTO token_grants(token_id, org_id) VALUES (?, ?)`, id, sd.orgIDs[d.grant]); err != nil {
			return err
		}
	}
	return nil
}
