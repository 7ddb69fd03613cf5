// scope.go is which organizations a search or a review covers: those the
// user's token may read now, checked upstream and cached at most a minute,
// and for the audit log also those deleted whose nearest surviving
// ancestor is one of them (the index is their only record).

package server

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"

	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/history"

	"github.com/labstack/echo/v4"
)

// maxReadableOrgs bounds a search's organizations: each is a variable of one
// SQL statement, and SQLite takes at most 32,766.
const maxReadableOrgs = 30000

// readableOrgs lists every organization the user's token may read now: the
// authorization of every audit search (cached with the user's reads, at
// most the cache TTL, which is never above 60 s).
func (s *Server) readableOrgs(c echo.Context) ([]api.Organization, error) {
	return read(s, c, "readable orgs", func(ctx context.Context) ([]api.Organization, error) {
		var out []api.Organization
		for o, err := range s.client(c).Organizations(ctx, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 1000}}) {
			if err != nil {
				return nil, err
			}
			out = append(out, o)
			if len(out) >= maxReadableOrgs {
				break
			}
		}
		if s.audit.Tree != nil { // where each sits now, for the tree's history
			seen := out
			s.audit.Tree.Later(func(ctx context.Context) error { return s.audit.Tree.SeeOrgs(ctx, seen) })
		}
		if p := person(c); p != nil {
			out = s.personOrgs(c, p, out) // the console's token reads them all: the grants say which are theirs
		}
		return out, nil
	})
}

// auditScope is the organizations a search covers, checked against what
// the user may read now.
type auditScope struct {
	org         string // "" for every readable organization
	descendants bool
	orgs        []string // readable now
	// gone are the deleted organizations whose nearest surviving ancestor
	// is one of orgs (see withDeleted), named in deleted
	gone    []string
	deleted map[string]string
}

// searched is every organization whose entries the scope searches.
func (sc auditScope) searched() []string {
	if len(sc.gone) == 0 {
		return sc.orgs
	}
	return append(slices.Clip(sc.orgs), sc.gone...)
}

// goneOf names the deleted organization an entry is of, or is about.
func (sc auditScope) goneOf(e api.AuditEntry) string {
	if name, ok := sc.deleted[e.Organization.ID]; ok {
		return "in " + name
	}
	if e.Resource.Type == "organization" {
		return sc.deleted[e.Resource.ID]
	}
	return ""
}

// sawTree records a change to the tree the console made itself, before
// its page answers (the next page must know it): the write is done
// whatever the record's fate, which is logged.
func (s *Server) sawTree(c echo.Context, record func(context.Context, *history.Keeper) error) {
	if s.audit.Tree == nil {
		return
	}
	if err := record(context.WithoutCancel(c.Request().Context()), s.audit.Tree); err != nil {
		s.log.Warn("record the tree's history", "error", err)
	}
}

// sawLater records what a page saw of the tree (a list it read) after the
// page is answered: a page never waits on the database's writer for it.
func (s *Server) sawLater(record func(context.Context, *history.Keeper) error) {
	if t := s.audit.Tree; t != nil {
		t.Later(func(ctx context.Context) error { return record(ctx, t) })
	}
}

// index is what the index searches for the scope.
func (sc auditScope) index() audit.Scope { return audit.Scope{Orgs: sc.searched()} }

// auditScopeOf is scopeOf with the deleted organizations it covers.
func (s *Server) auditScopeOf(c echo.Context, org string, descendants bool) (auditScope, error) {
	sc, err := s.scopeOf(c, org, descendants)
	if err != nil {
		return sc, err
	}
	return s.withDeleted(c, sc)
}

// withDeleted adds the deleted organizations whose nearest surviving
// ancestor the scope covers: their entries stay searchable by whoever may
// read that ancestor now.
func (s *Server) withDeleted(c echo.Context, sc auditScope) (auditScope, error) {
	if s.audit.Tree == nil {
		return sc, nil
	}
	t, err := s.audit.Tree.Tree(c.Request().Context())
	if err != nil {
		return sc, err
	}
	dead := t.DeletedOrgs()
	if len(dead) == 0 {
		return sc, nil
	}
	in := make(map[string]bool, len(sc.orgs))
	for _, o := range sc.orgs {
		in[o] = true
	}
	sc.deleted = map[string]string{}
	for _, d := range dead {
		if in[d] {
			continue // still listed: the delete was not its end (or not yet seen)
		}
		if anc, ok := t.Survivor(d); ok && in[anc] && len(sc.orgs)+len(sc.gone) < maxReadableOrgs {
			sc.gone = append(sc.gone, d)
			sc.deleted[d] = cmp.Or(t.Name(d), "Organization "+d) + " (deleted)"
		}
	}
	return sc, nil
}

func (s *Server) scopeOf(c echo.Context, org string, descendants bool) (auditScope, error) {
	all, err := s.readableOrgs(c)
	if err != nil {
		return auditScope{}, err
	}
	sc := auditScope{org: org, descendants: descendants}
	if org == "" {
		for _, o := range all {
			sc.orgs = append(sc.orgs, o.ID)
		}
		return sc, nil
	}
	tree, readable := api.Subtree(all, org)
	if !readable {
		if _, err := s.getOrg(c, org); err != nil {
			return sc, err
		}
	}
	sc.orgs = []string{org}
	if descendants {
		sc.orgs = tree
	}
	return sc, nil
}

func (sc auditScope) query() url.Values {
	v := url.Values{}
	if sc.org != "" {
		v.Set("org", sc.org)
	}
	if sc.descendants {
		v.Set("sub", "1")
	}
	return v
}

// scopeFromQuery reads org= and sub= of the status, summary and export URLs.
func (s *Server) scopeFromQuery(c echo.Context, org string) (auditScope, error) {
	if org == "" {
		org = c.QueryParam("org")
	}
	if org != "" && !api.ValidID(org) {
		return auditScope{}, &userError{status: http.StatusBadRequest, title: "Not a valid identifier", message: "The organization in this address is not valid."}
	}
	return s.auditScopeOf(c, org, c.QueryParam("sub") == "1")
}
