package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
)

// Reads go through the user's cache; writes go straight to the API and
// then forget the user's cache.

func (s *Server) user(c echo.Context) string { return userKey(identity(c).Token) }

func (s *Server) listOrgs(c echo.Context, p api.ListOrganizationsParams) (api.Page[api.Organization], error) {
	return cached(s.cache, s.user(c), fmt.Sprintf("orgs %+v", p), func() (api.Page[api.Organization], error) {
		return s.client(c).ListOrganizations(c.Request().Context(), p)
	})
}

func (s *Server) getOrg(c echo.Context, id string) (api.Organization, error) {
	return cached(s.cache, s.user(c), "org "+id, func() (api.Organization, error) {
		return s.client(c).GetOrganization(c.Request().Context(), id)
	})
}

func (s *Server) listAccounts(c echo.Context, org string, p api.ListAccountsParams) (api.Page[api.Account], error) {
	return cached(s.cache, s.user(c), fmt.Sprintf("accounts %s %+v", org, p), func() (api.Page[api.Account], error) {
		return s.client(c).ListAccounts(c.Request().Context(), org, p)
	})
}

func (s *Server) getProfile(c echo.Context, org string) (api.Profile, error) {
	return cached(s.cache, s.user(c), "profile "+org, func() (api.Profile, error) {
		return s.client(c).GetProfile(c.Request().Context(), org)
	})
}

func (s *Server) listMembers(c echo.Context, org string, p api.ListMembersParams) (api.Page[api.Member], error) {
	return cached(s.cache, s.user(c), fmt.Sprintf("members %s %+v", org, p), func() (api.Page[api.Member], error) {
		return s.client(c).ListMembers(c.Request().Context(), org, p)
	})
}

func (s *Server) getMember(c echo.Context, org, member string) (api.Member, error) {
	return cached(s.cache, s.user(c), "member "+org+" "+member, func() (api.Member, error) {
		return s.client(c).GetMember(c.Request().Context(), org, member)
	})
}

// wrote forgets the user's cached reads after a write of theirs.
func (s *Server) wrote(c echo.Context) { s.cache.Forget(s.user(c)) }
