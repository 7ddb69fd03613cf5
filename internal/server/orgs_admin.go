// org_admin.go renames, creates, moves and deletes organizations.

package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/history"
	"orgboard/internal/orgs"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

// freshOrg reads an organization past the cache, for a write to compare with.
func (s *Server) freshOrg(c echo.Context, id string) (api.Organization, error) {
	return s.client(c).GetOrganization(c.Request().Context(), id)
}

func (s *Server) renameOrganization(c echo.Context) error {
	id := c.Param("id")
	name := strings.TrimSpace(c.FormValue("name"))
	f := templates.RenameForm{CSRF: s.csrf(c), Action: route.Path(route.Org, id), Name: name, Fingerprint: c.FormValue("fingerprint")}
	status := http.StatusUnprocessableEntity
	if bad := checkOrgName(name); bad != nil {
		f.Error = bad.Message
	} else {
		current, err := s.freshOrg(c, id)
		if err != nil {
			return err
		}
		if fp := orgs.NameMark(current); orgs.Stale(f.Fingerprint, fp) {
			f.Conflict = &templates.OrgConflict{Mine: name, Current: current.Name, Fingerprint: fp}
			return s.renderRename(c, http.StatusConflict, f)
		}
		var updated api.Organization
		end, err := s.write(c, id, access.Organize, func(ctx context.Context) (err error) {
			updated, err = s.client(c).UpdateOrganization(ctx, id, api.OrganizationInput{Name: name})
			return err
		})
		switch {
		case err != nil:
			return err
		case end.Forbidden:
			return s.answerRefused(c, id)
		case end.Refused():
			f.Error, status = end.Problem, end.Status
		case !isFragment(c):
			return redirect(c, route.Path(route.Org, id))
		default:
			f.Done, f.Name, f.Fingerprint, status = true, updated.Name, orgs.NameMark(updated), http.StatusOK
		}
	}
	return s.renderRename(c, status, f)
}

func (s *Server) renderRename(c echo.Context, status int, f templates.RenameForm) error {
	return s.renderForm(c, status, func(v *templates.OverviewView) { v.Rename = f }, func() error {
		if f.Done {
			return render(c, status, templates.Renamed(f, f.Name+" · Orgboard"))
		}
		return render(c, status, templates.RenameOrg(f))
	})
}

func (s *Server) createSubOrganization(c echo.Context) error {
	id := c.Param("id")
	f := templates.CreateForm{CSRF: s.csrf(c), Action: route.Path(route.OrgChildren, id), Name: strings.TrimSpace(c.FormValue("name")), Profile: profileForm(c)}
	f.Errors = CheckProfile(f.Profile)
	if bad := checkOrgName(f.Name); bad != nil {
		f.Errors[bad.Field] = bad.Message
	}
	status := http.StatusUnprocessableEntity
	if len(f.Errors) == 0 {
		in := api.OrganizationInput{Name: f.Name, Parent: &api.OrganizationRef{ID: id}}
		if f.Profile != (templates.ProfileFields{}) {
			p := toProfile(f.Profile)
			in.Profile = &p
		}
		var created api.Organization
		end, err := s.write(c, id, access.Organize, func(ctx context.Context) (err error) {
			created, err = s.client(c).CreateOrganization(ctx, in)
			return err
		})
		switch {
		case err != nil:
			return err
		case end.Forbidden:
			return s.answerRefused(c, id)
		case !end.Refused():
			s.sawTree(c, func(ctx context.Context, t *history.Keeper) error { return t.SeeOrgs(ctx, []api.Organization{created}) })
			return redirect(c, withQuery(route.Path(route.Org, created.ID), url.Values{"done": {"created"}}))
		}
		f.Error, status = end.Problem, end.Status
	}
	return s.renderForm(c, status, func(v *templates.OverviewView) { v.Create = f }, func() error {
		return render(c, status, templates.CreateSubOrg(f))
	})
}

// moveCandidates lists organizations to move under, by name.
func (s *Server) moveCandidates(c echo.Context) error {
	q, err := searchQuery(c.QueryParam("q"))
	if err != nil {
		return err
	}
	var nodes []templates.TreeNode
	if q != "" {
		found, err := s.searchNodes(c, q)
		if err != nil {
			return err
		}
		for _, n := range found.Nodes {
			if n.ID != c.Param("id") {
				nodes = append(nodes, n)
			}
		}
	}
	if !isFragment(c) {
		return s.renderForm(c, http.StatusOK, func(v *templates.OverviewView) { v.Move.Query, v.Move.Candidates = q, nodes }, nil)
	}
	return render(c, http.StatusOK, templates.MoveCandidates(nodes, q))
}

func (s *Server) moveOrganization(c echo.Context) error {
	id, parent := c.Param("id"), c.FormValue("parent_id")
	f := templates.MoveForm{CSRF: s.csrf(c), Action: route.Path(route.OrgMove, id), PickerURL: route.Path(route.OrgMove, id), Fingerprint: c.FormValue("fingerprint")}
	status := http.StatusUnprocessableEntity
	if err := s.checkMove(c, id, parent); err != "" {
		f.Error = err
	} else if end, err := s.parentAllowed(c, parent); err != nil || end.Refused() {
		if err != nil {
			return err
		}
		f.Error, status = end.Problem, end.Status
	} else {
		current, err := s.freshOrg(c, id)
		if err != nil {
			return err
		}
		if fp := orgs.ParentMark(current); orgs.Stale(f.Fingerprint, fp) {
			f.Conflict = &templates.OrgConflict{Mine: "under " + s.orgName(c, parent), MineID: parent, Current: "at the root", Fingerprint: fp}
			if current.Parent != nil {
				f.Conflict.Current = "under " + s.orgName(c, current.Parent.ID)
			}
			return s.renderForm(c, http.StatusConflict, func(v *templates.OverviewView) { v.Move = f }, func() error {
				return render(c, http.StatusConflict, templates.MoveOrg(f))
			})
		}
		// the name is required by the API: the fresh one, read just now
		end, err := s.write(c, id, access.Organize, func(ctx context.Context) error {
			_, err := s.client(c).UpdateOrganization(ctx, id, api.OrganizationInput{Name: current.Name, Parent: &api.OrganizationRef{ID: parent}})
			return err
		})
		switch {
		case err != nil:
			return err
		case end.Forbidden:
			return s.answerRefused(c, id)
		case !end.Refused():
			from := ""
			if current.Parent != nil {
				from = current.Parent.ID
			}
			s.sawTree(c, func(ctx context.Context, t *history.Keeper) error {
				return t.Moved(ctx, history.Org, id, from, parent, current.Name)
			})
			return redirect(c, withQuery(route.Path(route.Org, id), url.Values{"done": {"moved"}}))
		}
		f.Error, status = end.Problem, end.Status
	}
	return s.renderForm(c, status, func(v *templates.OverviewView) { v.Move = f }, func() error {
		return render(c, status, templates.MoveOrg(f))
	})
}

// parentAllowed refuses, for a person, a new parent their grants do not
// let them administer (a token is refused by Cloudflare itself).
func (s *Server) parentAllowed(c echo.Context, parent string) (writeEnd, error) {
	if person(c) == nil {
		return writeEnd{}, nil
	}
	if ok, err := s.visible(c, parent); err != nil || !ok {
		return writeEnd{Problem: "Choose the new parent from the search results.", Status: http.StatusUnprocessableEntity}, err
	}
	return s.delegatedMay(c, parent, access.Create)
}

// checkMove refuses a parent that is the organization or lies under it.
func (s *Server) checkMove(c echo.Context, id, parent string) string {
	if !api.ValidID(parent) {
		return "Choose the new parent from the search results."
	}
	seen := 0
	for p := parent; p != "" && seen < 64; seen++ {
		if p == id {
			return "An organization cannot be moved under itself or one of its own sub-organizations."
		}
		org, err := s.getOrg(c, p)
		if err != nil || org.Parent == nil {
			break
		}
		p = org.Parent.ID
	}
	return ""
}

func (s *Server) confirmDeleteOrganization(c echo.Context) error {
	org, err := s.getOrg(c, c.Param("id"))
	if err != nil {
		return err
	}
	f := templates.DeleteForm{CSRF: s.csrf(c), Action: route.Path(route.Org, org.ID), ConfirmURL: route.Path(route.OrgDelete, org.ID), CancelURL: cancelDeleteURL(org.ID), Name: org.Name, Confirming: c.QueryParam("cancel") == ""}
	return s.renderForm(c, http.StatusOK, func(v *templates.OverviewView) { v.Delete = f }, func() error {
		return render(c, http.StatusOK, templates.DeleteOrg(f))
	})
}

func (s *Server) deleteOrganization(c echo.Context) error {
	org, err := s.getOrg(c, c.Param("id"))
	if err != nil {
		return err
	}
	end, err := s.write(c, org.ID, access.Organize, func(ctx context.Context) error { return s.client(c).DeleteOrganization(ctx, org.ID) })
	switch {
	case err != nil:
		return err
	case end.Forbidden:
		return s.answerRefused(c, org.ID)
	case end.Refused():
		f := templates.DeleteForm{CSRF: s.csrf(c), Action: route.Path(route.Org, org.ID), ConfirmURL: route.Path(route.OrgDelete, org.ID), CancelURL: cancelDeleteURL(org.ID), Name: org.Name, Error: end.Problem}
		return s.renderForm(c, end.Status, func(v *templates.OverviewView) { v.Delete = f }, func() error {
			return render(c, end.Status, templates.DeleteOrg(f))
		})
	}
	done := url.Values{"deleted": {org.Name}}
	parent := ""
	if org.Parent != nil {
		parent = org.Parent.ID
	}
	s.sawTree(c, func(ctx context.Context, t *history.Keeper) error { return t.Removed(ctx, org.ID, parent, org.Name) })
	if org.Parent != nil {
		return redirect(c, withQuery(route.Path(route.Org, org.Parent.ID), done))
	}
	return redirect(c, withQuery(route.Home, done))
}

// answerRefused answers a write the API refused for lack of permission: the
// manage panel without its controls, with the refusal and why they are gone
// (the whole overview for a plain form post).
func (s *Server) answerRefused(c echo.Context, id string) error {
	if isFragment(c) {
		c.Response().Header().Set(hxRetarget, "#manage")
		c.Response().Header().Set(hxReswap, "outerHTML")
		org, caps, err := s.capsOf(c, id)
		if err != nil {
			return err
		}
		v := s.manageForms(c, org)
		v.Can, v.Refusal = can(caps), refusedMessage
		return render(c, http.StatusForbidden, templates.Manage(v))
	}
	return s.showTab(c, http.StatusForbidden, "overview", func(org api.Organization) (templ.Component, error) {
		v, err := s.overview(c, org)
		v.Refusal = refusedMessage
		return templates.Overview(v), err
	})
}

// renderForm answers a form: the fragment for htmx, the overview page with
// the form in it otherwise.
func (s *Server) renderForm(c echo.Context, status int, set func(*templates.OverviewView), frag func() error) error {
	if isFragment(c) {
		return frag()
	}
	return s.showTab(c, status, "overview", func(org api.Organization) (templ.Component, error) {
		v, err := s.overview(c, org)
		set(&v)
		return templates.Overview(v), err
	})
}
