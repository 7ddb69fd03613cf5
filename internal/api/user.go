// user.go verifies a token and reads the user behind it.

package api

import (
	"context"
	"net/http"
)

// VerifyToken checks the client's token.
func (c *Client) VerifyToken(ctx context.Context) (TokenStatus, error) {
	var ts TokenStatus
	_, err := c.get(ctx, "/user/tokens/verify", nil, &ts)
	return ts, err
}

// GetUser returns the user behind the token, where the token may read it.
func (c *Client) GetUser(ctx context.Context) (User, error) {
	var u User
	_, err := c.get(ctx, "/user", nil, &u)
	return u, err
}

// Reachable checks that the API answers over HTTP at all: any status is an
// answer (the call is made without a token); only a transport error is not.
func (c *Client) Reachable(ctx context.Context) error {
	u := *c.base
	u.Path = c.base.Path + "/user/tokens/verify"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return scrub(err)
	}
	resp.Body.Close()
	return nil
}

// GetToken reads one of the user's API tokens with its policies (GET
// /user/tokens/{id}); Cloudflare answers only a token that may read tokens.
func (c *Client) GetToken(ctx context.Context, id string) (Token, error) {
	if !ValidID(id) {
		return Token{}, &Error{Method: http.MethodGet, Path: "/user/tokens/{id}", StatusCode: http.StatusBadRequest, Reason: "invalid token identifier"}
	}
	var t Token
	_, err := c.get(ctx, "/user/tokens/"+id, nil, &t)
	return t, err
}
