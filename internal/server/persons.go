// persons.go is the console for someone who signed in through the
// identity provider: they hold no Cloudflare token, so the console reads
// and writes with its own, and decides itself what they may see and do,
// from the delegation file's grants. Every organization path they reach
// is checked here; the tree, the searches and the audit scope list only
// what a grant gives them.

package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/auth"
	"orgboard/internal/changes"
	"orgboard/internal/delegation"
	"orgboard/internal/idp"
	"orgboard/internal/route"
)

// Delegation is team self-service: people who sign in through the
// identity provider act through the console's own token within the
// delegation file's grants, their profile and member changes approved by
// a second person.
type Delegation struct {
	IdP *idp.Provider
	// Only offers the identity provider alone on the sign-in page (--oidc-only).
	Only bool
	// RedirectURL is the callback's full URL as registered at the provider
	// (--oidc-redirect-url); "": this console's own address, as the request names it.
	RedirectURL string
	Grants      *delegation.File
	// Token opens the console's own token (kept sealed) when it is used.
	Token   func() (string, error)
	Changes changes.Store
}

// person is who signed in through the identity provider, or nil.
func person(c echo.Context) *auth.Person {
	if id := identity(c); id != nil {
		return id.Person
	}
	return nil
}

// who is a person as the grants name them.
func who(p *auth.Person) delegation.Person { return delegationPerson(p.Email, p.Groups) }

func delegationPerson(email string, groups []string) delegation.Person {
	return delegation.Person{Email: email, Groups: groups}
}

// policy is the grants in force (nil without delegation).
func (s *Server) policy() *delegation.Policy {
	if s.cfg.Delegation == nil || s.cfg.Delegation.Grants == nil {
		return nil
	}
	return s.cfg.Delegation.Grants.Policy()
}

// serviceToken is the console's own token ("" without delegation).
func (s *Server) serviceToken() string {
	if s.cfg.Delegation == nil || s.cfg.Delegation.Token == nil {
		return ""
	}
	tok, err := s.cfg.Delegation.Token()
	if err != nil {
		s.log.Error("the console's own token cannot be opened", "error", err)
		return ""
	}
	return tok
}

// personKey names a person's cached reads and fetches: their own, though
// made with the console's token.
func personKey(p *auth.Person) string { return api.TokenKey("person\x00" + p.Subject) }

// personOrgs is every organization a grant lets the person see: the
// console token's listing, each kept when a grant covers it or one above.
func (s *Server) personOrgs(c echo.Context, p *auth.Person, all []api.Organization) []api.Organization {
	pol := s.policy()
	parent := make(map[string]string, len(all))
	for _, o := range all {
		if o.Parent != nil {
			parent[o.ID] = o.Parent.ID
		}
	}
	out := make([]api.Organization, 0, len(all))
	for _, o := range all {
		chain := []string{o.ID}
		for id, n := parent[o.ID], 0; id != "" && n < maxCrumbs; id, n = parent[id], n+1 {
			chain = append(chain, id)
		}
		if r, _ := pol.For(who(p), chain); r.Has(access.View) {
			out = append(out, o)
		}
	}
	return out
}

// visible reports whether the person may see org.
func (s *Server) visible(c echo.Context, org string) (bool, error) {
	all, err := s.readableOrgs(c)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(all, func(o api.Organization) bool { return o.ID == org }), nil
}

// errNotYours answers a path of an organization no grant gives the person:
// as a missing one, so that its existence is not told either.
var errNotYours = &userError{status: http.StatusNotFound, title: "Not found",
	message: "There is no such organization among those you may see. The console's delegation file says which those are."}

// delegated guards the routes of a person: an organization's paths only
// for the organizations a grant gives them, and alert rules (which run
// with a Cloudflare token of their own) not at all.
func (s *Server) delegated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if person(c) == nil {
			return next(c)
		}
		path := c.Path()
		switch {
		case strings.HasPrefix(path, route.Alerts):
			return &userError{status: http.StatusForbidden, title: "Alert rules need a token",
				message: "An alert rule runs with a Cloudflare API token of its own, which you do not hold here: ask someone who signs in with a token to make the rule."}
		case strings.HasPrefix(path, "/orgs/:id"):
			ok, err := s.visible(c, c.Param("id"))
			if err != nil {
				return err
			}
			if !ok {
				return errNotYours
			}
		}
		return next(c)
	}
}

// personGrant is what the grants give the person on org.
func (s *Server) personGrant(c echo.Context, p *auth.Person, org api.Organization) access.Grant {
	r, _ := s.policy().For(who(p), s.chain(c, org))
	return access.Grant{Rights: r, Known: true, Source: "the console's delegation file"}
}

// mayApprove reports whether the person may approve changes on org.
func (s *Server) mayApprove(c echo.Context, p *auth.Person, org api.Organization) bool {
	_, approve := s.policy().For(who(p), s.chain(c, org))
	return approve
}

// delegatedMay refuses, before anything is sent, a write of kind k on org
// that the person's grants do not give: Cloudflare would refuse the
// console's token nothing.
func (s *Server) delegatedMay(c echo.Context, org string, k access.Kind) (writeEnd, error) {
	_, caps, err := s.capsOf(c, org)
	if err != nil {
		return writeEnd{}, err
	}
	if caps.May(k) {
		return writeEnd{}, nil
	}
	return writeEnd{Forbidden: true, Problem: "The console's delegation file does not give you this right here: " + caps.Why(k), Status: http.StatusForbidden,
		Err: errDelegated}, nil
}

// errDelegated is a write the grants refused.
var errDelegated = errors.New("refused by the delegation file")

// listPersonOrgs answers a listing of organizations for a person from
// those they may see, as the API would filter them.
func (s *Server) listPersonOrgs(c echo.Context, p api.ListOrganizationsParams) (api.Page[api.Organization], error) {
	all, err := s.readableOrgs(c)
	if err != nil {
		return api.Page[api.Organization]{}, err
	}
	var out []api.Organization
	for _, o := range all {
		switch {
		case p.ParentID == api.ParentNull && o.Parent != nil:
			continue
		case p.ParentID != "" && p.ParentID != api.ParentNull && (o.Parent == nil || o.Parent.ID != p.ParentID):
			continue
		case p.NameContains != "" && !strings.Contains(strings.ToLower(o.Name), strings.ToLower(p.NameContains)):
			continue
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b api.Organization) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return api.Page[api.Organization]{Items: out, TotalSize: len(out)}, nil
}
