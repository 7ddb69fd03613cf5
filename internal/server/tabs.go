// tabs.go is the organization page around each of its tabs: the header
// with the parent chain, the tab list, and a tab's panel inside them.

package server

import (
	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/web/templates"
	"slices"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// tabURL is an organization's tab (the overview: its page).
func tabURL(id, tab string) string {
	if tab == "" {
		return route.Path(route.Org, id)
	}
	return route.Path(tabRoutes[tab], id)
}

var tabRoutes = map[string]string{"profile": route.Profile, "accounts": route.Accounts, "members": route.Members, "audit": route.OrgAudit,
	"usage": route.Usage, "showback": route.Showback, "rates": route.Rates, "chargeback": route.Chargeback}

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

var orgTabs = []struct{ key, label, suffix string }{
	{"overview", "Overview", ""}, {"profile", "Profile", "profile"}, {"accounts", "Accounts", "accounts"},
	{"members", "Members", "members"}, {"audit", "Audit log", "audit"}, {"usage", "Usage and cost", "usage"}, {"showback", "Showback", "showback"}, {"rates", "Rate card", "rates"},
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
		out = append(out, templates.Crumb{Name: parent.Name, URL: route.Path(route.Org, parent.ID)})
		p = parent.Parent
	}
	slices.Reverse(out)
	return out
}
