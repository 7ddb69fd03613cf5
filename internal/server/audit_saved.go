// saved_search.go lists, saves and deletes a user's named searches.

package server

import (
	"errors"
	"net/http"
	"net/url"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/route"
	"orgboard/web/templates"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

func (s *Server) savedSearches(c echo.Context, scope string) []templates.SavedSearch {
	list, err := s.audit.Saved.List(c.Request().Context(), owner(c), scope)
	if err != nil {
		s.log.Warn("saved searches", "error", err)
		return nil
	}
	var out []templates.SavedSearch
	for _, sv := range list {
		rule := url.Values{"name": {sv.Name}, "q": {sv.Query}}
		if sv.Scope != "" {
			rule.Set("org", sv.Scope)
		}
		out = append(out, templates.SavedSearch{Name: sv.Name, URL: auditURL(sv.Scope, url.Values{"q": {sv.Query}}), DeleteURL: savedSearchURL(sv.ID),
			RuleURL: withQuery(route.Alerts, rule)})
	}
	return out
}

func (s *Server) saveSearch(c echo.Context) error {
	name, q, scope := strings.TrimSpace(c.FormValue("name")), strings.TrimSpace(c.FormValue("q")), c.FormValue("scope")
	if scope != "" && !api.ValidID(scope) {
		return &userError{status: http.StatusBadRequest, title: "Not saved", message: "The organization of this search is not valid."}
	}
	if scope != "" {
		if _, err := s.scopeOf(c, scope, false); err != nil {
			return err
		}
	}
	if _, err := audit.Parse(q, s.now()); err != nil || q == "" {
		return &userError{status: http.StatusUnprocessableEntity, title: "Not saved", message: "Only a valid, non-empty query can be saved."}
	}
	if bad := checkName("name", name, 100); bad != nil {
		return &userError{status: http.StatusUnprocessableEntity, title: "Not saved", message: "Give the search a name of one line, at most 100 characters."}
	}
	if err := s.audit.Saved.Save(c.Request().Context(), owner(c), scope, name, q, s.now()); errors.Is(err, audit.ErrTooManySaved) {
		return &userError{status: http.StatusUnprocessableEntity, title: "Not saved", message: "You have 200 saved searches, the most there can be: delete some first."}
	} else if err != nil {
		return err
	}
	return redirect(c, auditURL(scope, url.Values{"q": {q}}))
}

func (s *Server) deleteSavedSearch(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("saved"), 10, 64)
	if err != nil {
		return &userError{status: http.StatusBadRequest, title: "Not a saved search", message: "No such saved search."}
	}
	if err := s.audit.Saved.Delete(c.Request().Context(), owner(c), id); err != nil {
		if audit.IsNotFound(err) {
			return &userError{status: http.StatusNotFound, title: "Not found", message: "No such saved search."}
		}
		return err // a store that failed says so as such
	}
	return redirect(c, route.Audit)
}
