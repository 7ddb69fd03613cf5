// orgtree.go is the in-memory tree of organizations that scope checks walk.

package localapi

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"orgboard/internal/api"
)

// orgRecord is one organization as stored.
type orgRecord struct {
	ID         string
	Name       string
	ParentID   string
	CreateTime time.Time
	Flags      *api.TenantFlags
	ManagedBy  *string
	Profile    *api.Profile
}

// orgTree is the in-memory copy of the organizations table: scope checks
// walk it on every request, and lists filter and page it.
type orgTree struct {
	byID     map[string]*orgRecord
	children map[string][]string
	sorted   []*orgRecord // by lower-case name, then ID
}

func newOrgTree(rows []*orgRecord) *orgTree {
	t := &orgTree{byID: make(map[string]*orgRecord, len(rows))}
	for _, r := range rows {
		t.byID[r.ID] = r
	}
	t.reindex()
	return t
}

func (t *orgTree) reindex() {
	t.children = make(map[string][]string, len(t.byID))
	t.sorted = t.sorted[:0]
	for _, r := range t.byID {
		t.sorted = append(t.sorted, r)
		if r.ParentID != "" {
			t.children[r.ParentID] = append(t.children[r.ParentID], r.ID)
		}
	}
	slices.SortFunc(t.sorted, func(a, b *orgRecord) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
}

// clone copies the tree for a copy-on-write update.
func (t *orgTree) clone() *orgTree {
	rows := make([]*orgRecord, 0, len(t.byID))
	for _, r := range t.byID {
		cp := *r
		rows = append(rows, &cp)
	}
	return newOrgTree(rows)
}

// within reports whether id is root or one of its descendants.
func (t *orgTree) within(id, root string) bool {
	for hops := 0; id != "" && hops <= len(t.byID); hops++ {
		if id == root {
			return true
		}
		r := t.byID[id]
		if r == nil {
			return false
		}
		id = r.ParentID
	}
	return false
}

// hierarchyTags is the chain of organization tags from the root down to id
// itself, as meta.hierarchy_tags sends it: derived from the tree, so a move
// or a rename never leaves it stale.
func (t *orgTree) hierarchyTags(id string) []string {
	out := []string{id}
	r := t.byID[id]
	for r != nil && r.ParentID != "" && len(out) <= len(t.byID) {
		out = append(out, r.ParentID)
		r = t.byID[r.ParentID]
	}
	slices.Reverse(out)
	return out
}

// wire renders a record as the API's Organization.
func (t *orgTree) wire(r *orgRecord) api.Organization {
	o := api.Organization{
		ID: r.ID, Name: r.Name, CreateTime: r.CreateTime, Profile: r.Profile,
		Meta: api.OrganizationMeta{Flags: r.Flags.Legacy(), TenantFlags: r.Flags, ManagedBy: r.ManagedBy, HierarchyTags: t.hierarchyTags(r.ID)},
	}
	if p := t.byID[r.ParentID]; p != nil {
		o.Parent = &api.OrganizationRef{ID: p.ID, Name: p.Name}
	}
	return o
}

func (s *Store) loadTree() error {
	rows, err := s.r.Query(`SELECT id, name, COALESCE(parent_id, ''), create_time, flags, managed_by, profile FROM organizations`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var recs []*orgRecord
	for rows.Next() {
		var r orgRecord
		var created string
		var flags, profile, managed *string
		if err := rows.Scan(&r.ID, &r.Name, &r.ParentID, &created, &flags, &managed, &profile); err != nil {
			return err
		}
		r.CreateTime, _ = time.Parse(time.RFC3339Nano, created)
		r.ManagedBy = managed
		if err := unmarshalOpt(flags, &r.Flags); err != nil {
			return err
		}
		if r.Flags != nil {
			fillTenantFlags(r.Flags) // a store seeded before 2026's three flags
		}
		if err := unmarshalOpt(profile, &r.Profile); err != nil {
			return err
		}
		recs = append(recs, &r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.orgs = newOrgTree(recs)
	s.mu.Unlock()
	return nil
}

func unmarshalOpt[T any](s *string, dst *T) error {
	if s == nil || *s == "" {
		return nil
	}
	return json.Unmarshal([]byte(*s), dst)
}

func marshalOpt(v any) *string {
	switch x := v.(type) {
	case *api.TenantFlags:
		if x == nil {
			return nil
		}
	case *api.Profile:
		if x == nil {
			return nil
		}
	}
	b, _ := json.Marshal(v)
	s := string(b)
	return &s
}

// tree returns the current tree; callers must not modify it.
func (s *Store) tree() *orgTree {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.orgs
}
