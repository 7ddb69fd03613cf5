// scope.go is which organizations a search or a review covers: those the
// user's token may read now, checked upstream and cached at most a minute.

package server

import (
	"context"
	"net/http"
	"net/url"

	"orgboard/internal/api"

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
		return out, nil
	})
}

// auditScope is the organizations a search covers, checked against what
// the user may read now.
type auditScope struct {
	org         string // "" for every readable organization
	descendants bool
	orgs        []string
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
	return s.scopeOf(c, org, c.QueryParam("sub") == "1")
}
