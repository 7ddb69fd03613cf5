// profile.go shows and edits a business profile, with conflict checks.

package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/changes"
	"orgboard/internal/orgs"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

// fingerprint identifies a profile as it was read: the API has no version,
// so a save compares it with a fresh read to detect a concurrent change.
func (s *Server) profileView(c echo.Context, org string, p api.Profile) templates.ProfileView {
	v := templates.ProfileView{CSRF: s.csrf(c), OrgID: org, URL: route.Path(route.Profile, org), EditURL: route.Path(route.ProfileEdit, org),
		Fields: fromProfile(p), Fingerprint: orgs.ProfileMark(p)}
	if o, caps, err := s.capsOf(c, org); err == nil { // an unreadable organization fails the tab itself
		v.Can = can(caps)
		if p := person(c); p != nil && s.changeStore() != nil {
			v.Can.Proposes = !s.mayApprove(c, p, o)
		}
	}
	return v
}

// answerProfile renders the profile panel in place or as the tab's page.
func (s *Server) answerProfile(c echo.Context, status int, v templates.ProfileView) error {
	if hx := htmx(c); hx.Fragment() && hx.Target == "profile" {
		return render(c, status, templates.Profile(v))
	}
	return s.showTab(c, status, "profile", func(api.Organization) (templ.Component, error) { return templates.Profile(v), nil })
}

func (s *Server) showProfile(c echo.Context) error {
	id := c.Param("id")
	p, err := s.getProfile(c, id)
	if err != nil {
		return err
	}
	return s.answerProfile(c, http.StatusOK, s.profileView(c, id, p))
}

func (s *Server) editProfile(c echo.Context) error {
	id := c.Param("id")
	p, err := s.client(c).GetProfile(c.Request().Context(), id) // fresh: the fingerprint must match what is there now
	if err != nil {
		return err
	}
	v := s.profileView(c, id, p)
	v.Editing = true
	return s.answerProfile(c, http.StatusOK, v)
}

func (s *Server) updateProfile(c echo.Context) error {
	id := c.Param("id")
	v := s.profileView(c, id, api.Profile{})
	v.Fields, v.Fingerprint, v.Editing = profileForm(c), c.FormValue("fingerprint"), true
	if v.Errors = CheckProfile(v.Fields); len(v.Errors) > 0 {
		return s.answerProfile(c, http.StatusUnprocessableEntity, v)
	}
	current, err := s.client(c).GetProfile(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if fp := orgs.ProfileMark(current); orgs.Stale(v.Fingerprint, fp) {
		v.Conflict = conflict(v.Fields, fromProfile(current), fp)
		return s.answerProfile(c, http.StatusConflict, v)
	}
	wait, refused, err := s.mustPropose(c, id, access.Profile)
	switch {
	case err != nil:
		return err
	case refused.Refused():
		v.Error = &templates.Alert{Kind: "error", Title: "Not saved", Message: refused.Problem}
		return s.answerProfile(c, refused.Status, v)
	case wait: // someone who may approve it applies it, or rejects it
		pending, err := s.propose(c, id, changes.Profile, toProfile(v.Fields), current, orgs.ProfileMark(current))
		if err != nil {
			return err
		}
		v = s.profileView(c, id, current)
		v.Pending = pending
		return s.answerProfile(c, http.StatusOK, v)
	}
	end, err := s.write(c, id, access.Profile, func(ctx context.Context) error { return s.client(c).UpdateProfile(ctx, id, toProfile(v.Fields)) })
	switch {
	case end.Forbidden:
		v = s.profileView(c, id, current)
		_, alert := alertFor(end.Err, "")
		alert.Message = "Your API token may read this profile but not change it. Nothing was saved."
		v.Error = &alert
		return s.answerProfile(c, http.StatusForbidden, v)
	case end.Refused():
		v.Error = &templates.Alert{Kind: "error", Title: "Not saved", Message: end.Problem}
		return s.answerProfile(c, end.Status, v)
	case err != nil:
		var ae *api.Error
		if errors.As(err, &ae) && ae.Unavailable() {
			return s.profileUncertain(c, v, current)
		}
		return err
	}
	v = s.profileView(c, id, toProfile(v.Fields))
	v.Saved = true
	return s.answerProfile(c, http.StatusOK, v)
}

// profileUncertain answers a save whose outcome the API did not report: it
// reads the profile again and says whether the change is there.
func (s *Server) profileUncertain(c echo.Context, v templates.ProfileView, before api.Profile) error {
	now, err := s.client(c).GetProfile(c.Request().Context(), v.OrgID)
	switch {
	case err == nil && now == toProfile(v.Fields):
		v = s.profileView(c, v.OrgID, now)
		v.Saved = true
		return s.answerProfile(c, http.StatusOK, v)
	case err == nil && now == before:
		v.Fingerprint = orgs.ProfileMark(now)
		v.Error = &templates.Alert{Kind: "error", Title: "Not saved", Message: "The API failed while saving and your changes were not applied. Your values are kept below: save again."}
	default:
		v.Error = &templates.Alert{Kind: "error", Title: "Outcome unknown", Message: "The API failed while saving and the profile could not be read back. Your values are kept below; reload the profile to see what it holds before saving again."}
	}
	return s.answerProfile(c, http.StatusBadGateway, v)
}

func conflict(mine, current templates.ProfileFields, fp string) *templates.ProfileConflict {
	changed := map[string]bool{
		"business_name":     mine.BusinessName != current.BusinessName,
		"business_email":    mine.BusinessEmail != current.BusinessEmail,
		"business_phone":    mine.BusinessPhone != current.BusinessPhone,
		"business_address":  mine.BusinessAddress != current.BusinessAddress,
		"external_metadata": mine.ExternalMetadata != current.ExternalMetadata,
	}
	return &templates.ProfileConflict{Mine: mine, Current: current, CurrentFingerprint: fp, Changed: changed}
}
