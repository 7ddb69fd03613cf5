// urls.go builds the console's own URLs. Every address a handler or a
// template links to is made here, each path segment and parameter escaped,
// so that no value is ever pasted into one.

package server

import (
	"net/url"
	"strconv"
	"strings"
)

// Fixed addresses of the console.
const (
	pathHome         = "/orgs"
	pathLogin        = "/login"
	pathAudit        = "/audit"
	pathAuditStatus  = "/audit/status"
	pathAuditSummary = "/audit/summary"
	pathAuditSaved   = "/audit/saved"
	pathAuditExtend  = "/audit/extend"
)

// withQuery joins a path and its parameters (none: the path alone).
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// orgURL is an organization's page, or one of its parts (orgURL(id,
// "members", memberID, "remove")).
func orgURL(id string, parts ...string) string {
	var b strings.Builder
	b.WriteString("/orgs/")
	b.WriteString(url.PathEscape(id))
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// treeChildrenURL loads a node's children (parent api.ParentNull: the
// roots), from pageToken on.
func treeChildrenURL(parent string, level int, pageToken string) string {
	q := url.Values{"parent": {parent}, "level": {strconv.Itoa(level)}}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	return withQuery("/orgs/tree", q)
}

// auditURL is the audit search of one organization, or of every
// organization the user may read (org "").
func auditURL(org string, q url.Values) string {
	if org == "" {
		return withQuery(pathAudit, q)
	}
	return withQuery(orgURL(org, "audit"), q)
}

// auditExportURL exports a search.
func auditExportURL(org string, q url.Values) string {
	if org == "" {
		return withQuery(pathAudit+"/export", q)
	}
	return withQuery(orgURL(org, "audit", "export"), q)
}

// auditEntryURL is one entry (the drawer, or its own page).
func auditEntryURL(id string) string { return "/audit/entries/" + url.PathEscape(id) }

// auditHistoryURL is the history of the resource entry acted on, with the
// search it came from to go back to.
func auditHistoryURL(entry, back string) string {
	q := url.Values{}
	setNonEmpty(q, "back", back)
	return withQuery(auditEntryURL(entry)+"/history", q)
}

// savedSearchURL is one saved search (to delete it).
func savedSearchURL(id int64) string { return pathAuditSaved + "/" + strconv.FormatInt(id, 10) }

// usageURL is the usage tab of org, or one of its actions ("export",
// "chart.csv", "retry", "budget"), with the page's state.
func usageURL(org, action string, q url.Values) string {
	if action == "" {
		return withQuery(orgURL(org, "usage"), q)
	}
	return withQuery(orgURL(org, "usage", action), q)
}

// loginURL asks to sign in, coming back to next ("" for the home page).
func loginURL(next string) string {
	if next == "" {
		return pathLogin
	}
	return withQuery(pathLogin, url.Values{"next": {next}})
}

// cancelDeleteURL takes back the confirmation of a deletion.
func cancelDeleteURL(org string) string {
	return withQuery(orgURL(org, "delete"), url.Values{"cancel": {"1"}})
}
