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
