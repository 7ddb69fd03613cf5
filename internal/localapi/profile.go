// profile.go serves an organization's business profile.

package localapi

import (
	"database/sql"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"orgboard/internal/api"
)

// Profile field limits, in characters.
const (
	maxProfileField    = 255
	maxAddress         = 1024
	maxExternalMetaLen = 4096
)

func validateProfile(p api.Profile) error {
	fields := []struct {
		name, value string
		max         int
	}{
		{"business_name", p.BusinessName, maxProfileField},
		{"business_email", p.BusinessEmail, maxProfileField},
		{"business_phone", p.BusinessPhone, 64},
		{"business_address", p.BusinessAddress, maxAddress},
		{"external_metadata", p.ExternalMetadata, maxExternalMetaLen},
	}
	for _, f := range fields {
		if !utf8.ValidString(f.value) || utf8.RuneCountInString(f.value) > f.max {
			return badRequest("profile." + f.name + " must be valid text of at most " + itoa(f.max) + " characters")
		}
	}
	if p.BusinessEmail != "" {
		if a, err := mail.ParseAddress(p.BusinessEmail); err != nil || a.Address != p.BusinessEmail {
			return badRequest("profile.business_email is not a valid email address")
		}
	}
	if strings.Trim(p.BusinessPhone, "0123456789+()-. ") != "" {
		return badRequest("profile.business_phone may hold only digits, spaces and + ( ) - .")
	}
	return nil
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	prof := api.Profile{}
	if rec.Profile != nil {
		prof = *rec.Profile
	}
	writeResult(w, prof, nil)
	return nil
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request, p *principal) error {
	var body api.Profile
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := validateProfile(body); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	t, old, err := s.readableOrg(r, p, RoleEditor)
	if err != nil {
		return err
	}
	nt := t.clone()
	rec := nt.byID[old.ID]
	rec.Profile = &body
	err = s.store.writeTx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE organizations SET profile = ? WHERE id = ?`, marshalOpt(rec.Profile), rec.ID); err != nil {
			return err
		}
		return s.audit(tx, r, p, auditFact{org: rec.ID, action: "update", product: "organizations", resType: "organization_profile",
			resID: rec.ID, desc: "Organization profile updated", request: body, response: body})
	})
	if err != nil {
		return err
	}
	s.store.swapTree(nt)
	writeResult(w, nil, nil)
	return nil
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}
