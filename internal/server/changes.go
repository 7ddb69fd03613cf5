// changes.go is four eyes: a profile or member change by someone who may
// make it but not approve it (the delegation file's approve right) waits
// as a proposal; another person who may approve it there applies it with
// the console's token, after the same conflict check as a direct edit,
// or rejects it with a reason. Each step is an entry of the console's own
// in the audit log, beside Cloudflare's, naming the person.

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/audit"
	"orgboard/internal/changes"
	"orgboard/internal/orgs"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

// changesShown is how many changes a list shows.
const changesShown = 200

func (s *Server) changeStore() changes.Store {
	if s.cfg.Delegation == nil {
		return nil
	}
	return s.cfg.Delegation.Changes
}

// mustPropose reports whether a person's change of kind k on org waits
// for approval: they may make it (else end refuses it) but not approve it.
func (s *Server) mustPropose(c echo.Context, org string, k access.Kind) (bool, writeEnd, error) {
	p := person(c)
	if p == nil || s.changeStore() == nil {
		return false, writeEnd{}, nil
	}
	if end, err := s.delegatedMay(c, org, k); err != nil || end.Refused() {
		return false, end, err
	}
	o, err := s.getOrg(c, org)
	if err != nil {
		return false, writeEnd{}, err
	}
	return !s.mayApprove(c, p, o), writeEnd{}, nil
}

// propose stores a person's change and its first entry in the audit log.
func (s *Server) propose(c echo.Context, org string, kind changes.Kind, payload, before any, base string) (*templates.Pending, error) {
	o, err := s.getOrg(c, org)
	if err != nil {
		return nil, err
	}
	pb, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	bb, err := json.Marshal(before)
	if err != nil {
		return nil, err
	}
	ch := changes.Change{Org: org, OrgName: o.Name, Kind: kind, Payload: pb, Before: bb, Base: base, Proposer: person(c).Email, Created: s.now().UTC()}
	if ch.ID, err = s.changeStore().Propose(c.Request().Context(), ch); err != nil {
		return nil, err
	}
	ch.State = changes.Pending
	s.changeEntry(c, ch, "propose", "", "")
	id := strconv.FormatInt(ch.ID, 10)
	return &templates.Pending{ID: id, URL: route.Path(route.Change, id)}, nil
}

// changeEntry writes the console's own audit entry of a step of a change
// (the person, not the console's token, is its actor); a failure to write
// it is logged: the step happened.
func (s *Server) changeEntry(c echo.Context, ch changes.Change, action, reason, ray string) {
	id := identity(c)
	result := "success"
	if action == "fail" {
		result = "failure"
	}
	resp, _ := json.Marshal(map[string]any{"state": ch.State, "reason": reason, "proposer": ch.Proposer, "changes": audit.Diff(ch.Before, ch.Payload)})
	e := api.AuditEntry{
		ID:     fmt.Sprintf("orgboard-change-%d-%s", ch.ID, action),
		Action: api.AuditAction{Type: action, Result: result, Time: s.now().UTC(), Description: changeWhat(ch) + " " + pastOf(action) + " in the console"},
		Actor:  api.AuditActor{ID: id.TokenID, Email: id.Email, Type: "user", Context: "orgboard", IPAddress: c.RealIP()},
		Raw: api.AuditRaw{Method: c.Request().Method, URI: c.Request().URL.RequestURI(), StatusCode: http.StatusOK, CFRayID: ray,
			UserAgent: c.Request().UserAgent()},
		Resource: api.AuditResource{ID: "change-" + strconv.FormatInt(ch.ID, 10), Type: "change", Request: ch.Payload, Response: resp,
			Scope: json.RawMessage(`{"id":"` + ch.Org + `","type":"organizations"}`)},
	}
	if err := s.audit.Index.Own(context.WithoutCancel(c.Request().Context()), ch.Org, e); err != nil {
		s.log.Error("the console's audit entry of a change", "change", ch.ID, "action", action, "error", err)
	}
}

func pastOf(action string) string {
	switch action {
	case "propose":
		return "proposed"
	case "approve":
		return "approved"
	case "reject":
		return "rejected"
	case "apply":
		return "applied"
	}
	return "failed at Cloudflare"
}

// changeWhat says what a change does, in words.
func changeWhat(ch changes.Change) string {
	var m changes.Member
	json.Unmarshal(ch.Payload, &m)
	switch ch.Kind {
	case changes.MemberAdd:
		return "Addition of member " + m.Email
	case changes.MemberRemove:
		return "Removal of member " + m.Email
	}
	return "Profile change"
}

// showChanges lists what waits for the viewer's decision, their own
// proposals and the recent decisions they may see.
func (s *Server) showChanges(c echo.Context) error {
	st := s.changeStore()
	if st == nil {
		return echo.ErrNotFound
	}
	all, err := s.readableOrgs(c)
	if err != nil {
		return err
	}
	ids := make([]string, len(all))
	for i, o := range all {
		ids[i] = o.ID
	}
	list, err := st.List(c.Request().Context(), ids, identity(c).Email, changesShown)
	if err != nil {
		return err
	}
	v := templates.ChangesView{Page: s.page(c, "Changes for approval"), Flash: flash(c.QueryParam("done"))}
	if person(c) == nil {
		v.Note = "Changes are proposed by people who sign in through the company's identity provider and may edit a profile or members but not approve it; those the delegation file gives the approve right decide them. You see those of the organizations your token reads."
	}
	for _, ch := range list {
		row := s.changeRow(c, ch)
		switch {
		case row.ApproveURL != "":
			v.Waiting = append(v.Waiting, row)
		case row.Own:
			v.Mine = append(v.Mine, row)
		case ch.State != changes.Pending:
			v.Decided = append(v.Decided, row)
		default:
			v.Decided = append(v.Decided, row) // pending, for someone else to decide
		}
	}
	return render(c, http.StatusOK, templates.Changes(v))
}

// flash is the message of a decision just made.
func flash(done string) string {
	switch done {
	case "applied":
		return "Approved: the change is applied at Cloudflare."
	case "rejected":
		return "Rejected: the proposer sees your reason."
	}
	return ""
}

// changeRow is a change as the viewer sees it, with the controls they may use.
func (s *Server) changeRow(c echo.Context, ch changes.Change) templates.ChangeRow {
	id := strconv.FormatInt(ch.ID, 10)
	r := templates.ChangeRow{ID: id, URL: route.Path(route.Change, id), Org: ch.OrgName, OrgURL: route.Path(route.Org, ch.Org), What: changeWhat(ch),
		Proposer: ch.Proposer, Created: localTime(ch.Created), CreatedISO: ch.Created.UTC().Format("2006-01-02T15:04:05Z"), Reason: ch.Reason,
		Own: strings.EqualFold(ch.Proposer, identity(c).Email), CSRF: s.csrf(c),
		AuditURL: auditURL("", url.Values{"q": {"resource:change-" + id + " since:90d"}})}
	r.State, r.StateKind = stateWords(ch.State)
	if ch.State != changes.Pending {
		r.Decider, r.Decided = ch.Decider, localTime(ch.Decided)
	}
	r.Diff, r.DiffNote = s.changeDiff(c, ch)
	if ch.State == changes.Pending && !r.Own {
		if p := person(c); p != nil {
			if o, err := s.getOrg(c, ch.Org); err == nil && s.mayApprove(c, p, o) {
				r.ApproveURL, r.RejectURL = route.Path(route.ChangeApprove, id), route.Path(route.ChangeReject, id)
			}
		}
	}
	return r
}

func stateWords(st changes.State) (string, string) {
	switch st {
	case changes.Pending:
		return "Waiting for approval", "wait"
	case changes.Approved:
		return "Approved, being applied", "wait"
	case changes.Applied:
		return "Applied", "ok"
	case changes.Rejected:
		return "Rejected", "bad"
	}
	return "Refused by Cloudflare", "bad"
}

// changeDiff is a profile change against the organization's profile as it
// is now (or, decided, against what it replaced); a member change's fields.
func (s *Server) changeDiff(c echo.Context, ch changes.Change) ([]templates.Change, string) {
	if ch.Kind != changes.Profile {
		return toChanges(audit.Diff(nil, ch.Payload)), ""
	}
	if ch.State != changes.Pending {
		return toChanges(audit.Diff(ch.Before, ch.Payload)), "Against the profile it replaced."
	}
	now, err := s.getProfile(c, ch.Org)
	if err != nil {
		return toChanges(audit.Diff(ch.Before, ch.Payload)), "Against the profile when it was proposed: the profile now could not be read."
	}
	b, _ := json.Marshal(now)
	if orgs.ProfileMark(now) != ch.Base {
		return toChanges(audit.Diff(b, ch.Payload)), "Against the profile now, which changed since the proposal."
	}
	return toChanges(audit.Diff(b, ch.Payload)), "Against the profile now."
}

// fieldNames are a change's fields as the forms name them.
var fieldNames = map[string]string{"business_name": "Business name", "business_email": "Business email", "business_phone": "Business phone",
	"business_address": "Business address", "external_metadata": "External metadata", "email": "E-mail", "status": "Status", "member_id": "Member ID"}

// toChanges writes a diff for people: fields by their names, values as text.
func toChanges(d []audit.Change) []templates.Change {
	out := make([]templates.Change, len(d))
	for i, ch := range d {
		out[i] = templates.Change{Path: firstNonEmpty(fieldNames[ch.Path], ch.Path), Before: asText(ch.Before), After: asText(ch.After)}
	}
	return out
}

// asText is a JSON value as text: a string without its quotes.
func asText(v string) string {
	var s string
	if json.Unmarshal([]byte(v), &s) == nil {
		return s
	}
	return v
}

// changeOf reads the change of the path, among those the viewer may see.
func (s *Server) changeOf(c echo.Context) (changes.Change, error) {
	st := s.changeStore()
	if st == nil {
		return changes.Change{}, echo.ErrNotFound
	}
	n, err := strconv.ParseInt(c.Param("change"), 10, 64)
	if err != nil {
		return changes.Change{}, &userError{status: http.StatusNotFound, title: "Not found", message: "No such change."}
	}
	ch, err := st.Get(c.Request().Context(), n)
	if errors.Is(err, changes.ErrNotFound) {
		return ch, &userError{status: http.StatusNotFound, title: "Not found", message: "No such change."}
	}
	if err != nil {
		return ch, err
	}
	if !strings.EqualFold(ch.Proposer, identity(c).Email) {
		if _, err := s.getOrg(c, ch.Org); err != nil { // the organization is theirs to see, or the change is not
			return ch, &userError{status: http.StatusNotFound, title: "Not found", message: "No such change."}
		}
	}
	return ch, nil
}

func (s *Server) showChange(c echo.Context) error {
	ch, err := s.changeOf(c)
	if err != nil {
		return err
	}
	v := templates.ChangeView{Page: s.page(c, "Change #"+c.Param("change")), Row: s.changeRow(c, ch), Flash: flash(c.QueryParam("done"))}
	return render(c, http.StatusOK, templates.ChangePage(v))
}

// decider checks that the viewer may decide ch: a person with the approve
// right on its organization who did not propose it.
func (s *Server) decider(c echo.Context, ch changes.Change) error {
	p := person(c)
	if p == nil {
		return &userError{status: http.StatusForbidden, title: "Not yours to decide",
			message: "Changes are approved by people the console's delegation file gives the approve right, signed in through the identity provider."}
	}
	if strings.EqualFold(ch.Proposer, p.Email) {
		return &userError{status: http.StatusForbidden, title: "Not yours to decide",
			message: "You proposed this change: someone else who may approve it must decide it. That is the point of a second pair of eyes."}
	}
	o, err := s.getOrg(c, ch.Org)
	if err != nil {
		return err
	}
	if !s.mayApprove(c, p, o) {
		return &userError{status: http.StatusForbidden, title: "Not yours to decide",
			message: "The console's delegation file does not give you the approve right on " + o.Name + "."}
	}
	if ch.State != changes.Pending {
		return &userError{status: http.StatusConflict, title: "Decided already",
			message: "This change was decided already: " + strings.ToLower(first(stateWords(ch.State))) + " by " + ch.Decider + "."}
	}
	return nil
}

func first(a, _ string) string { return a }

// rejectChange rejects a change with a reason.
func (s *Server) rejectChange(c echo.Context) error {
	ch, err := s.changeOf(c)
	if err != nil {
		return err
	}
	if err := s.decider(c, ch); err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 500 || strings.ContainsFunc(reason, func(r rune) bool { return r < ' ' }) {
		row := s.changeRow(c, ch)
		row.RejectReason = c.FormValue("reason") // kept as typed, to mend
		v := templates.ChangeView{Page: s.page(c, "Change #"+c.Param("change")), Row: row,
			Error: "Say why it is rejected, on one line of at most 500 characters: the proposer reads it."}
		return render(c, http.StatusUnprocessableEntity, templates.ChangePage(v))
	}
	moved, err := s.changeStore().Move(c.Request().Context(), ch.ID, changes.Pending, changes.Rejected, identity(c).Email, reason, "", s.now().UTC())
	if err != nil {
		return err
	}
	if !moved {
		return &userError{status: http.StatusConflict, title: "Decided already", message: "Someone decided this change at the same moment. Nothing was done."}
	}
	ch.State = changes.Rejected
	s.changeEntry(c, ch, "reject", reason, "")
	return redirect(c, withQuery(route.Path(route.Change, c.Param("change")), url.Values{"done": {"rejected"}}))
}

// approveChange applies a change with the console's token, after checking
// that the organization is as it was proposed against (else the approver
// sees both versions and approves against the new one).
func (s *Server) approveChange(c echo.Context) error {
	ch, err := s.changeOf(c)
	if err != nil {
		return err
	}
	if err := s.decider(c, ch); err != nil {
		return err
	}
	ctx := c.Request().Context()
	base, send := ch.Base, ch
	if ch.Kind == changes.Profile {
		now, err := s.client(c).GetProfile(ctx, ch.Org) // fresh: the conflict check must not read a cached profile
		if err != nil {
			return err
		}
		// the fields the proposal changes, on the profile as it is now:
		// what others changed meanwhile in other fields stays
		var before, proposed api.Profile
		if err := errors.Join(json.Unmarshal(ch.Before, &before), json.Unmarshal(ch.Payload, &proposed)); err != nil {
			return err
		}
		merged, _ := json.Marshal(orgs.MergeProfile(before, proposed, now))
		send.Payload = merged
		mark := orgs.ProfileMark(now)
		if mark != ch.Base && c.FormValue("base") != mark {
			b, _ := json.Marshal(now)
			row := s.changeRow(c, ch)
			row.Conflict = &templates.ChangeConflict{Since: toChanges(audit.Diff(ch.Before, b)), Now: toChanges(audit.Diff(b, merged)), Base: mark}
			return render(c, http.StatusConflict, templates.ChangePage(templates.ChangeView{Page: s.page(c, "Change #"+c.Param("change")), Row: row}))
		}
		base = mark
	}
	approver := identity(c).Email
	moved, err := s.changeStore().Move(ctx, ch.ID, changes.Pending, changes.Approved, approver, "", "", s.now().UTC())
	if err != nil {
		return err
	}
	if !moved {
		return &userError{status: http.StatusConflict, title: "Decided already", message: "Someone decided this change at the same moment. Nothing was done."}
	}
	ch.State, ch.Decider = changes.Approved, approver
	s.changeEntry(c, ch, "approve", "", "")
	rctx, ray := api.WithRay(context.WithoutCancel(ctx)) // applied whatever the approver's browser does now
	err = s.apply(c, rctx, send)
	s.wrote(c)
	if err != nil {
		reason := "Cloudflare refused it: " + firstNonEmpty(problemOf(err), err.Error())
		if _, merr := s.changeStore().Move(ctx, ch.ID, changes.Approved, changes.Failed, "", reason, ray(), s.now().UTC()); merr != nil {
			return merr
		}
		ch.State = changes.Failed
		s.changeEntry(c, ch, "fail", reason, ray())
		row := s.changeRow(c, ch)
		return render(c, http.StatusBadGateway, templates.ChangePage(templates.ChangeView{Page: s.page(c, "Change #"+c.Param("change")), Row: row,
			Error: reason + " The change is closed; propose it again once the cause is fixed."}))
	}
	if _, err := s.changeStore().Move(ctx, ch.ID, changes.Approved, changes.Applied, "", "", ray(), s.now().UTC()); err != nil {
		return err
	}
	ch.State = changes.Applied
	s.changeEntry(c, ch, "apply", "", ray())
	s.log.Info("a change was applied", "change", ch.ID, "org", ch.Org, "proposer", ch.Proposer, "approver", approver, "base", base)
	return redirect(c, withQuery(route.Path(route.Change, c.Param("change")), url.Values{"done": {"applied"}}))
}

// apply sends a change with the console's token.
func (s *Server) apply(c echo.Context, ctx context.Context, ch changes.Change) error {
	client := s.clientFor(s.serviceToken())
	switch ch.Kind {
	case changes.Profile:
		var p api.Profile
		if err := json.Unmarshal(ch.Payload, &p); err != nil {
			return err
		}
		return client.UpdateProfile(ctx, ch.Org, p)
	case changes.MemberAdd:
		var m changes.Member
		if err := json.Unmarshal(ch.Payload, &m); err != nil {
			return err
		}
		_, err := client.AddMember(ctx, ch.Org, api.MemberInput{Email: m.Email, Status: m.Status})
		return err
	case changes.MemberRemove:
		var m changes.Member
		if err := json.Unmarshal(ch.Payload, &m); err != nil {
			return err
		}
		return client.RemoveMember(ctx, ch.Org, m.ID)
	}
	return fmt.Errorf("a change of an unknown kind %q", ch.Kind)
}

// problemOf is Cloudflare's refusal in words, or "".
func problemOf(err error) string {
	if msg, ok := formProblem(err); ok {
		return msg
	}
	return ""
}
