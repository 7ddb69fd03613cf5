// organizations.go lists, reads, creates, updates and deletes organizations.

package api

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// ParentNull as ListOrganizationsParams.ParentID selects root organizations.
const ParentNull = "null"

// ListOrganizationsParams filter GET /organizations.
type ListOrganizationsParams struct {
	IDs                    []string
	ContainingAccount      string
	ContainingOrganization string
	ContainingUser         string
	NameContains           string
	NameStartsWith         string
	NameEndsWith           string
	ParentID               string // an organization ID, or ParentNull for roots
	PageParams
}

func (p ListOrganizationsParams) query() url.Values {
	q := url.Values{}
	for _, id := range p.IDs {
		q.Add("id", id)
	}
	setIf(q, "containing.account", p.ContainingAccount)
	setIf(q, "containing.organization", p.ContainingOrganization)
	setIf(q, "containing.user", p.ContainingUser)
	setIf(q, "name.contains", p.NameContains)
	setIf(q, "name.startsWith", p.NameStartsWith)
	setIf(q, "name.endsWith", p.NameEndsWith)
	setIf(q, "parent.id", p.ParentID)
	p.PageParams.encode(q)
	return q
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// ListOrganizations returns one page of the organizations the token may see.
func (c *Client) ListOrganizations(ctx context.Context, p ListOrganizationsParams) (Page[Organization], error) {
	return listPage[Organization](ctx, c, "/organizations", p.query())
}

// Organizations iterates over every matching organization, page by page.
func (c *Client) Organizations(ctx context.Context, p ListOrganizationsParams) iter.Seq2[Organization, error] {
	return allPages(ctx, func(token string) (Page[Organization], error) {
		p.PageToken = token
		return c.ListOrganizations(ctx, p)
	})
}

// GetOrganization returns one organization.
func (c *Client) GetOrganization(ctx context.Context, id string) (Organization, error) {
	var org Organization
	p, err := path("organizations", id)
	if err != nil {
		return org, err
	}
	_, err = c.get(ctx, p, nil, &org)
	return org, err
}

// CreateOrganization creates an organization (a sub-organization when
// in.Parent is set).
func (c *Client) CreateOrganization(ctx context.Context, in OrganizationInput) (Organization, error) {
	var org Organization
	err := c.write(ctx, http.MethodPost, "/organizations", in, &org)
	return org, err
}

// UpdateOrganization renames an organization, and moves it or sets its
// profile when in has them: the API keeps a parent or profile left out.
func (c *Client) UpdateOrganization(ctx context.Context, id string, in OrganizationInput) (Organization, error) {
	var org Organization
	p, err := path("organizations", id)
	if err != nil {
		return org, err
	}
	err = c.write(ctx, http.MethodPut, p, in, &org)
	return org, err
}

// DeleteOrganization deletes an empty organization.
func (c *Client) DeleteOrganization(ctx context.Context, id string) error {
	p, err := path("organizations", id)
	if err != nil {
		return err
	}
	var out struct {
		ID string `json:"id"`
	}
	return c.write(ctx, http.MethodDelete, p, nil, &out)
}

// write sends a state change once and decodes its result into out (nil: no
// result expected).
func (c *Client) write(ctx context.Context, method, p string, body, out any) error {
	env, err := c.do(ctx, call{method: method, path: p, body: body})
	if err != nil {
		return err
	}
	return decodeResult(env, method, p, out)
}
