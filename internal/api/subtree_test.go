package api

import (
	"slices"
	"testing"
)

func TestSubtree(t *testing.T) {
	org := func(id, parent string) Organization {
		o := Organization{ID: id}
		if parent != "" {
			o.Parent = &OrganizationRef{ID: parent}
		}
		return o
	}
	orgs := []Organization{org("r", ""), org("a", "r"), org("b", "r"), org("a1", "a"), org("x", "")}
	if got, in := Subtree(orgs, "r"); !in || !slices.Equal(got, []string{"r", "a", "b", "a1"}) {
		t.Errorf("subtree of r: %v %v", got, in)
	}
	if got, in := Subtree(orgs, "a1"); !in || !slices.Equal(got, []string{"a1"}) {
		t.Errorf("a leaf: %v %v", got, in)
	}
	if _, in := Subtree(orgs, "elsewhere"); in {
		t.Error("an organization out of reach is in reach")
	}
}
