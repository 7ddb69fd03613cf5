// webhook.go delivers a message to a webhook: over a client that refuses
// private, loopback and link-local addresses after DNS resolution (on the
// address actually dialled, so a name that resolves to a private address
// later is refused too), follows no redirect, and bounds time and size;
// signed with HMAC-SHA256 of the body.

package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
// under the rule's secret.
const SignatureHeader = "X-Orgboard-Signature"

// DeliveryHeader carries the delivery's ID, the same on every retry and
// after a restart: a receiver that has seen it drops the repeat.
// TimestampHeader is when the delivery was first made (Unix seconds), for
// receivers that drop old replays.
const (
	DeliveryHeader  = "X-Orgboard-Delivery"
	TimestampHeader = "X-Orgboard-Timestamp"
)

// Envelope is what identifies one delivery on the wire.
type Envelope struct {
	ID string
	At time.Time
}

// Sign is the signature header's value of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Guard decides where webhooks may go.
type Guard struct {
	// AllowPrivate lets webhooks reach private and loopback addresses, and
	// plain http there (local mode, or --webhook-allow-private).
	AllowPrivate bool
}

var errPrivate = errors.New("the address is not on the public internet (private, loopback, link-local, reserved, or one of those embedded in an IPv6 address): webhooks may not reach it")

// Check refuses a webhook URL before any request: https only (http only to
// an allowed private address), no credentials in it.
func (g Guard) Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("a webhook is a URL such as https://hooks.example.com/orgboard")
	}
	if u.User != nil {
		return errors.New("a webhook URL may not carry a user or password")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && g.AllowPrivate:
	case g.AllowPrivate:
		return errors.New("a webhook URL starts with https:// (or http://, which this console allows)")
	default:
		return errors.New("a webhook must use https")
	}
	if len(raw) > 2000 {
		return errors.New("a webhook URL is at most 2,000 characters")
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !g.AllowPrivate && private(ip) {
		return errPrivate
	}
	return nil
}

// control checks the address about to be dialled, after DNS resolution
// and before the connection: a name that resolves (or rebinds) to an
// address off the public internet is refused here.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if !g.AllowPrivate && private(ip) {
		return errPrivate
	}
	return nil
}

// Client is the HTTP client webhooks are sent with.
func (g Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: g.control}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
		MaxIdleConns: 16, IdleConnTimeout: time.Minute, Proxy: nil}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Attempt is one try of a delivery.
type Attempt struct {
	Code int
	Err  error
}

// post sends body once; a 2xx answer is a delivery.
func post(ctx context.Context, c *http.Client, dest string, body, secret []byte, env Envelope) Attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dest, bytes.NewReader(body))
	if err != nil {
		return Attempt{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "orgboard-alerts/1")
	req.Header.Set(SignatureHeader, Sign(secret, body))
	if env.ID != "" {
		req.Header.Set(DeliveryHeader, env.ID)
		req.Header.Set(TimestampHeader, strconv.FormatInt(env.At.Unix(), 10))
	}
	resp, err := c.Do(req)
	if err != nil {
		return Attempt{Err: err}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return Attempt{Code: resp.StatusCode, Err: fmt.Errorf("the receiver answered %d", resp.StatusCode)}
	}
	return Attempt{Code: resp.StatusCode}
}

// Retries is how a delivery is retried: attempts, and the wait before the
// second (doubling each time).
type Retries struct {
	Attempts int
	First    time.Duration
}

// DefaultRetries: four attempts over about a minute.
var DefaultRetries = Retries{Attempts: 4, First: 4 * time.Second}

// Deliver posts body until a 2xx answer or the retries run out; an answer
// of 4xx but 408 and 429 is not retried (the receiver refuses it).
func (r Retries) Deliver(ctx context.Context, c *http.Client, dest string, body, secret []byte, env Envelope) (Attempt, int) {
	return r.Do(ctx, func() (Attempt, bool) {
		a := post(ctx, c, dest, body, secret, env)
		return a, a.Err == nil || (a.Code >= 400 && a.Code < 500 && a.Code != 408 && a.Code != 429)
	})
}

// Do tries once, then again after each wait until try says its attempt is
// final or the retries run out; it returns the last attempt and the tries.
func (r Retries) Do(ctx context.Context, try func() (a Attempt, final bool)) (Attempt, int) {
	wait := r.First
	for n := 1; ; n++ {
		a, final := try()
		if final || n >= r.Attempts {
			return a, n
		}
		select {
		case <-ctx.Done():
			return Attempt{Code: a.Code, Err: ctx.Err()}, n
		case <-time.After(wait):
		}
		wait *= 2
	}
}
