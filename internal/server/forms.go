// forms.go validates the organization and profile forms.

package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/plaintext"
	"orgboard/web/templates"
)

// fieldError is one field's problem, in words for the user.
type fieldError struct {
	Field, Message string
}

// checkName validates a one-line name of at most max characters (an
// organization's, a saved search's) for field; nil means fine.
func checkName(field, name string, max int) *fieldError {
	switch {
	case name == "":
		return &fieldError{field, "Enter a name."}
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > max:
		return &fieldError{field, "A name is at most " + itoa(max) + " characters."}
	case !plaintext.Line(name):
		return &fieldError{field, "A name is one line of text, without control or text-direction characters."}
	}
	return nil
}

// checkOrgName validates an organization's name.
func checkOrgName(name string) *fieldError { return checkName("name", name, 255) }

// profileForm reads the five profile fields by their API names.
func profileForm(c echo.Context) templates.ProfileFields {
	return templates.ProfileFields{
		BusinessName:     strings.TrimSpace(c.FormValue("business_name")),
		BusinessEmail:    strings.TrimSpace(c.FormValue("business_email")),
		BusinessPhone:    strings.TrimSpace(c.FormValue("business_phone")),
		BusinessAddress:  strings.TrimSpace(c.FormValue("business_address")),
		ExternalMetadata: c.FormValue("external_metadata"),
	}
}

// CheckProfile validates profile fields: a message per bad field.
func CheckProfile(p templates.ProfileFields) templates.FieldErrors {
	errs := templates.FieldErrors{}
	bounded := func(field, value, label string, max int, multiline bool) {
		switch {
		case !utf8.ValidString(value):
			errs[field] = label + " is not valid text."
		case utf8.RuneCountInString(value) > max:
			errs[field] = label + " is at most " + itoa(max) + " characters."
		case !multiline && !plaintext.Line(value):
			errs[field] = label + " is one line, without control or text-direction characters."
		}
	}
	bounded("business_name", p.BusinessName, "The business name", 255, false)
	bounded("business_email", p.BusinessEmail, "The business email", 255, false)
	bounded("business_phone", p.BusinessPhone, "The phone number", 64, false)
	bounded("business_address", p.BusinessAddress, "The address", 1024, false)
	if len(p.ExternalMetadata) > 4096 || !utf8.ValidString(p.ExternalMetadata) {
		errs["external_metadata"] = "External metadata is at most 4 KB of text."
	} else if msg := checkMetadataJSON(p.ExternalMetadata); msg != "" {
		errs["external_metadata"] = msg
	}
	if _, bad := errs["business_email"]; !bad && p.BusinessEmail != "" && !validEmail(p.BusinessEmail) {
		errs["business_email"] = "Enter an email address, such as billing@example.com."
	}
	if _, bad := errs["business_phone"]; !bad && p.BusinessPhone != "" {
		if strings.Trim(p.BusinessPhone, "0123456789+()-. ") != "" || strings.IndexFunc(p.BusinessPhone, unicode.IsDigit) < 0 {
			errs["business_phone"] = "A phone number has digits, and may use spaces and + ( ) - ."
		}
	}
	return errs
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

func itoa(n int) string { return strconv.Itoa(n) }
func toProfile(p templates.ProfileFields) api.Profile {
	return api.Profile{BusinessName: p.BusinessName, BusinessEmail: p.BusinessEmail, BusinessPhone: p.BusinessPhone,
		BusinessAddress: p.BusinessAddress, ExternalMetadata: p.ExternalMetadata}
}

func fromProfile(p api.Profile) templates.ProfileFields {
	return templates.ProfileFields{BusinessName: p.BusinessName, BusinessEmail: p.BusinessEmail, BusinessPhone: p.BusinessPhone,
		BusinessAddress: p.BusinessAddress, ExternalMetadata: p.ExternalMetadata}
}

// checkMetadataJSON refuses external metadata that is meant as JSON (it
// begins as a JSON object, array or string does) but is not valid JSON:
// the form presents it as JSON, so a typo is said rather than saved.
func checkMetadataJSON(v string) string {
	t := strings.TrimSpace(v)
	if t == "" || !strings.ContainsRune("{[\"", rune(t[0])) {
		return ""
	}
	var x any
	dec := json.NewDecoder(strings.NewReader(t))
	err := dec.Decode(&x)
	if err == nil && dec.More() {
		err = errors.New("text follows the JSON value")
	}
	if err == nil {
		return ""
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("External metadata looks like JSON but is not valid JSON at character %d (%s). Fix it, or write it as plain text.", se.Offset, se.Error())
	}
	return "External metadata looks like JSON but is not valid JSON (" + err.Error() + "). Fix it, or write it as plain text."
}

// cleanParam accepts printable text of at most n bytes.
func cleanParam(s string, n int) bool {
	if len(s) > n {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
