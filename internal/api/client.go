// client.go is the HTTP side of the client: requests, retries, the token, the
// limiter.

package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"orgboard/internal/clock"
)

// DefaultBaseURL is Cloudflare's API.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

// maxBody bounds a buffered response; streamed usage is not bounded by it.
const maxBody = 64 << 20

// Limiter paces upstream calls; Wait blocks until one may be made.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Client calls the API with one user's token. Make one per signed-in user
// with WithToken; the underlying connections are shared.
type Client struct {
	base         *url.URL
	httpClient   *http.Client
	token        string
	userAgent    string
	timeout      time.Duration
	maxTries     int
	backoffBase  time.Duration
	maxRetryWait time.Duration
	logger       *slog.Logger
	limiter      Limiter
	observe      func(status int, d time.Duration)
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds each attempt of a call, the body read included.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetries sets how many tries a GET gets and the backoff's base delay.
func WithRetries(tries int, base time.Duration) Option {
	return func(c *Client) { c.maxTries, c.backoffBase = max(tries, 1), base }
}

// WithMaxRetryWait caps how long a 429's Retry-After is waited for before
// the call gives up and returns the error (with RetryAfter) instead.
func WithMaxRetryWait(d time.Duration) Option { return func(c *Client) { c.maxRetryWait = d } }

// WithLogger logs each attempt (method, path, status, duration; never the token).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithObserver calls f after every attempt with its status (0: no
// response) and duration, for metrics.
func WithObserver(f func(status int, d time.Duration)) Option {
	return func(c *Client) { c.observe = f }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// New makes a client for the API at baseURL, without a token.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api base URL %q: want http(s)://host[/path]", baseURL)
	}
	c := &Client{
		base:         u,
		httpClient:   &http.Client{},
		userAgent:    "orgboard",
		timeout:      30 * time.Second,
		maxTries:     4,
		backoffBase:  200 * time.Millisecond,
		maxRetryWait: 10 * time.Second,
		logger:       slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// WithToken returns a copy of c that authenticates with token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// WithLimiter returns a copy of c that paces its calls through l.
func (c *Client) WithLimiter(l Limiter) *Client {
	cp := *c
	cp.limiter = l
	return &cp
}

// TokenKey names a token without holding it: the same for every copy of a
// client with that token, for keying what belongs to it (caches, budgets,
// a rate limit's pause).
func TokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

// TokenKey is the key of the client's token.
func (c *Client) TokenKey() string { return TokenKey(c.token) }

// BaseURL is the API's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether s may be used as an identifier in a path.
func ValidID(s string) bool { return validID.MatchString(s) }

// ErrInvalidID is inside the error of a call refused before it was made:
// an identifier that is not one (the caller's input, not the API's fault).
var ErrInvalidID = errors.New("not a valid identifier")

// path joins escaped segments after checking each identifier, so that no
// value can change the route.
func path(segments ...string) (string, error) {
	var b strings.Builder
	for i, s := range segments {
		if i%2 == 1 && !ValidID(s) {
			return "", fmt.Errorf("%s %q: %w", strings.Join(segments[:i], "/"), truncate(s, 70), ErrInvalidID)
		}
		b.WriteString("/")
		b.WriteString(url.PathEscape(s))
	}
	return b.String(), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// call is one API call: a request, retried for GETs, decoded from the envelope.
type call struct {
	method string
	path   string
	query  url.Values
	body   any
}

// do runs a call and returns its envelope.
func (c *Client) do(ctx context.Context, cl call) (*envelope, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", cl.method, cl.path, err)
		}
	}
	var env *envelope
	err := c.retry(ctx, cl, func(resp *http.Response, e *Error) error {
		body, err := readBody(resp, e)
		if err != nil {
			return err
		}
		env, err = decodeEnvelope(e, resp.Header, body)
		return err
	}, payload)
	return env, err
}

// readBody reads a response's body, up to maxBody.
func readBody(resp *http.Response, e *Error) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		e.Reason, e.Err = "reading the response failed", err
		return nil, e
	}
	if len(body) > maxBody {
		e.Reason = "response too large"
		return nil, e
	}
	return body, nil
}

// retry sends the request until an attempt is final, handing each response
// to handle. Only GETs are retried; writes are sent once.
func (c *Client) retry(ctx context.Context, cl call, handle func(*http.Response, *Error) error, payload []byte) error {
	tries := 1
	if cl.method == http.MethodGet {
		tries = c.maxTries
	}
	var last error
	for attempt := 1; ; attempt++ {
		wait, err := c.attempt(ctx, cl, payload, handle)
		if err == nil {
			return nil
		}
		last = err
		if attempt >= tries || wait < 0 {
			return last
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(last, ctx.Err())
		case <-t.C:
		}
	}
}

// attempt makes one try. wait < 0 means final; 0 means back off; > 0 is a
// Retry-After to honour.
func (c *Client) attempt(ctx context.Context, cl call, payload []byte, handle func(*http.Response, *Error) error) (time.Duration, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return -1, err
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(actx, cl, payload)
	if err != nil {
		return -1, err
	}
	start := clock.Start()
	e := &Error{Method: cl.method, Path: cl.path}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		e.Err = scrub(err)
		e.Reason = "no response from the API"
		c.logAttempt(cl, 0, start, e)
		if ctx.Err() != nil {
			return -1, errors.Join(e, ctx.Err())
		}
		if retryableTransport(err) {
			return 0, e
		}
		return -1, e
	}
	defer resp.Body.Close()
	if r, ok := ctx.Value(rayKey{}).(*rayBox); ok {
		r.set(resp.Header.Get("Cf-Ray"))
	}
	e.StatusCode = resp.StatusCode
	// an HTTP-date is the server's wall clock: the machine's, not a clock a test pinned
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), clock.System.Now())
	herr := handle(resp, e)
	c.logAttempt(cl, resp.StatusCode, start, herr)
	if herr == nil {
		return 0, nil
	}
	return c.retryWait(resp.StatusCode, e), herr
}

func (c *Client) retryWait(status int, e *Error) time.Duration {
	switch status {
	case http.StatusTooManyRequests:
		if e.RetryAfter > c.maxRetryWait {
			return -1
		}
		return e.RetryAfter
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return e.RetryAfter
	}
	return -1
}

func (c *Client) newRequest(ctx context.Context, cl call, payload []byte) (*http.Request, error) {
	u := *c.base
	u.Path = c.base.Path + cl.path
	u.RawPath = ""
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// backoff is exponential with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.backoffBase << (attempt - 1)
	return d/2 + rand.N(d/2+1)
}

func retryableTransport(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE)
}

// scrub drops the URL from a *url.Error: the query may hold user data that
// has no place in an error for the logs.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) logAttempt(cl call, status int, start clock.Stopwatch, err error) {
	took := start.Elapsed()
	if c.observe != nil {
		c.observe(status, took)
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", cl.method), slog.String("path", cl.path),
		slog.Int("status", status), slog.Duration("duration", took),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(context.Background(), level, "upstream call", attrs...)
}

// get decodes a GET's result into out.
func (c *Client) get(ctx context.Context, p string, q url.Values, out any) (*envelope, error) {
	env, err := c.do(ctx, call{method: http.MethodGet, path: p, query: q})
	if err != nil {
		return nil, err
	}
	return env, decodeResult(env, http.MethodGet, p, out)
}

func decodeResult(env *envelope, method, p string, out any) error {
	if out == nil {
		return nil
	}
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return &Error{Method: method, Path: p, StatusCode: 200, Reason: "response has no result"}
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return &Error{Method: method, Path: p, StatusCode: 200, Reason: "result has an unexpected shape", Err: err}
	}
	return nil
}
