// members.go lists, adds and removes an organization's members.

package api

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// ListMembersParams filter GET /organizations/{id}/members.
type ListMembersParams struct {
	Statuses  []string // MemberActive, MemberCanceled
	UserEmail string   // suffix match
	PageParams
}

func (p ListMembersParams) query() url.Values {
	q := url.Values{}
	for _, s := range p.Statuses {
		q.Add("status", s)
	}
	setIf(q, "user.email", p.UserEmail)
	p.PageParams.encode(q)
	return q
}

// ListMembers returns one page of an organization's members.
func (c *Client) ListMembers(ctx context.Context, orgID string, p ListMembersParams) (Page[Member], error) {
	pth, err := path("organizations", orgID, "members")
	if err != nil {
		return Page[Member]{}, err
	}
	return listPage[Member](ctx, c, pth, p.query())
}

// Members iterates over every matching member of an organization.
func (c *Client) Members(ctx context.Context, orgID string, p ListMembersParams) iter.Seq2[Member, error] {
	return allPages(ctx, func(token string) (Page[Member], error) {
		p.PageToken = token
		return c.ListMembers(ctx, orgID, p)
	})
}

// GetMember returns one membership.
func (c *Client) GetMember(ctx context.Context, orgID, memberID string) (Member, error) {
	var m Member
	p, err := path("organizations", orgID, "members", memberID)
	if err != nil {
		return m, err
	}
	_, err = c.get(ctx, p, nil, &m)
	return m, err
}

// MemberInput is the membership to create.
type MemberInput struct {
	Email  string
	Status string // MemberActive (default) or MemberCanceled
}

// AddMember creates a membership for the user with that email.
func (c *Client) AddMember(ctx context.Context, orgID string, in MemberInput) (Member, error) {
	var m Member
	p, err := path("organizations", orgID, "members")
	if err != nil {
		return m, err
	}
	type user struct {
		Email string `json:"email"`
	}
	type member struct {
		User   user   `json:"user"`
		Status string `json:"status,omitempty"`
	}
	body := struct {
		Member member `json:"member"`
	}{member{User: user{in.Email}, Status: in.Status}}
	err = c.write(ctx, http.MethodPost, p, body, &m)
	return m, err
}

// RemoveMember deletes a membership.
func (c *Client) RemoveMember(ctx context.Context, orgID, memberID string) error {
	p, err := path("organizations", orgID, "members", memberID)
	if err != nil {
		return err
	}
	return c.write(ctx, http.MethodDelete, p, nil, nil)
}
