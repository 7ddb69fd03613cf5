// smtp.go is a real SMTP server in the test process (emersion/go-smtp):
// it offers STARTTLS with a certificate of its own, requires PLAIN
// authentication after it, and keeps every message it accepts.

package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"orgboard/internal/alerts"
)

// SMTP is the test's mail server.
type SMTP struct {
	Addr string
	// Mailer is set to reach it: STARTTLS trusting its certificate, and its
	// user and password.
	Mailer *alerts.Mailer
	mu     sync.Mutex
	mail   []Received
	reject error // answered to DATA when set
}

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Data string
	TLS  bool
}

// SMTP user and password of the test server.
const (
	SMTPUser     = "orgboard"
	SMTPPassword = "mail-secret"
)

// StartSMTP starts a mail server on a free loopback port until the test ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &SMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &smtpSession{srv: s, tls: isTLS}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.Addr = ln.Addr().String()
	s.Mailer = &alerts.Mailer{Addr: s.Addr, From: "orgboard@northwind.example", User: SMTPUser, Password: SMTPPassword, StartTLS: true,
		TLS: &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}, Timeout: 10 * time.Second}
	return s
}

// Messages are the messages accepted so far.
func (s *SMTP) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.mail...)
}

// Reject makes the server refuse messages with err (nil: accept again).
func (s *SMTP) Reject(err error) {
	s.mu.Lock()
	s.reject = err
	s.mu.Unlock()
}

type smtpSession struct {
	srv  *SMTP
	tls  bool
	auth bool
	msg  Received
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != SMTPUser || password != SMTPPassword {
			return errors.New("invalid user or password")
		}
		x.auth = true
		return nil
	}), nil
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !x.auth {
		return smtp.ErrAuthRequired
	}
	x.msg = Received{From: from, TLS: x.tls}
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.srv.mu.Lock()
	defer x.srv.mu.Unlock()
	if x.srv.reject != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: x.srv.reject.Error()}
	}
	x.msg.Data = string(b)
	x.srv.mail = append(x.srv.mail, x.msg)
	return nil
}

func (x *smtpSession) Reset()        { x.msg = Received{} }
func (x *smtpSession) Logout() error { return nil }

// selfSigned is a certificate for localhost and 127.0.0.1, and a pool
// that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
