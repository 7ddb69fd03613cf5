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
}

// Steps diffs a resource's entries (in time order) one after the other.
// A failed action changed nothing, so it is not diffed.
func Steps(entries []api.AuditEntry) []Step {
	out := make([]Step, 0, len(entries))
	var prev map[string]string
	for _, e := range entries {
		step := Step{Entry: e}
		state := flatten(e.Resource.Response)
		if len(state) == 0 {
			state = flatten(e.Resource.Request)
		}
		if e.Action.Result != "failure" && len(state) > 0 {
			step.Changes = diff(prev, state)
			prev = state
		}
		out = append(out, step)
	}
	return out
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
