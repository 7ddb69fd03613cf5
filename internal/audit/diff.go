// diff.go says what each entry of a resource's history changed: the state
// an entry shows (its response, else its request) against the one before.

package audit

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"orgboard/internal/api"
)

// Change is one field's change between two entries of a history.
type Change struct {
	Path, Before, After string
}

// Step is one entry of a history with what changed since the one before.
type Step struct {
	Entry   api.AuditEntry
	Changes []Change
	// Unknown: no earlier state of the resource is known (the history
	// starts here), so Changes holds the values after the entry, not what
	// it changed.
	Unknown bool
}

// profileType is the resource type of a profile's own entries: its state
// is the profile's fields, as the profile part of an organization's
// entries also holds them.
const profileType = "organization_profile"

// Steps diffs a resource's entries (in time order) one after the other:
// each against the state before it of the same part of the resource (an
// organization and its profile are one resource whose entries have
// different shapes: the profile's fields alone, or the organization with
// the profile inside). A failed action changed nothing, so it is not
// diffed; a change whose state before is not known says so.
func Steps(entries []api.AuditEntry) []Step {
	out := make([]Step, 0, len(entries))
	var org, profile map[string]string // the states known so far
	for _, e := range entries {
		step := Step{Entry: e}
		state := flatten(e.Resource.Response)
		if len(state) == 0 {
			state = flatten(e.Resource.Request)
		}
		if e.Action.Result == "failure" || len(state) == 0 {
			out = append(out, step)
			continue
		}
		created := e.Action.Type == "create"
		if e.Resource.Type == profileType {
			step.Changes, step.Unknown = changes(profile, state, created)
			profile = state
			out = append(out, step)
			continue
		}
		own, inner := split(state)
		step.Changes, step.Unknown = changes(org, own, created)
		if inner != nil {
			ch, unknown := changes(profile, inner, created)
			for _, c := range ch {
				c.Path = "profile." + c.Path
				step.Changes = append(step.Changes, c)
			}
			step.Unknown = step.Unknown || unknown && len(ch) > 0
			profile = inner
		}
		slices.SortFunc(step.Changes, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
		org = own
		out = append(out, step)
	}
	return out
}

// changes is what went from before to after; with no state before, a
// creation made every value and any other action's before is unknown.
func changes(before, after map[string]string, created bool) ([]Change, bool) {
	if before == nil && !created {
		return diff(nil, after), true
	}
	return diff(before, after), false
}

// split takes an organization's profile out of its state (nil: none).
func split(state map[string]string) (own, profile map[string]string) {
	own = map[string]string{}
	for k, v := range state {
		if rest, ok := strings.CutPrefix(k, "profile."); ok {
			if profile == nil {
				profile = map[string]string{}
			}
			profile[rest] = v
			continue
		}
		own[k] = v
	}
	return own, profile
}

// flatten turns a JSON object into path → value.
func flatten(raw json.RawMessage) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				walk(joinPath(prefix, k), val)
			}
		case []any:
			for i, val := range x {
				walk(joinPath(prefix, strconv.Itoa(i)), val)
			}
		default:
			b, _ := json.Marshal(x)
			out[prefix] = string(b)
		}
	}
	walk("", v)
	return out
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// diff lists what changed from before to after, by path.
func diff(before, after map[string]string) []Change {
	var out []Change
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			out = append(out, Change{Path: k, Before: before[k], After: v})
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok {
			out = append(out, Change{Path: k, Before: v})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// Diff lists what changes from one JSON object to another, field by field
// (a proposed change against the state it would replace).
func Diff(before, after json.RawMessage) []Change { return diff(flatten(before), flatten(after)) }
