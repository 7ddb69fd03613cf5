package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// An audit page is a thousand entries, and a sync reads millions: general
// decoding (the envelope, then the result again, by reflection) cost more
// than the rest of the client together. parseAuditPage reads a successful
// page in one pass and keeps each entry's own JSON. Whatever it does not
// expect (an error envelope, a differently cased key, an odd type, control
// characters or invalid UTF-8) makes it give up: the general decoder then
// answers, with its errors. FuzzAuditPage holds the two to the same result.

func parseAuditPage(body []byte) (AuditPage, bool) {
	if !plainText(body) {
		return AuditPage{}, false
	}
	p := jsonParser{b: body}
	var page AuditPage
	var success, result, info bool
	ok := p.object(func(key string) bool {
		switch key {
		case "success":
			if success || !p.literal("true") {
				return false
			}
			success = true
		case "errors":
			return p.null() || p.literal("[]") || p.emptyArray()
		case "messages":
			return p.skip(0) == nil
		case "result":
			if result {
				return false
			}
			result = true
			return p.auditEntries(&page.Entries)
		case "result_info":
			if info {
				return false
			}
			info = true
			raw, ok := p.rawValue()
			if !ok {
				return false
			}
			var ri *resultInfo
			if json.Unmarshal(raw, &ri) != nil {
				return false
			}
			page.Cursor = ri.cursor()
		default:
			return !foldsTo(key, "success", "errors", "messages", "result", "result_info") && p.skip(0) == nil
		}
		return true
	})
	p.ws()
	if !ok || !success || !result || p.i != len(p.b) {
		return AuditPage{}, false
	}
	return page, true
}

// plainText is valid UTF-8 without control characters: the parser's strings
// then need no checks encoding/json would make.
func plainText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return false
		}
	}
	return utf8.Valid(b)
}

// foldsTo reports a key that equals one of names only up to case, which
// encoding/json would match and this parser does not.
func foldsTo(key string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

// object reads an object, handing each key to member, which reads the
// value; null is an empty object.
func (p *jsonParser) object(member func(key string) bool) bool {
	if p.null() {
		return true
	}
	if p.expect('{') != nil {
		return false
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return true
	}
	for {
		key, err := p.rawStr()
		if err != nil || p.expect(':') != nil || !member(string(key)) {
			return false
		}
		if end, ok := p.separator('}'); end || !ok {
			return ok
		}
	}
}

// separator reads what follows a member of an object or an array: a comma
// (more to come) or closing (the end); ok is false for anything else.
func (p *jsonParser) separator(closing byte) (end, ok bool) {
	p.ws()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return false, true
	case closing:
		p.i++
		return true, true
	}
	return false, false
}

func (p *jsonParser) literal(lit string) bool {
	p.ws()
	if bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
		p.i += len(lit)
		return true
	}
	return false
}

func (p *jsonParser) emptyArray() bool {
	return p.expect('[') == nil && p.expect(']') == nil
}

// rawValue reads any value and returns its text.
func (p *jsonParser) rawValue() ([]byte, bool) {
	p.ws()
	start := p.i
	if p.skip(0) != nil {
		return nil, false
	}
	return p.b[start:p.i], true
}

func (p *jsonParser) auditEntries(out *[]AuditEntry) bool {
	if p.expect('[') != nil {
		return false
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		*out = []AuditEntry{}
		return true
	}
	entries := make([]AuditEntry, 0, 1000)
	for {
		entries = append(entries, AuditEntry{})
		if p.null() || !p.auditEntry(&entries[len(entries)-1]) {
			return false
		}
		if end, ok := p.separator(']'); !ok {
			return false
		} else if end {
			*out = entries
			return true
		}
	}
}

func (p *jsonParser) auditEntry(e *AuditEntry) bool {
	p.ws()
	start := p.i
	ok := p.object(func(key string) bool {
		switch key {
		case "id":
			return p.strInto(&e.ID) == nil
		case "action":
			return p.object(func(key string) bool {
				switch key {
				case "description":
					return p.strInto(&e.Action.Description) == nil
				case "result":
					return p.strInto(&e.Action.Result) == nil
				case "time":
					return p.strictTime(&e.Action.Time)
				case "type":
					return p.strInto(&e.Action.Type) == nil
				}
				return p.unknown(key, "description", "result", "time", "type")
			})
		case "actor":
			a := &e.Actor
			return p.object(func(key string) bool {
				switch key {
				case "id":
					return p.strInto(&a.ID) == nil
				case "context":
					return p.strInto(&a.Context) == nil
				case "email":
					return p.strInto(&a.Email) == nil
				case "ip_address":
					return p.strInto(&a.IPAddress) == nil
				case "token_id":
					return p.strInto(&a.TokenID) == nil
				case "token_name":
					return p.strInto(&a.TokenName) == nil
				case "type":
					return p.strInto(&a.Type) == nil
				}
				return p.unknown(key, "id", "context", "email", "ip_address", "token_id", "token_name", "type")
			})
		case "organization":
			return p.object(func(key string) bool {
				switch key {
				case "id":
					return p.strInto(&e.Organization.ID) == nil
				case "name":
					return p.strInto(&e.Organization.Name) == nil
				}
				return p.unknown(key, "id", "name")
			})
		case "raw":
			return p.auditRaw(&e.Raw)
		case "resource":
			return p.auditResource(&e.Resource)
		}
		return p.unknown(key, "id", "action", "actor", "organization", "raw", "resource")
	})
	if ok {
		e.wire = p.b[start:p.i]
	}
	return ok
}

func (p *jsonParser) auditRaw(r *AuditRaw) bool {
	return p.object(func(key string) bool {
		switch key {
		case "cf_ray_id":
			return p.strInto(&r.CFRayID) == nil
		case "method":
			return p.strInto(&r.Method) == nil
		case "status_code":
			return p.integer(&r.StatusCode)
		case "uri":
			return p.strInto(&r.URI) == nil
		case "user_agent":
			return p.strInto(&r.UserAgent) == nil
		}
		return p.unknown(key, "cf_ray_id", "method", "status_code", "uri", "user_agent")
	})
}

func (p *jsonParser) auditResource(r *AuditResource) bool {
	raw := func(dst *json.RawMessage) bool {
		v, ok := p.rawValue()
		*dst = v
		return ok
	}
	return p.object(func(key string) bool {
		switch key {
		case "id":
			return p.strInto(&r.ID) == nil
		case "product":
			return p.strInto(&r.Product) == nil
		case "type":
			return p.strInto(&r.Type) == nil
		case "scope":
			return raw(&r.Scope)
		case "request":
			return raw(&r.Request)
		case "response":
			return raw(&r.Response)
		}
		return p.unknown(key, "id", "product", "type", "scope", "request", "response")
	})
}

// unknown skips the value of a key that is none of names.
func (p *jsonParser) unknown(key string, names ...string) bool {
	return !foldsTo(key, names...) && p.skip(0) == nil
}

// strictTime reads an RFC 3339 time as encoding/json does; null leaves it.
func (p *jsonParser) strictTime(dst *time.Time) bool {
	if p.null() {
		return true
	}
	raw, err := p.rawStr()
	return err == nil && dst.UnmarshalText(raw) == nil
}

// integer reads a JSON integer that fits an int; null leaves it.
func (p *jsonParser) integer(dst *int) bool {
	if p.null() {
		return true
	}
	p.ws()
	n, neg, digits := 0, false, 0
	if p.i < len(p.b) && p.b[p.i] == '-' {
		neg = true
		p.i++
	}
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		if digits == 18 || digits == 1 && n == 0 {
			return false // too long to be sure it fits, or a leading zero
		}
		n = n*10 + int(p.b[p.i]-'0')
		p.i++
		digits++
	}
	if digits == 0 || p.i < len(p.b) && strings.IndexByte(".eE", p.b[p.i]) >= 0 {
		return false
	}
	if neg {
		n = -n
	}
	*dst = n
	return true
}
