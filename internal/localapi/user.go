// user.go serves /user/tokens/verify and /user.

package localapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"orgboard/internal/api"
)

func (s *Server) verifyToken(w http.ResponseWriter, r *http.Request, p *principal) error {
	writeResult(w, api.TokenStatus{ID: p.TokenID, Status: p.effectiveStatus(s.now()), ExpiresOn: p.ExpiresOn, NotBefore: p.NotBefore}, nil)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, p *principal) error {
	writeResult(w, p.User.wire(), nil)
	return nil
}

func (u userRow) wire() api.User {
	return api.User{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Username: u.ID, TwoFactorAuthenticationEnabled: u.TwoFactor, Telephone: u.Telephone, Country: u.Country, Zipcode: u.Zipcode}
}

// userFields are what PATCH /user changes, each with its check.
var userFields = map[string]func(string) string{
	"first_name": nameProblem, "last_name": nameProblem,
	"telephone": func(v string) string {
		if len(v) > 20 || !telephoneChars.MatchString(v) || strings.Count(digits.ReplaceAllString(v, "#"), "#") < 5 {
			return "a telephone number of at most 20 characters: digits, spaces and + - ( ) ., at least five digits"
		}
		return ""
	},
	"country": func(v string) string {
		if !countryCode.MatchString(v) {
			return "an ISO 3166-1 alpha-2 country code: two capital letters, such as US"
		}
		return ""
	},
	"zipcode": func(v string) string {
		if len(v) > 20 || !zipChars.MatchString(v) {
			return "a postal code of at most 20 characters: letters, digits, spaces and -"
		}
		return ""
	},
}

var (
	telephoneChars = regexp.MustCompile(`^[0-9 +\-().]+$`)
	digits         = regexp.MustCompile(`[0-9]`)
	countryCode    = regexp.MustCompile(`^[A-Z]{2}$`)
	zipChars       = regexp.MustCompile(`^[A-Za-z0-9 -]+$`)
)

func nameProblem(v string) string {
	if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > 60 || !utf8.ValidString(v) ||
		strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
		return "a name of 1 to 60 characters, without control or bidi characters"
	}
	return ""
}

// editUser changes the caller's own user (PATCH /user): the fields it
// names, each checked; null clears the optional ones. A read-only token
// changes nothing.
func (s *Server) editUser(w http.ResponseWriter, r *http.Request, p *principal) error {
	if !p.active(s.now()) { // /user is routed for expired tokens too (it reads them)
		return &apiError{http.StatusUnauthorized, 10000, "Authentication error: the token is " + p.effectiveStatus(s.now())}
	}
	if p.Role.rank() < RoleEditor.rank() {
		return forbidden()
	}
	var body map[string]json.RawMessage
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if len(body) == 0 {
		return badRequest("Give at least one of first_name, last_name, telephone, country and zipcode")
	}
	set := map[string]*string{}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		check, ok := userFields[k]
		if !ok {
			return badRequest(k + " cannot be changed here: PATCH /user takes first_name, last_name, telephone, country and zipcode")
		}
		var v *string
		if err := json.Unmarshal(body[k], &v); err != nil {
			return badRequest(k + " must be a string or null")
		}
		if v == nil && (k == "first_name" || k == "last_name") {
			return badRequest(k + " cannot be cleared")
		}
		if v != nil {
			if problem := check(*v); problem != "" {
				return badRequest(k + " must be " + problem)
			}
		}
		set[k] = v
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for _, k := range keys {
		if _, err := s.store.w.ExecContext(r.Context(), `UPDATE users SET `+k+` = ? WHERE id = ?`, set[k], p.User.ID); err != nil {
			return err
		}
	}
	u := p.User
	for k, v := range set {
		switch k {
		case "first_name":
			u.FirstName = *v
		case "last_name":
			u.LastName = *v
		case "telephone":
			u.Telephone = v
		case "country":
			u.Country = v
		case "zipcode":
			u.Zipcode = v
		}
	}
	writeResult(w, u.wire(), nil)
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
