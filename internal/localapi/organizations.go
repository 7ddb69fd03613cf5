// organizations.go serves the organizations: list, read, create, update,
// delete.

package localapi

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"orgboard/internal/api"
)

// nameFilter is the case-insensitive contains/startsWith/endsWith trio.
type nameFilter struct{ contains, startsWith, endsWith string }

func readNameFilter(q map[string][]string, prefix string) nameFilter {
	get := func(k string) string {
		if v := q[prefix+"."+k]; len(v) > 0 {
			return strings.ToLower(v[0])
		}
		return ""
	}
	return nameFilter{get("contains"), get("startsWith"), get("endsWith")}
}

func (f nameFilter) match(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, f.contains) && strings.HasPrefix(s, f.startsWith) && strings.HasSuffix(s, f.endsWith)
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request, p *principal) error {
	q := r.URL.Query()
	size, err := pageSize(q, "page_size", 10)
	if err != nil {
		return err
	}
	after, err := decodeCursor(q.Get("page_token"), "org", "page_token")
	if err != nil {
		return err
	}
	t := s.store.tree()
	keep, err := s.orgFilter(t, q)
	if err != nil {
		return err
	}
	var out []api.Organization
	total := 0
	next := ""
	for _, rec := range t.sorted {
		if !p.may(t, rec.ID, RoleViewer) || !keep(rec) {
			continue
		}
		total++
		key := strings.ToLower(rec.Name)
		if after != nil && cmp.Or(cmp.Compare(key, after.Key), cmp.Compare(rec.ID, after.ID)) <= 0 {
			continue
		}
		if len(out) == size {
			if next == "" {
				last := out[len(out)-1]
				next = cursor{Mode: "org", Key: strings.ToLower(last.Name), ID: last.ID}.encode()
			}
			continue
		}
		out = append(out, t.wire(rec))
	}
	if out == nil {
		out = []api.Organization{}
	}
	writeResult(w, out, pageInfo{NextPageToken: next, TotalSize: total})
	return nil
}

// orgFilter builds the predicate of the list's query filters.
func (s *Server) orgFilter(t *orgTree, q map[string][]string) (func(*orgRecord) bool, error) {
	ids := q["id"]
	name := readNameFilter(q, "name")
	parent := first(q["parent.id"])
	var within []string // the org must be an ancestor-or-self of each of these
	if acct := first(q["containing.account"]); acct != "" {
		var org string
		err := s.store.r.QueryRow(`SELECT org_id FROM accounts WHERE id = ?`, acct).Scan(&org)
		if err != nil && err != sql.ErrNoRows {
			return nil, err
		}
		within = append(within, cmp.Or(org, "\x00none"))
	}
	if sub := first(q["containing.organization"]); sub != "" {
		within = append(within, cmp.Or(sub, "\x00none"))
	}
	var memberOf map[string]bool
	if user := first(q["containing.user"]); user != "" {
		var err error
		if memberOf, err = s.store.orgsOfUser(user); err != nil {
			return nil, err
		}
	}
	return func(rec *orgRecord) bool {
		if len(ids) > 0 && !slices.Contains(ids, rec.ID) {
			return false
		}
		if parent == "null" && rec.ParentID != "" || parent != "" && parent != "null" && rec.ParentID != parent {
			return false
		}
		for _, sub := range within {
			if !t.within(sub, rec.ID) {
				return false
			}
		}
		if memberOf != nil && !memberOf[rec.ID] {
			return false
		}
		return name.match(rec.Name)
	}, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request, p *principal) error {
	t, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	writeResult(w, t.wire(rec), nil)
	return nil
}

// readableOrg finds the path's organization and checks the token's role on it.
func (s *Server) readableOrg(r *http.Request, p *principal, role Role) (*orgTree, *orgRecord, error) {
	t := s.store.tree()
	rec := t.byID[r.PathValue("org")]
	if rec == nil {
		return nil, nil, notFound("organization")
	}
	if !p.may(t, rec.ID, role) {
		return nil, nil, forbidden()
	}
	return t, rec, nil
}

// orgBody is the body of POST and PUT /organizations.
type orgBody struct {
	Name    *string                      `json:"name"`
	Parent  present[api.OrganizationRef] `json:"parent,omitzero"`
	Profile present[api.Profile]         `json:"profile,omitzero"`
}

// present is a body field that knows whether the body had it at all: PUT
// keeps what a body leaves out, and null says "none" (a parent of null
// makes a root).
type present[T any] struct {
	Set   bool
	Value *T // nil for null
}

func (p *present[T]) UnmarshalJSON(b []byte) error {
	p.Set = true
	if string(b) == "null" {
		p.Value = nil
		return nil
	}
	p.Value = new(T)
	return json.Unmarshal(b, p.Value)
}

func (p present[T]) MarshalJSON() ([]byte, error) { return json.Marshal(p.Value) }

// IsZero reports a field the body left out.
func (p present[T]) IsZero() bool { return !p.Set }

func (b orgBody) validate() (string, error) {
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return "", badRequest("name is required")
	}
	name := strings.TrimSpace(*b.Name)
	if utf8.RuneCountInString(name) > 255 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n") {
		return "", badRequest("name must be one line of at most 255 characters")
	}
	if b.Parent.Value != nil && !api.ValidID(b.Parent.Value.ID) {
		return "", badRequest("parent.id is not a valid organization identifier")
	}
	if b.Profile.Value != nil {
		if err := validateProfile(*b.Profile.Value); err != nil {
			return "", err
		}
	}
	return name, nil
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request, p *principal) error {
	var body orgBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	name, err := body.validate()
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	t := s.store.tree()
	rec := &orgRecord{ID: newID(), Name: name, CreateTime: s.now().UTC().Truncate(time.Microsecond), Profile: body.Profile.Value,
		Flags: defaultFlags()}
	if err := checkParent(t, p, body.Parent.Value, ""); err != nil {
		return err
	}
	if body.Parent.Value != nil {
		rec.ParentID = body.Parent.Value.ID
	}
	nt := t.clone()
	nt.byID[rec.ID] = rec
	nt.reindex()
	res := nt.wire(rec)
	err = s.store.writeTx(func(tx *sql.Tx) error {
		if err := insertOrg(tx, rec); err != nil {
			return err
		}
		if rec.ParentID == "" {
			if _, err := tx.Exec(`INSERT INTO token_grants(token_id, org_id) VALUES (?, ?)`, p.TokenID, rec.ID); err != nil {
				return err
			}
		}
		return s.audit(tx, r, p, auditFact{org: rec.ID, action: "create", product: "organizations", resType: "organization",
			resID: rec.ID, desc: "Organization created", request: body, response: res})
	})
	if err != nil {
		return err
	}
	s.store.swapTree(nt)
	writeResult(w, res, nil)
	return nil
}

// checkParent validates a new parent for org (empty for a new organization).
func checkParent(t *orgTree, p *principal, parent *api.OrganizationRef, org string) error {
	if parent == nil {
		if !p.holdsRoot(t) {
			return forbidden()
		}
		return nil
	}
	pr := t.byID[parent.ID]
	if pr == nil {
		return badRequest(fmt.Sprintf("parent organization %s does not exist", parent.ID))
	}
	if !p.may(t, parent.ID, RoleAdmin) {
		return forbidden()
	}
	if org == "" && pr.Flags != nil && pr.Flags.SubOrgCreation == "disabled" {
		return badRequest(fmt.Sprintf("sub-organization creation is disabled for organization %s", parent.ID))
	}
	if org != "" && t.within(parent.ID, org) {
		return badRequest("an organization cannot be moved under itself or one of its own sub-organizations")
	}
	return nil
}

func defaultFlags() *api.TenantFlags {
	f := &api.TenantFlags{AccountCreation: "enabled", AccountDeletion: "enabled", AccountMigration: "disabled",
		AccountMobility: "disabled", SubOrgCreation: "enabled"}
	fillTenantFlags(f)
	return f
}

// fillTenantFlags gives the three flags the API added in 2026 their values
// where a record has none (it was stored before they existed): an
// enterprise tenant, whose accounts take the tenant's defaults, and whose
// members are managed here.
func fillTenantFlags(f *api.TenantFlags) {
	if f.AccountCreationAppliesTenantDefaults == "" {
		f.AccountCreationAppliesTenantDefaults = "enabled"
	}
	if f.EnterpriseCapability == "" {
		f.EnterpriseCapability = "enabled"
	}
	if f.MemberManagement == "" {
		f.MemberManagement = "enabled"
	}
}

func (s *Server) updateOrganization(w http.ResponseWriter, r *http.Request, p *principal) error {
	var body orgBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	name, err := body.validate()
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	t, old, err := s.readableOrg(r, p, RoleAdmin)
	if err != nil {
		return err
	}
	// what the body leaves out is kept: a name-only update (the SDK's own
	// example) neither moves the organization nor clears its profile
	newParent, profile := old.ParentID, old.Profile
	if body.Parent.Set {
		newParent = ""
		if body.Parent.Value != nil {
			newParent = body.Parent.Value.ID
		}
	}
	if body.Profile.Set {
		profile = body.Profile.Value
	}
	if newParent != old.ParentID {
		if err := checkParent(t, p, body.Parent.Value, old.ID); err != nil {
			return err
		}
	}
	nt := t.clone()
	rec := nt.byID[old.ID]
	rec.Name, rec.ParentID, rec.Profile = name, newParent, profile
	nt.reindex()
	res := nt.wire(rec)
	err = s.store.writeTx(func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE organizations SET name = ?, parent_id = ?, profile = ? WHERE id = ?`,
			rec.Name, nullable(rec.ParentID), marshalOpt(rec.Profile), rec.ID)
		if err != nil {
			return err
		}
		if newParent == "" && old.ParentID != "" {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO token_grants(token_id, org_id) VALUES (?, ?)`, p.TokenID, rec.ID); err != nil {
				return err
			}
		}
		return s.audit(tx, r, p, auditFact{org: rec.ID, action: "update", product: "organizations", resType: "organization",
			resID: rec.ID, desc: "Organization updated", request: body, response: res})
	})
	if err != nil {
		return err
	}
	s.store.swapTree(nt)
	writeResult(w, res, nil)
	return nil
}

func (s *Server) deleteOrganization(w http.ResponseWriter, r *http.Request, p *principal) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	t, rec, err := s.readableOrg(r, p, RoleAdmin)
	if err != nil {
		return err
	}
	var accounts, members int
	if err := s.store.r.QueryRow(`SELECT (SELECT count(*) FROM accounts WHERE org_id = ?), (SELECT count(*) FROM members WHERE org_id = ?)`,
		rec.ID, rec.ID).Scan(&accounts, &members); err != nil {
		return err
	}
	if subs := len(t.children[rec.ID]); subs+accounts+members > 0 {
		return &apiError{http.StatusBadRequest, 1002, fmt.Sprintf(
			"Organization is not empty: it has %d sub-organizations, %d accounts and %d members; only an empty organization can be deleted",
			subs, accounts, members)}
	}
	nt := t.clone()
	delete(nt.byID, rec.ID)
	nt.reindex()
	res := map[string]string{"id": rec.ID}
	err = s.store.writeTx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM token_grants WHERE org_id = ?`, rec.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM organizations WHERE id = ?`, rec.ID); err != nil {
			return err
		}
		// the entry goes to the parent's log: the deleted organization's own log can no longer be read
		return s.audit(tx, r, p, auditFact{org: cmp.Or(rec.ParentID, rec.ID), action: "delete", product: "organizations", resType: "organization",
			resID: rec.ID, desc: "Organization deleted", response: res})
	})
	if err != nil {
		return err
	}
	s.store.swapTree(nt)
	writeResult(w, res, nil)
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func insertOrg(tx interface {
	Exec(string, ...any) (sql.Result, error)
}, rec *orgRecord) error {
	_, err := tx.Exec(`INSERT INTO organizations(id, name, parent_id, create_time, flags, managed_by, hierarchy_tags, profile)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, rec.ID, rec.Name, nullable(rec.ParentID), rec.CreateTime.Format(time.RFC3339Nano),
		marshalOpt(rec.Flags), rec.ManagedBy, nil, marshalOpt(rec.Profile)) // hierarchy_tags: derived from the tree when read
	return err
}

// writeTx runs fn in one immediate transaction on the writer.
func (s *Store) writeTx(fn func(tx *sql.Tx) error) error {
	tx, err := s.w.Begin()
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Store) swapTree(t *orgTree) {
	s.mu.Lock()
	s.orgs = t
	s.mu.Unlock()
}

// orgsOfUser is the set of organizations where the user (ID or email) is a member.
func (s *Store) orgsOfUser(user string) (map[string]bool, error) {
	rows, err := s.r.Query(`SELECT m.org_id FROM members m JOIN users u ON u.id = m.user_id WHERE u.id = ? OR u.email = ?`, user, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
