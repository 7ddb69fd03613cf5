// urls.go builds the console's own URLs.

package server

import (
	"net/url"
	"strconv"
)

// The console's own URLs are built here, with every value escaped, so
// that no handler or template pastes a value into an address.

// orgURL is an organization's page.
func orgURL(id string) string { return "/orgs/" + url.PathEscape(id) }

// treeChildrenURL loads a node's children (parent api.ParentNull: the
// roots), from pageToken on.
func treeChildrenURL(parent string, level int, pageToken string) string {
	q := url.Values{"parent": {parent}, "level": {strconv.Itoa(level)}}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	return "/orgs/tree?" + q.Encode()
}
