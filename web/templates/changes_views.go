// changes_views.go is the view structs of the changes proposed for a
// second person's approval.

package templates

// ChangesView is /changes: what waits for the viewer's decision, their
// own proposals, and the recent decisions of the organizations they see.
type ChangesView struct {
	Page
	Flash   string
	Waiting []ChangeRow
	Mine    []ChangeRow
	Decided []ChangeRow
	// Note says why the viewer decides nothing here (a token's session),
	// or how approval works.
	Note string
}

// ChangeRow is one change.
type ChangeRow struct {
	ID, URL                  string
	Org, OrgURL              string
	What                     string // "Profile change", "Add alice@…", "Remove bob@…"
	Proposer                 string
	Created, CreatedISO      string
	State, StateKind         string // in words, and ok / bad / wait for its badge
	Decider, Decided, Reason string
	Diff                     []Change // the proposal against the organization as it is now
	DiffNote                 string   // why there is no diff, or what it is against
	ApproveURL, RejectURL    string   // when the viewer may decide it
	RejectReason             string   // the reason as typed, when it was refused
	Own                      bool     // the viewer proposed it
	CSRF                     string
	Conflict                 *ChangeConflict
	AuditURL                 string // the console's entries of this change
}

// ChangeConflict is an approval met with an organization changed since
// the proposal: both versions, and the approval again against the new one.
type ChangeConflict struct {
	Since []Change // what changed at Cloudflare since the proposal
	Now   []Change // what approving now changes: the proposal's fields on the profile as it is now
	Base  string   // the mark of the state now, for "approve anyway"
}

// ChangeView is one change's page.
type ChangeView struct {
	Page
	Row   ChangeRow
	Flash string
	Error string
}
