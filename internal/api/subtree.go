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
