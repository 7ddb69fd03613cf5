// accounts.go is the accounts tab: filter, sort, page.

package server

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/web/templates"
)

const accountsPageSize = 25

func (s *Server) showAccounts(c echo.Context) error {
	id := c.Param("id")
	name, err := searchQuery(c.QueryParam("name"))
	if err != nil {
		return err
	}
	pub, err := searchQuery(c.QueryParam("pubname"))
	if err != nil {
		return err
	}
	dir := c.QueryParam("sort")
	if dir != "" && dir != "asc" && dir != "desc" {
		return &userError{status: http.StatusBadRequest, title: "Unknown sort order", message: "Sort by name, ascending (asc) or descending (desc)."}
	}
	token := c.QueryParam("page_token")
	if len(token) > 1024 {
		return &userError{status: http.StatusBadRequest, title: "Bad page token", message: "The page token is too long."}
	}
	p := api.ListAccountsParams{NameContains: name, PubnameContains: pub, PageParams: api.PageParams{PageSize: accountsPageSize, PageToken: token}}
	if dir != "" {
		p.OrderBy, p.Direction = "account_name", dir
	}
	rows, err := s.accountRows(c, id, p, url.Values{"name": {name}, "pubname": {pub}, "sort": {dir}})
	if err != nil {
		return err
	}
	if token != "" && isFragment(c) {
		return render(c, http.StatusOK, templates.AccountRowsPart(rows))
	}
	v := templates.AccountsView{OrgID: id, BaseURL: orgURL(id, "accounts"), Name: name, Pubname: pub, Direction: dir, Rows: rows}
	return s.showTab(c, http.StatusOK, "accounts", func(api.Organization) (templ.Component, error) { return templates.Accounts(v), nil })
}

func (s *Server) accountRows(c echo.Context, org string, p api.ListAccountsParams, q url.Values) (templates.AccountRows, error) {
	page, err := s.listAccounts(c, org, p)
	if err != nil {
		alert, err := inlineAlert(c, err)
		return templates.AccountRows{Error: alert}, err
	}
	rows := templates.AccountRows{Total: page.TotalSize}
	for _, a := range page.Items {
		r := templates.AccountRow{ID: a.ID, Type: a.Type, Created: a.CreatedOn, TwoFactor: yesNo(a.Settings.EnforceTwoFactor), API: yesNo(a.Settings.APIAccessEnabled)}
		if a.Name != nil {
			r.Name = *a.Name
		}
		rows.Accounts = append(rows.Accounts, r)
	}
	if page.NextPageToken != "" {
		q.Set("page_token", page.NextPageToken)
		rows.MoreURL = withQuery(orgURL(org, "accounts"), q)
	}
	return rows, nil
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "yes"
	}
	return "no"
}
