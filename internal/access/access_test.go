package access

import (
	"encoding/json"
	"testing"

	"orgboard/internal/api"
)

func TestDecide(t *testing.T) {
	admin := Grant{Rights: Admin | View, Known: true, Source: "your token's permissions"}
	editor := Grant{Rights: View | EditProfile | EditMembers, Known: true, Source: "your token's permissions"}
	viewer := Grant{Rights: View, Known: true, Source: "your token's permissions"}
	all := []Kind{Profile, Members, Organize, Create, MoveAccounts, Settings}
	for _, c := range []struct {
		name string
		f    Facts
		want []Kind
	}{
		{"admin", Facts{Grant: admin}, all},
		{"editor", Facts{Grant: editor}, []Kind{Profile, Members}},
		{"viewer", Facts{Grant: viewer}, nil},
		{"viewer listed in --console-admins", Facts{Grant: viewer, ConsoleAdmin: true}, []Kind{Settings}},
		{"unknown: Cloudflare decides, settings refused", Facts{}, []Kind{Profile, Members, Organize, Create, MoveAccounts}},
		{"admin under disabled flags", Facts{Grant: admin, Flags: Flags{SubOrgCreation: "disabled", AccountMobility: "disabled", MemberManagement: "disabled"}},
			[]Kind{Profile, Organize, Settings}},
		{"admin, mobility not reported", Facts{Grant: admin, Flags: Flags{AccountMobility: ""}}, all},
		{"editor refused a rename keeps its kinds", Facts{Grant: editor, Refused: map[Kind]bool{Organize: true}}, []Kind{Profile, Members}},
		{"admin refused a create loses organizing only", Facts{Grant: admin, Refused: map[Kind]bool{Create.Refused(): true}}, []Kind{Profile, Members, MoveAccounts, Settings}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(c.f)
			want := map[Kind]bool{}
			for _, k := range c.want {
				want[k] = true
			}
			for _, k := range all {
				if got.May(k) != want[k] {
					t.Errorf("kind %d: may %v, want %v", k, got.May(k), want[k])
				}
				if !got.May(k) && got.Why(k) == "" {
					t.Errorf("kind %d is not offered and nothing says why", k)
				}
			}
		})
	}
}

func TestFromPolicies(t *testing.T) {
	star := json.RawMessage(`"*"`)
	pol := func(effect string, groups []string, orgs ...string) api.TokenPolicy {
		p := api.TokenPolicy{Effect: effect, Resources: map[string]json.RawMessage{}}
		for _, g := range groups {
			p.PermissionGroups = append(p.PermissionGroups, api.PermissionGroup{Name: g})
		}
		for _, o := range orgs {
			p.Resources[api.OrganizationResource(o)] = star
		}
		return p
	}
	chain := []string{"team", "division", "root"}
	for _, c := range []struct {
		name     string
		policies []api.TokenPolicy
		want     Right
	}{
		{"admin of the root covers the team", []api.TokenPolicy{pol("allow", []string{"Organization Write"}, "root")}, Admin | View | EditProfile | EditMembers},
		{"a grant elsewhere covers nothing", []api.TokenPolicy{pol("allow", []string{"Organization Write"}, "other")}, 0},
		{"read and profile", []api.TokenPolicy{pol("allow", []string{"Organization Read", "Organization Profile Write"}, "division")}, View | EditProfile},
		{"a deny takes away", []api.TokenPolicy{pol("allow", []string{"Organization Write"}, "root"), pol("deny", []string{"Organization Write"}, "team")}, 0},
		{"an unknown group grants nothing", []api.TokenPolicy{pol("allow", []string{"Zone Read", "DNS Write"}, "root")}, 0},
		{"every organization", []api.TokenPolicy{pol("allow", []string{"organization read"}, "*")}, View},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FromPolicies(c.policies, chain); got != c.want {
				t.Errorf("rights %04b, want %04b", got, c.want)
			}
		})
	}
}
