// tree.go is the organization tree and its name search.

package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
	"orgboard/web/templates"
)

func (s *Server) showTree(c echo.Context) error {
	q, err := searchQuery(c.QueryParam("q"))
	if err != nil {
		return err
	}
	v := templates.TreeView{Page: s.page(c, "Organizations"), Query: q}
	if q != "" {
		v.Roots, err = s.searchNodes(c, q)
	} else {
		v.Roots, err = s.topNodes(c)
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.TreePage(v))
}

// topNodes are the roots; a token that sees no root (scoped to a team) gets
// the organizations whose parent it cannot see instead.
func (s *Server) topNodes(c echo.Context) (templates.TreeNodes, error) {
	n, err := s.childNodes(c, api.ParentNull, "", 1)
	if err != nil || n.Error != nil || len(n.Nodes) > 0 {
		return n, err
	}
	all, err := s.readableOrgs(c) // every page of them, however many
	if err != nil {
		return s.treeError(c, err)
	}
	visible := map[string]bool{}
	for _, o := range all {
		visible[o.ID] = true
	}
	for _, o := range all {
		if o.Parent == nil || !visible[o.Parent.ID] {
			n.Nodes = append(n.Nodes, treeNode(o, 1))
		}
	}
	n.Total = len(n.Nodes)
	s.markLeaves(c, n.Nodes)
	return n, nil
}

// markLeaves marks the nodes without sub-organizations, from the listing of
// every organization the token reads (kept with the user's reads, shared
// with the audit scope); when that cannot be read, every node keeps its
// arrow and says so when opened.
func (s *Server) markLeaves(c echo.Context, nodes []templates.TreeNode) {
	all, err := s.readableOrgs(c)
	if err != nil || len(all) >= maxReadableOrgs {
		return
	}
	parents := map[string]bool{}
	for _, o := range all {
		if o.Parent != nil {
			parents[o.Parent.ID] = true
		}
	}
	for i := range nodes {
		nodes[i].Leaf = !parents[nodes[i].ID]
	}
}

// childNodes lists one page of an organization's children.
func (s *Server) childNodes(c echo.Context, parent, token string, level int) (templates.TreeNodes, error) {
	page, err := s.listOrgs(c, api.ListOrganizationsParams{ParentID: parent, PageParams: api.PageParams{PageSize: treePageSize, PageToken: token}})
	if err != nil {
		return s.treeError(c, err)
	}
	n := templates.TreeNodes{Level: level, Total: page.TotalSize, MoreID: "more-root", First: token == ""}
	if parent != api.ParentNull {
		n.Parent, n.MoreID = parent, "more-"+parent
	}
	if page.NextPageToken != "" {
		n.MoreURL = treeChildrenURL(parent, level, page.NextPageToken)
	}
	for _, o := range page.Items {
		n.Nodes = append(n.Nodes, treeNode(o, level))
	}
	s.markLeaves(c, n.Nodes)
	return n, nil
}

// treeChildren answers a node's expansion (or "show more").
func (s *Server) treeChildren(c echo.Context) error {
	parent, token := c.QueryParam("parent"), c.QueryParam("page_token")
	level, err := strconv.Atoi(c.QueryParam("level"))
	if (!api.ValidID(parent) && parent != api.ParentNull) || err != nil || level < 1 || level > 64 || len(token) > 1024 {
		return &userError{status: http.StatusBadRequest, title: "Bad tree request", message: "The tree request names no valid organization."}
	}
	n, err := s.childNodes(c, parent, token, level)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.TreeChildren(n))
}

func (s *Server) searchTree(c echo.Context) error {
	q, err := searchQuery(c.QueryParam("q"))
	if err != nil {
		return err
	}
	if q == "" {
		n, err := s.topNodes(c)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, templates.TreeRoot(n))
	}
	n, err := s.searchNodes(c, q)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, templates.TreeSearchResults(n, q))
}
