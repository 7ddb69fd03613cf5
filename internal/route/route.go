// Package route names every path of the console once: the router
// registers these patterns, and every link, redirect and form action is
// made from them (Path), so that no path is written twice.
package route

import (
	"net/url"
	"strings"
)

// The console's paths; a segment written :name is a parameter.
const (
	Root    = "/"
	Health  = "/healthz"
	Ready   = "/readyz"
	Metrics = "/metrics"
	Static  = "/static/*"
	Favicon = "/favicon.ico"
	Login   = "/login"
	Logout  = "/logout"
	// sign-in through the identity provider, and its answer
	LoginOIDC         = "/login/oidc"
	LoginOIDCCallback = "/login/oidc/callback"

	Home         = "/orgs" // the tree of organizations
	TreeChildren = "/orgs/tree"
	TreeSearch   = "/orgs/search"
	Org          = "/orgs/:id"
	OrgDelete    = "/orgs/:id/delete"
	OrgChildren  = "/orgs/:id/children"
	OrgMove      = "/orgs/:id/move"
	Accounts     = "/orgs/:id/accounts"
	AccountMove  = "/orgs/:id/accounts/:account/move"
	Profile      = "/orgs/:id/profile"
	ProfileEdit  = "/orgs/:id/profile/edit"
	Members      = "/orgs/:id/members"
	Member       = "/orgs/:id/members/:member"
	MemberRemove = "/orgs/:id/members/:member/remove"

	OrgAudit       = "/orgs/:id/audit"
	OrgAuditExport = "/orgs/:id/audit/export"
	Audit          = "/audit"
	AuditExport    = "/audit/export"
	AuditStatus    = "/audit/status"
	AuditSummary   = "/audit/summary"
	AuditEntry     = "/audit/entries/:entry"
	AuditHistory   = "/audit/entries/:entry/history"
	AuditSaved     = "/audit/saved"
	AuditSavedOne  = "/audit/saved/:saved"
	AuditExtend    = "/audit/extend"

	Usage            = "/orgs/:id/usage"
	UsageExport      = "/orgs/:id/usage/export"
	UsageChartCSV    = "/orgs/:id/usage/chart.csv"
	UsageRetry       = "/orgs/:id/usage/retry"
	UsageBudget      = "/orgs/:id/usage/budget"
	UsageFetch       = "/orgs/:id/usage/fetch"
	Rates            = "/orgs/:id/rates"
	RatesImport      = "/orgs/:id/rates/import"
	RatesExport      = "/orgs/:id/rates/export"
	RatesReset       = "/orgs/:id/rates/reset"
	FXImport         = "/orgs/:id/rates/fx/import"
	FXExport         = "/orgs/:id/rates/fx/export"
	FXReset          = "/orgs/:id/rates/fx/reset"
	Showback         = "/orgs/:id/showback"
	ShowbackFetch    = "/orgs/:id/showback/fetch"
	ShowbackExport   = "/orgs/:id/showback/export"
	Chargeback       = "/orgs/:id/chargeback"
	ChargebackExport = "/orgs/:id/chargeback/export"

	Alerts      = "/alerts"
	Alert       = "/alerts/:rule"
	AlertEdit   = "/alerts/:rule/edit"
	AlertPause  = "/alerts/:rule/pause"
	AlertResume = "/alerts/:rule/resume"
	AlertDelete = "/alerts/:rule/delete"
	AlertTest   = "/alerts/:rule/test"

	// changes proposed by people who may not make them alone
	Changes       = "/changes"
	Change        = "/changes/:change"
	ChangeApprove = "/changes/:change/approve"
	ChangeReject  = "/changes/:change/reject"
)

// Path is the route with its parameters filled in order, each escaped as
// a path segment. A parameter left without a value is an empty segment.
func Path(route string, params ...string) string {
	if !strings.Contains(route, ":") {
		return route
	}
	segs := strings.Split(route, "/")
	n := 0
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			v := ""
			if n < len(params) {
				v = params[n]
			}
			segs[i], n = url.PathEscape(v), n+1
		}
	}
	return strings.Join(segs, "/")
}
