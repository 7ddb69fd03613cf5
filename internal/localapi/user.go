// user.go serves /user/tokens/verify and /user.

package localapi

import (
	"net/http"

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
