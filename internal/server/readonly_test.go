package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"orgboard/internal/localapi"
	"orgboard/internal/testenv"
)

// A read-only token learns once: after a refused write, the organization's
// write controls and its sub-organizations' are gone with a note saying
// why, and the refusal is said in the console's words. Organizations above
// keep theirs: the refusal says nothing of them.
func TestARefusedWriteHidesTheWriteControls(t *testing.T) {
	e := testenv.New(t)
	viewer := e.SignedIn(localapi.DemoViewerToken)
	pp, gw, root := e.Org("Payments Platform"), e.Org("Payments Gateway"), e.Org("Northwind Holdings")
	before := viewer.Get("/orgs/" + pp.ID)
	contains(t, "before", before, `data-testid="rename-form"`, `data-testid="delete-start"`)

	r := viewer.HX("PUT", "/orgs/"+pp.ID, "rename-form", url.Values{"name": {"Nope"}, "fingerprint": {formFingerprint(t, before.Body, "rename-form")}})
	if r.Status != http.StatusForbidden || r.Header.Get("HX-Retarget") != "#manage" {
		t.Errorf("refused rename: %d, retarget %q", r.Status, r.Header.Get("HX-Retarget"))
	}
	contains(t, "refused rename", r, "may read this organization but not change it", `data-testid="readonly-note"`)
	for _, raw := range []string{"Unauthorized", "rename-form"} {
		if strings.Contains(r.Body, raw) {
			t.Errorf("the refusal holds %q", raw)
		}
	}
	for name, id := range map[string]string{"the organization": pp.ID, "its sub-organization": gw.ID} {
		page := viewer.Get("/orgs/" + id)
		contains(t, name, page, `data-testid="readonly-note"`, "hidden for the rest of your session")
		for _, control := range []string{`data-testid="rename-form"`, `data-testid="create-form"`, `data-testid="delete-start"`, `data-testid="move-form"`} {
			if strings.Contains(page.Body, control) {
				t.Errorf("%s still shows %s", name, control)
			}
		}
		members := viewer.Get("/orgs/" + id + "/members")
		if strings.Contains(members.Body, `data-testid="add-member-form"`) || strings.Contains(members.Body, `data-testid="member-remove"`) {
			t.Errorf("%s's members tab still offers to add or remove", name)
		}
		if profile := viewer.Get("/orgs/" + id + "/profile"); strings.Contains(profile.Body, `data-testid="profile-edit"`) {
			t.Errorf("%s's profile still offers Edit", name)
		}
	}
	if up := viewer.Get("/orgs/" + root.ID); !strings.Contains(up.Body, `data-testid="rename-form"`) {
		t.Error("the root lost its controls over a refusal below it")
	}

	// a refused member removal on another branch does the same there
	corp := e.Org("Corporate")
	list := viewer.Get("/orgs/" + corp.ID + "/members")
	member := regexpAttr(list.Body, `id="member-([0-9a-f]+)"`)
	if member == "" {
		t.Fatal("no member of Corporate")
	}
	r = viewer.HX("DELETE", "/orgs/"+corp.ID+"/members/"+member, "members-list", nil)
	if r.Status != http.StatusForbidden || r.Header.Get("HX-Retarget") != "#members-list" {
		t.Errorf("refused removal: %d, retarget %q", r.Status, r.Header.Get("HX-Retarget"))
	}
	contains(t, "refused removal", r, "may read this organization but not change it", `id="add-member" hx-swap-oob="true"`, `data-testid="readonly-note"`, `id="member-`+member)
	if strings.Contains(r.Body, `data-testid="member-remove"`) || strings.Contains(r.Body, `data-testid="add-member-form"`) {
		t.Error("the refused removal's answer still offers to add or remove")
	}
	// an administrator's session is not touched by the viewer's refusals
	admin := e.SignedIn(localapi.DemoAdminToken)
	contains(t, "admin", admin.Get("/orgs/"+pp.ID), `data-testid="rename-form"`)
}
