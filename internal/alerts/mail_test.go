package alerts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"orgboard/internal/alerts"
	"orgboard/internal/testenv"
)

// An address is one bare address: nothing a header could carry with it.
func TestCheckAddressRefusesHeaders(t *testing.T) {
	for _, bad := range []string{"", "alice", "alice@example.com\r\nBcc: eve@example.com", "Alice <alice@example.com>", "a@b@c", "alice@example.com, bob@example.com"} {
		if _, err := alerts.CheckAddress(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	if a, err := alerts.CheckAddress("alice@example.com"); err != nil || a != "alice@example.com" {
		t.Errorf("a good address: %q %v", a, err)
	}
}

// The mailer speaks STARTTLS before its password, is refused with a
// wrong one, and refuses a server without STARTTLS unless told; a
// subject of two lines is never sent.
func TestMailerOverStartTLS(t *testing.T) {
	srv := testenv.StartSMTP(t)
	ctx := context.Background()
	m := alerts.Mail{To: []string{"a@example.com"}, Subject: "Über “test”", Text: "hello\nworld", HTML: "<p>hello</p>", Date: time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)}
	if err := srv.Mailer.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || !strings.Contains(got[0].Data, "Subject: =?utf-8?q?") || !strings.Contains(got[0].Data, "Date: Sat, 28 Feb 2026 09:00:00 +0000") {
		t.Fatalf("received %+v", got)
	}
	wrong := *srv.Mailer
	wrong.Password = "nope"
	if err := wrong.Send(ctx, m); err == nil {
		t.Error("a wrong password was accepted")
	}
	plain := *srv.Mailer
	plain.StartTLS = false
	if err := plain.Send(ctx, m); err == nil {
		t.Error("the password went without TLS")
	}
	m.Subject = "two\r\nBcc: eve@example.com"
	if err := srv.Mailer.Send(ctx, m); err == nil {
		t.Error("a subject of two lines was sent")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages accepted, want 1", n)
	}
}
