// orgs.go is an organization's page: its header, tabs and overview.

package server

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/web/templates"
)

var orgTabs = []struct{ key, label, suffix string }{
	{"overview", "Overview", ""}, {"profile", "Profile", "profile"}, {"accounts", "Accounts", "accounts"},
	{"members", "Members", "members"}, {"audit", "Audit log", "audit"}, {"usage", "Usage and cost", "usage"}, {"showback", "Showback", "showback"}, {"rates", "Rate card", "rates"},
}

// tabURL is an organization's tab (the overview: its page).
func tabURL(id, tab string) string {
	if tab == "" {
		return orgURL(id)
	}
	return orgURL(id, tab)
}

// maxCrumbs bounds the walk up the parent chain.
const maxCrumbs = 12

// orgHeader reads the organization and its parent chain.
func (s *Server) orgHeader(c echo.Context, tab string) (api.Organization, templates.OrgHeader, error) {
	id := c.Param("id")
	org, err := s.getOrg(c, id)
	if err != nil {
		return org, templates.OrgHeader{}, err
	}
	h := templates.OrgHeader{ID: org.ID, Name: org.Name, Tab: tab}
	for _, t := range orgTabs {
		h.Tabs = append(h.Tabs, templates.Tab{Key: t.key, Label: t.label, URL: tabURL(id, t.suffix), Selected: t.key == tab})
	}
	h.Crumbs = s.crumbs(c, org)
	return org, h, nil
}

// crumbs walks up the parents; where the token may not read one, the chain
// ends with the parent's name as the child reported it.
func (s *Server) crumbs(c echo.Context, org api.Organization) []templates.Crumb {
	var out []templates.Crumb
	p := org.Parent
	for p != nil && len(out) < maxCrumbs {
		parent, err := s.getOrg(c, p.ID)
		if err != nil {
			out = append(out, templates.Crumb{Name: p.Name})
			break
		}
		out = append(out, templates.Crumb{Name: parent.Name, URL: orgURL(parent.ID)})
		p = parent.Parent
	}
	slices.Reverse(out)
	return out
}

// showTab renders an organization tab: the tabs and panel for an htmx tab
// switch, the whole page otherwise.
func (s *Server) showTab(c echo.Context, status int, tab string, panel func(api.Organization) (templ.Component, error)) error {
	org, h, err := s.orgHeader(c, tab)
	if err != nil {
		return err
	}
	comp, err := panel(org)
	if err != nil {
		return err
	}
	if hx := htmx(c); hx.Fragment() && hx.Target == "org-body" {
		return render(c, status, templates.OrgBody(h, comp))
	}
	return render(c, status, templates.OrganizationPage(templates.OrgPage{Page: s.page(c, org.Name), Header: h}, comp))
}

func (s *Server) showOrganization(c echo.Context) error {
	return s.showTab(c, http.StatusOK, "overview", func(org api.Organization) (templ.Component, error) {
		v, err := s.overview(c, org)
		v.Done = doneMessage(c, org)
		return templates.Overview(v), err
	})
}

// doneMessage says what the person's last action (the address it led to
// names it) changed.
func doneMessage(c echo.Context, org api.Organization) string {
	under := "at the top of the tree"
	if org.Parent != nil {
		under = "under “" + org.Parent.Name + "”"
	}
	switch c.QueryParam("done") {
	case "created":
		return "Created “" + org.Name + "” " + under + "."
	case "moved":
		return "Moved “" + org.Name + "” " + under + "."
	}
	if n := c.QueryParam("deleted"); n != "" && len(n) <= 255 {
		return "Deleted “" + n + "”."
	}
	return ""
}

func (s *Server) overview(c echo.Context, org api.Organization) (templates.OverviewView, error) {
	v := templates.OverviewView{ID: org.ID, Name: org.Name, URL: orgURL(org.ID), Created: org.CreateTime}
	for _, tag := range org.Meta.HierarchyTags {
		ht := templates.HierarchyTag{Tag: tag}
		if tag == org.ID {
			ht.Name = org.Name
		} else if o, err := s.getOrg(c, tag); err == nil && api.ValidID(tag) { // the breadcrumbs read these already
			ht.Name, ht.URL = o.Name, orgURL(o.ID)
		}
		v.HierarchyTags = append(v.HierarchyTags, ht)
	}
	if org.Meta.ManagedBy != nil {
		v.ManagedBy = *org.Meta.ManagedBy
	}
	if f := org.Meta.Tenant(); f != nil {
		v.FlagsKnown = true
		for _, x := range []struct{ label, help, value string }{
			{"Accounts can be created", "New accounts may be created in this organization", f.AccountCreation},
			{"New accounts take the tenant's defaults", "Accounts created here start with the tenant's default settings", f.AccountCreationAppliesTenantDefaults},
			{"Accounts can be deleted", "Accounts of this organization may be deleted", f.AccountDeletion},
			{"Accounts can be migrated", "Accounts may be migrated into this organization from elsewhere", f.AccountMigration},
			{"Accounts can move", "Accounts may be moved from this organization to another", f.AccountMobility},
			{"Enterprise features", "The organization has Enterprise capabilities", f.EnterpriseCapability},
			{"Members are managed here", "Membership of this organization is managed in Cloudflare Organizations", f.MemberManagement},
			{"Sub-organizations can be created", "Sub-organizations may be created under this one", f.SubOrgCreation},
		} {
			v.Flags = append(v.Flags, templates.Flag{Label: x.label, Help: x.help, Value: cmp.Or(x.value, "not reported"), On: x.value == "enabled"})
		}
	}
	if org.Parent != nil {
		v.Parent = &templates.Crumb{Name: org.Parent.Name, URL: orgURL(org.Parent.ID)}
	}
	kids, err := s.listOrgs(c, api.ListOrganizationsParams{ParentID: org.ID, PageParams: api.PageParams{PageSize: 50}})
	if err != nil {
		return v, err
	}
	for _, k := range kids.Items {
		v.Children = append(v.Children, templates.Crumb{Name: k.Name, URL: orgURL(k.ID)})
	}
	v.ChildrenTotal, v.ChildrenMore = kids.TotalSize, kids.NextPageToken != ""
	forms := s.manageForms(c, org)
	v.Rename, v.Create, v.Move, v.Delete = forms.Rename, forms.Create, forms.Move, forms.Delete
	v.Can = can(s.caps(c, org))
	return v, nil
}

// manageForms are the overview's write forms of org, as first shown.
func (s *Server) manageForms(c echo.Context, org api.Organization) templates.OverviewView {
	csrf := s.csrf(c)
	return templates.OverviewView{
		Rename: templates.RenameForm{CSRF: csrf, Action: orgURL(org.ID), Name: org.Name, Fingerprint: nameFingerprint(org)},
		Create: templates.CreateForm{CSRF: csrf, Action: orgURL(org.ID, "children")},
		Move:   templates.MoveForm{CSRF: csrf, Action: orgURL(org.ID, "move"), PickerURL: orgURL(org.ID, "move"), Fingerprint: parentFingerprint(org)},
		Delete: templates.DeleteForm{CSRF: csrf, Action: orgURL(org.ID), ConfirmURL: orgURL(org.ID, "delete"), CancelURL: cancelDeleteURL(org.ID), Name: org.Name},
	}
}
