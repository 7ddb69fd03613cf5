// errors.go is the client's error: HTTP status, Cloudflare's error items,
// Retry-After; and the envelope.

package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ResponseInfo is an item of an envelope's errors or messages.
type ResponseInfo struct {
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message"`
}

// Code is a Cloudflare error code. Audit errors may omit it; some responses
// send it as a string.
type Code int

// UnmarshalJSON accepts a number, a numeric string or null.
func (c *Code) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*c = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("error code %s is not a number", b)
	}
	*c = Code(n)
	return nil
}

// Error is every failure of a call: an HTTP status with Cloudflare's error
// items, a body that could not be understood, or a transport fault. It never
// holds the token.
type Error struct {
	Method     string
	Path       string
	StatusCode int            // 0 when no response arrived
	Errors     []ResponseInfo // Cloudflare's error items, if any
	RetryAfter time.Duration  // from a Retry-After header
	Reason     string         // our words when the response was not a valid envelope
	Err        error          // the transport or decoding fault, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cloudflare api: %s %s", e.Method, e.Path)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	for _, item := range e.Errors {
		if item.Code != 0 {
			fmt.Fprintf(&b, ": [%d] %s", item.Code, item.Message)
		} else {
			b.WriteString(": " + item.Message)
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Said is what Cloudflare said, for a person: its messages, else our
// reason, else the status ("HTTP 401: Authentication error").
func (e *Error) Said() string {
	var parts []string
	for _, item := range e.Errors {
		if m := strings.TrimSpace(item.Message); m != "" {
			parts = append(parts, m)
		}
	}
	if len(parts) == 0 && e.Reason != "" {
		parts = append(parts, e.Reason)
	}
	said := strings.Join(parts, "; ")
	switch {
	case e.StatusCode == 0:
		return cmp.Or(said, "no answer")
	case said == "":
		return fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	return fmt.Sprintf("HTTP %d: %s", e.StatusCode, said)
}

// HasCode reports whether Cloudflare sent the given error code.
func (e *Error) HasCode(code int) bool {
	for _, item := range e.Errors {
		if int(item.Code) == code {
			return true
		}
	}
	return false
}

// Messages are Cloudflare's error messages, for showing to a user.
func (e *Error) Messages() []string {
	out := make([]string, 0, len(e.Errors))
	for _, item := range e.Errors {
		if item.Message != "" {
			out = append(out, item.Message)
		}
	}
	return out
}

// Unavailable reports a fault of the service or the way to it (5xx, a body
// that is not an envelope, or no response at all), as opposed to an answer.
func (e *Error) Unavailable() bool {
	return e.StatusCode == 0 || e.StatusCode >= 500 || e.Reason != "" && e.StatusCode < 400
}

// StatusCode returns the HTTP status of an *Error in err's chain, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is a 401: the token is not valid.
func IsUnauthorized(err error) bool { return StatusCode(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is a 403: the token lacks permission.
func IsForbidden(err error) bool { return StatusCode(err) == http.StatusForbidden }

// envelope is Cloudflare's response wrapper.
type envelope struct {
	Success    *bool           `json:"success"`
	Errors     []ResponseInfo  `json:"errors"`
	Messages   json.RawMessage `json:"messages"`
	Result     json.RawMessage `json:"result"`
	ResultInfo *resultInfo     `json:"result_info"`
}

// resultInfo covers the paging shapes seen: page tokens, audit cursors in
// cursors.after, and the documented example's flat cursor with a string count.
type resultInfo struct {
	NextPageToken string `json:"next_page_token"`
	TotalSize     Code   `json:"total_size"`
	Cursors       *struct {
		After string `json:"after"`
	} `json:"cursors"`
	Cursor        string `json:"cursor"`
	Count         Code   `json:"count"`
	HistoryStatus string `json:"history_status"`
}

func (ri *resultInfo) cursor() string {
	if ri == nil {
		return ""
	}
	if ri.Cursors != nil && ri.Cursors.After != "" {
		return ri.Cursors.After
	}
	return ri.Cursor
}

// decodeEnvelope turns a response into an envelope or an *Error. A 2xx whose
// body is empty, HTML, malformed or success:false is an error, never data.
func decodeEnvelope(e *Error, header http.Header, body []byte) (*envelope, error) {
	trimmed := strings.TrimSpace(string(body))
	switch {
	case trimmed == "":
		e.Reason = "empty response body"
		return nil, e
	case strings.HasPrefix(trimmed, "<"):
		e.Reason = fmt.Sprintf("unexpected %s response instead of JSON (a proxy or error page)", contentKind(header))
		return nil, e
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		e.Reason = "malformed or truncated JSON response"
		e.Err = err
		return nil, e
	}
	if env.Success == nil {
		e.Reason = "response is not a Cloudflare envelope (no success field)"
		return nil, e
	}
	e.Errors = env.Errors
	if e.StatusCode >= 400 {
		return nil, e
	}
	if !*env.Success {
		if len(e.Errors) == 0 {
			e.Reason = "request failed (success:false) without error details"
		} else {
			e.Reason = "request failed (success:false)"
		}
		return nil, e
	}
	return &env, nil
}

func contentKind(h http.Header) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return "non-JSON"
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return ct
}

// parseRetryAfter reads delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
