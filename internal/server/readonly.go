// readonly.go remembers where the API refused a user's write: that
// organization's write controls, and its sub-organizations', are hidden
// with a note for the rest of the session instead of failing again.

package server

import (
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
)

// readOnlyMemory is how long a refusal hides the controls (a session's
// longest life).
const readOnlyMemory = 12 * time.Hour

// readOnlyNote says why the controls are gone.
const readOnlyNote = "Your API token was refused a change in this organization (or one above it), so the controls to change it are hidden for the rest of your session. Sign in with a token that may administer it to make changes."

// refusedMessage is a refused write in the console's words.
const refusedMessage = "Your API token may read this organization but not change it. Nothing was changed."

// refused records a write the API refused for lack of permission, and
// reports whether it was one.
func (s *Server) refused(c echo.Context, org string, err error) bool {
	if !api.IsForbidden(err) {
		return false
	}
	user := s.user(c)
	s.cache.put(user, "readonly "+org, true, readOnlyMemory)
	s.cache.put(user, "readonly any", true, readOnlyMemory)
	return true
}

// readOnly reports whether a write was refused in org or in one of its
// ancestors (read through the cache, as the breadcrumbs read them).
func (s *Server) readOnly(c echo.Context, org string) bool {
	user := s.user(c)
	if _, any := s.cache.get(user, "readonly any"); !any {
		return false
	}
	for id, seen := org, 0; id != "" && seen < maxCrumbs; seen++ {
		if _, ok := s.cache.get(user, "readonly "+id); ok {
			return true
		}
		o, err := s.getOrg(c, id)
		if err != nil || o.Parent == nil {
			return false
		}
		id = o.Parent.ID
	}
	return false
}
