// usage.go streams an organization's billable usage records.

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

	"github.com/go-json-experiment/json/jsontext"
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

// streamUsage reads the envelope from body as it arrives, in whatever order
// its keys come (matched as encoding/json matches them, whatever their case),
// and hands result's records to each one by one: a response of millions of
// records is never held whole.
func streamUsage(body io.Reader, e *Error, each func(UsageRecord) bool) error {
	d := jsontext.NewDecoder(body, decodeOptions...)
	var rr recordReader
	success, err := usageEnvelope(d, &rr, e, each)
	if errors.Is(err, errStopped) {
		return nil
	}
	if err == nil {
		if _, terr := d.ReadToken(); terr != io.EOF {
			err = fmt.Errorf("text after the response: %w", errShape)
		}
	}
	if err != nil {
		e.Reason, e.Err = "malformed or truncated JSON response", err
		return e
	}
	if !success {
		e.Reason = "request failed (success:false)"
		return e
	}
	return nil
}

func usageEnvelope(d *jsontext.Decoder, rr *recordReader, e *Error, each func(UsageRecord) bool) (success bool, err error) {
	tok, err := d.ReadToken()
	if err != nil {
		return false, err
	}
	if tok.Kind() != '{' {
		return false, fmt.Errorf("the response is not an object: %w", errShape)
	}
	var name []byte
	results := 0
	for d.PeekKind() != '}' {
		v, err := d.ReadValue()
		if err != nil {
			return false, err
		}
		name = unquote(name[:0], v)
		switch foldsTo(name, "success", "errors", "result") {
		case "result":
			if results++; results > 1 { // encoding/json would keep only the last: the first is already handed on
				return false, fmt.Errorf("the response has two results: %w", errShape)
			}
			if err := usageResult(d, rr, each); err != nil {
				return false, err
			}
		case "success":
			v, err := d.ReadValue()
			if err != nil {
				return false, err
			}
			switch v.Kind() {
			case 't', 'f':
				success = v.Kind() == 't'
			case 'n':
			default:
				return false, fmt.Errorf("success: %w", errShape)
			}
		case "errors":
			v, err := d.ReadValue()
			if err != nil {
				return false, err
			}
			if err := json.Unmarshal(v, &e.Errors); err != nil {
				return false, err
			}
		default:
			if err := d.SkipValue(); err != nil {
				return false, err
			}
		}
	}
	_, err = d.ReadToken()
	return success, err
}

// usageResult reads the records of result (null: none).
func usageResult(d *jsontext.Decoder, rr *recordReader, each func(UsageRecord) bool) error {
	if d.PeekKind() == 'n' {
		return d.SkipValue()
	}
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '[' {
		return fmt.Errorf("result is not an array: %w", errShape)
	}
	for d.PeekKind() != ']' {
		var r UsageRecord
		if err := rr.record(d, &r); err != nil {
			return err
		}
		if !each(r) {
			return errStopped
		}
	}
	_, err = d.ReadToken()
	return err
}
