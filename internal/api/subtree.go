// subtree.go finds an organization's descendants among a listing.

package api

// Subtree is root followed by its descendants among orgs (an organization
// list the token may read), breadth first; inReach reports whether root
// itself is among them.
func Subtree(orgs []Organization, root string) (ids []string, inReach bool) {
	children := map[string][]string{}
	for _, o := range orgs {
		inReach = inReach || o.ID == root
		if o.Parent != nil {
			children[o.Parent.ID] = append(children[o.Parent.ID], o.ID)
		}
	}
	ids = []string{root}
	for i := 0; i < len(ids) && len(ids) <= len(orgs)+1; i++ {
		ids = append(ids, children[ids[i]]...)
	}
	return ids, inReach
}

// Innermost is the organization of a chain that no other names as its
// parent: the one holding the account among what containing.account lists
// (the organization and each above it). Nil when orgs is empty.
func Innermost(orgs []Organization) *Organization {
	parents := map[string]bool{}
	for _, o := range orgs {
		if o.Parent != nil {
			parents[o.Parent.ID] = true
		}
	}
	for i := range orgs {
		if !parents[orgs[i].ID] {
			return &orgs[i]
		}
	}
	return nil
}
