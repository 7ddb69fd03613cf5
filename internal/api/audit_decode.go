// audit_decode.go reads an audit page in one pass, each entry keeping its own
// JSON.

package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// An audit page is a thousand entries, and a sync reads millions; each
// entry is kept with its own JSON, which the index stores as the API sent
// it. parseAuditPage reads a successful page in one pass with jsontext,
// entries included, by encoding/json's rules for the envelope and for
// AuditEntry's fields (keys matched whatever their case, a repeated key's
// last value wins, null leaves a field as it is); FuzzAuditPage holds it
// to the general decoder (encoding/json) on every input.
func parseAuditPage(body []byte) (AuditPage, error) {
	d := jsontext.NewDecoder(bytes.NewReader(body), decodeOptions...)
	var page AuditPage
	tok, err := d.ReadToken()
	if err != nil {
		return page, err
	}
	if tok.Kind() != '{' {
		return page, fmt.Errorf("the response is not an object: %w", errShape)
	}
	var name []byte
	success, result := false, false
	er := entryReader{d: d, body: body}
	for d.PeekKind() != '}' {
		v, err := d.ReadValue()
		if err != nil {
			return page, err
		}
		name = unquote(name[:0], v)
		field := foldsTo(name, "success", "errors", "result", "result_info")
		if field == "result" { // read in the same pass
			if page.Entries, result, err = er.entries(); err != nil {
				return page, err
			}
			continue
		}
		v, err = d.ReadValue()
		if err != nil {
			return page, err
		}
		switch field {
		case "success":
			var b *bool
			if err := json.Unmarshal(v, &b); err != nil {
				return page, err
			}
			success = b != nil && *b
		case "errors":
			var items []ResponseInfo
			if err := json.Unmarshal(v, &items); err != nil {
				return page, err
			}
		case "result_info":
			var ri *resultInfo
			if err := json.Unmarshal(v, &ri); err != nil {
				return page, err
			}
			page.Cursor = ri.cursor()
			page.HistoryStatus = ""
			if ri != nil {
				page.HistoryStatus = ri.HistoryStatus
			}
		}
	}
	if _, err := d.ReadToken(); err != nil {
		return page, err
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return page, fmt.Errorf("text after the page: %w", errShape)
	}
	if !success || !result {
		return page, fmt.Errorf("not a successful page with a result: %w", errShape)
	}
	return page, nil
}

// entries decodes a page's result, each entry keeping its own JSON (an
// entry of null is an empty entry, as in encoding/json); ok is false for a
// result of null.
func (er *entryReader) entries() (entries []AuditEntry, ok bool, err error) {
	d := er.d
	if d.PeekKind() == 'n' {
		return nil, false, d.SkipValue()
	}
	tok, err := d.ReadToken()
	if err != nil {
		return nil, false, err
	}
	if tok.Kind() != '[' {
		return nil, false, fmt.Errorf("result is not an array: %w", errShape)
	}
	entries = make([]AuditEntry, 0, 1000)
	for d.PeekKind() != ']' {
		var e AuditEntry
		start := d.InputOffset()
		if d.PeekKind() == 'n' {
			if err := d.SkipValue(); err != nil {
				return nil, false, err
			}
		} else {
			if err := er.entry(&e); err != nil {
				return nil, false, err
			}
			// the entry as the API sent it: from after the separator to its end
			e.wire = bytes.Clone(bytes.TrimLeft(er.body[start:d.InputOffset()], ", \t\r\n"))
		}
		entries = append(entries, e)
	}
	_, err = d.ReadToken()
	return entries, true, err
}

// entryReader decodes entries token by token, as encoding/json would
// into an AuditEntry.
type entryReader struct {
	d    *jsontext.Decoder // over body
	body []byte
	name []byte
	buf  []byte
}

func (er *entryReader) entry(e *AuditEntry) error {
	d := er.d
	return er.object(d, func(key string) error {
		switch key {
		case "id":
			return er.str(d, &e.ID)
		case "action":
			a := &e.Action
			return er.object(d, func(key string) error {
				switch key {
				case "description":
					return er.str(d, &a.Description)
				case "result":
					return er.str(d, &a.Result)
				case "time":
					v, err := d.ReadValue()
					if err != nil || v.Kind() == 'n' {
						return err
					}
					return a.Time.UnmarshalJSON(v)
				case "type":
					return er.str(d, &a.Type)
				}
				return d.SkipValue()
			}, "description", "result", "time", "type")
		case "actor":
			a := &e.Actor
			return er.object(d, func(key string) error {
				switch key {
				case "id":
					return er.str(d, &a.ID)
				case "context":
					return er.str(d, &a.Context)
				case "email":
					return er.str(d, &a.Email)
				case "ip_address":
					return er.str(d, &a.IPAddress)
				case "token_id":
					return er.str(d, &a.TokenID)
				case "token_name":
					return er.str(d, &a.TokenName)
				case "type":
					return er.str(d, &a.Type)
				}
				return d.SkipValue()
			}, "id", "context", "email", "ip_address", "token_id", "token_name", "type")
		case "organization":
			o := &e.Organization
			return er.object(d, func(key string) error {
				switch key {
				case "id":
					return er.str(d, &o.ID)
				case "name":
					return er.str(d, &o.Name)
				}
				return d.SkipValue()
			}, "id", "name")
		case "raw":
			return er.auditRaw(d, &e.Raw)
		case "resource":
			return er.auditResource(d, &e.Resource)
		}
		return d.SkipValue()
	}, "id", "action", "actor", "organization", "raw", "resource")
}

func (er *entryReader) auditRaw(d *jsontext.Decoder, r *AuditRaw) error {
	return er.object(d, func(key string) error {
		switch key {
		case "cf_ray_id":
			return er.str(d, &r.CFRayID)
		case "method":
			return er.str(d, &r.Method)
		case "status_code":
			v, err := d.ReadValue()
			if err != nil || v.Kind() == 'n' {
				return err
			}
			if v.Kind() != '0' {
				return fmt.Errorf("status_code: %w", errShape)
			}
			n, err := strconv.ParseInt(string(v), 10, 0) // an int, as encoding/json wants: no fraction, no exponent
			if err != nil {
				return fmt.Errorf("status_code %s: %w", v, errShape)
			}
			r.StatusCode = int(n)
			return nil
		case "uri":
			return er.str(d, &r.URI)
		case "user_agent":
			return er.str(d, &r.UserAgent)
		}
		return d.SkipValue()
	}, "cf_ray_id", "method", "status_code", "uri", "user_agent")
}

func (er *entryReader) auditResource(d *jsontext.Decoder, r *AuditResource) error {
	raw := func(dst *json.RawMessage) error {
		v, err := d.ReadValue()
		if err == nil {
			*dst = append((*dst)[:0:0], v...)
		}
		return err
	}
	return er.object(d, func(key string) error {
		switch key {
		case "id":
			return er.str(d, &r.ID)
		case "product":
			return er.str(d, &r.Product)
		case "type":
			return er.str(d, &r.Type)
		case "scope":
			return raw(&r.Scope)
		case "request":
			return raw(&r.Request)
		case "response":
			return raw(&r.Response)
		}
		return d.SkipValue()
	}, "id", "product", "type", "scope", "request", "response")
}

// object reads an object's members, handing each to member under the one
// of fields its name folds to ("" for none), which reads its value; null
// leaves everything as it is, as encoding/json does.
func (er *entryReader) object(d *jsontext.Decoder, member func(field string) error, fields ...string) error {
	if d.PeekKind() == 'n' {
		return d.SkipValue()
	}
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("an object was expected: %w", errShape)
	}
	for d.PeekKind() != '}' {
		name, err := d.ReadValue()
		if err != nil {
			return err
		}
		er.name = unquote(er.name[:0], name)
		if err := member(foldsTo(er.name, fields...)); err != nil {
			return err
		}
	}
	_, err = d.ReadToken()
	return err
}

// str reads a string; null leaves dst as it is.
func (er *entryReader) str(d *jsontext.Decoder, dst *string) error {
	v, err := d.ReadValue()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case 'n':
		return nil
	case '"':
		er.buf = unquote(er.buf[:0], v)
		*dst = string(er.buf)
		return nil
	}
	return errShape
}
