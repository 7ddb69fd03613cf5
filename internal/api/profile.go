// profile.go reads and writes an organization's business profile.

package api

import (
	"context"
	"net/http"
)

// GetProfile returns an organization's business profile.
func (c *Client) GetProfile(ctx context.Context, orgID string) (Profile, error) {
	var pr Profile
	p, err := path("organizations", orgID, "profile")
	if err != nil {
		return pr, err
	}
	_, err = c.get(ctx, p, nil, &pr)
	return pr, err
}

// UpdateProfile replaces an organization's business profile.
func (c *Client) UpdateProfile(ctx context.Context, orgID string, pr Profile) error {
	p, err := path("organizations", orgID, "profile")
	if err != nil {
		return err
	}
	return c.write(ctx, http.MethodPut, p, pr, nil)
}
