// audit_status.go answers the sync's progress bar and the request to sync
// further back.

package server

import (
	"fmt"
	"net/http"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/route"
	"orgboard/web/templates"
	"time"

	"github.com/labstack/echo/v4"
)

func (s *Server) auditStatus(c echo.Context) error {
	sc, err := s.scopeFromQuery(c, "")
	if err != nil {
		return err
	}
	p, err := s.audit.Syncer.Progress(c.Request().Context(), sc.orgs)
	if err != nil {
		return err
	}
	st := templates.AuditStatus{URL: withQuery(route.AuditStatus, sc.query()), CSRF: s.csrf(c), ExtendAction: route.AuditExtend,
		Org: sc.org, Sub: sc.descendants, CanExtend: s.now().Sub(p.Covered) < audit.MaxWindow-time.Hour, Done: p.Done, Problem: p.Problem}
	st.Text, st.From, st.FromISO = syncText(p, len(sc.orgs))
	if len(sc.orgs) > 0 {
		st.Percent = 100 * p.OrgsDone / len(sc.orgs)
	}
	if p.Done {
		st.Percent = 100
	}
	if until, limited := s.audit.Syncer.PausedUntil(s.client(c).TokenKey()); limited {
		st.Paused = fmt.Sprintf("Cloudflare is limiting requests made with your token: your syncs are paused until %s and resume by themselves. "+
			"Other people's syncs go on with their own tokens.", until.UTC().Format("15:04:05 UTC"))
		st.Done = false
	}
	return render(c, http.StatusOK, templates.AuditStatusPart(st))
}

// extendAudit syncs 90 more days of the scope's organizations, back to the
// API's 18 months at most.
func (s *Server) extendAudit(c echo.Context) error {
	org := c.FormValue("org")
	if org != "" && !api.ValidID(org) {
		return &userError{status: http.StatusBadRequest, title: "Not a valid identifier", message: "The organization in this form is not valid."}
	}
	sc, err := s.scopeOf(c, org, c.FormValue("sub") == "1")
	if err != nil {
		return err
	}
	for _, o := range sc.orgs {
		if _, err := s.audit.Syncer.Extend(c.Request().Context(), o, 90*24*time.Hour); err != nil {
			return err
		}
		s.audit.Syncer.Ensure(s.client(c), o)
	}
	return redirect(c, auditURL(org, nil))
}

// syncText says what the sync is doing: filling the range ("Syncing…"),
// looking for entries newer than the last ones ("Checking for new
// entries…"), or nothing (up to date, from the time that follows).
func syncText(p audit.Progress, n int) (text, from, fromISO string) {
	entries, orgs := templates.Count(p.Synced, "entry", "entries"), templates.Count(n, "organization", "organizations")
	switch {
	case p.Done:
		return "Index up to date: " + entries + " of " + orgs + ", from", localTime(p.Covered), p.Covered.UTC().Format(time.RFC3339)
	case p.OrgsDone == n:
		return "Checking for new entries… " + entries + " of " + orgs + " in the index.", "", ""
	}
	return "Syncing the audit log: " + entries + " so far; " + templates.Number(p.OrgsDone) + " of " + orgs + " done…", "", ""
}
