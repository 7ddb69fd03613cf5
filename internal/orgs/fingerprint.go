// Package orgs holds the rules of changing an organization that are not
// about HTTP: the API has no version field, so a change carries a
// fingerprint of what its form showed, and is made only if the
// organization, read again just before, still has it (otherwise the
// person sees both versions instead of overwriting someone else's change).
package orgs

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"orgboard/internal/api"
)

func mark(what, value string) string {
	sum := sha256.Sum256([]byte(what + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// NameMark is the fingerprint of the name a rename form showed.
func NameMark(o api.Organization) string { return mark("name", o.Name) }

// ParentMark is the fingerprint of the parent a move form showed.
func ParentMark(o api.Organization) string {
	if o.Parent == nil {
		return mark("parent", "")
	}
	return mark("parent", o.Parent.ID)
}

// ProfileMark is the fingerprint of the profile an edit form showed.
func ProfileMark(p api.Profile) string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b) // as the console wrote it before this package: a form open across an upgrade stays good
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// Stale reports whether what a form showed (its mark) is no longer what
// the organization holds now (current, its mark of the same kind): the
// change must not be sent.
func Stale(shown, current string) bool { return shown != current }

// MergeProfile is a proposed profile applied to the profile as it is now:
// the fields the proposal changed from what it was made against take the
// proposal's values, the others keep what they hold now (someone else's
// change meanwhile stays).
func MergeProfile(before, proposed, now api.Profile) api.Profile {
	out := now
	for _, f := range []struct{ b, p, o *string }{
		{&before.BusinessName, &proposed.BusinessName, &out.BusinessName},
		{&before.BusinessEmail, &proposed.BusinessEmail, &out.BusinessEmail},
		{&before.BusinessPhone, &proposed.BusinessPhone, &out.BusinessPhone},
		{&before.BusinessAddress, &proposed.BusinessAddress, &out.BusinessAddress},
		{&before.ExternalMetadata, &proposed.ExternalMetadata, &out.ExternalMetadata},
	} {
		if *f.p != *f.b {
			*f.o = *f.p
		}
	}
	return out
}
