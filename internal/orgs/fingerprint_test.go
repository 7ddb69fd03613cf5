package orgs

import (
	"testing"

	"orgboard/internal/api"
)

// A mark changes exactly when what its form showed changes: a rename
// elsewhere makes a move's form stale only if the parent changed too.
func TestMarks(t *testing.T) {
	a := api.Organization{ID: "o1", Name: "Payments", Parent: &api.OrganizationRef{ID: "p1"}}
	renamed, moved, root := a, a, a
	renamed.Name = "Payments Platform"
	moved.Parent = &api.OrganizationRef{ID: "p2"}
	root.Parent = nil
	for _, c := range []struct {
		what       string
		shown, now string
		stale      bool
	}{
		{"the same name", NameMark(a), NameMark(moved), false},
		{"a new name", NameMark(a), NameMark(renamed), true},
		{"the same parent", ParentMark(a), ParentMark(renamed), false},
		{"a new parent", ParentMark(a), ParentMark(moved), true},
		{"moved to the root", ParentMark(a), ParentMark(root), true},
		{"a name is no parent", NameMark(api.Organization{Name: "p1"}), ParentMark(a), true},
	} {
		if got := Stale(c.shown, c.now); got != c.stale {
			t.Errorf("%s: stale %v, want %v", c.what, got, c.stale)
		}
	}
	p := api.Profile{BusinessName: "Northwind", BusinessEmail: "a@example.com"}
	q := p
	q.BusinessPhone = "+1 415 555 0100"
	same := p
	if Stale(ProfileMark(p), ProfileMark(same)) || !Stale(ProfileMark(p), ProfileMark(q)) {
		t.Error("a profile's mark does not follow its fields")
	}
}
