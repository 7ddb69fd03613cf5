package api

import "context"

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
