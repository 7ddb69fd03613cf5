// mail.go sends alerts by e-mail: over SMTP (STARTTLS before any password
// or message unless turned off, PLAIN authentication when a user is
// given), as one message to a rule's addresses with a plain-text and an
// HTML part.

package alerts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	Addr           string // host:port
	From           string // the sender's address
	User, Password string // PLAIN authentication when User is given
	// StartTLS upgrades the connection before anything else is said: a
	// server that does not offer it is refused. Off only for a relay on
	// the same machine.
	StartTLS bool
	TLS      *tls.Config // nil: the system's roots, for the server's host name
	Timeout  time.Duration
}

// Mail is one message.
type Mail struct {
	To         []string
	Subject    string
	Text, HTML string
	Date       time.Time
	ID         string // the delivery's ID: the Message-ID, the same on every try
}

// CheckAddress reads one e-mail address as a destination (a bare address,
// no name, nothing a header could carry besides it).
func CheckAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 {
		return "", errors.New("“" + s + "” is not an e-mail address such as alice@example.com")
	}
	return a.Address, nil
}

// Send delivers m to every address of m.To in one SMTP transaction.
func (s *Mailer) Send(ctx context.Context, m Mail) error {
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("the SMTP server could not be reached: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // the deadline holds for the whole conversation
	defer stop()
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("the SMTP server did not greet: %w", err)
	}
	defer c.Close()
	if err := c.Hello(helloName(s.From)); err != nil {
		return err
	}
	if s.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the SMTP server does not offer STARTTLS (turn it off only for a relay on this machine)")
		}
		cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if s.TLS != nil {
			cfg = s.TLS.Clone()
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS failed: %w", err)
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return fmt.Errorf("the SMTP server refused the user: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("the SMTP server refused %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// helloName is the name the mailer greets with: the sender's domain (a
// server may refuse a bare word), else localhost.
func helloName(from string) string {
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		return from[at+1:]
	}
	return "localhost"
}

// permanent reports an SMTP answer that a retry would not change (5xx).
func permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

// compose is the message's bytes: headers (the subject encoded, nothing a
// user typed able to add a header), then text and HTML alternatives.
func (s *Mailer) compose(m Mail) ([]byte, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("a subject is one line")
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	id := m.ID
	if id == "" {
		raw := make([]byte, 12)
		rand.Read(raw)
		id = hex.EncodeToString(raw)
	}
	host := helloName(s.From)
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n",
		s.From, strings.Join(m.To, ", "), mime.QEncoding.Encode("utf-8", m.Subject), m.Date.Format(time.RFC1123Z), id, host)
	fmt.Fprintf(&b, "Auto-Submitted: auto-generated\r\nContent-Type: multipart/alternative; boundary=%q\r\n\r\n", mw.Boundary())
	for _, part := range []struct{ ctype, body string }{{"text/plain; charset=utf-8", m.Text}, {"text/html; charset=utf-8", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n")))
		qp.Close()
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
