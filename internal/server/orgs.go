// orgs.go is an organization's page: its header, tabs and overview.

package server

import (
	"cmp"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/internal/orgs"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

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
	v := templates.OverviewView{ID: org.ID, Name: org.Name, URL: route.Path(route.Org, org.ID), Created: org.CreateTime}
	for _, tag := range org.Meta.HierarchyTags {
		ht := templates.HierarchyTag{Tag: tag}
		if tag == org.ID {
			ht.Name = org.Name
		} else if o, err := s.getOrg(c, tag); err == nil && api.ValidID(tag) { // the breadcrumbs read these already
			ht.Name, ht.URL = o.Name, route.Path(route.Org, o.ID)
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
		v.Parent = &templates.Crumb{Name: org.Parent.Name, URL: route.Path(route.Org, org.Parent.ID)}
	}
	kids, err := s.listOrgs(c, api.ListOrganizationsParams{ParentID: org.ID, PageParams: api.PageParams{PageSize: 50}})
	if err != nil {
		return v, err
	}
	for _, k := range kids.Items {
		v.Children = append(v.Children, templates.Crumb{Name: k.Name, URL: route.Path(route.Org, k.ID)})
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
		Rename: templates.RenameForm{CSRF: csrf, Action: route.Path(route.Org, org.ID), Name: org.Name, Fingerprint: orgs.NameMark(org)},
		Create: templates.CreateForm{CSRF: csrf, Action: route.Path(route.OrgChildren, org.ID)},
		Move:   templates.MoveForm{CSRF: csrf, Action: route.Path(route.OrgMove, org.ID), PickerURL: route.Path(route.OrgMove, org.ID), Fingerprint: orgs.ParentMark(org)},
		Delete: templates.DeleteForm{CSRF: csrf, Action: route.Path(route.Org, org.ID), ConfirmURL: route.Path(route.OrgDelete, org.ID), CancelURL: cancelDeleteURL(org.ID), Name: org.Name},
	}
}
