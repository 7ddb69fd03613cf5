// accounts.go is the accounts tab: filter, sort and page an organization's
// accounts, or those of its whole subtree.

package server

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/history"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

const accountsPageSize = 25

// accountsQuery is the state of the accounts tab, all of it in the URL.
type accountsQuery struct {
	name, pubname string
	sort          string // "asc" (the default), "desc", or "id"
	subtree       bool
	token         string // a page token (one organization) or an offset (the subtree)
}

func readAccountsQuery(c echo.Context) (accountsQuery, error) {
	var q accountsQuery
	var err error
	if q.name, err = searchQuery(c.QueryParam("name")); err != nil {
		return q, err
	}
	if q.pubname, err = searchQuery(c.QueryParam("pubname")); err != nil {
		return q, err
	}
	q.sort = cmp.Or(c.QueryParam("sort"), "asc")
	if q.sort != "asc" && q.sort != "desc" && q.sort != "id" {
		return q, &userError{status: http.StatusBadRequest, title: "Unknown sort order", message: "Sort by name (asc or desc) or by account ID (id)."}
	}
	q.subtree = c.QueryParam("sub") == "1"
	if q.token = c.QueryParam("page_token"); len(q.token) > 1024 {
		return q, &userError{status: http.StatusBadRequest, title: "Bad page token", message: "The page token is too long."}
	}
	return q, nil
}

func (q accountsQuery) values() url.Values {
	v := url.Values{}
	setNonEmpty(v, "name", q.name)
	setNonEmpty(v, "pubname", q.pubname)
	if q.sort != "asc" {
		v.Set("sort", q.sort)
	}
	if q.subtree {
		v.Set("sub", "1")
	}
	return v
}

func (q accountsQuery) params() api.ListAccountsParams {
	p := api.ListAccountsParams{NameContains: q.name, PubnameContains: q.pubname, PageParams: api.PageParams{PageSize: accountsPageSize, PageToken: q.token}}
	if q.sort != "id" {
		p.OrderBy, p.Direction = "account_name", q.sort
	}
	return p
}

func (s *Server) showAccounts(c echo.Context) error {
	id := c.Param("id")
	q, err := readAccountsQuery(c)
	if err != nil {
		return err
	}
	var rows templates.AccountRows
	if q.subtree {
		rows, err = s.subtreeAccountRows(c, id, q)
	} else {
		rows, err = s.accountRows(c, id, q)
	}
	if err != nil {
		return err
	}
	if q.token != "" && isFragment(c) {
		return render(c, http.StatusOK, templates.AccountRowsPart(rows))
	}
	v := templates.AccountsView{OrgID: id, BaseURL: route.Path(route.Accounts, id), Name: q.name, Pubname: q.pubname, Sort: q.sort, Subtree: q.subtree, Rows: rows}
	if _, caps, err := s.capsOf(c, id); err == nil {
		v.MoveNote = caps.Why(access.MoveAccounts)
	}
	return s.showTab(c, http.StatusOK, "accounts", func(api.Organization) (templ.Component, error) { return templates.Accounts(v), nil })
}

// accountRows is one page of an organization's own accounts.
func (s *Server) accountRows(c echo.Context, org string, q accountsQuery) (templates.AccountRows, error) {
	page, err := s.listAccounts(c, org, q.params())
	if err != nil {
		alert, err := inlineAlert(c, err)
		return templates.AccountRows{Error: alert}, err
	}
	o, err := s.getOrg(c, org)
	if err != nil {
		alert, err := inlineAlert(c, err)
		return templates.AccountRows{Error: alert}, err
	}
	rows := templates.AccountRows{Total: page.TotalSize}
	ids := make([]string, 0, len(page.Items))
	for _, a := range page.Items {
		rows.Accounts = append(rows.Accounts, s.accountRow(c, o, a))
		ids = append(ids, a.ID)
	}
	at := s.now()
	s.sawLater(func(ctx context.Context, t *history.Keeper) error { return t.SeeAccounts(ctx, org, ids, at) })
	if page.NextPageToken != "" {
		v := q.values()
		v.Set("page_token", page.NextPageToken)
		rows.MoreURL = withQuery(route.Path(route.Accounts, org), v)
	}
	return rows, nil
}

// subtreeAccount is an account with the organization it belongs to.
type subtreeAccount struct {
	api.Account
	org api.Organization
}

// subtreeAccountRows is one page of the accounts of org and every
// organization under it, sorted across them: each organization's accounts
// are read (one call per organization, said on the page) and kept with the
// user's reads; the page token is an offset into them.
func (s *Server) subtreeAccountRows(c echo.Context, org string, q accountsQuery) (templates.AccountRows, error) {
	all, err := s.readableOrgs(c)
	if err != nil {
		alert, err := inlineAlert(c, err)
		return templates.AccountRows{Error: alert}, err
	}
	ids, _ := api.Subtree(all, org)
	knowOrgs(c, all)
	byID := map[string]api.Organization{}
	for _, o := range all {
		byID[o.ID] = o
	}
	p := q.params()
	p.PageSize, p.PageToken = 1000, ""
	accounts, err := read(s, c, "subtree accounts "+org+" "+q.name+"\x00"+q.pubname, func(ctx context.Context) ([]subtreeAccount, error) {
		var out []subtreeAccount
		for _, id := range ids {
			for a, err := range s.client(c).Accounts(ctx, id, p) {
				if err != nil {
					return nil, err
				}
				out = append(out, subtreeAccount{Account: a, org: byID[id]})
			}
		}
		return out, nil
	})
	if err != nil {
		alert, err := inlineAlert(c, err)
		return templates.AccountRows{Error: alert}, err
	}
	sorted := slices.Clone(accounts)
	slices.SortStableFunc(sorted, func(a, b subtreeAccount) int {
		if q.sort == "id" {
			return strings.Compare(a.ID, b.ID)
		}
		d := cmp.Compare(strings.ToLower(accountName(a.Account)), strings.ToLower(accountName(b.Account)))
		if q.sort == "desc" {
			d = -d
		}
		return cmp.Or(d, strings.Compare(a.ID, b.ID))
	})
	from, _ := strconv.Atoi(q.token)
	from = min(max(from, 0), len(sorted))
	to := min(from+accountsPageSize, len(sorted))
	rows := templates.AccountRows{Total: len(sorted), Subtree: true, Calls: len(ids)}
	for _, a := range sorted[from:to] {
		r := s.accountRow(c, a.org, a.Account)
		r.Org = templates.Crumb{Name: cmp.Or(a.org.Name, a.org.ID), URL: route.Path(route.Accounts, a.org.ID)}
		rows.Accounts = append(rows.Accounts, r)
	}
	if to < len(sorted) {
		v := q.values()
		v.Set("page_token", strconv.Itoa(to))
		rows.MoreURL = withQuery(route.Path(route.Accounts, org), v)
	}
	return rows, nil
}

func accountName(a api.Account) string {
	if a.Name != nil {
		return *a.Name
	}
	return ""
}

func (s *Server) accountRow(c echo.Context, o api.Organization, a api.Account) templates.AccountRow {
	org := o.ID
	r := templates.AccountRow{ID: a.ID, Name: accountName(a), Type: a.Type, Created: a.CreatedOn, TwoFactor: yesNo(a.Settings.EnforceTwoFactor),
		API: yesNo(a.Settings.APIAccessEnabled), MoveURL: route.Path(route.AccountMove, org, a.ID)}
	r.CanMove = s.caps(c, o).May(access.MoveAccounts)
	return r
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
