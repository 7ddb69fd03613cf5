package access

import "strings"

// Kind is a kind of action on an organization. A refusal from Cloudflare
// narrows the kind that was refused and no other.
type Kind uint8

// The kinds of action the console offers.
const (
	Profile      Kind = iota // edit the business profile
	Members                  // add and remove members
	Organize                 // rename, move, delete the organization
	Create                   // create a sub-organization
	MoveAccounts             // move accounts out of the organization
	Settings                 // the console's own state: budgets, rate cards
	kinds
)

// Refused is the kind a refusal of act narrows: creating a
// sub-organization is a kind of organizing.
func (k Kind) Refused() Kind {
	if k == Create {
		return Organize
	}
	return k
}

// Right is what a person holds on an organization, as Cloudflare (a token's
// policies, or a membership) or the delegation file grants it.
type Right uint8

// The rights; Admin implies every other.
const (
	View Right = 1 << iota
	EditProfile
	EditMembers
	Admin
)

// Has reports whether r includes want (Admin includes everything).
func (r Right) Has(want Right) bool { return r&want == want || r&Admin != 0 }

// Grant is what the console learnt of a person's rights on one
// organization, and from where.
type Grant struct {
	Rights Right
	Known  bool   // false: neither the token's policies nor the membership could tell
	Source string // in words: "your token's permissions", "your membership", ...
}

// Flags are the organization's tenant flags that take part ("" when the API
// does not report one: then nothing is assumed).
type Flags struct {
	SubOrgCreation, AccountMobility, MemberManagement string
}

// Facts are what one decision reads.
type Facts struct {
	Grant        Grant
	Flags        Flags
	ConsoleAdmin bool          // the person is listed in --console-admins
	Refused      map[Kind]bool // kinds Cloudflare refused this person here, this session
}

// Caps is what a person may do on one organization: handlers read it to
// refuse, templates to offer.
type Caps struct {
	may [kinds]bool
	why [kinds]string
}

// May reports whether k is offered.
func (c Caps) May(k Kind) bool { return k < kinds && c.may[k] }

// Why says why k is not offered ("" when it is).
func (c Caps) Why(k Kind) string {
	if k >= kinds || c.may[k] {
		return ""
	}
	return c.why[k]
}

// Any reports whether any write is offered.
func (c Caps) Any() bool {
	for _, m := range c.may {
		if m {
			return true
		}
	}
	return false
}

// SettingsRule is the owner rule of the console's own state, in words.
const SettingsRule = "The console's own settings of an organization (its monthly budget and its rate card) may be changed by whoever may administer that organization or one above it in Cloudflare (a Super Administrator: a member of it, or a token with its Organization Write permission), and by the console's administrators (--console-admins)."

// Decide is the one place that turns facts into what is offered.
func Decide(f Facts) Caps {
	var c Caps
	set := func(k Kind, ok bool, why string) {
		c.may[k] = ok
		if !ok {
			c.why[k] = why
		}
	}
	g := f.Grant
	words := map[Kind]string{Profile: "editing the profile", Members: "managing members", Organize: "renaming, moving or deleting this organization",
		Create: "creating sub-organizations", MoveAccounts: "moving accounts"}
	cf := func(k Kind, need Right, what string) {
		switch {
		case f.Refused[k.Refused()]:
			set(k, false, "Cloudflare refused your token "+words[k.Refused()]+" here earlier in this session.")
		case g.Known && !g.Rights.Has(need):
			set(k, false, capitalize(g.Source)+" do not allow "+what+" here.")
		default:
			set(k, true, "")
		}
	}
	cf(Profile, EditProfile, words[Profile])
	cf(Members, EditMembers, words[Members])
	cf(Organize, Admin, words[Organize])
	cf(Create, Admin, words[Create])
	cf(MoveAccounts, Admin, words[MoveAccounts])
	if c.may[Members] && f.Flags.MemberManagement == "disabled" {
		set(Members, false, "Members of this organization are not managed in Cloudflare Organizations (its member_management flag is disabled).")
	}
	if c.may[Create] && f.Flags.SubOrgCreation == "disabled" {
		set(Create, false, "Sub-organizations cannot be created under this organization (its sub_org_creation flag is disabled).")
	}
	if c.may[MoveAccounts] && f.Flags.AccountMobility != "" && f.Flags.AccountMobility != "enabled" {
		set(MoveAccounts, false, "Accounts of this organization cannot move (its account_mobility flag is "+f.Flags.AccountMobility+").")
	}
	switch {
	case f.ConsoleAdmin || g.Known && g.Rights.Has(Admin):
		set(Settings, true, "")
	case !g.Known:
		set(Settings, false, "The console could not learn whether you may administer this organization, so its budget and rate card are not offered. "+SettingsRule)
	default:
		set(Settings, false, capitalize(g.Source)+" do not allow administering this organization, so its budget and rate card are read-only for you.")
	}
	return c
}

func capitalize(s string) string {
	if s == "" {
		return "Your permissions"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
