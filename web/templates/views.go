// Package templates holds the console's templ components and the plain view
// structs they render. Components call nothing: handlers shape the data.
package templates

import (
	"encoding/json"
	"slices"
	"time"
)

// Page is what every full page needs.
type Page struct {
	Title     string
	CSRF      string // for hx-headers and hidden fields
	HXHeaders string // JSON for the body's hx-headers
	User      string // who is signed in; empty on the sign-in page
	APILabel  string // "local API" or "Cloudflare API"
	Local     bool
	// Changes offers the changes proposed for approval (team self-service
	// is set up); Delegated: the person signed in through the identity
	// provider (no alert rules of their own).
	Changes, Delegated bool
	Assets             Assets
}

// Assets are the hashed URLs of the static files.
type Assets struct {
	CSS, Normalize, HTMX, App, ECharts, Icon string
}

// Alert is a message box.
type Alert struct {
	Kind    string // "error", "ok", "info"
	Title   string
	Message string
	Retry   string // URL to try again, for unavailable upstreams
	SignIn  bool   // offer to sign in again
}

// LoginView is the sign-in page.
type LoginView struct {
	Page
	Error      string
	Notice     string
	DemoTokens []DemoToken
	Next       string
	// OIDC is the identity provider's sign-in ("" when none is set up),
	// OIDCError why it did not succeed; TokenOff hides the token's form.
	OIDC, OIDCError string
	TokenOff        bool
}

// DemoToken is one demo token of local mode.
type DemoToken struct {
	Token, Role, Description string
}

// TreeView is the hierarchy page.
type TreeView struct {
	Page
	Query string
	Roots TreeNodes
}

// TreeNodes is a list of sibling nodes and how many exist in all.
type TreeNodes struct {
	Parent  string // empty for the top level
	First   bool   // the first page of its level (the top level's first node takes the focus)
	Level   int
	Nodes   []TreeNode
	Total   int
	MoreURL string // the next page of siblings, if any
	MoreID  string // the element the next page replaces
	Error   *Alert
}

// TreeNode is one organization in the tree.
type TreeNode struct {
	ID, Name, URL string
	ChildrenURL   string // loads its sub-organizations
	ParentName    string // shown in search results
	Level         int
	Leaf          bool // it has no sub-organizations: no arrow to open
}

// OrgHeader is the top of every organization page.
type OrgHeader struct {
	ID, Name string
	Crumbs   []Crumb
	Tab      string
	Tabs     []Tab
}

// Crumb is one ancestor in the breadcrumbs.
type Crumb struct{ Name, URL string }

// Tab is one organization tab.
type Tab struct {
	Key, Label, URL string
	Selected        bool
}

// OrgPage is an organization page with one tab's panel.
type OrgPage struct {
	Page
	Header OrgHeader
}

// OverviewView is the overview tab.
type OverviewView struct {
	ID, Name, URL string
	Created       time.Time
	ManagedBy     string
	Flags         []Flag
	FlagsKnown    bool
	HierarchyTags []HierarchyTag // root first, the organization itself last
	Parent        *Crumb
	Children      []Crumb
	ChildrenTotal int
	ChildrenMore  bool
	Can           Can    // the write controls offered
	Refusal       string // the refusal just met, if any
	Done          string // what the person's last action changed, said once
	Rename        RenameForm
	Create        CreateForm
	Move          MoveForm
	Delete        DeleteForm
}

// HierarchyTag is one link of the chain of tags from the root down to the
// organization: the tag, and the organization's name where the token may read it.
type HierarchyTag struct {
	Tag, Name, URL string
}

// Flag is one of an organization's feature flags, in plain words.
type Flag struct {
	Label, Help, Value string
	On                 bool
}

// RenameForm renames an organization.
type RenameForm struct {
	CSRF                string
	Action, Name, Error string
	Fingerprint         string // of the name the form was shown with
	Conflict            *OrgConflict
	Done                bool
}

// OrgConflict is a rename or a move that met another person's change: what
// the user asked for beside what the organization holds now.
type OrgConflict struct {
	Mine, Current string
	MineID        string // the parent asked for (a move)
	Fingerprint   string // of the current state: sending again applies the user's version over it
}

// CreateForm creates a sub-organization.
type CreateForm struct {
	CSRF    string
	Action  string
	Name    string
	Profile ProfileFields
	Errors  FieldErrors
	Error   string
}

// MoveForm moves an organization under another parent.
type MoveForm struct {
	CSRF                     string
	Action, PickerURL, Query string
	Fingerprint              string // of the parent the form was shown with
	Candidates               []TreeNode
	Conflict                 *OrgConflict
	Error                    string
}

// DeleteForm asks before deleting.
type DeleteForm struct {
	CSRF                     string
	Action, ConfirmURL, Name string
	CancelURL                string // takes the confirmation back
	Confirming               bool
	Error                    string
}

// AccountsView is the accounts tab.
type AccountsView struct {
	OrgID, BaseURL string
	Name, Pubname  string
	Sort           string // "asc", "desc", "id"
	Subtree        bool   // the accounts of every sub-organization too
	Rows           AccountRows
	MoveNote       string // why accounts of this organization offer no Move…, when they do not
}

// AccountRows is one page of accounts, appended by "load more".
type AccountRows struct {
	Accounts []AccountRow
	Total    int
	Subtree  bool // rows name their organization
	Calls    int  // upstream calls the subtree's listing took
	MoreURL  string
	Error    *Alert
}

// AccountRow is one account.
type AccountRow struct {
	ID, Name, Type string
	Org            Crumb // in a subtree's listing
	Created        time.Time
	TwoFactor, API string // "yes", "no", "unknown"
	MoveURL        string
	CanMove        bool // no write was refused in its organization
}

// AccountMove is an account's move row: the search for a destination, the
// confirmation naming both organizations, the outcome.
type AccountMove struct {
	CSRF, Account, AccountName string
	Action, CancelURL          string
	From, To, ToURL            string
	Destination, Query         string
	Candidates                 []TreeNode
	Open, Confirming, Moved    bool
	Error                      string
}

// FieldErrors are a form's problems, each in the user's words, by the
// field's name.
type FieldErrors map[string]string

// ProfileFields are the five profile fields by their API names.
type ProfileFields struct {
	BusinessName, BusinessEmail, BusinessPhone, BusinessAddress, ExternalMetadata string
}

// ProfileView shows or edits a profile.
type ProfileView struct {
	CSRF                string
	OrgID, URL, EditURL string
	Fields              ProfileFields
	Editing             bool
	Fingerprint         string
	Errors              FieldErrors
	Error               *Alert
	Saved               bool
	Pending             *Pending // the change waits for a second person's approval
	Can                 Can      // Edit is offered only with Can.Profile
	Conflict            *ProfileConflict
}

// ProfileConflict shows the user's version beside the current one.
type ProfileConflict struct {
	Mine, Current      ProfileFields
	CurrentFingerprint string
	Changed            map[string]bool
}

// MembersView is the members tab.
type MembersView struct {
	OrgID, BaseURL string
	Active         bool
	Canceled       bool
	Email          string
	Rows           MemberRows
	Add            AddMemberForm
}

// MemberRows is one page of members.
type MemberRows struct {
	OrgID    string
	ReadOnly bool // members may not be removed by this person: no Remove buttons
	Members  []MemberRow
	Total    int
	MoreURL  string
	Error    *Alert
}

// MemberRow is one membership.
type MemberRow struct {
	CSRF                    string
	ID, Email, Name, Status string
	TwoFactor               bool
	Created                 time.Time
	RemoveURL, ConfirmURL   string
	CancelURL               string // takes the confirmation back
	Confirming              bool
	Error                   string
	Pending                 *Pending // its removal waits for approval
}

// Pending is a change proposed for approval, as its proposer is told.
type Pending struct {
	ID, URL string
}

// AddMemberForm adds a member.
type AddMemberForm struct {
	CSRF                         string
	Action, Email, Status, Error string
	Added                        string
	Pending                      *Pending // the addition waits for approval
	ReadOnly                     string   // why the form is not offered, when it is not
	Refusal                      string   // the refusal just met, if any
	OOB                          bool     // swapped beside another fragment
}

// ErrorView is an error page or fragment.
type ErrorView struct {
	Page
	Status int
	Alert  Alert
}

// AuditView is the audit search page (all organizations, or one).
type AuditView struct {
	Title       string // the page's heading (the organization's tab has its own)
	Scope       string // "" for every readable organization, else an organization ID
	BaseURL     string // the search's own URL without a query
	Query       string
	QueryError  string
	Descendants bool
	Ascending   bool
	Fields      []string
	Builder     AuditBuilder
	StatusURL   string
	SummaryURL  string
	ExportCSV   string
	ExportJSON  string
	AlertURL    string // a new alert rule on this search and organization
	Rows        AuditRows
	Indexing    *AuditIndexing // the sync has not reached the search's range yet
	Beyond      string         // the search reaches further back than the index
	Kept        string         // the search reaches past what Cloudflare keeps: those entries are the index's alone
	Rebuilt     string         // the index was found damaged at start and is being built again
	Saved       []SavedSearch
	SaveAction  string
	CSRF        string
}

// AuditIndexing says a search's range is still being synced: the results so
// far, and the page asks again (URL) until the sync covers the range.
type AuditIndexing struct {
	Synced, Since  string
	SinceISO       string
	OrgsDone, Orgs int
	URL            string
}

// AuditBuilder is the form that writes a query for those who do not type it.
type AuditBuilder struct {
	Actor, Action, Product, Result, Since, Text string
}

// AuditRows is one page of results; the last row loads the next page.
type AuditRows struct {
	Rows     []AuditRow
	MoreURL  string
	Empty    bool
	Indexing bool // an empty page means "not synced yet", not "nothing matches"
}

// AuditRow is one entry in the results.
type AuditRow struct {
	ID, Time, TimeISO, Description string
	Actor, Action, Result, Product AuditValue
	Resource, Type                 AuditValue
	DetailURL                      string
	Failure                        bool
	// Gone names a deleted organization the entry is of ("in Walk Test
	// Org (deleted)") or is about; "" for the living.
	Gone string
}

// AuditValue is a value with its include and exclude links.
type AuditValue struct {
	Text, Include, Exclude string
}

// AuditStatus is the sync progress bar.
type AuditStatus struct {
	URL          string
	Text         string // what the sync is doing, in words
	From         string // the index's first time, after Text (UTC; the browser shows it in the user's zone)
	FromISO      string
	Percent      int
	Done         bool
	Paused       string
	Problem      string
	CSRF, Org    string
	Sub          bool
	CanExtend    bool
	ExtendAction string
}

// AuditSummary is the numbers, facets and chart above the results.
type AuditSummary struct {
	Total, Actors, Products, FailureRate string
	TotalNoun, ActorsNoun, ProductsNoun  string // agreeing with their numbers
	Facets                               []Facet
	ChartJSON                            json.RawMessage
	BucketLabel                          string
	Partial                              string // which bars stand for part of their period, if any
}

// Facet is the top values of one field.
type Facet struct {
	Name   string // the query's field
	Label  string // as people say it: "actors"
	Values []FacetValue
}

// FacetValue is one value with its count and links.
type FacetValue struct {
	AuditValue
	Count string
}

// AuditDetail is the drawer with one entry.
type AuditDetail struct {
	Title            string // what happened, in a few words
	TimeISO, TimeUTC string // the browser shows the time in the user's zone, UTC on hover
	Fields           []DetailField
	Request          string
	Response         string
	RawLine          string
	HistoryURL       string
	// Linked is the search of the other side of a console's own entry:
	// Cloudflare's entry of the write it made (by its ray), or the
	// console's entries of a change.
	Linked, LinkedLabel string
}

// DetailField is one labelled value of an entry.
type DetailField struct {
	Label, Value string
	Mono         bool // an identifier, shown in a fixed-width font
}

// AuditHistory is every entry for one resource with its changes.
type AuditHistory struct {
	Resource            string // its ID
	Name, Type, Product string // as the entries call it
	BackURL             string // the search it came from
	Note                string // where the entries come from, and how exactly
	Problem             *Alert // the older part could not be read
	Steps               []HistoryStep
}

// HistoryStep is one entry and what changed since the one before.
type HistoryStep struct {
	Time, Action, Actor, Result, DetailURL string
	Source                                 string // "index", or "Cloudflare" (its history endpoint)
	Changes                                []Change
	Unknown                                bool // no state before is known: Changes are the values after
}

// Change is one field's change between two entries.
type Change struct {
	Path, Before, After string
}

// SavedSearch is a named query.
type SavedSearch struct {
	Name, URL, DeleteURL, RuleURL string
}

// Can is what the signed-in person may do on an organization, decided
// before any click: a control is shown only where its field is true, and
// Why says, by kind ("profile", "members", "organize", "create",
// "accounts", "settings"), why one is not.
type Can struct {
	Profile, Members, Organize, Create, MoveAccounts, Settings bool
	Why                                                        map[string]string
	// Proposes: a profile or member change waits for a second person's approval
	Proposes bool
}

// Notes are the reasons of the kinds not offered, each once, in a fixed order.
func (c Can) Notes(kinds ...string) []string {
	var out []string
	for _, k := range kinds {
		if w := c.Why[k]; w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
