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

// streamUsage walks the envelope's keys in whatever order they come and
// decodes result's elements one by one.
func streamUsage(body io.Reader, e *Error, each func(UsageRecord) bool) error {
	dec := json.NewDecoder(body)
	fail := func(err error) error {
		if errors.Is(err, errStopped) {
			return nil
		}
		e.Reason, e.Err = "malformed or truncated JSON response", err
		return e
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail(err)
	}
	var success *bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		switch key {
		case "result":
			if err := streamResult(dec, each); err != nil {
				return fail(err)
			}
		case "success":
			if err := dec.Decode(&success); err != nil {
				return fail(err)
			}
		case "errors":
			if err := dec.Decode(&e.Errors); err != nil {
				return fail(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return fail(err)
	}
	if success == nil || !*success {
		e.Reason = "request failed (success:false)"
		return e
	}
	return nil
}

func streamResult(dec *json.Decoder, each func(UsageRecord) bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // result: null
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("result is %v, want an array", tok)
	}
	for dec.More() {
		var r UsageRecord
		if err := dec.Decode(&r); err != nil {
			return err
		}
		if !each(r) {
			return errStopped
		}
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("got %v, want %q", tok, want)
	}
	return nil
}
