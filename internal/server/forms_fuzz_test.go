package server_test

import (
	"net/mail"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"orgboard/internal/server"
	"orgboard/web/templates"
)

// FuzzCheckProfile: whatever the form holds, validation never panics, and
// what it accepts is what the API may be sent: valid text within limits,
// one line where a line is expected, a real email address, a phone number
// of digits and punctuation.
func FuzzCheckProfile(f *testing.F) {
	f.Add("Northwind Ltd", "billing@northwind.example", "+1 (555) 010-2000", "1 Main St, Springfield", `{"cost_center":"42"}`)
	f.Add("", "", "", "", "")
	f.Add("<script>alert(1)</script>", "a@b", "555", "line\nbreak", "\xff")
	f.Add(strings.Repeat("x", 256), "bob@example.com\r\nBcc: eve@example.com", "++", "\u202e", strings.Repeat("{", 5000))
	f.Fuzz(func(t *testing.T, name, email, phone, address, meta string) {
		p := templates.ProfileFields{BusinessName: name, BusinessEmail: email, BusinessPhone: phone, BusinessAddress: address, ExternalMetadata: meta}
		errs := server.CheckProfile(p)
		oneLine := func(field, v string, max int) {
			if _, bad := errs[field]; bad {
				return
			}
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max || strings.IndexFunc(v, unicode.IsControl) >= 0 {
				t.Errorf("%s %q accepted", field, v)
			}
		}
		oneLine("business_name", name, 255)
		oneLine("business_email", email, 255)
		oneLine("business_phone", phone, 64)
		oneLine("business_address", address, 1024)
		if _, bad := errs["business_email"]; !bad && email != "" {
			if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email, "@") {
				t.Errorf("email %q accepted", email)
			}
		}
		if _, bad := errs["business_phone"]; !bad && phone != "" {
			if strings.Trim(phone, "0123456789+()-. ") != "" || strings.IndexFunc(phone, unicode.IsDigit) < 0 {
				t.Errorf("phone %q accepted", phone)
			}
		}
		if _, bad := errs["external_metadata"]; !bad && (len(meta) > 4096 || !utf8.ValidString(meta)) {
			t.Errorf("metadata of %d bytes accepted", len(meta))
		}
		for field, msg := range errs {
			if msg == "" {
				t.Errorf("%s refused without a message", field)
			}
		}
	})
}
