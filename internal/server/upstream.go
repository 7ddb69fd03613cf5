// upstream.go is the cached reads of the API a page makes.

package server

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
)

// Reads go through the user's cache; writes go straight to the API and
// then forget the user's cache.

func (s *Server) user(c echo.Context) string { return userKey(identity(c).Token) }

func (s *Server) listOrgs(c echo.Context, p api.ListOrganizationsParams) (api.Page[api.Organization], error) {
	return cached(c.Request().Context(), s.cache, s.user(c), fmt.Sprintf("orgs %+v", p), func(ctx context.Context) (api.Page[api.Organization], error) {
		return s.client(c).ListOrganizations(ctx, p)
	})
}

func (s *Server) getOrg(c echo.Context, id string) (api.Organization, error) {
	return cached(c.Request().Context(), s.cache, s.user(c), "org "+id, func(ctx context.Context) (api.Organization, error) {
		return s.client(c).GetOrganization(ctx, id)
	})
}

func (s *Server) listAccounts(c echo.Context, org string, p api.ListAccountsParams) (api.Page[api.Account], error) {
	return cached(c.Request().Context(), s.cache, s.user(c), fmt.Sprintf("accounts %s %+v", org, p), func(ctx context.Context) (api.Page[api.Account], error) {
		return s.client(c).ListAccounts(ctx, org, p)
	})
}

func (s *Server) getProfile(c echo.Context, org string) (api.Profile, error) {
	return cached(c.Request().Context(), s.cache, s.user(c), "profile "+org, func(ctx context.Context) (api.Profile, error) {
		return s.client(c).GetProfile(ctx, org)
	})
}

func (s *Server) listMembers(c echo.Context, org string, p api.ListMembersParams) (api.Page[api.Member], error) {
	return cached(c.Request().Context(), s.cache, s.user(c), fmt.Sprintf("members %s %+v", org, p), func(ctx context.Context) (api.Page[api.Member], error) {
		return s.client(c).ListMembers(ctx, org, p)
	})
}

func (s *Server) getMember(c echo.Context, org, member string) (api.Member, error) {
	return cached(c.Request().Context(), s.cache, s.user(c), "member "+org+" "+member, func(ctx context.Context) (api.Member, error) {
		return s.client(c).GetMember(ctx, org, member)
	})
}

// wrote forgets the user's cached reads after a write of theirs.
func (s *Server) wrote(c echo.Context) { s.cache.Forget(s.user(c)) }
