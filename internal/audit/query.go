// query.go parses the audit query language into a Query.

package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Fields are the filters of the query language and the index columns they
// match (some match either of two columns).
var Fields = map[string][]string{
	"actor":    {"actor_email", "actor_id"},
	"action":   {"action_type"},
	"product":  {"resource_product"},
	"result":   {"action_result"},
	"resource": {"resource_id"},
	"type":     {"resource_type"},
	"ip":       {"actor_ip"},
	"token":    {"actor_token_name", "actor_token_id"},
	"method":   {"method"},
	"status":   {"status_code"},
	"ray":      {"ray"},
	"context":  {"actor_context"},
	"org":      {"org_id"},
}

// FieldNames lists the filter names in order.
func FieldNames() []string {
	names := make([]string, 0, len(Fields)+2)
	for k := range Fields {
		names = append(names, k)
	}
	names = append(names, "since", "before")
	slices.Sort(names)
	return names
}

// Filter is field:value, or -field:value when Negate.
type Filter struct {
	Field, Value string
	Negate       bool
}

// Term is free text: a word or a quoted phrase, possibly negated.
type Term struct {
	Text   string
	Negate bool
}

// Query is a parsed search.
type Query struct {
	Filters []Filter
	Terms   []Term
	Since   time.Time // zero: the default window
	Before  time.Time // zero: now
	// SinceText and BeforeText are the bounds as typed (7d, 2026-11-01):
	// a link or a saved search keeps "the last 7 days", not the day it was made.
	SinceText, BeforeText string
}

// SyntaxError points at the mistake in a query.
type SyntaxError struct {
	Pos int // 1-based column
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at column %d: %s", e.Pos, e.Msg) }

// maxQuery bounds a query's length and its parts.
const (
	maxQuery = 1000
	maxParts = 40
)

// Parse reads a query such as
// actor:alice@example.com action:update product:dns -result:failure "example.com" since:7d
func Parse(s string, now time.Time) (Query, error) {
	var q Query
	if len(s) > maxQuery {
		return q, &SyntaxError{Pos: maxQuery, Msg: fmt.Sprintf("the query is longer than %d characters", maxQuery)}
	}
	if !utf8.ValidString(s) {
		return q, &SyntaxError{Pos: 1, Msg: "the query is not valid text"}
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }); i >= 0 {
		return q, &SyntaxError{Pos: utf8.RuneCountInString(s[:i]) + 1, Msg: "the query holds a control character (such as NUL); type the search as text"}
	}
	p := &parser{s: s, now: now}
	for parts := 0; ; parts++ {
		p.skipSpace()
		if p.i >= len(p.s) {
			return q, q.checkRange()
		}
		if parts == maxParts {
			return q, &SyntaxError{Pos: p.i + 1, Msg: fmt.Sprintf("a query has at most %d parts", maxParts)}
		}
		if err := p.part(&q); err != nil {
			return q, err
		}
	}
}

type parser struct {
	s   string
	i   int
	now time.Time
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		r, size := utf8.DecodeRuneInString(p.s[p.i:])
		if !unicode.IsSpace(r) {
			return
		}
		p.i += size
	}
}

func (p *parser) part(q *Query) error {
	start := p.i
	negate := false
	if p.s[p.i] == '-' && p.i+1 < len(p.s) && !unicode.IsSpace(rune(p.s[p.i+1])) && p.s[p.i+1] != '-' {
		negate = true
		p.i++
	}
	if p.s[p.i] == '"' {
		text, err := p.quoted()
		if err != nil {
			return err
		}
		if strings.TrimSpace(text) != "" {
			q.addTerm(Term{Text: text, Negate: negate})
		}
		return nil
	}
	word := p.word()
	field, value, isFilter := strings.Cut(word, ":")
	if !isFilter {
		q.addTerm(Term{Text: word, Negate: negate})
		return nil
	}
	field = strings.ToLower(field)
	if value == "" && p.i < len(p.s) && p.s[p.i] == '"' {
		var err error
		if value, err = p.quoted(); err != nil {
			return err
		}
	}
	if value == "" {
		return &SyntaxError{Pos: start + 1, Msg: fmt.Sprintf("%s: needs a value, as in %s:something", field, field)}
	}
	return p.filter(q, start, field, value, negate)
}

func (p *parser) filter(q *Query, start int, field, value string, negate bool) error {
	switch field {
	case "since", "before":
		if negate {
			return &SyntaxError{Pos: start + 1, Msg: field + ": cannot be negated"}
		}
		t, err := parseWhen(value, p.now)
		if err != nil {
			return &SyntaxError{Pos: start + len(field) + 2, Msg: fmt.Sprintf("%s:%s is not a time: use 7d, 12h, 30m, 2026-11-01 or an RFC 3339 time", field, value)}
		}
		if t.Before(p.now.Add(-maxReach)) || t.After(p.now.Add(maxAhead)) {
			return &SyntaxError{Pos: start + len(field) + 2, Msg: fmt.Sprintf("%s:%s is out of reach: audit entries are kept 18 months, so a time is at most 10 years back (since:520w) and at most a year ahead", field, value)}
		}
		if field == "since" {
			q.Since, q.SinceText = t, value
		} else {
			q.Before, q.BeforeText = t, value
		}
		return nil
	}
	if _, ok := Fields[field]; !ok {
		return &SyntaxError{Pos: start + 1, Msg: fmt.Sprintf("unknown filter %q; the filters are %s", field, strings.Join(FieldNames(), ", "))}
	}
	if field == "status" {
		if _, err := strconv.Atoi(value); err != nil {
			return &SyntaxError{Pos: start + 8, Msg: fmt.Sprintf("status:%s is not an HTTP status code", value)}
		}
	}
	if field == "method" {
		value = strings.ToUpper(value)
	}
	f := Filter{Field: field, Value: value, Negate: negate}
	if !slices.Contains(q.Filters, f) { // a repeat says nothing more and costs a condition
		q.Filters = append(q.Filters, f)
	}
	return nil
}

// maxReach and maxAhead bound since: and before: (the API keeps 18 months).
const (
	maxReach = 10 * 365 * 24 * time.Hour
	maxAhead = 365 * 24 * time.Hour
)

// checkRange refuses a range that ends before it starts.
func (q Query) checkRange() error {
	if !q.Since.IsZero() && !q.Before.IsZero() && !q.Since.Before(q.Before) {
		return &SyntaxError{Pos: 1, Msg: "since: is not before before:, so no entry can match; swap them or widen the range"}
	}
	return nil
}

// addTerm adds free text once: the same word twice matches what it does
// once, and each costs the index a lookup.
func (q *Query) addTerm(t Term) {
	if !slices.Contains(q.Terms, t) {
		q.Terms = append(q.Terms, t)
	}
}

func (p *parser) word() string {
	start := p.i
	for p.i < len(p.s) {
		r, size := utf8.DecodeRuneInString(p.s[p.i:])
		if unicode.IsSpace(r) || r == '"' {
			break
		}
		p.i += size
	}
	return p.s[start:p.i]
}

// quoted reads "…" with "" or \" for a quote inside.
func (p *parser) quoted() (string, error) {
	start := p.i
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s) && p.s[p.i+1] == '"':
			b.WriteByte('"')
			p.i += 2
		case c == '"' && p.i+1 < len(p.s) && p.s[p.i+1] == '"':
			b.WriteByte('"')
			p.i += 2
		case c == '"':
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", &SyntaxError{Pos: start + 1, Msg: "this quote is never closed"}
}

// parseWhen reads 7d, 12h, 30m, a date (UTC) or an RFC 3339 time.
func parseWhen(v string, now time.Time) (time.Time, error) {
	if n := len(v); n >= 2 {
		if k, err := strconv.Atoi(v[:n-1]); err == nil && k >= 0 && k <= 1_000_000 { // bounded so that no unit overflows a Duration
			switch v[n-1] {
			case 'd':
				return now.Add(-time.Duration(k) * 24 * time.Hour), nil
			case 'h':
				return now.Add(-time.Duration(k) * time.Hour), nil
			case 'm':
				return now.Add(-time.Duration(k) * time.Minute), nil
			case 'w':
				return now.Add(-time.Duration(k) * 7 * 24 * time.Hour), nil
			}
		}
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}

// String writes the query back in canonical form.
func (q Query) String() string {
	var parts []string
	for _, f := range q.Filters {
		parts = append(parts, neg(f.Negate)+f.Field+":"+quoteIfNeeded(f.Value))
	}
	for _, t := range q.Terms {
		parts = append(parts, neg(t.Negate)+quoteIfNeeded(t.Text))
	}
	if q.SinceText != "" {
		parts = append(parts, "since:"+quoteIfNeeded(q.SinceText))
	} else if !q.Since.IsZero() {
		parts = append(parts, "since:"+q.Since.UTC().Format(time.RFC3339))
	}
	if q.BeforeText != "" {
		parts = append(parts, "before:"+quoteIfNeeded(q.BeforeText))
	} else if !q.Before.IsZero() {
		parts = append(parts, "before:"+q.Before.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

func neg(b bool) string {
	if b {
		return "-"
	}
	return ""
}

func quoteIfNeeded(s string) string {
	if s != "" && strings.IndexFunc(s, unicode.IsSpace) < 0 && !strings.ContainsAny(s, `":`) && s[0] != '-' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// With returns the query with one more filter, replacing its opposite: the
// include/exclude of a value in a result row.
func With(q Query, f Filter) Query {
	out := q
	out.Filters = nil
	for _, g := range q.Filters {
		if g.Field == f.Field && g.Value == f.Value {
			continue
		}
		out.Filters = append(out.Filters, g)
	}
	out.Filters = append(out.Filters, f)
	return out
}
