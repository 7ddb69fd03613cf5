// person.go is a session of someone who signed in through the company's
// identity provider: no Cloudflare token of theirs, but who they are and
// their groups, sealed in the session's record where a token session
// keeps its token.

package auth

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Person is someone the identity provider vouched for.
type Person struct {
	Subject string   `json:"sub"`
	Email   string   `json:"email"`
	Name    string   `json:"name,omitempty"`
	Groups  []string `json:"groups,omitempty"`
}

// personMark starts a person's sealed record: no API token holds a NUL.
const personMark = "\x00person:"

// personOf reads a person's record; false for a token session.
func personOf(sealed string) (*Person, bool) {
	rest, ok := strings.CutPrefix(sealed, personMark)
	if !ok {
		return nil, false
	}
	var p Person
	if json.Unmarshal([]byte(rest), &p) != nil {
		return nil, false
	}
	return &p, true
}

// PersonTokenID is the token ID a person's session records: their
// subject, marked as not a token.
func PersonTokenID(subject string) string { return "oidc:" + subject }

// SignInPerson starts a session for a person, as SignIn does for a token.
func (m *Manager) SignInPerson(w http.ResponseWriter, r *http.Request, p Person) (*Identity, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	id, err := m.SignIn(w, r, personMark+string(body), PersonTokenID(p.Subject), strings.ToLower(p.Email))
	if err != nil {
		return nil, err
	}
	id.Token, id.Person = "", &p
	return id, nil
}
