package localapi

import (
	"strings"
	"testing"

	"orgboard/internal/api"
)

// Every tenant flag the overview shows is honoured: no child under an
// organization whose sub_org_creation is disabled, no member change where
// member_management is disabled; both answer Cloudflare's error envelope
// and change nothing.
func TestTenantFlagsAreHonoured(t *testing.T) {
	e := newEnv(t)
	admin := e.client(DemoAdminToken)
	pp, brazil := e.org("Payments Platform"), e.org("Brazil")
	if f := pp.Meta.Tenant(); f == nil || f.SubOrgCreation != "disabled" {
		t.Fatalf("the seed's Payments Platform: %+v", f)
	}
	status, body, _ := e.raw("POST", "/organizations", DemoAdminToken, strings.NewReader(`{"name":"Not here","parent":{"id":"`+pp.ID+`"}}`))
	if status != 400 || !strings.Contains(body, `"success":false`) || !strings.Contains(body, "sub-organization creation is disabled") {
		t.Errorf("a child under sub_org_creation disabled: %d %s", status, body)
	}
	kids, err := admin.ListOrganizations(bg, api.ListOrganizationsParams{ParentID: pp.ID})
	if err != nil || slicesHasName(kids.Items, "Not here") {
		t.Errorf("the refused child exists: %v", err)
	}
	if f := brazil.Meta.Tenant(); f == nil || f.MemberManagement != "disabled" {
		t.Fatalf("the seed's Brazil: %+v", f)
	}
	before, _ := admin.ListMembers(bg, brazil.ID, api.ListMembersParams{})
	if _, err := admin.AddMember(bg, brazil.ID, api.MemberInput{Email: "new@northwind.example", Status: api.MemberActive}); api.StatusCode(err) != 400 ||
		!strings.Contains(err.Error(), "member management is disabled") {
		t.Errorf("a member added where member_management is disabled: %v", err)
	}
	if len(before.Items) > 0 {
		if err := admin.RemoveMember(bg, brazil.ID, before.Items[0].ID); api.StatusCode(err) != 400 {
			t.Errorf("a member removed where member_management is disabled: %v", err)
		}
	}
	after, _ := admin.ListMembers(bg, brazil.ID, api.ListMembersParams{})
	if after.TotalSize != before.TotalSize {
		t.Errorf("members %d, were %d", after.TotalSize, before.TotalSize)
	}
}

func slicesHasName(orgs []api.Organization, name string) bool {
	for _, o := range orgs {
		if o.Name == name {
			return true
		}
	}
	return false
}

// A token reads its own policies (its role as permission groups, its
// grants as organization resources), and no other token.
func TestTokenReadsItsOwnPolicies(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		token  string
		groups string
	}{
		{DemoViewerToken, "Organization Read"},
		{DemoEditorToken, "Organization Read,Organization Profile Write,Organization Members Write"},
		{DemoAdminToken, "Organization Read,Organization Write"},
	} {
		cl := e.client(c.token)
		st, err := cl.VerifyToken(bg)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cl.GetToken(bg, st.ID)
		if err != nil || len(tok.Policies) != 1 {
			t.Fatalf("%s: %+v %v", c.token, tok, err)
		}
		var names []string
		for _, g := range tok.Policies[0].PermissionGroups {
			names = append(names, g.Name)
		}
		if got := strings.Join(names, ","); got != c.groups || tok.Policies[0].Effect != "allow" || len(tok.Policies[0].Resources) != 1 {
			t.Errorf("%s: groups %q, policy %+v", c.token, got, tok.Policies[0])
		}
		for k := range tok.Policies[0].Resources {
			if !strings.HasPrefix(k, "com.cloudflare.api.organization.") {
				t.Errorf("%s: resource %q", c.token, k)
			}
		}
	}
	admin, _ := e.client(DemoAdminToken).VerifyToken(bg)
	if _, err := e.client(DemoViewerToken).GetToken(bg, admin.ID); !api.IsNotFound(err) {
		t.Errorf("the viewer read the admin's token: %v", err)
	}
}
