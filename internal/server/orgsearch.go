// orgsearch.go finds organizations by name for the pickers (the tree's
// search, a move's destination).

package server

import (
	"net/http"
	"orgboard/internal/api"
	"orgboard/internal/route"
	"orgboard/web/templates"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

func searchQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > 100 || !utf8.ValidString(q) {
		return "", &userError{status: http.StatusBadRequest, title: "Search too long", message: "Search for at most 100 characters of a name."}
	}
	return q, nil
}

func (s *Server) searchNodes(c echo.Context, q string) (templates.TreeNodes, error) {
	page, err := s.listOrgs(c, api.ListOrganizationsParams{NameContains: q, PageParams: api.PageParams{PageSize: treePageSize}})
	if err != nil {
		return s.treeError(c, err)
	}
	n := templates.TreeNodes{Total: page.TotalSize}
	for _, o := range page.Items {
		node := treeNode(o, 1)
		if o.Parent != nil {
			node.ParentName = o.Parent.Name
		}
		n.Nodes = append(n.Nodes, node)
	}
	return n, nil
}

// treePageSize is how many siblings load at once.
const treePageSize = 100

func treeNode(o api.Organization, level int) templates.TreeNode {
	return templates.TreeNode{ID: o.ID, Name: o.Name, URL: route.Path(route.Org, o.ID), Level: level, ChildrenURL: treeChildrenURL(o.ID, level+1, "")}
}

// treeError shows a failed listing in place; a refused token is not a
// listing problem, so it goes to the error handler to end the session.
func (s *Server) treeError(c echo.Context, err error) (templates.TreeNodes, error) {
	alert, err := inlineAlert(c, err)
	return templates.TreeNodes{Error: alert}, err
}
