// Package delegation is who may do what through the console without a
// Cloudflare token of their own: people who sign in through the company's
// identity provider get rights per organization from a file the operator
// writes (--delegation), and the console acts for them with its own token.
package delegation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"orgboard/internal/access"
	"orgboard/internal/api"
)

// The rights a grant may give.
const (
	RightView    = "view"    // see the organization: tree, profile, members, audit, usage
	RightProfile = "profile" // edit its business profile
	RightMembers = "members" // add and remove its members
	RightAdmin   = "admin"   // everything the console offers
	RightApprove = "approve" // approve the changes others propose
)

var rights = []string{RightView, RightProfile, RightMembers, RightAdmin, RightApprove}

// Person is who signed in: their address and the groups the identity
// provider names.
type Person struct {
	Email  string
	Groups []string
}

// Grant gives a group or a person rights on an organization (and its
// sub-organizations when Subtree).
type Grant struct {
	Group   string   `json:"group,omitempty"`
	Email   string   `json:"email,omitempty"`
	Org     string   `json:"org"`
	Subtree bool     `json:"subtree,omitempty"`
	May     []string `json:"may"`
	line    int
}

// Policy is the grants of a delegation file.
type Policy struct {
	grants []Grant
}

type file struct {
	Grants []json.RawMessage `json:"grants"`
}

// Parse reads a delegation file, refusing what it cannot mean with the
// line it is on.
func Parse(data []byte) (*Policy, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return nil, fmt.Errorf("%s: %w", where(data, off), plain(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: something follows the object that holds the grants", where(data, dec.InputOffset()))
	}
	if f.Grants == nil {
		return nil, errors.New(`line 1: the file holds no "grants" list`)
	}
	p := &Policy{}
	offset := 0
	for _, raw := range f.Grants {
		at := bytes.Index(data[offset:], raw) + offset // each grant's own text, in order
		offset = at + len(raw)
		line := lineOf(data, at)
		var g Grant
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&g); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, plain(err))
		}
		g.line = line
		if err := g.check(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		p.grants = append(p.grants, g)
	}
	return p, nil
}

func (g *Grant) check() error {
	g.Email = strings.ToLower(strings.TrimSpace(g.Email))
	switch {
	case (g.Group == "") == (g.Email == ""):
		return errors.New(`a grant names either a "group" or an "email", one of them`)
	case g.Email != "" && (!strings.Contains(g.Email, "@") || strings.ContainsAny(g.Email, " <>\"")):
		return fmt.Errorf("%q is not an e-mail address", g.Email)
	case !api.ValidID(g.Org):
		return fmt.Errorf(`"org" must be an organization's ID (%q is not one)`, g.Org)
	case len(g.May) == 0:
		return fmt.Errorf(`"may" lists no right: give some of %s`, strings.Join(rights, ", "))
	}
	for _, r := range g.May {
		if !slices.Contains(rights, r) {
			return fmt.Errorf("%q is not a right: the rights are %s", r, strings.Join(rights, ", "))
		}
	}
	return nil
}

// Check refuses a grant of an organization that known does not know, with
// its line.
func (p *Policy) Check(known func(org string) bool) error {
	for _, g := range p.grants {
		if !known(g.Org) {
			return fmt.Errorf("line %d: organization %s is not one the console's token reads: a grant of it gives nothing", g.line, g.Org)
		}
	}
	return nil
}

// For is what who may do on an organization, given its chain (the
// organization first, then its parent, up to the top): its rights, and
// whether they may approve the changes others propose there.
func (p *Policy) For(who Person, chain []string) (r access.Right, approve bool) {
	if p == nil || len(chain) == 0 {
		return 0, false
	}
	email := strings.ToLower(who.Email)
	for _, g := range p.grants {
		if g.Email != "" && g.Email != email || g.Group != "" && !slices.Contains(who.Groups, g.Group) {
			continue
		}
		if g.Org != chain[0] && !(g.Subtree && slices.Contains(chain[1:], g.Org)) {
			continue
		}
		for _, m := range g.May {
			switch m {
			case RightView:
				r |= access.View
			case RightProfile:
				r |= access.View | access.EditProfile
			case RightMembers:
				r |= access.View | access.EditMembers
			case RightAdmin:
				r |= access.View | access.Admin
			case RightApprove:
				r, approve = r|access.View, true
			}
		}
	}
	return r, approve
}

// Any reports whether who is named by any grant: someone the file gives
// nothing may sign in, and is told so.
func (p *Policy) Any(who Person) bool {
	if p == nil {
		return false
	}
	email := strings.ToLower(who.Email)
	for _, g := range p.grants {
		if g.Email != "" && g.Email == email || g.Group != "" && slices.Contains(who.Groups, g.Group) {
			return true
		}
	}
	return false
}

// where is the line and column of an offset, for people.
func where(data []byte, off int64) string {
	return fmt.Sprintf("line %d", lineOf(data, int(off)))
}

func lineOf(data []byte, off int) int {
	off = max(0, min(off, len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// plain is a decoding error without Go's type names.
func plain(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%q has the wrong kind of value (a %s where %s is expected)", te.Field, te.Value, kindOf(te.Type.Kind().String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON: %s", se.Error())
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return fmt.Errorf("%s is not a field of a grant (group, email, org, subtree, may)", strings.TrimPrefix(s, "json: unknown field "))
	}
	return err
}

func kindOf(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "bool":
		return "true or false"
	case "string":
		return "text"
	}
	return "an object"
}
