package localapi

import (
	"strings"
	"testing"

	"orgboard/internal/api"
)

// PUT keeps what its body leaves out: a name-only update (the SDK's own
// use) neither moves the organization nor clears its profile; an explicit
// null parent makes a root, an explicit null profile clears it.
func TestUpdateKeepsWhatTheBodyLeavesOut(t *testing.T) {
	e := newEnv(t)
	c := e.client(DemoAdminToken)
	gw := e.org("Payments Gateway")
	profile := api.Profile{BusinessName: "Gateway GmbH", BusinessEmail: "gw@example.com"}
	if err := c.UpdateProfile(bg, gw.ID, profile); err != nil {
		t.Fatal(err)
	}
	status, body, _ := e.raw("PUT", "/organizations/"+gw.ID, DemoAdminToken, strings.NewReader(`{"name":"Gateway"}`))
	if status != 200 {
		t.Fatalf("name-only PUT: %d %s", status, body)
	}
	o, err := c.GetOrganization(bg, gw.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "Gateway" || o.Parent == nil || o.Parent.ID != gw.Parent.ID || o.Profile == nil || *o.Profile != profile {
		t.Errorf("after a name-only PUT: name %q, parent %+v, profile %+v", o.Name, o.Parent, o.Profile)
	}
	status, body, _ = e.raw("PUT", "/organizations/"+gw.ID, DemoAdminToken, strings.NewReader(`{"name":"Gateway","profile":null}`))
	if o, _ := c.GetOrganization(bg, gw.ID); status != 200 || o.Profile != nil || o.Parent == nil {
		t.Errorf("PUT with profile null: %d %s, profile %+v, parent %+v", status, body, o.Profile, o.Parent)
	}
	status, body, _ = e.raw("PUT", "/organizations/"+gw.ID, DemoAdminToken, strings.NewReader(`{"name":"Gateway","parent":null}`))
	if o, _ := c.GetOrganization(bg, gw.ID); status != 200 || o.Parent != nil {
		t.Errorf("PUT with parent null: %d %s, parent %+v", status, body, o.Parent)
	}
	if status, _, _ := e.raw("PUT", "/organizations/"+gw.ID, DemoAdminToken, strings.NewReader(`{"parent":null}`)); status != 400 {
		t.Errorf("PUT without a name: %d, want 400", status)
	}
}

// meta.hierarchy_tags is the chain of tags from the root down to the
// organization itself, and follows a move.
func TestHierarchyTagsAreTheChainFromTheRoot(t *testing.T) {
	e := newEnv(t)
	c := e.client(DemoAdminToken)
	root, gw, risk := e.org("Northwind Holdings"), e.org("Payments Gateway"), e.org("Payments Risk")
	if got := root.Meta.HierarchyTags; len(got) != 1 || got[0] != root.ID {
		t.Errorf("a root's tags %v, want [%s]", got, root.ID)
	}
	chain := func(id string) []string {
		var out []string
		for id != "" {
			out = append([]string{id}, out...)
			o, err := c.GetOrganization(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			id = ""
			if o.Parent != nil {
				id = o.Parent.ID
			}
		}
		return out
	}
	if got, want := gw.Meta.HierarchyTags, chain(gw.ID); strings.Join(got, ",") != strings.Join(want, ",") || got[0] != root.ID || len(got) < 3 {
		t.Errorf("tags %v, want the chain %v", got, want)
	}
	moved, err := c.UpdateOrganization(bg, gw.ID, api.OrganizationInput{Name: gw.Name, Parent: &api.OrganizationRef{ID: risk.ID}})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string(nil), risk.Meta.HierarchyTags...), gw.ID)
	if strings.Join(moved.Meta.HierarchyTags, ",") != strings.Join(want, ",") {
		t.Errorf("after the move: %v, want %v", moved.Meta.HierarchyTags, want)
	}
}
