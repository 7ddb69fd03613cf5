// pushdown.go finds the exclusions of a query the API can apply itself.

package audit

import (
	"strings"

	"orgboard/internal/api"
)

// apiExclusions maps a negated filter to the API's .not filter that does the
// same, where one exists.
var apiExclusions = map[string]func(x *api.AuditExclusions, v string){
	"result":   func(x *api.AuditExclusions, v string) { x.ActionResult = append(x.ActionResult, v) },
	"action":   func(x *api.AuditExclusions, v string) { x.ActionType = append(x.ActionType, v) },
	"context":  func(x *api.AuditExclusions, v string) { x.ActorContext = append(x.ActorContext, v) },
	"ip":       func(x *api.AuditExclusions, v string) { x.ActorIPAddress = append(x.ActorIPAddress, v) },
	"method":   func(x *api.AuditExclusions, v string) { x.RawMethod = append(x.RawMethod, v) },
	"status":   func(x *api.AuditExclusions, v string) { x.RawStatusCode = append(x.RawStatusCode, v) },
	"ray":      func(x *api.AuditExclusions, v string) { x.RawCFRayID = append(x.RawCFRayID, v) },
	"resource": func(x *api.AuditExclusions, v string) { x.ResourceID = append(x.ResourceID, v) },
	"product":  func(x *api.AuditExclusions, v string) { x.ResourceProduct = append(x.ResourceProduct, v) },
	"type":     func(x *api.AuditExclusions, v string) { x.ResourceType = append(x.ResourceType, v) },
	"actor": func(x *api.AuditExclusions, v string) {
		if strings.Contains(v, "@") {
			x.ActorEmail = append(x.ActorEmail, v)
		} else {
			x.ActorID = append(x.ActorID, v)
		}
	},
}

// Pushdown returns the exclusions of q that the API can apply itself, so
// that a fetch for this query does not transfer entries it would drop. A
// token filter is not pushed down: it matches a token's name or ID.
func Pushdown(q Query) api.AuditExclusions {
	var x api.AuditExclusions
	for _, f := range q.Filters {
		if add := apiExclusions[f.Field]; f.Negate && add != nil {
			add(&x, f.Value)
		}
	}
	return x
}
