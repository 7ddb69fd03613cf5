// members.go is the members tab: filter, add, remove.

package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/changes"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

const membersPageSize = 25

func (s *Server) showMembers(c echo.Context) error {
	id := c.Param("id")
	v, p, err := s.membersQuery(c, id)
	if err != nil {
		return err
	}
	if v.Rows, err = s.memberRows(c, id, p); err != nil {
		return err
	}
	if p.PageToken != "" && isFragment(c) {
		return render(c, http.StatusOK, templates.MemberRowsPart(v.Rows))
	}
	return s.showMembersTab(c, http.StatusOK, v)
}

func (s *Server) showMembersTab(c echo.Context, status int, v templates.MembersView) error {
	return s.showTab(c, status, "members", func(api.Organization) (templ.Component, error) { return templates.Members(v), nil })
}

// membersQuery reads the tab's filters from the address (an add or a
// removal carries the list's filters in its own, to refresh the list).
func (s *Server) membersQuery(c echo.Context, id string) (templates.MembersView, api.ListMembersParams, error) {
	q := c.QueryParams()
	if c.Request().Method != http.MethodGet {
		q.Del("page_token") // a change shows the list from its start
	}
	v := templates.MembersView{OrgID: id, BaseURL: route.Path(route.Members, id), Add: templates.AddMemberForm{CSRF: s.csrf(c), Action: route.Path(route.Members, id)}}
	p := api.ListMembersParams{PageParams: api.PageParams{PageSize: membersPageSize, PageToken: q.Get("page_token")}}
	for _, st := range q["status"] {
		if st != api.MemberActive && st != api.MemberCanceled {
			return v, p, &userError{status: http.StatusBadRequest, title: "Unknown status", message: "Filter members by active or canceled."}
		}
		if !slices.Contains(p.Statuses, st) {
			p.Statuses = append(p.Statuses, st)
		}
	}
	v.Active, v.Canceled = slices.Contains(p.Statuses, api.MemberActive), slices.Contains(p.Statuses, api.MemberCanceled)
	email := strings.TrimSpace(q.Get("email"))
	if len(email) > 254 || len(p.PageToken) > 1024 {
		return v, p, &userError{status: http.StatusBadRequest, title: "Filter too long", message: "An email filter is at most 254 characters."}
	}
	v.Email, p.UserEmail = email, email
	v.Add.Action += filterQuery(p)
	_, caps, err := s.capsOf(c, id)
	if err != nil {
		return v, p, err
	}
	if !caps.May(access.Members) {
		v.Add.ReadOnly = caps.Why(access.Members)
	}
	return v, p, nil
}

// filterQuery is the list's filters as a query string ("" without any).
func filterQuery(p api.ListMembersParams) string {
	q := url.Values{"status": p.Statuses}
	if p.UserEmail != "" {
		q.Set("email", p.UserEmail)
	}
	if len(q["status"]) == 0 && p.UserEmail == "" {
		return ""
	}
	return "?" + q.Encode()
}

func (s *Server) memberRows(c echo.Context, org string, p api.ListMembersParams) (templates.MemberRows, error) {
	page, err := s.listMembers(c, org, p)
	if err != nil {
		alert, err := inlineAlert(c, err)
		return templates.MemberRows{OrgID: org, Error: alert}, err
	}
	_, caps, err := s.capsOf(c, org)
	if err != nil {
		return templates.MemberRows{}, err
	}
	rows := templates.MemberRows{OrgID: org, Total: page.TotalSize, ReadOnly: !caps.May(access.Members)}
	csrf := s.csrf(c)
	for _, m := range page.Items {
		row := memberRow(csrf, org, m)
		row.RemoveURL += filterQuery(p)
		rows.Members = append(rows.Members, row)
	}
	if page.NextPageToken != "" {
		q := url.Values{"status": p.Statuses, "email": {p.UserEmail}, "page_token": {page.NextPageToken}}
		rows.MoreURL = withQuery(route.Path(route.Members, org), q)
	}
	return rows, nil
}

func memberRow(csrf, org string, m api.Member) templates.MemberRow {
	return templates.MemberRow{CSRF: csrf, ID: m.ID, Email: m.User.Email, Name: m.User.Name, Status: m.Status,
		TwoFactor: m.User.TwoFactorAuthenticationEnabled, Created: m.CreateTime, RemoveURL: route.Path(route.Member, org, m.ID), ConfirmURL: route.Path(route.MemberRemove, org, m.ID),
		CancelURL: withQuery(route.Path(route.MemberRemove, org, m.ID), url.Values{"cancel": {"1"}})}
}

func (s *Server) addMember(c echo.Context) error {
	id := c.Param("id")
	f := templates.AddMemberForm{CSRF: s.csrf(c), Action: route.Path(route.Members, id) + filterQuery(api.ListMembersParams{Statuses: c.QueryParams()["status"], UserEmail: c.QueryParam("email")}), Email: strings.TrimSpace(c.FormValue("email")), Status: c.FormValue("status")}
	status := http.StatusUnprocessableEntity
	switch {
	case f.Status != api.MemberActive && f.Status != api.MemberCanceled:
		f.Error = "Choose active or canceled."
	case !validEmail(f.Email):
		f.Error = "Enter an email address, such as alice@example.com."
	default:
		wait, refused, err := s.mustPropose(c, id, access.Members)
		if err != nil {
			return err
		}
		if refused.Refused() {
			f.Error, status = refused.Problem, refused.Status
			break
		}
		if wait {
			if f.Pending, err = s.propose(c, id, changes.MemberAdd, changes.Member{Email: f.Email, Status: f.Status}, nil, ""); err != nil {
				return err
			}
			status = http.StatusOK
			break
		}
		end, err := s.write(c, id, access.Members, func(ctx context.Context) error {
			_, err := s.client(c).AddMember(ctx, id, api.MemberInput{Email: f.Email, Status: f.Status})
			return err
		})
		switch {
		case err != nil:
			return err
		case end.Forbidden:
			return s.membersRefused(c, id)
		case end.Refused():
			f.Error, status = end.Problem, end.Status
		case !isFragment(c):
			return redirect(c, route.Path(route.Members, id))
		default:
			f, status = templates.AddMemberForm{CSRF: f.CSRF, Action: f.Action, Added: f.Email}, http.StatusOK
		}
	}
	if isFragment(c) && f.Added == "" && f.Pending == nil {
		return render(c, status, templates.AddMember(f))
	}
	v, p, err := s.membersQuery(c, id)
	if err != nil {
		return err
	}
	v.Add = f
	if v.Rows, err = s.memberRows(c, id, p); err != nil {
		return err
	}
	if isFragment(c) { // the form, and the list with its count refreshed beside it
		return render(c, status, templ.Join(templates.AddMember(f), templates.MembersList(v.Rows, true)))
	}
	return s.showMembersTab(c, status, v)
}

func (s *Server) confirmRemoveMember(c echo.Context) error {
	id := c.Param("id")
	m, err := s.getMember(c, id, c.Param("member"))
	if err != nil {
		return err
	}
	row := memberRow(s.csrf(c), id, m)
	_, caps, err := s.capsOf(c, id)
	if err != nil {
		return err
	}
	row.Confirming = c.QueryParam("cancel") == "" && caps.May(access.Members)
	if isFragment(c) {
		return render(c, http.StatusOK, templates.MemberRowPart(row, !caps.May(access.Members)))
	}
	v, p, err := s.membersQuery(c, id)
	if err != nil {
		return err
	}
	if v.Rows, err = s.memberRows(c, id, p); err != nil {
		return err
	}
	for i := range v.Rows.Members {
		if v.Rows.Members[i].ID == row.ID {
			v.Rows.Members[i] = row
		}
	}
	return s.showMembersTab(c, http.StatusOK, v)
}

func (s *Server) removeMember(c echo.Context) error {
	id, mid := c.Param("id"), c.Param("member")
	wait, refused, err := s.mustPropose(c, id, access.Members)
	if err != nil {
		return err
	}
	if wait && !refused.Refused() {
		m, err := s.getMember(c, id, mid)
		if err != nil {
			return err
		}
		row := memberRow(s.csrf(c), id, m)
		if row.Pending, err = s.propose(c, id, changes.MemberRemove, changes.Member{ID: mid, Email: m.User.Email}, nil, ""); err != nil {
			return err
		}
		if !isFragment(c) {
			return redirect(c, route.Path(route.Members, id))
		}
		c.Response().Header().Set(hxRetarget, "#member-"+mid) // the row says the removal waits; the list stays
		return render(c, http.StatusOK, templates.MemberRowPart(row, false))
	}
	end, err := s.write(c, id, access.Members, func(ctx context.Context) error { return s.client(c).RemoveMember(ctx, id, mid) })
	switch {
	case err != nil:
		return err
	case end.Forbidden:
		return s.membersRefused(c, id)
	case end.Refused() && !isFragment(c):
		return end.Err // the error page says it
	case end.Refused():
		m, gerr := s.getMember(c, id, mid)
		if gerr != nil {
			return end.Err
		}
		row := memberRow(s.csrf(c), id, m)
		row.Error = end.Problem
		c.Response().Header().Set(hxRetarget, "#member-"+mid) // the refusal shows on its row; the list stays
		return render(c, end.Status, templates.MemberRowPart(row, false))
	}
	if !isFragment(c) {
		return redirect(c, route.Path(route.Members, id))
	}
	_, p, err := s.membersQuery(c, id)
	if err != nil {
		return err
	}
	rows, err := s.memberRows(c, id, p)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.MembersList(rows, false))
}

// membersRefused answers an add or a removal the API refused for lack of
// permission: the list without Remove buttons, and the add form replaced by
// the refusal and why the controls are gone.
func (s *Server) membersRefused(c echo.Context, id string) error {
	v, p, err := s.membersQuery(c, id)
	if err != nil {
		return err
	}
	if v.Rows, err = s.memberRows(c, id, p); err != nil {
		return err
	}
	v.Add.Refusal = refusedMessage
	if !isFragment(c) {
		return s.showMembersTab(c, http.StatusForbidden, v)
	}
	c.Response().Header().Set(hxRetarget, "#members-list")
	c.Response().Header().Set(hxReswap, "outerHTML")
	v.Add.OOB = true
	return render(c, http.StatusForbidden, templ.Join(templates.MembersList(v.Rows, false), templates.AddMember(v.Add)))
}
