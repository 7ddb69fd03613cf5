// forms.go validates the organization and profile forms.

package server

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/web/templates"
)

// checkOrgName validates an organization name; "" means fine.
func checkOrgName(name string) string {
	switch {
	case name == "":
		return "Enter a name."
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > 255:
		return "A name is at most 255 characters."
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "A name is one line of text, without control characters."
	}
	return ""
}

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

// CheckProfile validates profile fields; the map holds a message per bad field.
func CheckProfile(p templates.ProfileFields) map[string]string {
	errs := map[string]string{}
	bounded := func(field, value, label string, max int, multiline bool) {
		switch {
		case !utf8.ValidString(value):
			errs[field] = label + " is not valid text."
		case utf8.RuneCountInString(value) > max:
			errs[field] = label + " is at most " + itoa(max) + " characters."
		case !multiline && strings.IndexFunc(value, unicode.IsControl) >= 0:
			errs[field] = label + " is one line, without control characters."
		}
	}
	bounded("business_name", p.BusinessName, "The business name", 255, false)
	bounded("business_email", p.BusinessEmail, "The business email", 255, false)
	bounded("business_phone", p.BusinessPhone, "The phone number", 64, false)
	bounded("business_address", p.BusinessAddress, "The address", 1024, false)
	if len(p.ExternalMetadata) > 4096 || !utf8.ValidString(p.ExternalMetadata) {
		errs["external_metadata"] = "External metadata is at most 4 KB of text."
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
