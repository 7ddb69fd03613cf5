// org_admin.go renames, creates, moves and deletes organizations.

package server

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/web/templates"
)

// redirect sends the browser on: HX-Redirect for htmx, 303 otherwise.
func redirect(c echo.Context, to string) error {
	if htmx(c).Enabled {
		c.Response().Header().Set(hxRedirect, to)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// formProblem re-renders a form with the upstream refusal in place when the
// API answered (400/403/404), and leaves other failures to the error handler.
func formProblem(err error) (string, bool) {
	switch api.StatusCode(err) {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
		_, alert := alertFor(err, "")
		return alert.Message, true
	}
	return "", false
}

// outcome sorts a form's write: refused (a message and status to show in
// the form), failed (an error for the error handler), or done (all empty).
func outcome(err error) (refusal string, status int, failure error) {
	if msg, ok := formProblem(err); ok {
		return msg, api.StatusCode(err), nil
	}
	return "", 0, err
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

// The API has no version field: a rename or a move reads the organization
// fresh, compares it with the fingerprint of what the form showed, and on a
// difference shows both instead of writing. It then sends the name and only
// what changes (the API keeps an omitted parent and profile), never a field
// read earlier: a stale copy would undo someone else's change.

func orgFingerprint(what, value string) string {
	sum := sha256.Sum256([]byte(what + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// nameFingerprint identifies the name a rename form showed.
func nameFingerprint(o api.Organization) string { return orgFingerprint("name", o.Name) }

// parentFingerprint identifies the parent a move form showed.
func parentFingerprint(o api.Organization) string {
	if o.Parent == nil {
		return orgFingerprint("parent", "")
	}
	return orgFingerprint("parent", o.Parent.ID)
}

// orgName is an organization's name for a message, or its ID when the
// token may not read it.
func (s *Server) orgName(c echo.Context, id string) string {
	if o, err := s.getOrg(c, id); err == nil {
		return o.Name
	}
	return id
}

// freshOrg reads an organization past the cache, for a write to compare with.
func (s *Server) freshOrg(c echo.Context, id string) (api.Organization, error) {
	return s.client(c).GetOrganization(c.Request().Context(), id)
}

func (s *Server) renameOrganization(c echo.Context) error {
	id := c.Param("id")
	name := strings.TrimSpace(c.FormValue("name"))
	f := templates.RenameForm{CSRF: s.csrf(c), Action: orgURL(id), Name: name, Fingerprint: c.FormValue("fingerprint")}
	status := http.StatusUnprocessableEntity
	if bad := checkOrgName(name); bad != nil {
		f.Error = bad.Message
	} else {
		current, err := s.freshOrg(c, id)
		if err != nil {
			return err
		}
		if fp := nameFingerprint(current); fp != f.Fingerprint {
			f.Conflict = &templates.OrgConflict{Mine: name, Current: current.Name, Fingerprint: fp}
			return s.renderRename(c, http.StatusConflict, f)
		}
		updated, err := s.client(c).UpdateOrganization(c.Request().Context(), id, api.OrganizationInput{Name: name})
		s.wrote(c)
		if s.refused(c, id, access.Organize, err) {
			return s.answerRefused(c, id)
		}
		msg, st, err := outcome(err)
		switch {
		case err != nil:
			return err
		case msg != "":
			f.Error, status = msg, st
		case !isFragment(c):
			return redirect(c, orgURL(id))
		default:
			f.Done, f.Name, f.Fingerprint, status = true, updated.Name, nameFingerprint(updated), http.StatusOK
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
	f := templates.CreateForm{CSRF: s.csrf(c), Action: orgURL(id, "children"), Name: strings.TrimSpace(c.FormValue("name")), Profile: profileForm(c)}
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
		created, err := s.client(c).CreateOrganization(c.Request().Context(), in)
		s.wrote(c)
		if s.refused(c, id, access.Organize, err) {
			return s.answerRefused(c, id)
		}
		msg, st, err := outcome(err)
		if err != nil {
			return err
		}
		if msg == "" {
			return redirect(c, withQuery(orgURL(created.ID), url.Values{"done": {"created"}}))
		}
		f.Error, status = msg, st
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
	f := templates.MoveForm{CSRF: s.csrf(c), Action: orgURL(id, "move"), PickerURL: orgURL(id, "move"), Fingerprint: c.FormValue("fingerprint")}
	status := http.StatusUnprocessableEntity
	if err := s.checkMove(c, id, parent); err != "" {
		f.Error = err
	} else {
		current, err := s.freshOrg(c, id)
		if err != nil {
			return err
		}
		if fp := parentFingerprint(current); fp != f.Fingerprint {
			f.Conflict = &templates.OrgConflict{Mine: "under " + s.orgName(c, parent), MineID: parent, Current: "at the root", Fingerprint: fp}
			if current.Parent != nil {
				f.Conflict.Current = "under " + s.orgName(c, current.Parent.ID)
			}
			return s.renderForm(c, http.StatusConflict, func(v *templates.OverviewView) { v.Move = f }, func() error {
				return render(c, http.StatusConflict, templates.MoveOrg(f))
			})
		}
		// the name is required by the API: the fresh one, read just now
		_, err = s.client(c).UpdateOrganization(c.Request().Context(), id, api.OrganizationInput{Name: current.Name, Parent: &api.OrganizationRef{ID: parent}})
		s.wrote(c)
		if s.refused(c, id, access.Organize, err) {
			return s.answerRefused(c, id)
		}
		msg, st, err := outcome(err)
		if err != nil {
			return err
		}
		if msg == "" {
			return redirect(c, withQuery(orgURL(id), url.Values{"done": {"moved"}}))
		}
		f.Error, status = msg, st
	}
	return s.renderForm(c, status, func(v *templates.OverviewView) { v.Move = f }, func() error {
		return render(c, status, templates.MoveOrg(f))
	})
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
	f := templates.DeleteForm{CSRF: s.csrf(c), Action: orgURL(org.ID), ConfirmURL: orgURL(org.ID, "delete"), CancelURL: cancelDeleteURL(org.ID), Name: org.Name, Confirming: c.QueryParam("cancel") == ""}
	return s.renderForm(c, http.StatusOK, func(v *templates.OverviewView) { v.Delete = f }, func() error {
		return render(c, http.StatusOK, templates.DeleteOrg(f))
	})
}

func (s *Server) deleteOrganization(c echo.Context) error {
	org, err := s.getOrg(c, c.Param("id"))
	if err != nil {
		return err
	}
	err = s.client(c).DeleteOrganization(c.Request().Context(), org.ID)
	s.wrote(c)
	if s.refused(c, org.ID, access.Organize, err) {
		return s.answerRefused(c, org.ID)
	}
	if msg, ok := formProblem(err); ok {
		f := templates.DeleteForm{CSRF: s.csrf(c), Action: orgURL(org.ID), ConfirmURL: orgURL(org.ID, "delete"), CancelURL: cancelDeleteURL(org.ID), Name: org.Name, Error: msg}
		status := api.StatusCode(err)
		return s.renderForm(c, status, func(v *templates.OverviewView) { v.Delete = f }, func() error {
			return render(c, status, templates.DeleteOrg(f))
		})
	}
	if err != nil {
		return err
	}
	done := url.Values{"deleted": {org.Name}}
	if org.Parent != nil {
		return redirect(c, withQuery(orgURL(org.Parent.ID), done))
	}
	return redirect(c, withQuery(pathHome, done))
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
