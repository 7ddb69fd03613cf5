package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
)

// UsageParams query GET /organizations/{id}/billable/usage. From and To
// (YYYY-MM-DD) go together; the range is at most 31 days.
type UsageParams struct {
	From   string
	To     string
	Metric string
}

func (p UsageParams) query() url.Values {
	q := url.Values{}
	setIf(q, "from", p.From)
	setIf(q, "to", p.To)
	setIf(q, "metric", p.Metric)
	return q
}

// UsageRecords streams an organization's usage records: they are decoded
// one at a time as they arrive, so memory does not grow with their number.
// An error ends the sequence; records already yielded stay valid.
func (c *Client) UsageRecords(ctx context.Context, orgID string, p UsageParams) iter.Seq2[UsageRecord, error] {
	return func(yield func(UsageRecord, error) bool) {
		pth, err := path("organizations", orgID, "billable", "usage")
		if err != nil {
			yield(UsageRecord{}, err)
			return
		}
		cl := call{method: http.MethodGet, path: pth, query: p.query()}
		stopped := false
		err = c.retry(ctx, cl, func(resp *http.Response, e *Error) error {
			if resp.StatusCode != http.StatusOK || !isJSON(resp.Header) {
				body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
				_, derr := decodeEnvelope(e, resp.Header, body)
				if derr == nil {
					e.Reason = "unexpected response"
					return e
				}
				return derr
			}
			return streamUsage(resp.Body, e, func(r UsageRecord) bool {
				if !yield(r, nil) {
					stopped = true
					return false
				}
				return true
			})
		}, nil)
		if err != nil && !stopped {
			yield(UsageRecord{}, err)
		}
	}
}

// Usage collects every usage record of the range. Prefer UsageRecords for
// large ranges.
func (c *Client) Usage(ctx context.Context, orgID string, p UsageParams) ([]UsageRecord, error) {
	var out []UsageRecord
	for r, err := range c.UsageRecords(ctx, orgID, p) {
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func isJSON(h http.Header) bool {
	ct := contentKind(h)
	return ct == "application/json" || ct == "non-JSON"
}

var errStopped = errors.New("stopped by the consumer")

// maxUsageWindow bounds the buffer one value may need.
const maxUsageWindow = 16 << 20

// usageStream parses the envelope from a reader through a sliding window,
// so that a response of millions of records is never held whole.
type usageStream struct {
	r   io.Reader
	p   jsonParser
	eof bool
}

// read appends more input, first dropping what was consumed before p.i.
func (s *usageStream) read() error {
	p := &s.p
	if p.i > 0 {
		n := copy(p.b, p.b[p.i:])
		p.b, p.i = p.b[:n], 0
	}
	if len(p.b) == cap(p.b) {
		if cap(p.b) >= maxUsageWindow {
			return errors.New("a usage record is larger than 16 MiB")
		}
		nb := make([]byte, len(p.b), 2*cap(p.b))
		copy(nb, p.b)
		p.b = nb
	}
	n, err := s.r.Read(p.b[len(p.b):cap(p.b)])
	p.b = p.b[:len(p.b)+n]
	if err == io.EOF {
		s.eof = true
		return nil
	}
	return err
}

// peek returns the next byte that is not white space.
func (s *usageStream) peek() (byte, error) {
	for {
		s.p.ws()
		if s.p.i < len(s.p.b) {
			return s.p.b[s.p.i], nil
		}
		if s.eof {
			return 0, io.ErrUnexpectedEOF
		}
		if err := s.read(); err != nil {
			return 0, err
		}
	}
}

// whole makes sure the value at the cursor lies entirely in the window.
func (s *usageStream) whole() error {
	for {
		if _, err := s.peek(); err != nil {
			return err
		}
		start := s.p.i
		err := s.p.skip(0)
		done := err == nil && (s.p.i < len(s.p.b) || s.eof)
		s.p.i = start
		if done {
			return nil
		}
		if s.eof {
			return cmpErr(err, io.ErrUnexpectedEOF)
		}
		if err := s.read(); err != nil {
			return err
		}
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (s *usageStream) delim(want byte) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != want {
		return fmt.Errorf("got %q, want %q", c, want)
	}
	s.p.i++
	return nil
}

// streamUsage walks the envelope's keys in whatever order they come and
// decodes result's elements one by one.
func streamUsage(body io.Reader, e *Error, each func(UsageRecord) bool) error {
	s := &usageStream{r: body, p: jsonParser{b: make([]byte, 0, 256<<10)}}
	fail := func(err error) error {
		if errors.Is(err, errStopped) {
			return nil
		}
		e.Reason, e.Err = "malformed or truncated JSON response", err
		return e
	}
	success, err := s.envelope(e, each)
	if err != nil {
		return fail(err)
	}
	if !success {
		e.Reason = "request failed (success:false)"
		return e
	}
	return nil
}

func (s *usageStream) envelope(e *Error, each func(UsageRecord) bool) (success bool, err error) {
	if err := s.delim('{'); err != nil {
		return false, err
	}
	for first := true; ; first = false {
		c, err := s.peek()
		if err != nil {
			return false, err
		}
		if c == '}' && first {
			s.p.i++
			return success, nil
		}
		if err := s.whole(); err != nil {
			return false, err
		}
		key, err := s.p.str()
		if err != nil {
			return false, err
		}
		if err := s.delim(':'); err != nil {
			return false, err
		}
		if err := s.member(key, e, &success, each); err != nil {
			return false, err
		}
		if c, err = s.peek(); err != nil {
			return false, err
		}
		s.p.i++
		switch c {
		case ',':
		case '}':
			return success, nil
		default:
			return false, fmt.Errorf("got %q after a value", c)
		}
	}
}

func (s *usageStream) member(key string, e *Error, success *bool, each func(UsageRecord) bool) error {
	if key == "result" {
		return s.result(each)
	}
	if err := s.whole(); err != nil {
		return err
	}
	start := s.p.i
	if err := s.p.skip(0); err != nil {
		return err
	}
	raw := s.p.b[start:s.p.i]
	switch key {
	case "success":
		*success = string(raw) == "true"
	case "errors":
		return json.Unmarshal(raw, &e.Errors)
	}
	return nil
}

func (s *usageStream) result(each func(UsageRecord) bool) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		if err := s.whole(); err != nil {
			return err
		}
		return s.p.skip(0)
	}
	if err := s.delim('['); err != nil {
		return err
	}
	if c, err = s.peek(); err != nil || c == ']' {
		s.p.i++
		return err
	}
	for {
		if err := s.whole(); err != nil {
			return err
		}
		var r UsageRecord
		if err := s.p.record(&r); err != nil {
			return err
		}
		if !each(r) {
			return errStopped
		}
		c, err := s.peek()
		if err != nil {
			return err
		}
		s.p.i++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			return fmt.Errorf("got %q between records", c)
		}
	}
}
