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

func TestInnermost(t *testing.T) {
	org := func(id, parent string) Organization {
		o := Organization{ID: id}
		if parent != "" {
			o.Parent = &OrganizationRef{ID: parent}
		}
		return o
	}
	if got := Innermost([]Organization{org("r", ""), org("team", "div"), org("div", "r")}); got == nil || got.ID != "team" {
		t.Errorf("the chain's innermost: %v", got)
	}
	if Innermost(nil) != nil {
		t.Error("an empty listing holds an organization")
	}
}
