// urls.go builds the console's own URLs from the route table
// (internal/route) with their parameters: every address a handler or a
// template links to is made from a route, each path segment and parameter
// escaped, so that no value is ever pasted into one.

package server

import (
	"net/url"
	"strconv"

	"orgboard/internal/route"
)

// withQuery joins a path and its parameters (none: the path alone).
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// treeChildrenURL loads a node's children (parent api.ParentNull: the
// roots), from pageToken on.
func treeChildrenURL(parent string, level int, pageToken string) string {
	q := url.Values{"parent": {parent}, "level": {strconv.Itoa(level)}}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	return withQuery(route.TreeChildren, q)
}

// auditURL is the audit search of one organization, or of every
// organization the user may read (org "").
func auditURL(org string, q url.Values) string {
	if org == "" {
		return withQuery(route.Audit, q)
	}
	return withQuery(route.Path(route.OrgAudit, org), q)
}

// auditExportURL exports a search.
func auditExportURL(org string, q url.Values) string {
	if org == "" {
		return withQuery(route.AuditExport, q)
	}
	return withQuery(route.Path(route.OrgAuditExport, org), q)
}

// auditEntryURL is one entry (the drawer, or its own page).
func auditEntryURL(id string) string { return route.Path(route.AuditEntry, id) }

// auditHistoryURL is the history of the resource entry acted on, with the
// search it came from to go back to.
func auditHistoryURL(entry, back string) string {
	q := url.Values{}
	setNonEmpty(q, "back", back)
	return withQuery(route.Path(route.AuditHistory, entry), q)
}

// savedSearchURL is one saved search (to delete it).
func savedSearchURL(id int64) string {
	return route.Path(route.AuditSavedOne, strconv.FormatInt(id, 10))
}

// usageURL is the usage tab of org, or one of its actions ("export",
// "chart.csv", "retry", "budget", "fetch"), with the page's state.
func usageURL(org, action string, q url.Values) string {
	r, ok := usageActions[action]
	if !ok {
		r = route.Usage
	}
	return withQuery(route.Path(r, org), q)
}

var usageActions = map[string]string{"export": route.UsageExport, "chart.csv": route.UsageChartCSV, "retry": route.UsageRetry,
	"budget": route.UsageBudget, "fetch": route.UsageFetch}

// loginURL asks to sign in, coming back to next ("" for the home page).
func loginURL(next string) string {
	if next == "" {
		return route.Login
	}
	return withQuery(route.Login, url.Values{"next": {next}})
}

// cancelDeleteURL takes back the confirmation of a deletion.
func cancelDeleteURL(org string) string {
	return withQuery(route.Path(route.OrgDelete, org), url.Values{"cancel": {"1"}})
}

// withParam is a copy of v with k set to val.
func withParam(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vals := range v {
		out[key] = vals
	}
	out.Set(k, val)
	return out
}
