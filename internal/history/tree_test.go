package history

import (
	"encoding/json"
	"testing"
	"time"

	"orgboard/internal/api"
)

var t0 = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func TestAnAccountIsWhereItWasThatDay(t *testing.T) {
	tr := NewTree([]Event{
		{Kind: Account, ID: "a", At: day(0), Parent: "dp", Source: Seen},
		{Kind: Account, ID: "a", At: day(19), Parent: "analytics", Before: "dp", Source: Audit}, // moved 4 December
		{Kind: Account, ID: "b", At: day(20), Parent: "analytics", Before: "dp", Source: Audit}, // known only by its move
		{Kind: Account, ID: "c", At: day(20), Parent: "sec", Source: Seen},                      // seen once
	})
	for _, c := range []struct {
		acct string
		at   time.Time
		want string
	}{
		{"a", day(-30), "dp"}, // before anything is known: where it was first known
		{"a", day(5), "dp"},
		{"a", day(19).Add(-time.Microsecond), "dp"},
		{"a", day(19), "analytics"},
		{"a", day(40), "analytics"},
		{"b", day(-10), "dp"}, // before its move: the move's origin
		{"b", day(21), "analytics"},
		{"c", day(-100), "sec"},
	} {
		if got, ok := tr.Place(Account, c.acct, c.at); !ok || got != c.want {
			t.Errorf("%s at %v: %q %v, want %q", c.acct, c.at, got, ok, c.want)
		}
	}
	if _, ok := tr.Place(Account, "unknown", day(0)); ok {
		t.Error("an account never seen has a place")
	}
	if got := tr.MovedAccounts(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("moved accounts %v, want a and b (c never moved)", got)
	}
	if h := tr.Homes("a"); len(h) != 2 {
		t.Errorf("homes of a: %v", h)
	}
}

func TestADeletedOrganizationKeepsItsPlaceAndItsNearestSurvivor(t *testing.T) {
	tr := NewTree([]Event{
		{Kind: Org, ID: "team", At: day(0), Parent: "corp", Name: "Team", Source: Audit},
		{Kind: Org, ID: "sub", At: day(1), Parent: "team", Name: "Walk Test Org", Source: Audit},
		{Kind: Org, ID: "sub", At: day(2), Parent: "team", Name: "Walk Test Org renamed", Source: Audit},
		{Kind: Org, ID: "sub", At: day(3), Deleted: true, Parent: "team", Source: Audit},
		{Kind: Org, ID: "team", At: day(4), Deleted: true, Source: Audit}, // its parent is known from before
	})
	if got, ok := tr.Survivor("sub"); !ok || got != "corp" {
		t.Errorf("survivor of sub: %q %v, want corp (team was deleted too)", got, ok)
	}
	if got, ok := tr.Survivor("corp"); !ok || got != "corp" {
		t.Errorf("a living organization is its own survivor: %q %v", got, ok)
	}
	if got := tr.Name("sub"); got != "Walk Test Org renamed" {
		t.Errorf("name %q", got)
	}
	if p, _ := tr.Place(Org, "sub", day(10)); p != "team" {
		t.Errorf("a deleted organization stays where it last was: %q", p)
	}
	if d := tr.DeletedOrgs(); len(d) != 2 {
		t.Errorf("deleted %v", d)
	}
}

func entry(action, typ, org, res string, response any) *api.AuditEntry {
	e := &api.AuditEntry{ID: "e-" + action, Action: api.AuditAction{Type: action, Result: "success", Time: t0},
		Organization: api.OrganizationRef{ID: org}, Resource: api.AuditResource{ID: res, Product: "organizations", Type: typ}}
	if response != nil {
		e.Resource.Response, _ = json.Marshal(response)
	}
	return e
}

func TestEntriesSayWhatTheyMoved(t *testing.T) {
	created := api.Organization{ID: "sub", Name: "Walk Test Org", CreateTime: t0, Parent: &api.OrganizationRef{ID: "corp"}}
	evs := FromEntry(entry("create", "organization", "sub", "sub", created))
	if len(evs) != 1 || evs[0].Parent != "corp" || evs[0].Name != "Walk Test Org" || evs[0].Kind != Org {
		t.Errorf("create: %+v", evs)
	}
	evs = FromEntry(entry("delete", "organization", "corp", "sub", map[string]string{"id": "sub"}))
	if len(evs) != 1 || !evs[0].Deleted || evs[0].Parent != "corp" {
		t.Errorf("delete, from its parent's log: %+v", evs)
	}
	evs = FromEntry(entry("update", "account", "dp", "acct", api.AccountMove{AccountID: "acct", SourceOrganizationID: "dp", DestinationOrganizationID: "analytics"}))
	if len(evs) != 1 || evs[0].Kind != Account || evs[0].Before != "dp" || evs[0].Parent != "analytics" {
		t.Errorf("account move: %+v", evs)
	}
	// what is not an organization as the API answers it says nothing
	if evs := FromEntry(entry("update", "organization", "corp", "x", map[string]any{"id": "x", "name": "organization-x", "ttl": 60})); len(evs) != 0 {
		t.Errorf("an entry without an organization's shape: %+v", evs)
	}
	failed := entry("create", "organization", "sub", "sub", created)
	failed.Action.Result = "failure"
	if evs := FromEntry(failed); len(evs) != 0 {
		t.Errorf("a failed request: %+v", evs)
	}
}
