package access

import (
	"strings"

	"orgboard/internal/api"
)

// groupRights maps the permission groups that concern organizations to
// rights. Cloudflare's names for organization permissions are not yet
// published in full: an unknown group grants nothing, so the console never
// offers more than a token holds (spec: "Identity of the caller").
var groupRights = map[string]Right{
	"organization read":          View,
	"organization profile write": View | EditProfile,
	"organization members write": View | EditMembers,
	"organization write":         Admin | View | EditProfile | EditMembers,
	"organization admin":         Admin | View | EditProfile | EditMembers,
	"super administrator":        Admin | View | EditProfile | EditMembers,
}

// FromPolicies is what a token's policies grant on the organization whose
// chain (the organization first, then each ancestor up to its root) is
// given: a policy on an ancestor covers its descendants, a deny takes
// away what any allow gives.
func FromPolicies(policies []api.TokenPolicy, chain []string) Right {
	var allow, deny Right
	for _, p := range policies {
		if !covers(p, chain) {
			continue
		}
		var r Right
		for _, g := range p.PermissionGroups {
			r |= groupRights[strings.ToLower(strings.TrimSpace(g.Name))]
		}
		if strings.EqualFold(p.Effect, "deny") {
			deny |= r
		} else {
			allow |= r
		}
	}
	if deny&Admin != 0 {
		allow &^= Admin
	}
	return allow &^ (deny &^ Admin)
}

func covers(p api.TokenPolicy, chain []string) bool {
	if _, ok := p.Resources[api.OrganizationResource("*")]; ok {
		return true
	}
	for _, id := range chain {
		if _, ok := p.Resources[api.OrganizationResource(id)]; ok {
			return true
		}
	}
	return false
}
