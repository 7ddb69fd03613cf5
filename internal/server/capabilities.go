// capabilities.go learns, before any click, what the signed-in person may do
// on an organization: the token's own policies where the token may read
// them, else the person's membership (every organization member is a Super
// Administrator), the tenant flags, --console-admins, and the refusals met
// this session. access.Decide turns these into one value per request and
// organization.

package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/web/templates"
)

// refusalMemory is how long a refusal narrows its kind (a session's longest life).
const refusalMemory = 12 * time.Hour

// tokenPolicies is what GET /user/tokens/{id} told; readable false when the
// token may not read itself.
type tokenPolicies struct {
	readable bool
	policies []api.TokenPolicy
}

// caps is what the request's person may do on org, computed once per request.
func (s *Server) caps(c echo.Context, org api.Organization) access.Caps {
	key := "caps " + org.ID
	if v, ok := c.Get(key).(access.Caps); ok {
		return v
	}
	grant, unsure := s.grant(c, org)
	if unsure != nil {
		c.Set("caps unsure "+org.ID, unsure)
	}
	f := access.Facts{Grant: grant, ConsoleAdmin: s.consoleAdmin(c), Refused: map[access.Kind]bool{}}
	if fl := org.Meta.Tenant(); fl != nil {
		f.Flags = access.Flags{SubOrgCreation: fl.SubOrgCreation, AccountMobility: fl.AccountMobility, MemberManagement: fl.MemberManagement}
	}
	for k := range access.Settings + 1 {
		f.Refused[k] = s.cache.has(s.refusals(c), refusalKey(org.ID, k))
	}
	v := access.Decide(f)
	c.Set(key, v)
	return v
}

// capsOf reads the organization (through the cache) and its capabilities.
func (s *Server) capsOf(c echo.Context, id string) (api.Organization, access.Caps, error) {
	org, err := s.getOrg(c, id)
	if err != nil {
		return org, access.Caps{}, err
	}
	return org, s.caps(c, org), nil
}

// consoleAdmin reports whether the person is one of --console-admins.
func (s *Server) consoleAdmin(c echo.Context) bool {
	email := strings.ToLower(identity(c).Email)
	return email != "" && slices.Contains(s.cfg.ConsoleAdmins, email)
}

// grant is what the person holds on org: from the token's policies when the
// token may read them, else from membership of org or an ancestor. unsure
// is the upstream failure (not a refusal) that left it unknown, if any.
func (s *Server) grant(c echo.Context, org api.Organization) (g access.Grant, unsure error) {
	if p := person(c); p != nil {
		return s.personGrant(c, p, org), nil
	}
	chain := s.chain(c, org)
	pol, err := read(s, c, "token policies", func(ctx context.Context) (tokenPolicies, error) {
		t, err := s.client(c).GetToken(ctx, identity(c).TokenID)
		if err == nil {
			return tokenPolicies{readable: true, policies: t.Policies}, nil
		}
		switch api.StatusCode(err) {
		case http.StatusForbidden, http.StatusNotFound, http.StatusBadRequest:
			return tokenPolicies{}, nil // the token may not read itself: ask the membership
		}
		return tokenPolicies{}, err
	})
	if err == nil && pol.readable {
		return access.Grant{Rights: access.FromPolicies(pol.policies, chain), Known: true, Source: "your token's permissions"}, nil
	}
	unsure = err
	email := identity(c).Email
	if email == "" {
		return access.Grant{}, unsure
	}
	for _, id := range chain {
		member, err := read(s, c, "member of "+id, func(ctx context.Context) (bool, error) {
			page, err := s.client(c).ListMembers(ctx, id, api.ListMembersParams{UserEmail: email, Statuses: []string{api.MemberActive}, PageParams: api.PageParams{PageSize: 5}})
			if err != nil {
				return false, err
			}
			return slices.ContainsFunc(page.Items, func(m api.Member) bool { return strings.EqualFold(m.User.Email, email) }), nil
		})
		if err != nil {
			if api.IsForbidden(err) {
				return access.Grant{}, unsure
			}
			return access.Grant{}, err
		}
		if member {
			return access.Grant{Rights: access.Admin | access.View, Known: true, Source: "your membership"}, nil
		}
	}
	return access.Grant{Rights: access.View, Known: true, Source: "your membership (you are not a member of this organization or one above it)"}, nil
}

// chain is org's ID, then each ancestor's up to the root, read through the cache.
func (s *Server) chain(c echo.Context, org api.Organization) []string {
	ids := []string{org.ID}
	for p := org.Parent; p != nil && len(ids) < maxCrumbs; {
		ids = append(ids, p.ID)
		o, err := s.getOrg(c, p.ID)
		if err != nil {
			break
		}
		p = o.Parent
	}
	return ids
}

// refusals names where a person's refusals are kept: beside their reads,
// but not forgotten with them after a write.
func (s *Server) refusals(c echo.Context) string { return s.user(c) + " refusals" }

func refusalKey(org string, k access.Kind) string {
	return "refused " + org + " " + string(rune('0'+k))
}

// refused records a write of kind k that the API refused for lack of
// permission (narrowing that kind here for the session), and reports
// whether it was one.
func (s *Server) refused(c echo.Context, org string, k access.Kind, err error) bool {
	if !api.IsForbidden(err) {
		return false
	}
	s.cache.put(s.refusals(c), refusalKey(org, k.Refused()), true, refusalMemory)
	c.Set("caps "+org, nil)
	return true
}

// can is what templates read of a person's capabilities.
func can(v access.Caps) templates.Can {
	w := templates.Can{Profile: v.May(access.Profile), Members: v.May(access.Members), Organize: v.May(access.Organize),
		Create: v.May(access.Create), MoveAccounts: v.May(access.MoveAccounts), Settings: v.May(access.Settings)}
	w.Why = map[string]string{}
	for k, name := range map[access.Kind]string{access.Profile: "profile", access.Members: "members", access.Organize: "organize",
		access.Create: "create", access.MoveAccounts: "accounts", access.Settings: "settings"} {
		if why := v.Why(k); why != "" {
			w.Why[name] = why
		}
	}
	return w
}

// mayChangeSettings refuses a change of the console's own state of org
// (its budget, its rate card) to whoever may not administer it.
func (s *Server) mayChangeSettings(c echo.Context, org string) error {
	_, v, err := s.capsOf(c, org)
	if err != nil {
		return err
	}
	if unsure, _ := c.Get("caps unsure " + org).(error); unsure != nil && !v.May(access.Settings) {
		return unsure // Cloudflare did not answer: "unavailable, try again", never a refusal in its name
	}
	if !v.May(access.Settings) {
		return &userError{status: http.StatusForbidden, title: "Not permitted",
			message: "Nothing was changed. " + v.Why(access.Settings) + " " + access.SettingsRule}
	}
	return nil
}

// refusedMessage is a refused write in the console's words.
const refusedMessage = "Cloudflare refused this change: your API token may read this organization but not change it. Nothing was changed."
