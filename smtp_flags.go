// smtp_flags.go is the console's SMTP settings, with which alert rules send
// e-mail: flags, or ORGBOARD_SMTP_* in the environment (the password is
// best given there, where other users of the machine cannot read it).

package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"strconv"

	"orgboard/internal/alerts"
)

// smtpFlags configure e-mail.
type smtpFlags struct {
	host, user, password, from string
	port                       int
	startTLS                   bool
}

func (f *smtpFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.host, "smtp-host", "", "SMTP server alert rules send e-mail through; empty: no e-mail (ORGBOARD_SMTP_HOST)")
	fs.IntVar(&f.port, "smtp-port", 587, "the SMTP server's port (ORGBOARD_SMTP_PORT)")
	fs.BoolVar(&f.startTLS, "smtp-starttls", true, "require STARTTLS before anything is sent; turn off only for a relay on this machine (ORGBOARD_SMTP_STARTTLS)")
	fs.StringVar(&f.user, "smtp-user", "", "SMTP user, for PLAIN authentication; empty: none (ORGBOARD_SMTP_USER)")
	fs.StringVar(&f.password, "smtp-password", "", "SMTP password; better given as ORGBOARD_SMTP_PASSWORD, out of the process list")
	fs.StringVar(&f.from, "smtp-from", "", "the address alerts are sent from, e.g. orgboard@example.com (ORGBOARD_SMTP_FROM)")
}

// check refuses settings that cannot send.
func (f *smtpFlags) check() error {
	if f.host == "" {
		return nil
	}
	var errs []error
	if f.port < 1 || f.port > 65535 {
		errs = append(errs, fmt.Errorf("--smtp-port %d: a port from 1 to 65535", f.port))
	}
	if _, err := alerts.CheckAddress(f.from); err != nil {
		errs = append(errs, errors.New("--smtp-from: the address alerts are sent from, such as orgboard@example.com"))
	}
	if f.user != "" && !f.startTLS && !local(f.host) {
		errs = append(errs, errors.New("--smtp-user without --smtp-starttls would send the password in the clear"))
	}
	return errors.Join(errs...)
}

func local(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// mailer is the settings as a mailer (nil without a host).
func (f *smtpFlags) mailer() *alerts.Mailer {
	if f.host == "" {
		return nil
	}
	return &alerts.Mailer{Addr: net.JoinHostPort(f.host, strconv.Itoa(f.port)), From: f.from, User: f.user, Password: f.password, StartTLS: f.startTLS}
}
