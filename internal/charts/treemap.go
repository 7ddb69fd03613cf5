// treemap.go builds the showback's treemap: an organization's subtree,
// each rectangle a sub-organization's whole cost, drilling down on click.
// go-echarts' treemap keeps whole numbers only, so the options are
// written here, in echarts' own shape.

package charts

import "encoding/json"

// TreeNode is one organization of the treemap: its subtree's value and
// its sub-organizations (its own accounts are a child of their own).
type TreeNode struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Value    float64    `json:"value"`
	Children []TreeNode `json:"children,omitempty"`
}

type treemapOptions struct {
	Tooltip struct {
		Show    bool   `json:"show"`
		Trigger string `json:"trigger"`
	} `json:"tooltip"`
	Series []treemapSeries `json:"series"`
}

type treemapSeries struct {
	Type       string     `json:"type"`
	Name       string     `json:"name"`
	Data       []TreeNode `json:"data"`
	LeafDepth  int        `json:"leafDepth"`
	NodeClick  string     `json:"nodeClick"`
	Roam       bool       `json:"roam"`
	Breadcrumb struct {
		Show   bool   `json:"show"`
		Bottom string `json:"bottom"`
	} `json:"breadcrumb"`
	UpperLabel struct {
		Show   bool `json:"show"`
		Height int  `json:"height"`
	} `json:"upperLabel"`
	Top    string `json:"top"`
	Bottom string `json:"bottom"`
	Left   string `json:"left"`
	Right  string `json:"right"`
}

// Treemap draws nodes one level at a time; a click on a rectangle zooms
// into that sub-organization's own subtree, the breadcrumb goes back.
func Treemap(name string, nodes []TreeNode) (json.RawMessage, error) {
	var o treemapOptions
	o.Tooltip.Show, o.Tooltip.Trigger = true, "item"
	s := treemapSeries{Type: "treemap", Name: name, Data: rounded(nodes), LeafDepth: 1, NodeClick: "zoomToNode",
		Top: "8", Bottom: "40", Left: "8", Right: "8"}
	s.Breadcrumb.Show, s.Breadcrumb.Bottom = true, "4"
	s.UpperLabel.Show, s.UpperLabel.Height = true, 22
	o.Series = []treemapSeries{s}
	return json.Marshal(o)
}

func rounded(nodes []TreeNode) []TreeNode {
	out := make([]TreeNode, len(nodes))
	for i, n := range nodes {
		out[i] = TreeNode{ID: n.ID, Name: n.Name, Value: round(n.Value), Children: rounded(n.Children)}
	}
	return out
}
