// user.go serves /user/tokens/verify and /user.

package localapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"orgboard/internal/api"
)

func (s *Server) verifyToken(w http.ResponseWriter, r *http.Request, p *principal) error {
	writeResult(w, api.TokenStatus{ID: p.TokenID, Status: p.effectiveStatus(s.now()), ExpiresOn: p.ExpiresOn, NotBefore: p.NotBefore}, nil)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, p *principal) error {
	u := p.User
	writeResult(w, api.User{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Username: u.ID, TwoFactorAuthenticationEnabled: u.TwoFactor}, nil)
	return nil
}

// getToken reads the caller's own token with its policies: the role as
// permission groups, the grants as organization resources. Another
// token's ID is not found, as for a token without API Tokens Read.
func (s *Server) getToken(w http.ResponseWriter, r *http.Request, p *principal) error {
	if r.PathValue("token") != p.TokenID {
		return &apiError{http.StatusNotFound, 1003, "token not found"}
	}
	groups := map[Role][]string{
		RoleViewer: {"Organization Read"},
		RoleEditor: {"Organization Read", "Organization Profile Write", "Organization Members Write"},
		RoleAdmin:  {"Organization Read", "Organization Write"},
	}[p.Role]
	pol := api.TokenPolicy{ID: p.TokenID + "-orgs", Effect: "allow", Resources: map[string]json.RawMessage{}}
	for _, g := range groups {
		pol.PermissionGroups = append(pol.PermissionGroups, api.PermissionGroup{ID: strings.ToLower(strings.ReplaceAll(g, " ", "-")), Name: g})
	}
	for _, g := range p.Grants {
		pol.Resources[api.OrganizationResource(g)] = json.RawMessage(`"*"`)
	}
	writeResult(w, api.Token{ID: p.TokenID, Name: p.TokenName, Status: p.effectiveStatus(s.now()), ExpiresOn: p.ExpiresOn,
		NotBefore: p.NotBefore, Policies: []api.TokenPolicy{pol}}, nil)
	return nil
}
