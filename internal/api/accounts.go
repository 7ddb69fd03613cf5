// accounts.go lists an organization's accounts.

package api

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// ListAccountsParams filter GET /organizations/{id}/accounts.
type ListAccountsParams struct {
	PubnameContains   string
	PubnameStartsWith string
	PubnameEndsWith   string
	NameContains      string
	NameStartsWith    string
	NameEndsWith      string
	OrderBy           string // "account_name", or empty for the API's order
	Direction         string // "asc" or "desc"
	PageParams
}

func (p ListAccountsParams) query() url.Values {
	q := url.Values{}
	setIf(q, "account_pubname.contains", p.PubnameContains)
	setIf(q, "account_pubname.startsWith", p.PubnameStartsWith)
	setIf(q, "account_pubname.endsWith", p.PubnameEndsWith)
	setIf(q, "name.contains", p.NameContains)
	setIf(q, "name.startsWith", p.NameStartsWith)
	setIf(q, "name.endsWith", p.NameEndsWith)
	setIf(q, "order_by", p.OrderBy)
	setIf(q, "direction", p.Direction)
	p.PageParams.encode(q)
	return q
}

// ListAccounts returns one page of an organization's accounts.
func (c *Client) ListAccounts(ctx context.Context, orgID string, p ListAccountsParams) (Page[Account], error) {
	pth, err := path("organizations", orgID, "accounts")
	if err != nil {
		return Page[Account]{}, err
	}
	return listPage[Account](ctx, c, pth, p.query())
}

// Accounts iterates over every matching account of an organization.
func (c *Client) Accounts(ctx context.Context, orgID string, p ListAccountsParams) iter.Seq2[Account, error] {
	return allPages(ctx, func(token string) (Page[Account], error) {
		p.PageToken = token
		return c.ListAccounts(ctx, orgID, p)
	})
}

// MoveAccount moves an account to another organization: the token must
// administer both, and the account's organization must allow account
// mobility.
func (c *Client) MoveAccount(ctx context.Context, accountID, destinationOrgID string) (AccountMove, error) {
	var out AccountMove
	p, err := path("accounts", accountID, "move")
	if err != nil {
		return out, err
	}
	err = c.write(ctx, http.MethodPost, p, map[string]string{"destination_organization_id": destinationOrgID}, &out)
	return out, err
}
